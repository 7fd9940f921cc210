/// `HardSigmoid`: a piecewise-linear sigmoid, elementwise.
///
///     Y = max(0, min(1, alpha · X + beta))        alpha = 0.2, beta = 0.5 by default
public struct HardSigmoid: UnaryElementwise, Equatable {
    public static let opType = "HardSigmoid"

    public var alpha: Float
    public var beta: Float

    public init(alpha: Float = 0.2, beta: Float = 0.5) {
        self.alpha = alpha
        self.beta = beta
    }

    public static func importing(_ node: ImportedNode) throws -> (op: HardSigmoid, inputs: [Int]) {
        try node.expectInputs(1...1)
        let a = node.attributes
        return (HardSigmoid(alpha: try a.float("alpha", default: 0.2), beta: try a.float("beta", default: 0.5)), [0])
    }

    public var attributeList: [(String, AttributeValue)] { [("alpha", .float(alpha)), ("beta", .float(beta))] }
}
