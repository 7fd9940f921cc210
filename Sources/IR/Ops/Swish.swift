/// `Swish` (opset 24; SiLU when alpha = 1): X times the sigmoid of alpha·X, elementwise.
///
///     Y = X · sigmoid(alpha · X) = X / (1 + exp(−alpha · X))        alpha = 1 by default
public struct Swish: UnaryElementwise, Equatable {
    public static let opType = "Swish"

    public var alpha: Float

    public init(alpha: Float = 1) { self.alpha = alpha }

    public static func importing(_ node: ImportedNode) throws -> (op: Swish, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (Swish(alpha: try node.attributes.float("alpha", default: 1)), [0])
    }

    public var attributeList: [(String, AttributeValue)] { [("alpha", .float(alpha))] }
}
