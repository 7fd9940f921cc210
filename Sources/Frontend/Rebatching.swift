import IR

/// `--batch N`: imports a model written for one image as one that takes N. Every graph input whose
/// dimension 0 is 1 (or symbolic) gets N there, and the batch is followed through the import, node by
/// node, where shapes are inferred:
///
///     input [1, 3, 224, 224]              →  [N, 3, 224, 224]                    (a carrier of the batch)
///     Reshape(x [N, 1280, 1, 1], [1, -1]) →  Reshape(x, [N, -1])                 (`Operator.followingBatch`)
///     Flatten, Squeeze([2, 3]), Conv, …   →  unchanged: shape inference gives [N, …]
///     Shape(x) → Concat → Reshape         →  folded from the re-batched type, so already [N, …]
///
/// Every result of a node that reads a carrier must carry the batch in dimension 0 too; a node whose
/// result does not (a Reshape that merges the batch into another dimension, a Slice or Squeeze of
/// dimension 0, a Concat along it) cannot be re-batched, and the import stops there, naming it. So do
/// the nodes whose shape inference fails on the re-batched inputs.
struct Rebatching {
    let batch: Int
    /// Values whose dimension 0 is the batch: the re-batched inputs and everything computed from them.
    private var carriers: Set<ValueID> = []

    init(batch: Int) { self.batch = batch }

    /// The declared dims of an input with its leading 1 (or symbolic dimension) made the batch; nil when
    /// the input has no such dimension and keeps its shape.
    func inputDims(_ declared: [Int?]) -> [Int?]? {
        guard let first = declared.first, first == nil || first == 1 else { return nil }
        return [batch] + declared.dropFirst()
    }

    mutating func markInput(_ id: ValueID) { carriers.insert(id) }

    var rebatchedAnyInput: Bool { !carriers.isEmpty }

    func carries(_ id: ValueID) -> Bool { carriers.contains(id) }

    /// The operator with the batch followed into the attributes that bake it in.
    func follow(_ op: some Operator, inputs: [ValueID], types: [TensorType]) -> any Operator {
        op.followingBatch(from: 1, to: batch, inputs: types, batched: inputs.map(carriers.contains))
    }

    /// Records which outputs of a node carry the batch, or throws when a node reading a carrier
    /// computes something without it. Outputs folded to constants (`Shape`) carry nothing.
    mutating func checkOutputs(of opType: String, inputs: [ValueID], outputs: [(id: ValueID, type: TensorType, constant: Bool)]) throws {
        guard inputs.contains(where: carriers.contains) else { return }
        for output in outputs where !output.constant {
            guard output.type.shape.first == batch else {
                throw KilnError("cannot re-batch to \(batch): this \(opType) reads the batch in dimension 0 but computes "
                                + "\(output.type), which does not keep it there")
            }
            carriers.insert(output.id)
        }
    }

    /// A shape inference error on re-batched inputs, said as what it is.
    func explain(_ error: KilnError) -> KilnError {
        var copy = error
        copy.message = "cannot re-batch to \(batch): \(error.message)"
        return copy
    }
}
