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
/// they are the defaults: stride 1, no padding, dilation 1; the kernel size is We's). Built by
/// `fuse-expand-depthwise` from two FusedConvs; neither has a residual or a gate.
///
/// With `project_activation` (built by `fuse-depthwise-project`), the block's 1×1 project conv too,
/// so that the depthwise output D never exists whole either (an MBConv block without
/// squeeze-excite, or the stem with the first block):
///
///     Y = act_project(Conv(D, Wp) + Bp) (+ R)                 (1×1, group 1; R: the residual)
///
/// with inputs Wp [Co, Ce, 1, 1], Bp [Co] and an optional R [N, Co, OH, OW] after the five above;
/// output Y [N, Co, OH, OW].
public struct ExpandDepthwise: Operator, Equatable {
    public static let opType = "ExpandDepthwise"

    /// The first conv's geometry (group 1): `Conv()` for an MBConv's expand conv.
    public var expand: Conv
    public var expandActivation: Activation
    /// The depthwise conv (its group is the expanded channel count).
    public var depthwise: Conv
    public var activation: Activation
    /// The project 1×1 conv's activation, nil without one (inputs 5 and 6, and the residual in 7).
    public var projectActivation: Activation?

    public init(expand: Conv = Conv(), expandActivation: Activation, depthwise: Conv, activation: Activation,
                projectActivation: Activation? = nil) {
        self.expand = expand
        self.expandActivation = expandActivation
        self.depthwise = depthwise
        self.activation = activation
        self.projectActivation = projectActivation
    }

    /// The input slot of the residual for a node with `inputCount` inputs, nil without one.
    public func residualSlot(inputCount: Int) -> Int? { projectActivation != nil && inputCount == 8 ? 7 : nil }

    /// Whether the first conv is an MBConv's expand conv, a GEMM over pixels (1×1, stride 1, no padding
    /// or dilation), given its weights' type; otherwise the stem's direct conv runs it.
    public func expandIsPointwise(weights: TensorType) -> Bool {
        expand == Conv() && weights.rank == 4 && weights.shape[2] == 1 && weights.shape[3] == 1
    }

    /// The first conv as the FusedConv it was.
    public var expandConv: FusedConv { FusedConv(conv: expand, activation: expandActivation) }
    /// The depthwise conv as the FusedConv it was.
    public var depthwiseConv: FusedConv { FusedConv(conv: depthwise, activation: activation) }
    /// The project conv as the FusedConv it was (its residual, if any, after the activation), nil without one.
    public var projectConv: FusedConv? { projectActivation.map { FusedConv(conv: Conv(), activation: $0) } }

    public static func importing(_ node: ImportedNode) throws -> (op: ExpandDepthwise, inputs: [Int]) {
        let op = try parse(node.attributes, inputTypes: [])
        try node.expectInputs(op.projectActivation == nil ? 5...5 : 7...8)
        return (op, node.presentInputs)
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> ExpandDepthwise {
        let conv = Conv(strides: try attributes.ints("strides") ?? [1, 1], dilations: try attributes.ints("dilations") ?? [1, 1],
                        pads: try attributes.ints("pads") ?? [0, 0, 0, 0], group: try attributes.int("group", default: 1))
        let expand = Conv(strides: try attributes.ints("expand_strides") ?? [1, 1],
                          dilations: try attributes.ints("expand_dilations") ?? [1, 1],
                          pads: try attributes.ints("expand_pads") ?? [0, 0, 0, 0])
        let project = attributes["project_activation"] == nil ? nil : try Activation.attribute(attributes, "project_activation")
        return ExpandDepthwise(expand: expand, expandActivation: try Activation.attribute(attributes, "expand_activation"),
                               depthwise: conv, activation: try Activation.attribute(attributes, "activation"),
                               projectActivation: project)
    }

    /// The expanded tensor E's type.
    public func expandedType(_ inputs: [TensorType]) throws -> TensorType {
        try expectInputCount(inputs, projectActivation == nil ? 5...5 : 7...8, Self.opType)
        try require(inputs[1].rank == 4, "ExpandDepthwise expand weights \(inputs[1]) must be 4-D")
        let e = try expandConv.inferTypes(Array(inputs[0...2]))[0]
        try e.checkSize()
        return e
    }

    /// The depthwise conv's output D's type (the node's output without a projection).
    public func depthwiseType(_ inputs: [TensorType]) throws -> TensorType {
        let e = try expandedType(inputs)
        try require(depthwise.group == e.shape[1] && inputs[3].shape.first == e.shape[1],
                    "ExpandDepthwise depthwise group \(depthwise.group) and weights \(inputs[3]) must match the \(e.shape[1]) expanded channels")
        return try depthwiseConv.inferTypes([e, inputs[3], inputs[4]])[0]
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        let d = try depthwiseType(inputs)
        guard let project = projectConv else { return [d] }
        try require(inputs[5].rank == 4 && inputs[5].shape[2] == 1 && inputs[5].shape[3] == 1,
                    "ExpandDepthwise project weights \(inputs[5]) must be 1×1")
        return try project.inferTypes([d] + inputs[5...])
    }

    public var attributeList: [(String, AttributeValue)] {
        let geometry: [(String, AttributeValue)] = expand == Conv() ? [] : [
            ("expand_strides", .ints(expand.strides)), ("expand_pads", .ints(expand.pads)),
            ("expand_dilations", .ints(expand.dilations)),
        ]
        let project: [(String, AttributeValue)] = projectActivation.map { [("project_activation", .string($0.description))] } ?? []
        return geometry + [("expand_activation", .string(expandActivation.description))] + depthwise.attributeList
            + [("activation", .string(activation.description))] + project
    }

    /// The convs' MACs.
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        guard let e = try? expandedType(inputs), let d = try? depthwiseType(inputs) else { return 0 }
        let macs = expandConv.macs(inputs: Array(inputs[0...1]), outputs: [e])
            .addingSaturated(depthwiseConv.macs(inputs: [e, inputs[3]], outputs: [d]))
        guard let project = projectConv else { return macs }
        return macs.addingSaturated(project.macs(inputs: [d, inputs[5]], outputs: outputs))
    }
}
