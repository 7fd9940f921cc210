/// `Concat`: joins tensors along one axis.
///
///     Y.shape[axis] = Σ_k X_k.shape[axis]   (all other dims, the rank and the element type agree)
///     Y[…, o_k + i, …] = X_k[…, i, …]       where o_k = Σ_{j<k} X_j.shape[axis]
///
/// `axis` may be negative (counting from the back); any number of inputs (at least one).
public struct Concat: Operator, Equatable {
    public static let opType = "Concat"

    public var axis: Int

    public init(axis: Int) { self.axis = axis }

    public static func importing(_ node: ImportedNode) throws -> (op: Concat, inputs: [Int]) {
        guard !node.inputs.isEmpty else { throw KilnError("Concat needs at least one input") }
        guard let axis = try node.attributes.int("axis") else { throw KilnError("Concat needs an 'axis' attribute") }
        return (Concat(axis: axis), node.presentInputs)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        guard let first = inputs.first else { throw KilnError("Concat needs at least one input") }
        let a = try Shapes.axis(axis, rank: first.rank)
        var shape = first.shape
        for x in inputs.dropFirst() {
            guard x.elementType == first.elementType, x.rank == first.rank,
                  x.shape.indices.allSatisfy({ $0 == a || x.shape[$0] == first.shape[$0] }) else {
                throw KilnError("Concat along axis \(axis) cannot join \(first) and \(x)")
            }
            shape[a] = try ShapeSupport.add(shape[a], x.shape[a], "Concat output dimension")
        }
        return [try ShapeSupport.checkedType(first.elementType, shape)]
    }

    public var attributeList: [(String, AttributeValue)] { [("axis", .int(axis))] }
}
