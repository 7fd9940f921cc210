import IR

extension FusedConv: ReferenceKernel {
    /// The reference Conv's convolution (bias included), then the epilogue on each element:
    /// Y = act(Z) + R, or act(Z + R) with `residual_first`, or act(Z) without a residual.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let y = conv.convolve(inputs[0], inputs[1], bias: inputs[2], outputType: outputTypes[0])
        let ys = y.mutableFloats
        if inputs.count > 3 {
            let rs = inputs[3].floats
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
