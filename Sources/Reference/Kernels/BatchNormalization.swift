import IR

extension BatchNormalization: ReferenceKernel {
    /// One pass per (n, c) plane; the per-channel factor scale / √(var + ε) is computed once.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let (scale, bias, mean, variance) = (inputs[1].floats, inputs[2].floats, inputs[3].floats, inputs[4].floats)
        let channels = x.shape[1]
        let plane = x.shape[2...].reduce(1, *)
        let xs = x.floats, ys = y.mutableFloats
        for n in 0..<x.shape[0] {
            for c in 0..<channels {
                let factor = scale[c] / (variance[c] + epsilon).squareRoot()
                let base = (n * channels + c) * plane
                for i in base..<base + plane {
                    ys[i] = (xs[i] - mean[c]) * factor + bias[c]
                }
            }
        }
        return [y]
    }
}
