import Foundation
import IR

/// The static memory plan as `plan-memory` recorded it in annotations: `arena_offset` (one byte
/// offset per output) and `in_place` (1 when an output reuses its input's buffer). The arena size
/// is max(offset + bytes) over the planned tensors, where a tensor in a channel-blocked layout
/// (NCHW8c, NCHW16c) takes its channels rounded up to the block.
public struct MemorySummary: Sendable, Equatable, Encodable {
    /// Bytes of the arena; nil when no node carries an `arena_offset` (the plan did not run).
    public var arenaBytes: Int?
    /// Sum of the bytes of the tensors the plan placed (what they would need without reuse).
    public var plannedTensorBytes: Int
    /// Number of tensors placed.
    public var plannedTensors: Int
    /// Nodes whose output reuses an input's buffer.
    public var inPlaceNodes: Int

    public init(_ graph: Graph) {
        var arena: Int?
        var sum = 0, count = 0, inPlace = 0
        for node in graph.nodes {
            if case .int(let v)? = node.annotations["in_place"], v != 0 { inPlace += 1 }
            let offsets: [Int]
            switch node.annotations["arena_offset"] {
            case .ints(let v)?: offsets = v
            case .int(let v)?: offsets = [v]
            default: continue
            }
            for (output, offset) in zip(node.outputs, offsets) where offset >= 0 {
                let bytes = Self.physicalBytes(graph.type(of: output), layout: Self.layout(of: node))
                arena = max(arena ?? 0, offset + bytes)
                sum += bytes
                count += 1
            }
        }
        arenaBytes = arena
        plannedTensorBytes = sum
        plannedTensors = count
        inPlaceNodes = inPlace
    }

    /// The layout a node writes: a Reorder's target, else its `layout` annotation (NCHW when absent).
    static func layout(of node: Node) -> Layout {
        if let reorder = node.op as? Reorder { return reorder.to }
        if case .string(let name)? = node.annotations["layout"], let layout = Layout(rawValue: name) { return layout }
        return .nchw
    }

    static func physicalBytes(_ type: TensorType, layout: Layout) -> Int {
        let block = layout == .nchw8c ? 8 : layout == .nchw16c ? 16 : 1
        guard block > 1, type.rank == 4 else { return type.byteCount }
        let channels = (type.shape[1] + block - 1) / block * block
        return type.shape[0] * channels * type.shape[2] * type.shape[3] * type.elementType.byteSize
    }

    /// One line for `kiln inspect`: "1.2 MiB for 14.3 MiB of tensors (8.4%), 20 in place" or "not planned".
    public var text: String {
        guard let arenaBytes else { return "not planned" }
        let share = plannedTensorBytes > 0 ? String(format: " (%.1f%%)", 100 * Double(arenaBytes) / Double(plannedTensorBytes)) : ""
        return "\(bytesText(arenaBytes)) for \(plannedTensors) tensors of \(bytesText(plannedTensorBytes))\(share), \(inPlaceNodes) in place"
    }
}
