import IR

/// `select-layout`: chooses the physical layout (NCHW, NHWC, NCHW8c, NCHW16c) and weight packing of
/// every conv-like node (Conv, FusedConv, SqueezeExcite, GlobalAveragePool, Dense) with a
/// `LayoutCostModel`, lets elementwise nodes run in their input's layout, and inserts the `Reorder`
/// nodes the choices need. Shapes stay logical NCHW; only annotations and reorders are added.
///
///     %x: float32[1x16x8x8] = input
///     %e: float32[1x64x8x8] = FusedConv(%x, %we, %be) {…, activation="silu"}
///     %d: float32[1x64x8x8] = FusedConv(%e, %wd, %bd) {…, group=64, activation="silu"}
///     output %d
/// becomes
///     %x.nhwc: float32[1x16x8x8] = Reorder(%x) {from="NCHW", to="NHWC"}
///     %e: … = FusedConv(%x.nhwc, %we, %be) {…} [layout="NHWC", layout_reason="pointwise 1x1, 16→64
///             channels: GEMM over NHWC rows", weight_packing="OHWI-panel16"]
///     %d: … = FusedConv(%e, %wd, %bd) {…} [layout="NHWC", layout_reason="depthwise 3x3, 64 channels:
///             vectorized over NHWC channels", weight_packing="HWC-depthwise"]
///     %d.nchw: float32[1x64x8x8] = Reorder(%d) {from="NHWC", to="NCHW"}
///     output %d.nchw
///
/// **The decision.** Nodes are visited in order, so a node's producers are decided first. For a
/// conv-like node each candidate kernel's cost is added to the cost of the reorders it forces —
/// its main input from the producer's layout, a residual into its output layout, and its result
/// back to NCHW when that is a graph output — and the cheapest wins (ties: the model's order). The
/// greedy choice does not see the node's consumers; a later model may search over whole chains.
/// Annotations: `layout` (the layout of the node's result), `input_layout` (only when the kernel
/// reads its input in another layout, as the stem conv does), `layout_reason`, `weight_packing`.
///
/// **Who follows.** An elementwise node (`OpTraits.isElementwise`) whose other inputs are scalars or
/// per-channel ([1, C, 1, 1], or ScaleShift's and BatchNormalization's [C]) runs in the layout of
/// its first non-constant input of the output's shape, and is annotated `layout` and
/// `layout_reason`. Inputs broadcast along H or W keep it in NCHW. Every other node works in NCHW
/// (no annotation), as do graph inputs and outputs. Non-4-D tensors are row-major in every layout
/// and never reordered.
///
/// **Reorders.** One `Reorder` per (tensor, target layout), placed before its first consumer and
/// shared by the others; none where the two layouts have the same bytes (a 4-D tensor with H·W = 1
/// in NCHW and NHWC). Then chains cancel: A→B→A disappears, A→B→C becomes A→C, and duplicate
/// reorders of one tensor merge. Reorders already in the graph are kept and cancel the same way,
/// so running the pass twice changes nothing.
///
/// Does not apply to: nodes other than the conv-like and elementwise ones (they stay NCHW), and
/// tensors that are not 4-D.
public struct SelectLayout: Pass {
    public let name = "select-layout"
    public var model: any LayoutCostModel

    public init(model: any LayoutCostModel = HeuristicLayoutCostModel()) { self.model = model }

    public func run(_ graph: inout Graph) throws -> Bool {
        let before = fingerprint(graph)
        var layouts: [ValueID: Layout] = [:]
        var wanted: [[Layout]] = []
        for index in graph.nodes.indices {
            wanted.append(decide(index, in: &graph, layouts: &layouts))
        }
        ReorderPlacement.insert(in: &graph, layouts: layouts, wanted: wanted)
        ReorderPlacement.cancel(in: &graph)
        return fingerprint(graph) != before
    }

    /// Annotates node `index`, records its outputs' layouts, and returns the layout it reads each
    /// input in.
    private func decide(_ index: Int, in graph: inout Graph, layouts: inout [ValueID: Layout]) -> [Layout] {
        var node = graph.nodes[index]
        for key in OpTraits.layoutKeys { node.annotations[key] = nil }
        defer { graph.nodes[index] = node }
        let types = node.inputs.map(graph.type(of:))
        var wants = [Layout](repeating: .nchw, count: node.inputs.count)
        let known = layouts
        func layoutOf(_ v: ValueID) -> Layout { known[v] ?? .nchw }

        if let reorder = node.op as? Reorder {
            wants[0] = reorder.from
            layouts[node.outputs[0]] = reorder.to
        } else if let query = Self.query(for: node, graph), case let candidates = model.candidates(for: query),
                  !candidates.isEmpty {
            let residual = node.op is FusedConv && node.inputs.count == 4 ? 3 : nil
            let isOutput = node.outputs.contains(where: graph.isOutput)
            func total(_ c: LayoutChoice) -> Double {
                var cost = c.cost + model.reorderCost(types[0], from: layoutOf(node.inputs[0]), to: c.input)
                if let r = residual { cost += model.reorderCost(types[r], from: layoutOf(node.inputs[r]), to: c.output) }
                if isOutput { cost += model.reorderCost(query.output, from: c.output, to: .nchw) }
                return cost
            }
            var best = candidates[0]
            for c in candidates.dropFirst() where total(c) < total(best) { best = c }
            var reason = best.reason
            if let fastest = candidates.min(by: { $0.cost < $1.cost }), fastest.cost < best.cost {
                reason += "; the \(fastest.input.rawValue) kernel is faster but needs reorders that cost more"
            }
            wants[0] = best.input
            if let r = residual { wants[r] = best.output }
            node.annotations["layout"] = .string(best.output.rawValue)
            if best.input != best.output { node.annotations["input_layout"] = .string(best.input.rawValue) }
            node.annotations["layout_reason"] = .string(reason)
            node.annotations["weight_packing"] = .string(best.weightPacking)
            for output in node.outputs { layouts[output] = best.output }
        } else if let followed = Self.followedInputs(node, graph) {
            let layout = followed.first.map { layoutOf(node.inputs[$0]) } ?? .nchw
            for slot in followed { wants[slot] = layout }
            node.annotations["layout"] = .string(layout.rawValue)
            node.annotations["layout_reason"] = .string("elementwise: runs in its input's layout")
            layouts[node.outputs[0]] = layout
        }
        return wants
    }

    /// The cost model's view of a conv-like node, nil for other nodes.
    static func query(for node: Node, _ graph: Graph) -> LayoutQuery? {
        let types = node.inputs.map(graph.type(of:))
        guard let x = types.first, node.outputs.count == 1 else { return nil }
        let y = graph.type(of: node.outputs[0])
        switch node.op {
        case let conv as Conv: return LayoutQuery(kind: .conv(conv), input: x, weights: types[1], output: y)
        case let fused as FusedConv: return LayoutQuery(kind: .conv(fused.conv), input: x, weights: types[1], output: y)
        case is SqueezeExcite: return LayoutQuery(kind: .squeezeExcite, input: x, weights: nil, output: y)
        case is GlobalAveragePool: return LayoutQuery(kind: .globalAveragePool, input: x, weights: nil, output: y)
        case is Dense: return LayoutQuery(kind: .dense, input: x, weights: types[1], output: y)
        default: return nil
        }
    }

    /// For an elementwise node that can run in any layout, the input slots that carry its layout
    /// (non-constant inputs of the output's 4-D shape); nil when the node must run in NCHW.
    static func followedInputs(_ node: Node, _ graph: Graph) -> [Int]? {
        guard OpTraits.isElementwise(node.op), node.outputs.count == 1 else { return nil }
        let output = graph.type(of: node.outputs[0])
        guard output.rank == 4 else { return nil }
        var followed: [Int] = []
        for (slot, input) in node.inputs.enumerated() {
            let type = graph.type(of: input)
            if type.shape == output.shape {
                if graph.constant(input) == nil { followed.append(slot) }
            } else if !(OpTraits.isPerChannelAffine(node.op) && slot > 0 || Self.isPerChannel(type.shape, of: output.shape)) {
                return nil  // broadcasts across H or W: its index map depends on the layout
            }
        }
        return followed
    }

    /// Whether `shape`, numpy-broadcast to the 4-D `output`, varies at most along N and C (a scalar,
    /// or a per-channel gate [1, C, 1, 1]): a kernel finds its element from the channel alone, in
    /// any layout.
    static func isPerChannel(_ shape: [Int], of output: [Int]) -> Bool {
        guard shape.count <= 4 else { return false }
        let padded = [Int](repeating: 1, count: 4 - shape.count) + shape
        return padded[2] == 1 && padded[3] == 1
    }

    /// What the pass may change: node order and operators, and the layout annotations.
    private func fingerprint(_ graph: Graph) -> [String] {
        graph.nodes.map { node in
            let notes = OpTraits.layoutKeys.map { node.annotations[$0]?.description ?? "" }.joined(separator: "|")
            return "\(node.op.opType)\(node.inputs)\(node.outputs)\(node.op.attributeList.map { "\($0.1)" })\(notes)"
        } + ["\(graph.outputs)"]
    }
}
