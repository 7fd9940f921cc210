import IR

extension Concat: ReferenceKernel {
    /// For each combination of the axes before `axis`, each input contributes one contiguous block
    /// (its extent along `axis` times everything after it), in input order.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let y = Tensor(zeros: outputTypes[0])
        guard y.elementCount > 0 else { return [y] }
        let a = try Shapes.axis(axis, rank: y.type.rank)
        let outer = y.shape[..<a].reduce(1, *)
        let blocks = inputs.map { $0.shape[a...].reduce(1, *) * $0.elementType.byteSize }
        let rowBytes = blocks.reduce(0, +)
        guard let dst = y.storage.mutableBytes.baseAddress else { return [y] }
        var offset = 0
        for (input, block) in zip(inputs, blocks) {
            if block > 0, let src = input.storage.bytes.baseAddress {
                for o in 0..<outer {
                    (dst + o * rowBytes + offset).copyMemory(from: src + o * block, byteCount: block)
                }
            }
            offset += block
        }
        return [y]
    }
}
