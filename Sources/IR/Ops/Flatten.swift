/// `Flatten`: reshapes X to 2-D, keeping the element order.
///
///     Y.shape = [d0 · … · d(axis−1), d(axis) · … · d(r−1)]
///
/// `axis` is in [−r, r] (negative counts from the back); an empty product is 1.
public struct Flatten: Operator, Equatable {
    public static let opType = "Flatten"

    public var axis: Int

    public init(axis: Int = 1) { self.axis = axis }

    public static func importing(_ node: ImportedNode) throws -> (op: Flatten, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (Flatten(axis: try node.attributes.int("axis", default: 1)), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        let a = axis < 0 ? axis + x.rank : axis
        guard a >= 0, a <= x.rank else { throw KilnError("Flatten axis \(axis) is out of range for \(x)") }
        let outer = try ShapeSupport.product(x.shape[..<a]), inner = try ShapeSupport.product(x.shape[a...])
        return [try ShapeSupport.checkedType(x.elementType, [outer, inner])]
    }

    public var attributeList: [(String, AttributeValue)] { [("axis", .int(axis))] }
}
