import IR

extension Shape: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let dims = inputs[0].shape[range(rank: inputs[0].type.rank)]
        return [Tensor(copying: dims.map { Int64($0) }, as: outputTypes[0])]
    }
}
