/// `ExpandDepthwise` (Kiln): a conv and the depthwise conv that reads it, as one operator, so that
/// the conv's output E need never exist whole: the kernel computes the output in bands of rows,
/// each band's rows of E in a small scratch. The conv is an MBConv block's expand 1×1 conv (E is
/// c/cin times wider than X), or the network's stem (a k×k conv of the image, whose output the
/// first block's depthwise conv reads: the largest tensor left once the expand convs are fused).
///
///     E = act_expand(Conv(X, We) + Be)                        (group 1; 1×1, stride 1 for an expand)
///     Y = act(Conv(E, Wd) + Bd)                               (depthwise: group = Ce)
///
/// Inputs: X [N, C, H, W], We [Ce, C, kH', kW'], Be [Ce], Wd [Ce, 1, kH, kW], Bd [Ce]; output Y
/// [N, Ce, OH, OW]. The depthwise conv's strides, pads and dilations are attributes (its group is
/// Ce), and the first conv's are `expand_strides`, `expand_pads`, `expand_dilations` (absent when
/// they are the defaults: stride 1, no padding, dilation 1; the kernel size is We's). Built by `fuse-expand-depthwise` from two FusedConvs; neither has
/// a residual or a gate.
public struct ExpandDepthwise: Operator, Equatable {
    public static let opType = "ExpandDepthwise"

    /// The first conv's geometry (group 1): `Conv()` for an MBConv's expand conv.
    public var expand: Conv
    public var expandActivation: Activation
    /// The depthwise conv (its group is the expanded channel count).
    public var depthwise: Conv
    public var activation: Activation

    public init(expand: Conv = Conv(), expandActivation: Activation, depthwise: Conv, activation: Activation) {
        self.expand = expand
        self.expandActivation = expandActivation
        self.depthwise = depthwise
        self.activation = activation
    }

    /// Whether the first conv is an MBConv's expand conv, a GEMM over pixels (1×1, stride 1, no padding
    /// or dilation), given its weights' type; otherwise the stem's direct conv runs it.
    public func expandIsPointwise(weights: TensorType) -> Bool {
        expand == Conv() && weights.rank == 4 && weights.shape[2] == 1 && weights.shape[3] == 1
    }

    /// The first conv as the FusedConv it was.
    public var expandConv: FusedConv { FusedConv(conv: expand, activation: expandActivation) }
    /// The depthwise conv as the FusedConv it was.
    public var depthwiseConv: FusedConv { FusedConv(conv: depthwise, activation: activation) }

    public static func importing(_ node: ImportedNode) throws -> (op: ExpandDepthwise, inputs: [Int]) {
        try node.expectInputs(5...5)
        return (try parse(node.attributes, inputTypes: []), [0, 1, 2, 3, 4])
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> ExpandDepthwise {
        let conv = Conv(strides: try attributes.ints("strides") ?? [1, 1], dilations: try attributes.ints("dilations") ?? [1, 1],
                        pads: try attributes.ints("pads") ?? [0, 0, 0, 0], group: try attributes.int("group", default: 1))
        let expand = Conv(strides: try attributes.ints("expand_strides") ?? [1, 1],
                          dilations: try attributes.ints("expand_dilations") ?? [1, 1],
                          pads: try attributes.ints("expand_pads") ?? [0, 0, 0, 0])
        return ExpandDepthwise(expand: expand, expandActivation: try Activation.attribute(attributes, "expand_activation"),
                               depthwise: conv, activation: try Activation.attribute(attributes, "activation"))
    }

    /// The expanded tensor E's type.
    public func expandedType(_ inputs: [TensorType]) throws -> TensorType {
        try expectInputCount(inputs, 5...5, Self.opType)
        try require(inputs[1].rank == 4, "ExpandDepthwise expand weights \(inputs[1]) must be 4-D")
        let e = try expandConv.inferTypes(Array(inputs[0...2]))[0]
        try e.checkSize()
        return e
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        let e = try expandedType(inputs)
        try require(depthwise.group == e.shape[1] && inputs[3].shape.first == e.shape[1],
                    "ExpandDepthwise depthwise group \(depthwise.group) and weights \(inputs[3]) must match the \(e.shape[1]) expanded channels")
        return try depthwiseConv.inferTypes([e, inputs[3], inputs[4]])
    }

    public var attributeList: [(String, AttributeValue)] {
        let geometry: [(String, AttributeValue)] = expand == Conv() ? [] : [
            ("expand_strides", .ints(expand.strides)), ("expand_pads", .ints(expand.pads)),
            ("expand_dilations", .ints(expand.dilations)),
        ]
        return geometry + [("expand_activation", .string(expandActivation.description))] + depthwise.attributeList
            + [("activation", .string(activation.description))]
    }

    /// Both convs' MACs.
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        guard let e = try? expandedType(inputs) else { return 0 }
        return expandConv.macs(inputs: Array(inputs[0...1]), outputs: [e])
            .addingSaturated(depthwiseConv.macs(inputs: [e, inputs[3]], outputs: outputs))
    }
}
