import Catalog
import IR

/// `fuse-expand-depthwise`: an MBConv block's expand 1×1 conv, or the network's stem conv, whose
/// only reader is a depthwise conv becomes one `ExpandDepthwise` with it, whose kernel computes the
/// depthwise output in bands of rows and each band's rows of the first conv's output in a scratch
/// that stays in L2: that tensor, the block's widest (6× the input) or the network's largest (the
/// stem's, the largest left), is never written to memory and read back.
///
///     %e: float32[1x96x112x112] = FusedConv(%x, %we, %be) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1, activation="silu"} loc("expand")
///     %y: float32[1x96x56x56] = FusedConv(%e, %wd, %bd) {strides=[2, 2], pads=[0, 0, 1, 1], dilations=[1, 1], group=96, activation="silu"} loc("dw")
///   becomes
///     %y: float32[1x96x56x56] = ExpandDepthwise(%x, %we, %be, %wd, %bd) {expand_activation="silu", strides=[2, 2], pads=[0, 0, 1, 1], dilations=[1, 1], group=96, activation="silu"} loc("expand", "dw")
///
/// and a stem conv keeps its geometry as `expand_strides`, `expand_pads`, `expand_dilations`.
///
/// Runs after `fuse-epilogue` and `fuse-gated-conv` (the convs have their activations, and a gate
/// the expand conv would have applied is already its own) and before `select-kernel`, which gives
/// the fused node its kernel like any other, and `plan-memory`, which then never sees the expanded
/// tensor. Any activation on either conv.
///
/// Does not apply when: the expanded tensor has another reader or is a graph output; the first conv
/// has more than one group, or a residual or a gate; the reader is not a depthwise conv (group =
/// channels, one output channel per group) of it, or has a residual or a gate; a weight or bias is
/// computed at run time; or the catalog says the fusion does not pay or has no kernel for it
/// (`KernelCatalog.fusesExpandDepthwise`: an expanded tensor under 768 KiB, which stays in L2 between
/// the two kernels apart, an expand weight over 64 KiB, which every band would re-read, or a first
/// conv that is no GEMM over pixels (k×k, strided or padded) with more input channels than the
/// direct conv takes; in EfficientNet-B0 the stem and the blocks at 112×112 and 56×56 fuse, those
/// at 28×28 and below do not).
public struct FuseExpandDepthwise: Pass {
    public let name = "fuse-expand-depthwise"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        try PatternPass(name: name, patterns: [ExpandDepthwisePattern()]).run(&graph)
    }
}

struct ExpandDepthwisePattern: RewritePattern {
    let name = "expand-depthwise"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let depthwise = node.op as? FusedConv, !depthwise.gated, node.inputs.count == 3,
              let e = node.inputs.first, graph.useCount(of: e) == 1, !graph.isOutput(e),
              let p = graph.producer(of: e), let expand = graph.nodes[p].op as? FusedConv, !expand.gated,
              graph.nodes[p].inputs.count == 3, expand.conv.group == 1
        else { return false }
        let expandNode = graph.nodes[p]
        let channels = graph.type(of: e).shape[1]
        guard depthwise.conv.group == channels else { return false }
        let fused = ExpandDepthwise(expand: expand.conv, expandActivation: expand.activation, depthwise: depthwise.conv,
                                    activation: depthwise.activation)
        let inputs = expandNode.inputs + node.inputs[1...2]
        let types = inputs.map(graph.type(of:))
        guard (try? fused.inferTypes(types)) == [graph.type(of: node.outputs[0])] else { return false }
        let query = KernelQuery(computation: .expandDepthwise(fused), inputs: types,
                                constant: inputs.map { graph.constants[$0] != nil }, output: graph.type(of: node.outputs[0]),
                                isa: .generic)
        guard KernelCatalog.fusesExpandDepthwise(query) else { return false }

        var newNode = node
        newNode.op = fused
        newNode.inputs = inputs
        newNode.provenance = expandNode.provenance + node.provenance
        graph.nodes[index] = newNode
        return true
    }
}
