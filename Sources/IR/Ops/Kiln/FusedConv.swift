/// `FusedConv` (Kiln): a convolution with its epilogue — bias, activation, and the residual add of
/// an MBConv (or ResNet) block — in one operator, so the kernel writes its output once.
///
///     Z = Conv(X, W) + B          (with `gated`: Conv(X ⊙ G, W) + B, G [N, C, 1, 1] per channel)
///     Y = act(Z) + R              (residual after the activation: MBConv's linear bottleneck)
///     Y = act(Z + R)              (with `residual_first`: the ResNet order)
///
/// Inputs: X [N, C, H, W], W [M, C/group, kH, kW], B [M], then G when `gated`, then an optional R
/// (same shape as Y). Built by `fuse-epilogue` from a Conv and the Relu/Relu6/SiLU/HardSwish/
/// Sigmoid/Add nodes that follow it; `fuse-gated-conv` adds the squeeze-excite gate G.
public struct FusedConv: Operator, Equatable {
    public static let opType = "FusedConv"

    public var conv: Conv
    public var activation: Activation
    /// With a residual input: add it before the activation instead of after.
    public var residualFirst: Bool
    /// The input is scaled per channel by a gate G (input 3) before the convolution.
    public var gated: Bool

    public init(conv: Conv, activation: Activation = .none, residualFirst: Bool = false, gated: Bool = false) {
        self.conv = conv
        self.activation = activation
        self.residualFirst = residualFirst
        self.gated = gated
    }

    /// The input slot of the gate G, nil when not gated.
    public var gateSlot: Int? { gated ? 3 : nil }

    /// The input slot of the residual R for a node with `inputCount` inputs, nil without one.
    public func residualSlot(inputCount: Int) -> Int? {
        let slot = gated ? 4 : 3
        return inputCount > slot ? slot : nil
    }

    public static func importing(_ node: ImportedNode) throws -> (op: FusedConv, inputs: [Int]) {
        try node.expectInputs(3...5)
        return (try parse(node.attributes, inputTypes: []), node.presentInputs)
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> FusedConv {
        let conv = Conv(strides: try attributes.ints("strides") ?? [1, 1], dilations: try attributes.ints("dilations") ?? [1, 1],
                        pads: try attributes.ints("pads") ?? [0, 0, 0, 0], group: try attributes.int("group", default: 1))
        return FusedConv(conv: conv, activation: try Activation.attribute(attributes, "activation"),
                         residualFirst: try attributes.int("residual_first", default: 0) != 0,
                         gated: try attributes.int("gated", default: 0) != 0)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, gated ? 4...5 : 3...4, Self.opType)
        let output = try conv.inferTypes(Array(inputs.prefix(3)))
        if let g = gateSlot {
            let x = inputs[0].shape
            try require(inputs[g] == TensorType(.float32, [x[0], x[1], 1, 1]),
                        "FusedConv gate \(inputs[g]) must be float32[\(x[0])x\(x[1])x1x1]")
        }
        if let r = residualSlot(inputCount: inputs.count) {
            try require(inputs[r] == output[0], "FusedConv residual \(inputs[r]) must match the output \(output[0])")
        }
        return output
    }

    public var attributeList: [(String, AttributeValue)] {
        var list = conv.attributeList + [("activation", .string(activation.description))]
        if residualFirst { list.append(("residual_first", .int(1))) }
        if gated { list.append(("gated", .int(1))) }
        return list
    }

    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        conv.macs(inputs: Array(inputs.prefix(2)), outputs: outputs)
    }
}
