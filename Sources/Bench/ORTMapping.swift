import Frontend
import IR

/// onnxruntime's per-node profile mapped onto Kiln's fused nodes.
///
/// onnxruntime names what it runs after its own fusions and layout changes: on tv_b0 only a few of
/// its profiled names are ONNX node names; the others are `<ONNX output tensor>_nchwc` (a node it
/// moved to NCHWc, named after its output), `<ONNX node>/<Fusion>/` (a fusion named after its first
/// node), or `ReorderInput` / `ReorderOutput_token_N` (its own layout conversions). Each entry is
/// matched, in that order, by its name as an ONNX node, as an ONNX tensor (with `_nchwc` removed),
/// then by ever shorter `/`-prefixes of it; the ONNX node found belongs to the Kiln node whose
/// provenance lists it. An entry that matches nothing is kept as unmapped with its operator, never
/// dropped: onnxruntime's reorders, or nodes Kiln folded away at compile time.
public struct ORTMapping: Sendable {
    /// One profiled onnxruntime node: its name (without `_kernel_time`), operator, median µs.
    public struct Entry: Sendable, Codable, Equatable {
        public var name: String
        public var op: String
        public var microseconds: Double

        public init(name: String, op: String, microseconds: Double) {
            self.name = name
            self.op = op
            self.microseconds = microseconds
        }
    }

    /// Kiln node index → the onnxruntime entries that map to it.
    public var mapped: [Int: [Entry]] = [:]
    /// Entries that map to no Kiln node.
    public var unmapped: [Entry] = []

    /// `onnxNodes`: the model's ONNX nodes; `provenance`: per Kiln node index, the ONNX node names
    /// it implements.
    public init(entries: [Entry], onnxNodes: ONNXNodeList, provenance: [Int: [String]]) {
        var owner: [String: Int] = [:]
        for (index, names) in provenance.sorted(by: { $0.key < $1.key }) {
            for name in names where owner[name] == nil { owner[name] = index }
        }
        let producers = onnxNodes.producers
        let onnxNames = Set(onnxNodes.nodes.map(\.name))
        for entry in entries {
            if let node = Self.onnxNode(for: entry.name, names: onnxNames, producers: producers), let index = owner[node] {
                mapped[index, default: []].append(entry)
            } else {
                unmapped.append(entry)
            }
        }
    }

    /// The ONNX node an onnxruntime name stands for, if any.
    public static func onnxNode(for name: String, names: Set<String>, producers: [String: String]) -> String? {
        func lookUp(_ candidate: String) -> String? {
            if names.contains(candidate) { return candidate }
            if let node = producers[candidate] { return node }
            if candidate.hasSuffix("_nchwc"), let node = producers[String(candidate.dropLast("_nchwc".count))] { return node }
            return nil
        }
        var candidate = name
        while !candidate.isEmpty {
            if let node = lookUp(candidate) { return node }
            // `<ONNX node>/QuickGeluFusion/`: drop the last path component (and a trailing slash).
            if candidate.hasSuffix("/") { candidate.removeLast() }
            guard let slash = candidate.lastIndex(of: "/"), slash != candidate.startIndex else { return nil }
            candidate = String(candidate[..<slash])
        }
        return nil
    }

    /// Unmapped time by onnxruntime operator, largest first.
    public var unmappedByOperator: [(op: String, microseconds: Double, count: Int)] {
        var totals: [String: (Double, Int)] = [:]
        for entry in unmapped {
            let t = totals[entry.op] ?? (0, 0)
            totals[entry.op] = (t.0 + entry.microseconds, t.1 + 1)
        }
        return totals.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.microseconds > $1.microseconds }
    }
}
