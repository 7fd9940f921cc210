/// `Expand`: broadcasts X to a shape, numpy style in both directions.
///
///     Y.shape = broadcast(X.shape, shape),   Y[i] = X[i with every broadcast (size-1) axis of X at 0]
///
/// A 1 in `shape` keeps the input's dimension, so Y can be larger than `shape`. The `shape` input
/// must be a compile-time constant and becomes the stored `shape`.
public struct Expand: Operator, Equatable {
    public static let opType = "Expand"

    public var shape: [Int]

    public init(shape: [Int]) { self.shape = shape }

    public static func importing(_ node: ImportedNode) throws -> (op: Expand, inputs: [Int]) {
        try node.expectInputs(2...2)
        guard let tensor = try node.constantInput(1, "Expand shape") else { throw KilnError("Expand needs a shape") }
        return (Expand(shape: try ShapeSupport.integers(tensor, "Expand shape")), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        guard shape.allSatisfy({ $0 >= 0 }) else { throw KilnError("Expand shape \(shape) has a negative dimension") }
        let x = inputs[0]
        return [try ShapeSupport.checkedType(x.elementType, try Shapes.broadcast(x.shape, shape))]
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Expand {
        Expand(shape: try attributes.requiredInts("shape", opType))
    }

    public var attributeList: [(String, AttributeValue)] { [("shape", .ints(shape))] }
}
