import IR

extension ReduceMean: ReferenceKernel {
    /// Walks X in order, adding each element to the output element it reduces to (found through
    /// output strides that are 0 along the reduced axes), then divides by the reduced count.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let shape = x.shape, rank = x.type.rank
        // Output strides laid over X's axes: the keepdims shape's strides, 0 on reduced axes.
        let kept = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        var strides = Shapes.strides(kept)
        for axis in axes { strides[axis] = 0 }
        var sums = [Double](repeating: 0, count: y.elementCount)
        let xs = x.floats
        var coord = [Int](repeating: 0, count: rank)
        var offset = 0
        for i in 0..<xs.count {
            sums[offset] += Double(xs[i])
            // Advance the coordinate like an odometer, keeping `offset` in step.
            var d = rank - 1
            while d >= 0 {
                coord[d] += 1
                offset += strides[d]
                if coord[d] < shape[d] { break }
                offset -= strides[d] * shape[d]
                coord[d] = 0
                d -= 1
            }
        }
        let count = Double(axes.reduce(1) { $0 * shape[$1] })
        let ys = y.mutableFloats
        for i in 0..<ys.count { ys[i] = Float(sums[i] / count) }
        return [y]
    }
}
