import IR

extension Cast: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        [Kernel.cast(inputs[0], to: to)]
    }
}
