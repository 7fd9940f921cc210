import IR

extension Relu6: ReferenceKernel {
    /// Y = min(max(X, 0), 6), element by element (NaN stays NaN).
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        [Kernel.map(inputs[0]) { Activation.relu6.apply($0) }]
    }
}
