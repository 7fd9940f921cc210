import IR

extension Transpose: ReferenceKernel {
    /// A strided copy: output axis i walks input axis perm[i] with that axis's stride.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0], y = Tensor(zeros: outputTypes[0])
        guard y.elementCount > 0 else { return [y] }
        let inStrides = Shapes.strides(x.shape)
        ByteCopy.strided(from: x.storage.bytes, base: 0, strides: perm.map { inStrides[$0] }, shape: y.shape,
                         to: y.storage.mutableBytes, elementSize: x.elementType.byteSize)
        return [y]
    }
}
