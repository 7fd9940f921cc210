import IR

extension Identity: ReferenceKernel {
    /// Tensors are immutable, so the input itself is the output.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] { [inputs[0]] }
}
