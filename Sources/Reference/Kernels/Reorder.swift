import IR

extension Reorder: ReferenceKernel {
    /// Shapes are logical, so a reorder is the identity on values: the interpreter copies the
    /// tensor (generated code is what permutes the memory into the `to` layout).
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        if let src = x.storage.bytes.baseAddress, let dst = y.storage.mutableBytes.baseAddress {
            dst.copyMemory(from: src, byteCount: outputTypes[0].byteCount)
        }
        return [y]
    }
}
