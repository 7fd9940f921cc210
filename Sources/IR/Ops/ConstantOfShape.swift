/// `ConstantOfShape`: a tensor of the given shape filled with one value.
///
///     Y.shape = shape,   Y[i] = value   for every i
///
/// The `shape` input (1-D int64) must be a compile-time constant and becomes the stored `shape`
/// (the node then has no inputs). `value` is the one-element tensor attribute, float32 0 by default;
/// its element type is the output's.
public struct ConstantOfShape: Operator, Equatable {
    public static let opType = "ConstantOfShape"

    public var shape: [Int]
    /// A scalar (shape []).
    public var value: Tensor

    public init(shape: [Int], value: Tensor) {
        self.shape = shape
        self.value = value
    }

    public static func == (a: ConstantOfShape, b: ConstantOfShape) -> Bool {
        a.shape == b.shape && a.value.hasSameContents(as: b.value)
    }

    public static func importing(_ node: ImportedNode) throws -> (op: ConstantOfShape, inputs: [Int]) {
        try node.expectInputs(1...1)
        guard let shapeTensor = try node.constantInput(0, "ConstantOfShape shape") else {
            throw KilnError("ConstantOfShape needs a shape")
        }
        let shape = try ShapeSupport.integers(shapeTensor, "ConstantOfShape shape")
        var value = try Tensor.scalar(0, as: .float32)
        if let given = try node.attributes.tensor("value") {
            guard given.elementCount == 1 else { throw KilnError("ConstantOfShape value \(given.type) must have one element") }
            value = given.reshaped([])
        }
        return (ConstantOfShape(shape: shape, value: value), [])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 0...0, Self.opType)
        guard value.type.shape == [] else { throw KilnError("ConstantOfShape value \(value.type) must be a scalar") }
        return [try ShapeSupport.checkedType(value.elementType, shape)]
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> ConstantOfShape {
        let type = try attributes.elementType("dtype", opType)
        return ConstantOfShape(shape: try attributes.requiredInts("shape", opType), value: try attributes.scalar("value", as: type, opType))
    }

    public var attributeList: [(String, AttributeValue)] {
        [("shape", .ints(shape)), ("value", value.scalarAttribute), ("dtype", .string(value.elementType.rawValue))]
    }
}
