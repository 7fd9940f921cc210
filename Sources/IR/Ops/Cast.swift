/// `Cast`: converts every element to the element type `to`.
///
///     float → integer   truncate toward zero (as C does); NaN becomes 0 and values beyond the
///                       target's range saturate to its min or max, so no input traps
///     integer → integer keep the low bits (two's-complement wrap, as C does)
///     any → bool        x ≠ 0 (NaN is true)
///     bool → any        0 or 1
///     to a float type   round to nearest
///
/// Float16 and the other narrow float targets are not supported (the IR has no float16 values).
public struct Cast: Operator, Equatable {
    public static let opType = "Cast"

    public var to: ElementType

    public init(to: ElementType) { self.to = to }

    public static func importing(_ node: ImportedNode) throws -> (op: Cast, inputs: [Int]) {
        try node.expectInputs(1...1)
        guard let code = try node.attributes.int("to") else { throw KilnError("Cast needs the 'to' attribute") }
        // ElementType(onnxCode:) reads FLOAT16 *data* as float32; a cast *to* float16 would change
        // the values, so it is refused here rather than silently widened.
        guard code != 10, let to = ElementType(onnxCode: code) else {
            throw KilnError("Cast to \(ElementType.onnxName(code)) is not supported")
        }
        return (Cast(to: to), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        return [TensorType(to, inputs[0].shape)]
    }

    /// The text IR names the target type (`int64`), where ONNX gives its code.
    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Cast {
        Cast(to: try attributes.elementType("to", opType))
    }

    public var attributeList: [(String, AttributeValue)] { [("to", .string(to.rawValue))] }
}
