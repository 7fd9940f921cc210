import IR

extension Slice: ReferenceKernel {
    /// A strided copy starting at the window's first element, each axis stepping by its step.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0], y = Tensor(zeros: outputTypes[0])
        guard y.elementCount > 0 else { return [y] }
        let windows = try windows(for: x.shape)
        let inStrides = Shapes.strides(x.shape)
        let base = zip(windows, inStrides).reduce(0) { $0 + $1.0.start * $1.1 }
        ByteCopy.strided(from: x.storage.bytes, base: base, strides: zip(windows, inStrides).map { $0.step * $1 },
                         shape: y.shape, to: y.storage.mutableBytes, elementSize: x.elementType.byteSize)
        return [y]
    }
}
