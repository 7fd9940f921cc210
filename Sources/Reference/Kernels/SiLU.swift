import IR

extension SiLU: ReferenceKernel {
    /// Y = X · σ(X) = X / (1 + e⁻ˣ), element by element.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        [Kernel.map(inputs[0]) { Activation.silu.apply($0) }]
    }
}
