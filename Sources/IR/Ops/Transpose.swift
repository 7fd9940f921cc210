/// `Transpose`: permutes the axes.
///
///     Y.shape[i] = X.shape[perm[i]],   Y[i0, …, i(r−1)] = X[j] with j[perm[k]] = i[k]
///
/// Without `perm` the axes are reversed. The stored `perm` is always explicit.
public struct Transpose: Operator, Equatable {
    public static let opType = "Transpose"

    public var perm: [Int]

    public init(perm: [Int]) { self.perm = perm }

    public static func importing(_ node: ImportedNode) throws -> (op: Transpose, inputs: [Int]) {
        try node.expectInputs(1...1)
        let rank = try node.input(0).type.rank
        let perm = try node.attributes.ints("perm") ?? Array((0..<rank).reversed())
        return (Transpose(perm: perm), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        guard perm.count == x.rank, perm.sorted() == Array(0..<x.rank) else {
            throw KilnError("Transpose perm \(perm) is not a permutation of the axes of \(x)")
        }
        return [TensorType(x.elementType, perm.map { x.shape[$0] })]
    }

    public var attributeList: [(String, AttributeValue)] { [("perm", .ints(perm))] }
}
