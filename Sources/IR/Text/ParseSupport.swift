/// Helpers for `Operator.parse` overrides: reading back the canonical attributes an operator prints,
/// for operators whose canonical form is not an ONNX node of the newest opset (bounds, axes, shapes
/// and pads that ONNX passes as inputs).
extension Attributes {
    /// The int list `name`, or an error naming the operator when it is missing.
    func requiredInts(_ name: String, _ op: String) throws -> [Int] {
        guard let value = try ints(name) else { throw KilnError("\(op) needs the attribute '\(name)'") }
        return value
    }

    /// The element type written as its name (`float32`, `int64`, …) under `name`.
    func elementType(_ name: String, _ op: String) throws -> ElementType {
        let text = try string(name) ?? ""
        guard let type = ElementType(rawValue: text) else {
            throw KilnError("\(op) attribute '\(name)' should name an element type, found '\(text)'")
        }
        return type
    }

    /// A scalar tensor of `elementType` from the number stored under `name` (as `scalarAttribute` prints it).
    func scalar(_ name: String, as elementType: ElementType, _ op: String) throws -> Tensor {
        switch self[name] {
        case .int(let v)? where !elementType.isFloatingPoint:
            // Integers go through Int64 exactly rather than through Double.
            switch elementType {
            case .int64: return Tensor(copying: [Int64(v)], as: TensorType(.int64, []))
            default: return try Tensor.scalar(Double(v), as: elementType)
            }
        case .int, .float:
            return try Tensor.scalar(Double(try float(name) ?? 0), as: elementType)
        case nil:
            return try Tensor.scalar(0, as: elementType)
        case let other?:
            throw KilnError("\(op) attribute '\(name)' should be a number, found \(other)")
        }
    }
}
