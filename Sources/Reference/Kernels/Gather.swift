import IR

extension Gather: ReferenceKernel {
    /// For each combination of the axes before `axis` and each index, one contiguous block (the
    /// axes after `axis`) is copied. Indices are checked here: they may be runtime values.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0], y = Tensor(zeros: outputTypes[0])
        let a = try Shapes.axis(axis, rank: x.type.rank)
        let n = x.shape[a]
        let indices = try inputs[1].integers().map { i in
            guard i >= -n, i < n else { throw KilnError("Gather index \(i) is out of range for axis \(axis) of size \(n)") }
            return i < 0 ? i + n : i
        }
        guard y.elementCount > 0, let src = x.storage.bytes.baseAddress, let dst = y.storage.mutableBytes.baseAddress else {
            return [y]
        }
        let block = x.shape[(a + 1)...].reduce(1, *) * x.elementType.byteSize
        let outer = x.shape[..<a].reduce(1, *)
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                (dst + (o * indices.count + j) * block).copyMemory(from: src + (o * n + i) * block, byteCount: block)
            }
        }
        return [y]
    }
}
