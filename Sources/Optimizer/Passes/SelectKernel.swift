import Catalog
import IR

/// `select-kernel`: chooses, for every node a kernel of the library can run, the kernel-catalog
/// entry that runs it and the physical layouts (NCHW, NHWC) it reads and writes, for the instruction
/// set compiled for; records the choice on the node and inserts the `Reorder` nodes it needs.
/// Shapes stay logical NCHW; only annotations and reorders are added.
///
///     %x: float32[1x16x8x8] = input
///     %e: float32[1x64x8x8] = FusedConv(%x, %we, %be) {…, activation="silu"}
///     %d: float32[1x64x8x8] = FusedConv(%e, %wd, %bd) {…, group=64, activation="silu"}
///     output %d
/// becomes
///     %x.nhwc: float32[1x16x8x8] = Reorder(%x) {from="NCHW", to="NHWC"} [kernel="f32_nchw_to_nhwc", …]
///     %e: … = FusedConv(%x.nhwc, %we, %be) {…} [kernel="f32_gemm_bias_act", kernel_reason="pointwise 1x1,
///             16→64 channels: GEMM over NHWC rows", layout="NHWC", weight_packing="OHWI-panel16"]
///     %d: … = FusedConv(%e, %wd, %bd) {…} [kernel="f32_dwconv_bias_act", kernel_reason="depthwise 3x3,
///             64 channels: vectorized over NHWC channels", layout="NHWC", weight_packing="HWC-depthwise"]
///     %d.nchw: float32[1x64x8x8] = Reorder(%d) {from="NHWC", to="NCHW"} [kernel="f32_nhwc_to_nchw", …]
///     output %d.nchw
///
/// **The decision.** Nodes are visited in order, so a node's producers are decided first. Each
/// candidate the catalog offers (`KernelCatalog.candidates(for:)`) costs its own estimate plus the
/// reorders it forces — every input it reads in another layout than its producer wrote, and its
/// result back to NCHW when that is a graph output — and the cheapest wins (ties: catalog order).
/// The greedy choice does not see the node's consumers. Annotations (`Node.recordKernel`): `kernel`,
/// `kernel_reason`, `layout` (of the result), `input_layout` (only when the kernel reads its main
/// input in another layout, as the stem conv does), `weight_packing`.
///
/// **Nodes no kernel runs** (since the generic kernels, only tensors of more than six dimensions)
/// get no annotation and work in NCHW, as do graph inputs and outputs; lowering lists them all in
/// one error. Non-4-D tensors are row-major in every layout and never reordered.
///
/// **Reorders.** One `Reorder` per (tensor, target layout), placed before its first consumer and
/// shared by the others; none where the two layouts have the same bytes (a 4-D tensor with H·W = 1
/// in NCHW and NHWC). Then chains cancel: A→B→A disappears, A→B→C becomes A→C, and duplicate
/// reorders of one tensor merge. Every reorder left records its kernel too. Reorders already in the
/// graph are kept and cancel the same way, so running the pass twice changes nothing.
public struct SelectKernel: Pass {
    public let name = "select-kernel"
    public var isa: ISA

    public init(isa: ISA = .avx512) { self.isa = isa }

    public func run(_ graph: inout Graph) throws -> Bool {
        let before = fingerprint(graph)
        var layouts: [ValueID: Layout] = [:]
        var wanted: [[Layout]] = []
        for index in graph.nodes.indices {
            wanted.append(decide(index, in: &graph, layouts: &layouts))
        }
        ReorderPlacement.insert(in: &graph, layouts: layouts, wanted: wanted)
        ReorderPlacement.cancel(in: &graph)
        for index in graph.nodes.indices where graph.nodes[index].op is Reorder {
            _ = decide(index, in: &graph, layouts: &layouts)
        }
        return fingerprint(graph) != before
    }

    /// The cost of converting a tensor between layouts: one unit per element moved, nothing when the
    /// two layouts have the same bytes.
    static func reorderCost(_ type: TensorType, from: Layout, to: Layout) -> Double {
        Layout.sameBytes(from, to, for: type) ? 0 : Double(type.elementCount)
    }

    /// Annotates node `index`, records its outputs' layouts, and returns the layout it reads each
    /// input in.
    private func decide(_ index: Int, in graph: inout Graph, layouts: inout [ValueID: Layout]) -> [Layout] {
        var node = graph.nodes[index]
        node.clearKernelChoice()
        defer { graph.nodes[index] = node }
        let types = node.inputs.map(graph.type(of:))
        let known = layouts
        func layoutOf(_ v: ValueID) -> Layout { known[v] ?? .nchw }
        var wants = [Layout](repeating: .nchw, count: node.inputs.count)
        let candidates = KernelQuery(node: node, in: graph, isa: isa).map(KernelCatalog.candidates(for:)) ?? []

        if let reorder = node.op as? Reorder {
            // A reorder's layouts are its attributes; the catalog only names its kernel.
            wants[0] = reorder.from
            layouts[node.outputs[0]] = reorder.to
            if let kernel = candidates.first {
                node.recordKernel(kernel.entry.name, reason: kernel.reason, input: reorder.to, output: reorder.to,
                                  weightPacking: nil)
            }
            return wants
        }
        guard !candidates.isEmpty else { return wants }
        let isOutput = node.outputs.contains(where: graph.isOutput)
        func total(_ c: KernelCandidate) -> Double {
            var cost = c.cost
            for (slot, layout) in c.inputs.enumerated() {
                if let layout { cost += Self.reorderCost(types[slot], from: layoutOf(node.inputs[slot]), to: layout) }
            }
            if isOutput { cost += Self.reorderCost(graph.type(of: node.outputs[0]), from: c.output, to: .nchw) }
            return cost
        }
        var best = candidates[0]
        for c in candidates.dropFirst() where total(c) < total(best) { best = c }
        var reason = best.reason
        if let fastest = candidates.min(by: { $0.cost < $1.cost }), fastest.cost < best.cost,
           fastest.entry != best.entry || fastest.input != best.input {
            reason += "; \(fastest.entry.name) reading \(fastest.input.rawValue) is faster but needs reorders that cost more"
        }
        for (slot, layout) in best.inputs.enumerated() { wants[slot] = layout ?? layoutOf(node.inputs[slot]) }
        node.recordKernel(best.entry.name, reason: reason, input: best.input, output: best.output,
                          weightPacking: best.entry.weightPacking)
        for output in node.outputs { layouts[output] = best.output }
        return wants
    }

    /// What the pass may change: node order and operators, and the kernel annotations.
    private func fingerprint(_ graph: Graph) -> [String] {
        graph.nodes.map { node in
            let notes = AnnotationKey.kernelChoice.map { node[annotation: $0]?.description ?? "" }.joined(separator: "|")
            return "\(node.op.opType)\(node.inputs)\(node.outputs)\(node.op.attributeList.map { "\($0.1)" })\(notes)"
        } + ["\(graph.outputs)"]
    }
}
