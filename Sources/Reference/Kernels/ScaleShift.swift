import IR

extension ScaleShift: ReferenceKernel {
    /// Y[n, c, …] = X[n, c, …] · scale[c] + shift[c], one pass per (n, c) plane.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let (scale, shift) = (inputs[1].floats, inputs[2].floats)
        let channels = x.shape[1], plane = x.shape[2...].reduce(1, *)
        let xs = x.floats, ys = y.mutableFloats
        for n in 0..<x.shape[0] {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                for i in base..<base + plane { ys[i] = xs[i] * scale[c] + shift[c] }
            }
        }
        return [y]
    }
}
