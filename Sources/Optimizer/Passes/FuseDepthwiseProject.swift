import Catalog
import IR

/// `fuse-depthwise-project`: the 1×1 project conv of an MBConv block without squeeze-excite joins
/// the `ExpandDepthwise` whose output it reads, whose kernel then runs each depthwise output row
/// through the projection from L1: the depthwise output (the block's second-widest tensor) is
/// never written to memory and read back either, and the block is one node.
///
///     %d: float32[1x144x56x56] = ExpandDepthwise(%x, %we, %be, %wd, %bd) {expand_activation="relu6", …, activation="relu6"} loc("expand", "dw")
///     %y: float32[1x24x56x56] = FusedConv(%d, %wp, %bp, %x) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1, activation="none"} loc("project", "add")
///   becomes
///     %y: float32[1x24x56x56] = ExpandDepthwise(%x, %we, %be, %wd, %bd, %wp, %bp, %x) {…, activation="relu6", project_activation="none"} loc("expand", "dw", "project", "add")
///
/// Runs after `fuse-expand-depthwise` (it needs the ExpandDepthwise, which exists only where the
/// expanded tensor is large) and before `select-kernel` and `plan-memory` (which then never sees
/// the depthwise output; the node's output never shares the input's bytes, since the input's
/// rows are read after output rows above them are written).
///
/// Does not apply when: the depthwise output has another reader or is a graph output; the project
/// conv is not a plain 1×1 conv (stride 1, no padding, group 1), has a gate (a squeeze-excite
/// block: its pool needs the whole depthwise output first) or adds its residual before the
/// activation; a weight or bias is computed at run time; or the catalog has no kernel for it or
/// says it does not pay (`KernelCatalog.fusesDepthwiseProject`: a project weight over 64 KiB, which
/// every output row would read again).
public struct FuseDepthwiseProject: Pass {
    public let name = "fuse-depthwise-project"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        try PatternPass(name: name, patterns: [DepthwiseProjectPattern()]).run(&graph)
    }
}

struct DepthwiseProjectPattern: RewritePattern {
    let name = "depthwise-project"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let project = node.op as? FusedConv, !project.gated, !project.residualFirst, project.conv == Conv(),
              (3...4).contains(node.inputs.count), let d = node.inputs.first, graph.useCount(of: d) == 1,
              !graph.isOutput(d), !node.inputs.dropFirst().contains(d), let p = graph.producer(of: d),
              let head = graph.nodes[p].op as? ExpandDepthwise, head.projectActivation == nil
        else { return false }
        let headNode = graph.nodes[p]
        var fused = head
        fused.projectActivation = project.activation
        let inputs = headNode.inputs + node.inputs[1...]
        let types = inputs.map(graph.type(of:))
        guard (try? fused.inferTypes(types)) == [graph.type(of: node.outputs[0])] else { return false }
        let query = KernelQuery(computation: .expandDepthwise(fused), inputs: types,
                                constant: inputs.map { graph.constants[$0] != nil }, output: graph.type(of: node.outputs[0]),
                                isa: .generic)
        guard KernelCatalog.fusesDepthwiseProject(query) else { return false }

        var newNode = node
        newNode.op = fused
        newNode.inputs = inputs
        newNode.provenance = headNode.provenance + node.provenance
        graph.nodes[index] = newNode
        return true
    }
}
