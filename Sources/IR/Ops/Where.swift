/// `Where`: picks from X where the condition holds and from Y elsewhere; the three inputs
/// broadcast together (numpy style).
///
///     output = condition ? X : Y
public struct Where: Operator, Equatable {
    public static let opType = "Where"
    public init() {}

    public static func importing(_ node: ImportedNode) throws -> (op: Where, inputs: [Int]) {
        try node.expectInputs(3...3)
        return (Where(), [0, 1, 2])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 3...3, Self.opType)
        let (condition, x, y) = (inputs[0], inputs[1], inputs[2])
        guard condition.elementType == .bool else { throw KilnError("Where condition must be bool, found \(condition)") }
        guard x.elementType == y.elementType else { throw KilnError("Where X \(x) and Y \(y) must share one element type") }
        let shape = try Shapes.broadcast(inputs.map(\.shape))
        _ = try TensorType.checkedElementCount(shape, elementSize: x.elementType.byteSize)
        return [TensorType(x.elementType, shape)]
    }
}
