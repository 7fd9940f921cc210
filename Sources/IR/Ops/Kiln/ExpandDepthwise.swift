/// `ExpandDepthwise` (Kiln): an MBConv block's expand 1×1 conv and the depthwise conv that reads
/// it, as one operator, so that the expanded tensor E (c/cin times wider than X) need never exist
/// whole: the kernel computes the output in bands of rows, each band's rows of E in a small scratch.
///
///     E = act_expand(Conv(X, We) + Be)                        (1×1, stride 1, no padding, group 1)
///     Y = act(Conv(E, Wd) + Bd)                               (depthwise: group = Ce)
///
/// Inputs: X [N, C, H, W], We [Ce, C, 1, 1], Be [Ce], Wd [Ce, 1, kH, kW], Bd [Ce]; output Y
/// [N, Ce, OH, OW]. The depthwise conv's strides, pads and dilations are attributes (its group is
/// Ce). Built by `fuse-expand-depthwise` from two FusedConvs; neither has a residual or a gate.
public struct ExpandDepthwise: Operator, Equatable {
    public static let opType = "ExpandDepthwise"

    public var expandActivation: Activation
    /// The depthwise conv (its group is the expanded channel count).
    public var depthwise: Conv
    public var activation: Activation

    public init(expandActivation: Activation, depthwise: Conv, activation: Activation) {
        self.expandActivation = expandActivation
        self.depthwise = depthwise
        self.activation = activation
    }

    /// The expand conv as the FusedConv it was.
    public var expandConv: FusedConv { FusedConv(conv: Conv(), activation: expandActivation) }
    /// The depthwise conv as the FusedConv it was.
    public var depthwiseConv: FusedConv { FusedConv(conv: depthwise, activation: activation) }

    public static func importing(_ node: ImportedNode) throws -> (op: ExpandDepthwise, inputs: [Int]) {
        try node.expectInputs(5...5)
        return (try parse(node.attributes, inputTypes: []), [0, 1, 2, 3, 4])
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> ExpandDepthwise {
        let conv = Conv(strides: try attributes.ints("strides") ?? [1, 1], dilations: try attributes.ints("dilations") ?? [1, 1],
                        pads: try attributes.ints("pads") ?? [0, 0, 0, 0], group: try attributes.int("group", default: 1))
        return ExpandDepthwise(expandActivation: try Activation.attribute(attributes, "expand_activation"), depthwise: conv,
                               activation: try Activation.attribute(attributes, "activation"))
    }

    /// The expanded tensor E's type.
    public func expandedType(_ inputs: [TensorType]) throws -> TensorType {
        try expectInputCount(inputs, 5...5, Self.opType)
        let we = inputs[1].shape
        try require(we.count == 4 && we[2] == 1 && we[3] == 1, "ExpandDepthwise expand weights \(inputs[1]) must be 1×1")
        return try expandConv.inferTypes(Array(inputs[0...2]))[0]
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        let e = try expandedType(inputs)
        try require(depthwise.group == e.shape[1] && inputs[3].shape.first == e.shape[1],
                    "ExpandDepthwise depthwise group \(depthwise.group) and weights \(inputs[3]) must match the \(e.shape[1]) expanded channels")
        return try depthwiseConv.inferTypes([e, inputs[3], inputs[4]])
    }

    public var attributeList: [(String, AttributeValue)] {
        [("expand_activation", .string(expandActivation.description))] + depthwise.attributeList
            + [("activation", .string(activation.description))]
    }

    /// Both convs' MACs.
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        guard let e = try? expandedType(inputs) else { return 0 }
        return expandConv.macs(inputs: Array(inputs[0...1]), outputs: [e])
            .addingSaturated(depthwiseConv.macs(inputs: [e, inputs[3]], outputs: outputs))
    }
}
