import Catalog
import IR

/// A static arena for the intermediate tensors of a graph: every tensor a node computes, except
/// graph outputs, gets a fixed byte offset, and tensors that are never live at the same time share
/// bytes. Graph inputs and outputs live in the caller's buffers (the compiled function takes
/// pointers to them, so the last kernel writes straight into the caller's output); constants live
/// in the weights. A tensor takes `Layout.physicalBytes` in the layout `select-kernel` chose.
///
/// **Liveness** follows the node order: a tensor is live from the node that computes it to the last
/// node that reads it, both included (a kernel reads its inputs while it writes its outputs).
///
/// **In place.** An elementwise node (`OpTraits.isElementwise`) writes its result over an input, and
/// a FusedConv over its residual when its kernel adds the residual element by element as it writes
/// (`KernelCatalog.fusesResidual`), when that input is an arena tensor whose last reader is this
/// node, has the result's shape, layout and bytes, and (for the residual) is not also an input of
/// the conv's main computation.
/// The two then form one buffer, live from the first's definition to the last's last use.
///
/// **Offsets** come from greedy-by-size assignment, the strategy of TFLite's arena planner: buffers
/// in decreasing size (then by first use) each take the smallest gap, among the buffers already
/// placed whose lifetimes overlap theirs, that fits them; else the end. Offsets are multiples of 64.
public struct MemoryPlan: Sendable {
    public static let alignment = 64

    /// Arena offset of every tensor in the arena.
    public var offsets: [ValueID: Int] = [:]
    /// Bytes of every tensor in the arena, in its physical layout.
    public var bytes: [ValueID: Int] = [:]
    /// Indices of the nodes whose result reuses an input's buffer.
    public var inPlaceNodes: Set<Int> = []
    /// max(offset + bytes) over the arena's tensors.
    public var arenaBytes: Int { offsets.map { $0.value + (bytes[$0.key] ?? 0) }.max() ?? 0 }
    /// What the arena's tensors would take without reuse.
    public var tensorBytes: Int { bytes.values.reduce(0, +) }

    public init(planning graph: Graph) {
        let outputs = Set(graph.outputs)
        var defined: [ValueID: Int] = [:], lastUse: [ValueID: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !outputs.contains(output) {
                defined[output] = index
                lastUse[output] = index
                bytes[output] = Self.physicalBytes(of: output, producer: node, graph)
            }
            for input in node.inputs where defined[input] != nil { lastUse[input] = index }
        }

        // Buffers: each arena tensor starts as its own; in-place results join their input's.
        var buffer: [ValueID: ValueID] = [:]
        for value in defined.keys { buffer[value] = value }
        for (index, node) in graph.nodes.enumerated() {
            guard let y = node.outputs.first, node.outputs.count == 1, defined[y] != nil,
                  let x = inPlaceInput(of: node, graph, defined: defined, lastUse: lastUse, index: index),
                  let root = buffer[x] else { continue }
            buffer[y] = root
            inPlaceNodes.insert(index)
        }
        var lifetime: [ValueID: ClosedRange<Int>] = [:]
        for (value, root) in buffer {
            guard let start = defined[value], let end = lastUse[value] else { continue }
            let old = lifetime[root] ?? start...end
            lifetime[root] = min(old.lowerBound, start)...max(old.upperBound, end)
        }

        // Greedy by size, best fit among the gaps left by overlapping placed buffers.
        let order = lifetime.map { (root: $0.key, life: $0.value, size: bytes[$0.key] ?? 0) }.sorted {
            ($0.size, -$0.life.lowerBound, -$0.root.index) > ($1.size, -$1.life.lowerBound, -$1.root.index)
        }
        var placed: [(offset: Int, end: Int, life: ClosedRange<Int>)] = []
        var rootOffset: [ValueID: Int] = [:]
        for (root, life, size) in order {
            let conflicts = placed.filter { $0.life.overlaps(life) }.sorted { $0.offset < $1.offset }
            var cursor = 0, best: (offset: Int, gap: Int)?
            for other in conflicts {
                let gap = other.offset - cursor
                if gap >= size, best.map({ gap < $0.gap }) ?? true { best = (cursor, gap) }
                cursor = max(cursor, Self.aligned(other.end))
            }
            let offset = best?.offset ?? cursor
            placed.append((offset, offset + size, life))
            rootOffset[root] = offset
        }
        for (value, root) in buffer { offsets[value] = rootOffset[root] }
    }

    /// The input whose buffer node `node` may write its result into, if any (see the type's doc).
    private func inPlaceInput(of node: Node, _ graph: Graph, defined: [ValueID: Int], lastUse: [ValueID: Int],
                              index: Int) -> ValueID? {
        let slots: [Int]
        if OpTraits.isElementwise(node.op) {
            slots = Array(node.inputs.indices)
        } else if let conv = node.op as? FusedConv, let r = conv.residualSlot(inputCount: node.inputs.count),
                  !node.inputs[0..<r].contains(node.inputs[r]), let kernel = node.kernel,
                  KernelCatalog.fusesResidual(kernel: kernel, of: conv) {
            slots = [r]
        } else {
            return nil
        }
        let y = node.outputs[0]
        for slot in slots {
            let x = node.inputs[slot]
            guard defined[x] != nil, lastUse[x] == index, graph.type(of: x) == graph.type(of: y),
                  bytes[x] == bytes[y], layout(of: x, graph) == layout(of: y, graph) else { continue }
            return x
        }
        return nil
    }

    private func layout(of value: ValueID, _ graph: Graph) -> Layout {
        guard let p = graph.producer(of: value) else { return .nchw }
        return graph.nodes[p].outputLayout
    }

    static func physicalBytes(of value: ValueID, producer: Node, _ graph: Graph) -> Int {
        producer.outputLayout.physicalBytes(graph.type(of: value))
    }

    static func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    /// Arena bytes against the sum of the bytes of the tensors it holds, for `kiln inspect`. Reads
    /// the `arena_offset` annotations `plan-memory` wrote; plans afresh when a node lacks them.
    public static func summary(of graph: Graph) -> (arenaBytes: Int, sumOfTensorBytes: Int) {
        guard graph.nodes.allSatisfy({ $0.arenaOffsets != nil }) else {
            let plan = MemoryPlan(planning: graph)
            return (plan.arenaBytes, plan.tensorBytes)
        }
        var arena = 0, sum = 0
        for node in graph.nodes {
            guard let offsets = node.arenaOffsets else { continue }
            for (output, offset) in zip(node.outputs, offsets) where offset >= 0 {
                let size = physicalBytes(of: output, producer: node, graph)
                arena = max(arena, offset + size)
                sum += size
            }
        }
        return (arena, sum)
    }
}
