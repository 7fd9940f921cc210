/// `Gather`: picks entries of X along `axis` by index.
///
///     Y[i_0, …, i_(axis−1), j_0, …, j_(q−1), k_(axis+1), …] = X[i_0, …, i_(axis−1), idx, k_(axis+1), …]
///     where idx = I[j_0, …, j_(q−1)], plus X.shape[axis] when negative
///
/// so `Y.shape = X.shape[..<axis] + I.shape + X.shape[(axis+1)...]`. The indices (int32 or int64)
/// stay an input: they may be a runtime value. An index outside [−n, n−1] is reported by the kernel.
public struct Gather: Operator, Equatable {
    public static let opType = "Gather"

    public var axis: Int

    public init(axis: Int = 0) { self.axis = axis }

    public static func importing(_ node: ImportedNode) throws -> (op: Gather, inputs: [Int]) {
        try node.expectInputs(2...2)
        return (Gather(axis: try node.attributes.int("axis", default: 0)), [0, 1])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 2...2, Self.opType)
        let x = inputs[0], indices = inputs[1]
        guard indices.elementType == .int64 || indices.elementType == .int32 else {
            throw KilnError("Gather indices must be int64 or int32, found \(indices)")
        }
        let a = try Shapes.axis(axis, rank: x.rank)
        return [try ShapeSupport.checkedType(x.elementType, Array(x.shape[..<a]) + indices.shape + Array(x.shape[(a + 1)...]))]
    }

    public var attributeList: [(String, AttributeValue)] { [("axis", .int(axis))] }
}
