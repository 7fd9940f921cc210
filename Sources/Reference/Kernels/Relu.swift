import IR

extension Relu: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        [Kernel.map(inputs[0]) { max($0, 0) }]
    }
}
