import IR

extension Dense: ReferenceKernel {
    /// Y[n, j] = act(B[j] + Σ_k X'[n, k] · W[j, k]), with X' the input read as [N, K] (its row-major
    /// bytes are already that matrix). Each output is the dot product of a row of X' and a row of W,
    /// both contiguous.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let n = outputTypes[0].shape[0], j = outputTypes[0].shape[1]
        let k = inputs[1].shape[1]
        let x = inputs[0].floats, w = inputs[1].floats, b = inputs[2].floats
        let y = Tensor(zeros: outputTypes[0])
        let ys = y.mutableFloats
        for row in 0..<n {
            for col in 0..<j {
                var sum: Float = 0
                for p in 0..<k { sum += x[row * k + p] * w[col * k + p] }
                ys[row * j + col] = activation.apply(sum + b[col])
            }
        }
        return [y]
    }
}
