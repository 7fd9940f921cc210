/// `SqueezeExciteGate` (Kiln): the gate of a squeeze-and-excitation block without the excite, for
/// a conv that applies it itself (`fuse-gated-conv` pairs it with a gated `FusedConv`).
///
///     s[n, c]  = mean over h, w of X[n, c, h, w]                 (squeeze)
///     t[n, r]  = act(Σ_c W1[r, c] · s[n, c] + B1[r])             (reduce FC, r < R)
///     G[n, c, 0, 0] = gate(Σ_r W2[c, r] · t[n, r] + B2[c])       (expand FC and gate)
///
/// Inputs as `SqueezeExcite`: X [N, C, H, W], W1 [R, C], B1 [R], W2 [C, R], B2 [C]; output G [N, C, 1, 1].
public struct SqueezeExciteGate: Operator, Equatable {
    public static let opType = "SqueezeExciteGate"

    public var activation: Activation
    public var gate: Activation

    public init(activation: Activation, gate: Activation) {
        self.activation = activation
        self.gate = gate
    }

    public static func importing(_ node: ImportedNode) throws -> (op: SqueezeExciteGate, inputs: [Int]) {
        try node.expectInputs(5...5)
        return (try parse(node.attributes, inputTypes: []), [0, 1, 2, 3, 4])
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> SqueezeExciteGate {
        SqueezeExciteGate(activation: try Activation.attribute(attributes, "activation"),
                          gate: try Activation.attribute(attributes, "gate"))
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try SqueezeExcite.checkInputs(inputs, Self.opType)
        let x = inputs[0].shape
        return [TensorType(.float32, [x[0], x[1], 1, 1])]
    }

    public var attributeList: [(String, AttributeValue)] {
        [("activation", .string(activation.description)), ("gate", .string(gate.description))]
    }

    /// The two small FCs (the pool adds, it does not multiply).
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        let x = inputs[0].shape, r = inputs[1].shape[0]
        return x[0] * (2 * r * x[1])
    }
}
