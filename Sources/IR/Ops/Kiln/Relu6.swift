/// `Relu6` (Kiln): Y = min(max(X, 0), 6), elementwise. `canonicalize` makes it from `Clip(0, 6)`.
public struct Relu6: Operator, Equatable {
    public static let opType = "Relu6"
    public init() {}

    public static func importing(_ node: ImportedNode) throws -> (op: Relu6, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (Relu6(), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        try require(inputs[0].elementType == .float32, "Relu6 needs float32, found \(inputs[0])")
        return [inputs[0]]
    }
}
