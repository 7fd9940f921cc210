/// `GlobalAveragePool`: the mean over all spatial positions of each channel.
///
///     Y[n, c, 1, …, 1] = (1 / (D1·…·Dk)) · Σ_{d1…dk} X[n, c, d1, …, dk]
///
/// Input X [N, C, D1, …, Dk] with k ≥ 1; the output keeps the rank, spatial dimensions become 1.
public struct GlobalAveragePool: Operator, Equatable {
    public static let opType = "GlobalAveragePool"

    public init() {}

    public static func importing(_ node: ImportedNode) throws -> (op: GlobalAveragePool, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (GlobalAveragePool(), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        guard x.rank >= 3, x.elementType == .float32 else {
            throw KilnError("GlobalAveragePool needs a float32 input of rank 3 or more [N, C, spatial…], found \(x)")
        }
        guard x.shape[2...].allSatisfy({ $0 > 0 }) else {
            throw KilnError("GlobalAveragePool of \(x) averages over an empty spatial extent")
        }
        return [TensorType(.float32, Array(x.shape[..<2]) + Array(repeating: 1, count: x.rank - 2))]
    }
}
