import IR

extension GlobalAveragePool: ReferenceKernel {
    /// Sums each (n, c) plane (in Double, so long planes lose no precision) and divides by its size.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let plane = x.shape[2...].reduce(1, *)
        let xs = x.floats, ys = y.mutableFloats
        for p in 0..<ys.count {
            var sum: Double = 0
            for i in p * plane..<(p + 1) * plane { sum += Double(xs[i]) }
            ys[p] = Float(sum / Double(plane))
        }
        return [y]
    }
}
