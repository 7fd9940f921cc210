/// `SqueezeExcite` (Kiln): the squeeze-and-excitation gate of an MBConv block, fused.
///
///     s[n, c]  = mean over h, w of X[n, c, h, w]                 (squeeze)
///     t[n, r]  = act(Σ_c W1[r, c] · s[n, c] + B1[r])             (reduce FC, r < R)
///     g[n, c]  = gate(Σ_r W2[c, r] · t[n, r] + B2[c])            (expand FC and gate)
///     Y[n, c, h, w] = X[n, c, h, w] · g[n, c]                    (excite)
///
/// Inputs: X [N, C, H, W], W1 [R, C], B1 [R], W2 [C, R], B2 [C]. `fuse-squeeze-excite` builds it from
/// GlobalAveragePool (or ReduceMean over H, W) → 1×1 Conv → activation → 1×1 Conv → Sigmoid/HardSigmoid → Mul.
public struct SqueezeExcite: Operator, Equatable {
    public static let opType = "SqueezeExcite"

    /// Applied after the reduce FC (SiLU in EfficientNet, ReLU in MobileNetV3).
    public var activation: Activation
    /// Applied after the expand FC (sigmoid, or hardsigmoid in MobileNetV3).
    public var gate: Activation

    public init(activation: Activation, gate: Activation) {
        self.activation = activation
        self.gate = gate
    }

    public static func importing(_ node: ImportedNode) throws -> (op: SqueezeExcite, inputs: [Int]) {
        try node.expectInputs(5...5)
        return (try parse(node.attributes, inputTypes: []), [0, 1, 2, 3, 4])
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> SqueezeExcite {
        SqueezeExcite(activation: try Activation.attribute(attributes, "activation"),
                      gate: try Activation.attribute(attributes, "gate"))
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try Self.checkInputs(inputs, Self.opType)
        return [inputs[0]]
    }

    /// X [N, C, H, W] float32, W1 [R, C], B1 [R], W2 [C, R], B2 [C]; shared with `SqueezeExciteGate`.
    static func checkInputs(_ inputs: [TensorType], _ opType: String) throws {
        try expectInputCount(inputs, 5...5, opType)
        let x = inputs[0]
        try require(x.rank == 4 && x.elementType == .float32, "\(opType) needs a float32 4-D input, found \(x)")
        let c = x.shape[1], r = inputs[1].shape.first ?? 0
        try require(inputs[1] == TensorType(.float32, [r, c]), "\(opType) W1 must be float32[R x \(c)], found \(inputs[1])")
        try require(inputs[2] == TensorType(.float32, [r]), "\(opType) B1 must be float32[\(r)], found \(inputs[2])")
        try require(inputs[3] == TensorType(.float32, [c, r]), "\(opType) W2 must be float32[\(c)x\(r)], found \(inputs[3])")
        try require(inputs[4] == TensorType(.float32, [c]), "\(opType) B2 must be float32[\(c)], found \(inputs[4])")
    }

    public var attributeList: [(String, AttributeValue)] {
        [("activation", .string(activation.description)), ("gate", .string(gate.description))]
    }

    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        let x = inputs[0].shape, r = inputs[1].shape[0]
        // The two FCs, as the 1x1 Convs they replace counted them; the gating multiply is elementwise, which
        // counts 0 everywhere, so fusing never raises the total `kiln inspect` reports.
        return x[0] * (2 * r * x[1])
    }
}
