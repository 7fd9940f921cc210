import IR

/// `plan-memory`: gives every intermediate tensor a fixed offset in one static arena, reusing bytes
/// between tensors that are never live together, and runs elementwise nodes in place where legal
/// (see `MemoryPlan` for liveness, the in-place rules and the offset assignment).
///
///     %a: float32[1x16x8x8] = FusedConv(%x, %w1, %b1) {…}
///     %b: float32[1x16x8x8] = Relu(%a)
///     %c: float32[1x16x8x8] = FusedConv(%b, %w2, %b2) {…}
///     %d: float32[1x16x8x8] = FusedConv(%c, %w3, %b3) {…}
///     output %d
/// becomes
///     %a: … = FusedConv(%x, %w1, %b1) {…} [arena_offset=[0]]
///     %b: … = Relu(%a) [arena_offset=[0], in_place=1]       (%a's last reader: overwrite it)
///     %c: … = FusedConv(%b, %w2, %b2) {…} [arena_offset=[4096]]
///     %d: … = FusedConv(%c, %w3, %b3) {…} [arena_offset=[-1]]  (a graph output: the caller's buffer)
///
/// Annotations: `arena_offset`, one int per output (-1 for a graph output, which is not in the
/// arena), and `in_place=1` on nodes whose result overwrites an input (the input with the same
/// offset). The arena's size is
/// max(offset + bytes); `MemoryPlan.summary(of:)` reports it against the sum of the tensors' bytes.
///
/// Does not apply in place to: inputs read later by another node, graph inputs and outputs,
/// constants, results of another shape, layout or size (Cast to a narrower type, a broadcast), a
/// Reorder (it permutes), or a residual that is also the conv's input. Runs last: any later change
/// to the nodes invalidates the plan.
public struct PlanMemory: Pass {
    public let name = "plan-memory"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        let plan = MemoryPlan(planning: graph)
        var changed = false
        for index in graph.nodes.indices {
            var node = graph.nodes[index]
            let offsets = node.outputs.map { plan.offsets[$0] ?? -1 }
            let inPlace = plan.inPlaceNodes.contains(index)
            changed = changed || node.arenaOffsets != offsets || node.inPlace != inPlace
            node.arenaOffsets = offsets
            node.inPlace = inPlace
            graph.nodes[index] = node
        }
        return changed
    }
}
