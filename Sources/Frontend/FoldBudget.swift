import IR

/// What constant folding at import may still create and compute (`ResourceLimits.foldBytes`, `foldWork`, plus the
/// weights the file itself carries). A node is charged *before* its reference kernel runs, so a file of a few
/// bytes that asks for a gigabyte of constants is refused with the node and the size, never allocated.
struct FoldBudget {
    private let limits: ResourceLimits
    /// Bytes of initializers and `Constant` nodes seen so far: data the file really holds, which folding may
    /// transform (Transpose, Cast, Reshape of weights) as often as once over without touching the limits.
    private var weightBytes = 0
    private var spentBytes = 0
    private var spentWork = 0

    init(limits: ResourceLimits = .current) { self.limits = limits }

    mutating func addWeights(_ tensor: Tensor) {
        weightBytes = weightBytes.addingSaturated(tensor.type.byteCount)
    }

    /// Charges folding `op` from `inputs` to `outputs`, or throws (naming the size and the limit) when that
    /// would exceed the budget. Returns the work, for `commit`.
    func charge(_ op: any Operator, inputs: [TensorType], outputs: [TensorType]) throws -> Int {
        let bytes = outputs.reduce(0) { $0.addingSaturated($1.byteCount) }
        let elements = (inputs + outputs).reduce(0) { $0.addingSaturated($1.elementCount) }
        let work = max(op.macs(inputs: inputs, outputs: outputs), elements)
        let allowedBytes = limits.foldBytes.addingSaturated(weightBytes)
        if bytes > allowedBytes - spentBytes {
            throw KilnError("folding this node at import would create \(describe(outputs)) (\(ResourceLimits.format(bytes: bytes))); "
                            + "constant folding may create at most \(ResourceLimits.format(bytes: limits.foldBytes)) beyond the "
                            + "model's \(ResourceLimits.format(bytes: weightBytes)) of weights, \(ResourceLimits.format(bytes: spentBytes)) "
                            + "already used (set KILN_MAX_FOLD_BYTES to raise it)")
        }
        let allowedWork = limits.foldWork.addingSaturated(weightBytes)
        if work > allowedWork - spentWork {
            throw KilnError("folding this node at import would take \(work) operations on \(describe(inputs)); constant folding may "
                            + "compute at most \(limits.foldWork) beyond the model's weights, \(spentWork) already used "
                            + "(set KILN_MAX_FOLD_WORK to raise it)")
        }
        return work
    }

    /// Records a fold that ran. Outputs that share their bytes with an input (Reshape, Identity) cost no memory.
    mutating func commit(work: Int, inputs: [Tensor], outputs: [Tensor]) {
        let fresh = outputs.filter { output in !inputs.contains { $0.storage === output.storage } }
        spentBytes = spentBytes.addingSaturated(fresh.reduce(0) { $0.addingSaturated($1.type.byteCount) })
        spentWork = spentWork.addingSaturated(work)
    }

    private func describe(_ types: [TensorType]) -> String {
        types.map(\.description).joined(separator: ", ")
    }
}
