import Catalog
import IR

/// `fuse-gated-conv`: a squeeze-excite whose only reader is a pointwise conv leaves its excite (the
/// per-channel multiply) to that conv, which applies the gate to the smaller of its weights and its
/// input rows just before it multiplies: one pass over the block's widest tensor saved.
///
///     %s: float32[1x32x7x7] = SqueezeExcite(%x, %w1, %b1, %w2, %b2) {activation="silu", gate="sigmoid"} loc("pool", …, "excite")
///     %y: float32[1x16x7x7] = FusedConv(%s, %w, %b) {…, activation="none"} loc("project")
///   becomes
///     %s.gate: float32[1x32x1x1] = SqueezeExciteGate(%x, %w1, %b1, %w2, %b2) {activation="silu", gate="sigmoid"} loc("pool", …)
///     %y: float32[1x16x7x7] = FusedConv(%x, %w, %b, %s.gate) {…, gated=1} loc("excite", "project")
///
/// The excite's ONNX node moves to the conv's provenance (the conv now does its multiply). Runs
/// before `select-kernel` and `plan-memory`, so the conv's reading of X is planned like any other
/// use: X stays live until the conv has read it.
///
/// Does not apply when: the squeeze-excite's result has another reader, is a graph output, or is
/// also the conv's residual; the conv is already gated or reads it other than as its input X; the
/// catalog has no gated kernel for the conv (`KernelCatalog.canFuseGate`: 1×1, stride 1, no
/// padding, one group).
public struct FuseGatedConv: Pass {
    public let name = "fuse-gated-conv"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        try PatternPass(name: name, patterns: [GatedConvPattern()]).run(&graph)
    }
}

struct GatedConvPattern: RewritePattern {
    let name = "gated-conv"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let conv = node.op as? FusedConv, !conv.gated, let s = node.inputs.first,
              graph.useCount(of: s) == 1, !graph.isOutput(s),
              let p = graph.producer(of: s), let se = graph.nodes[p].op as? SqueezeExcite,
              let query = KernelQuery(node: node, in: graph, isa: .generic), KernelCatalog.canFuseGate(into: query)
        else { return false }
        let seNode = graph.nodes[p]
        let x = seNode.inputs[0], xShape = graph.type(of: x).shape
        let gateType = TensorType(.float32, [xShape[0], xShape[1], 1, 1])
        var gated = conv
        gated.gated = true
        let types = [graph.type(of: x)] + node.inputs[1...2].map(graph.type(of:)) + [gateType] + node.inputs.dropFirst(3).map(graph.type(of:))
        guard (try? gated.inferTypes(types)) == [graph.type(of: node.outputs[0])] else { return false }

        let gate = graph.addValue(name: graph[s].name + ".gate", type: gateType)
        var excite: [String] = [], squeeze = seNode.provenance
        if squeeze.count > 1, let last = squeeze.popLast() { excite = [last] }

        var newConv = node
        newConv.op = gated
        newConv.inputs = [x, node.inputs[1], node.inputs[2], gate] + node.inputs.dropFirst(3)
        newConv.provenance = excite + node.provenance
        graph.nodes[p] = Node(name: seNode.name, op: SqueezeExciteGate(activation: se.activation, gate: se.gate),
                              inputs: seNode.inputs, outputs: [gate], provenance: squeeze, annotations: seNode.annotations)
        graph.nodes[index] = newConv
        return true
    }
}
