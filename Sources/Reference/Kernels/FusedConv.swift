import IR

extension FusedConv: ReferenceKernel {
    /// The reference Conv's convolution (bias included) of X, or of X scaled per channel by the
    /// gate (exactly SqueezeExcite's `x · g`), then the epilogue on each element: Y = act(Z) + R,
    /// or act(Z + R) with `residual_first`, or act(Z) without a residual.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        var x = inputs[0]
        if let g = gateSlot { x = SqueezeExcite.scale(x, byGate: inputs[g]) }
        let y = conv.convolve(x, inputs[1], bias: inputs[2], outputType: outputTypes[0])
        let ys = y.mutableFloats
        if let r = residualSlot(inputCount: inputs.count) {
            let rs = inputs[r].floats
            if residualFirst {
                for i in 0..<ys.count { ys[i] = activation.apply(ys[i] + rs[i]) }
            } else {
                for i in 0..<ys.count { ys[i] = activation.apply(ys[i]) + rs[i] }
            }
        } else if activation != .none {
            for i in 0..<ys.count { ys[i] = activation.apply(ys[i]) }
        }
        return [y]
    }
}
