/// `Dropout` at inference: the data passes through unchanged, and the optional mask says that
/// every element was kept.
///
///     output = data        mask = true (all elements; 1 of the data type before opset 10)
///
/// Training-mode dropout is random and is not supported: from opset 12 `ratio` and
/// `training_mode` are inputs, which must be compile-time constants with training_mode false (or
/// ratio 0, which drops nothing even in training).
/// The ratio does not matter at inference and is dropped. Like every operator, Dropout infers all
/// its outputs; the frontend binds the mask only when the node names it.
public struct Dropout: Operator, Equatable {
    public static let opType = "Dropout"

    /// The element type of the mask output: bool from opset 10, the data type before.
    public var maskType: ElementType

    public init(maskType: ElementType = .bool) { self.maskType = maskType }

    public static func importing(_ node: ImportedNode) throws -> (op: Dropout, inputs: [Int]) {
        let data = try node.input(0).type
        if node.opset >= 12 {
            try node.expectInputs(1...3)
            var ratio = 0.5
            if let value = try node.constantInput(1, "Dropout ratio") {
                guard value.elementCount == 1, value.elementType.isFloatingPoint else {
                    throw KilnError("Dropout ratio must be a floating-point scalar, found \(value.type)")
                }
                ratio = value.doubles()[0]
            }
            if let training = try node.constantInput(2, "Dropout training_mode") {
                guard training.elementCount == 1, training.elementType == .bool else {
                    throw KilnError("Dropout training_mode must be a bool scalar, found \(training.type)")
                }
                // Training with ratio 0 drops nothing: still the identity.
                guard try training.integers()[0] == 0 || ratio == 0 else {
                    throw KilnError("Dropout in training mode is random; Kiln supports inference (training_mode false, or ratio 0) only")
                }
            }
        } else {
            try node.expectInputs(1...1)
            if try node.attributes.int("is_test") == 0 {
                throw KilnError("Dropout with is_test = 0 is training mode; Kiln supports inference only")
            }
        }
        let maskType: ElementType = node.opset >= 10 ? .bool : data.elementType
        return (Dropout(maskType: maskType), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        try requireElementType(inputs[0], in: [.float32, .float64], Self.opType)
        return [inputs[0], TensorType(maskType, inputs[0].shape)]
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Dropout {
        Dropout(maskType: try attributes.elementType("mask", opType))
    }

    public var attributeList: [(String, AttributeValue)] {
        [("mask", .string(maskType.rawValue))]
    }
}
