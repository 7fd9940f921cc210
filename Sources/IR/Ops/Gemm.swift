/// `Gemm`: general matrix multiply.
///
///     Y[i, j] = alpha · Σ_k A'[i, k] · B'[k, j] + beta · C[i, j]
///
/// where A' = transA ? Aᵀ : A is [M, K], B' = transB ? Bᵀ : B is [K, N], and the optional C is
/// broadcast one way (numpy rules, right-aligned) to [M, N]: a scalar, [N], [1, N], [M, 1] or [M, N].
/// Opset 7 onward (no `broadcast` attribute; C optional from opset 11, accepted in every opset).
public struct Gemm: Operator, Equatable {
    public static let opType = "Gemm"

    public var alpha: Float
    public var beta: Float
    public var transA: Bool
    public var transB: Bool

    public init(alpha: Float = 1, beta: Float = 1, transA: Bool = false, transB: Bool = false) {
        self.alpha = alpha
        self.beta = beta
        self.transA = transA
        self.transB = transB
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Gemm, inputs: [Int]) {
        try node.expectInputs(2...3)
        let a = node.attributes
        let op = Gemm(alpha: try a.float("alpha", default: 1), beta: try a.float("beta", default: 1),
                      transA: try a.int("transA", default: 0) != 0, transB: try a.int("transB", default: 0) != 0)
        return (op, node.presentInputs)
    }

    /// M, K, N for the given A and B types, or an error.
    public func dimensions(_ a: TensorType, _ b: TensorType) throws -> (m: Int, k: Int, n: Int) {
        guard a.rank == 2, b.rank == 2, a.elementType == .float32, b.elementType == .float32 else {
            throw KilnError("Gemm needs float32 matrices A and B, found \(a) and \(b)")
        }
        let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == kb else {
            throw KilnError("Gemm inner dimensions differ: A' is [\(m), \(k)] and B' is [\(kb), \(n)] (A \(a), B \(b), transA \(transA), transB \(transB))")
        }
        return (m, k, n)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 2...3, Self.opType)
        let (m, _, n) = try dimensions(inputs[0], inputs[1])
        if inputs.count == 3 {
            let c = inputs[2]
            guard c.elementType == .float32, c.rank <= 2, (try? Shapes.broadcast(c.shape, [m, n])) == [m, n] else {
                throw KilnError("Gemm C \(c) does not broadcast to the output [\(m), \(n)]")
            }
        }
        _ = try TensorType.checkedElementCount([m, n], elementSize: 4)
        return [TensorType(.float32, [m, n])]
    }

    public var attributeList: [(String, AttributeValue)] {
        [("alpha", .float(alpha)), ("beta", .float(beta)), ("transA", .int(transA ? 1 : 0)), ("transB", .int(transB ? 1 : 0))]
    }

    /// M · N · K.
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        guard let (m, k, n) = try? dimensions(inputs[0], inputs[1]) else { return 0 }
        let (mn, o1) = m.multipliedReportingOverflow(by: n), (mnk, o2) = mn.multipliedReportingOverflow(by: k)
        return o1 || o2 ? Int.max : mnk
    }
}
