import IR

extension Expand: ReferenceKernel {
    /// A strided copy where every axis the input broadcasts along has stride 0.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0], y = Tensor(zeros: outputTypes[0])
        guard y.elementCount > 0 else { return [y] }
        let padded = [Int](repeating: 1, count: y.type.rank - x.type.rank) + x.shape
        let strides = zip(padded, Shapes.strides(padded)).map { dim, stride in dim == 1 ? 0 : stride }
        ByteCopy.strided(from: x.storage.bytes, base: 0, strides: strides, shape: y.shape,
                         to: y.storage.mutableBytes, elementSize: x.elementType.byteSize)
        return [y]
    }
}
