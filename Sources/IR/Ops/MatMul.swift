/// `MatMul`: matrix product with numpy `matmul` semantics.
///
///     Y[b…, i, j] = Σ_k A[b…, i, k] · B[b…, k, j]
///
/// A 1-D A is treated as a row [1, K] and a 1-D B as a column [K, 1], and the added dimension is
/// removed from the result; the batch dimensions b… (all but the last two) broadcast numpy-style.
public struct MatMul: Operator, Equatable {
    public static let opType = "MatMul"

    public init() {}

    public static func importing(_ node: ImportedNode) throws -> (op: MatMul, inputs: [Int]) {
        try node.expectInputs(2...2)
        return (MatMul(), [0, 1])
    }

    /// The shapes of one product: batch shape of the output, M, K, N, and the output shape.
    public struct Plan: Equatable {
        public var batch: [Int]
        public var aBatch: [Int]
        public var bBatch: [Int]
        public var m: Int, k: Int, n: Int
        public var output: [Int]
    }

    public static func plan(_ a: TensorType, _ b: TensorType) throws -> Plan {
        guard a.rank >= 1, b.rank >= 1, a.elementType == .float32, b.elementType == .float32 else {
            throw KilnError("MatMul needs float32 inputs of rank 1 or more, found \(a) and \(b)")
        }
        let aShape = a.rank == 1 ? [1] + a.shape : a.shape
        let bShape = b.rank == 1 ? b.shape + [1] : b.shape
        let (m, k) = (aShape[aShape.count - 2], aShape[aShape.count - 1])
        let (kb, n) = (bShape[bShape.count - 2], bShape[bShape.count - 1])
        guard k == kb else { throw KilnError("MatMul inner dimensions differ: \(a) × \(b)") }
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        let batch = try Shapes.broadcast(aBatch, bBatch)
        var output = batch
        if a.rank > 1 { output.append(m) }
        if b.rank > 1 { output.append(n) }
        _ = try TensorType.checkedElementCount(output, elementSize: 4)
        return Plan(batch: batch, aBatch: aBatch, bBatch: bBatch, m: m, k: k, n: n, output: output)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 2...2, Self.opType)
        return [TensorType(.float32, try Self.plan(inputs[0], inputs[1]).output)]
    }

    /// Output elements × K = batch · M · N · K.
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        guard let plan = try? Self.plan(inputs[0], inputs[1]) else { return 0 }
        // Output elements (batch · M · N, checked by shape inference) × K, saturating.
        let (total, overflow) = plan.output.reduce(1, *).multipliedReportingOverflow(by: plan.k)
        return overflow ? Int.max : total
    }
}
