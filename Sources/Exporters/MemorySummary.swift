import Foundation
import IR
import Optimizer

/// The static memory plan as `plan-memory` recorded it in annotations (`arena_offset`, one byte
/// offset per output, -1 outside the arena; `in_place=1` when an output overwrites an input), for
/// `kiln inspect`. The sizes come from `MemoryPlan.summary(of:)`, so they count tensors at their
/// physical size in the chosen layout, as the plan does.
public struct MemorySummary: Sendable, Equatable, Encodable {
    /// Bytes of the arena; nil when no node carries an `arena_offset` (plan-memory did not run).
    public var arenaBytes: Int?
    /// Sum of the bytes of the tensors the arena holds (what they would need without reuse).
    public var plannedTensorBytes: Int
    /// Number of tensors placed in the arena.
    public var plannedTensors: Int
    /// Nodes whose output overwrites an input's buffer.
    public var inPlaceNodes: Int

    public init(_ graph: Graph) {
        var count = 0, inPlace = 0
        for node in graph.nodes {
            if case .int(let v)? = node.annotations["in_place"], v != 0 { inPlace += 1 }
            if case .ints(let offsets)? = node.annotations["arena_offset"] { count += offsets.filter { $0 >= 0 }.count }
        }
        plannedTensors = count
        inPlaceNodes = inPlace
        guard graph.nodes.contains(where: { $0.annotations["arena_offset"] != nil }) else {
            arenaBytes = nil
            plannedTensorBytes = 0
            return
        }
        let summary = MemoryPlan.summary(of: graph)
        arenaBytes = summary.arenaBytes
        plannedTensorBytes = summary.sumOfTensorBytes
    }

    /// One line for `kiln inspect`: "1.2 MiB for 40 tensors of 14.3 MiB (8.4%), 20 in place" or "not planned".
    public var text: String {
        guard let arenaBytes else { return "not planned" }
        let share = plannedTensorBytes > 0 ? String(format: " (%.1f%%)", 100 * Double(arenaBytes) / Double(plannedTensorBytes)) : ""
        return "\(bytesText(arenaBytes)) for \(plannedTensors) tensors of \(bytesText(plannedTensorBytes))\(share), \(inPlaceNodes) in place"
    }
}
