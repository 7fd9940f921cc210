/// `SiLU` (Kiln): Y = X · σ(X), elementwise. `canonicalize` makes it from `Mul(X, Sigmoid(X))` and
/// from opset 24's `Swish` with alpha 1.
public struct SiLU: Operator, Equatable {
    public static let opType = "SiLU"
    public init() {}

    public static func importing(_ node: ImportedNode) throws -> (op: SiLU, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (SiLU(), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        try require(inputs[0].elementType == .float32, "SiLU needs float32, found \(inputs[0])")
        return [inputs[0]]
    }
}
