/// `FusedConv` (Kiln): a convolution with its epilogue — bias, activation, and the residual add of
/// an MBConv (or ResNet) block — in one operator, so the kernel writes its output once.
///
///     Z = Conv(X, W) + B
///     Y = act(Z) + R              (residual after the activation: MBConv's linear bottleneck)
///     Y = act(Z + R)              (with `residual_first`: the ResNet order)
///
/// Inputs: X [N, C, H, W], W [M, C/group, kH, kW], B [M], optional R (same shape as Y). Built by
/// `fuse-epilogue` from a Conv and the Relu/Relu6/SiLU/HardSwish/Sigmoid/Add nodes that follow it.
public struct FusedConv: Operator, Equatable {
    public static let opType = "FusedConv"

    public var conv: Conv
    public var activation: Activation
    /// With a residual input: add it before the activation instead of after.
    public var residualFirst: Bool

    public init(conv: Conv, activation: Activation = .none, residualFirst: Bool = false) {
        self.conv = conv
        self.activation = activation
        self.residualFirst = residualFirst
    }

    public static func importing(_ node: ImportedNode) throws -> (op: FusedConv, inputs: [Int]) {
        try node.expectInputs(3...4)
        return (try parse(node.attributes, inputTypes: []), node.presentInputs)
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> FusedConv {
        let conv = Conv(strides: try attributes.ints("strides") ?? [1, 1], dilations: try attributes.ints("dilations") ?? [1, 1],
                        pads: try attributes.ints("pads") ?? [0, 0, 0, 0], group: try attributes.int("group", default: 1))
        return FusedConv(conv: conv, activation: try Activation.attribute(attributes, "activation"),
                         residualFirst: try attributes.int("residual_first", default: 0) != 0)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 3...4, Self.opType)
        let output = try conv.inferTypes(Array(inputs.prefix(3)))
        if inputs.count == 4 {
            try require(inputs[3] == output[0], "FusedConv residual \(inputs[3]) must match the output \(output[0])")
        }
        return output
    }

    public var attributeList: [(String, AttributeValue)] {
        var list = conv.attributeList + [("activation", .string(activation.description))]
        if residualFirst { list.append(("residual_first", .int(1))) }
        return list
    }

    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        conv.macs(inputs: Array(inputs.prefix(2)), outputs: outputs)
    }
}
