import IR

extension Unsqueeze: ReferenceKernel {
    /// Row-major order is unchanged, so the output shares the input's bytes.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        [Tensor(type: outputTypes[0], storage: inputs[0].storage)]
    }
}
