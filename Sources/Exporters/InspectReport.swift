import Foundation
import IR

/// The data `kiln inspect` shows, in one place for the text and JSON formats: the model's facts,
/// and, when passes ran, the node counts before and after, the memory plan, and per node its
/// layout, provenance, attributes and annotations.
public struct InspectReport: Encodable {
    public struct Port: Encodable { var name: String; var type: String }

    public struct Row: Encodable {
        var name: String
        var op: String
        var outputs: [String]
        var macs: Int
        var layout: String?
        /// The kernel-catalog entry `select-kernel` chose, and why.
        var kernel: String?
        var kernelReason: String?
        /// The ONNX nodes this node implements (more than one after a fusion).
        var onnxNodes: [String]
        var attributes: [String: JSONAttribute]
        var annotations: [String: JSONAttribute]
    }

    /// What the optimizer did; absent when no pass ran.
    public struct Optimization: Encodable {
        var passes: [String]
        var importedNodeCount: Int
        var optimizedNodeCount: Int
        var memory: MemorySummary
    }

    /// Facts about the ONNX file that only the importer knows.
    public struct Source {
        public var path: String
        public var onnxNodeCount: Int
        public var onnxHistogram: [String: Int]
        public init(path: String, onnxNodeCount: Int, onnxHistogram: [String: Int]) {
            self.path = path
            self.onnxNodeCount = onnxNodeCount
            self.onnxHistogram = onnxHistogram
        }
    }

    var model: String
    var producer: String
    var producerVersion: String
    var irVersion: Int
    var opsets: [String: Int]
    var inputs: [Port]
    var outputs: [Port]
    var onnxNodeCount: Int
    var onnxOperators: [String: Int]
    var irNodeCount: Int
    var irOperators: [String: Int]
    var parameterCount: Int
    var parameterBytes: Int
    var totalMACs: Int
    var activationBytes: Int
    var optimization: Optimization?
    var nodes: [Row]

    /// `passes` is nil when the graph was not optimized; `importedNodeCount` is the IR node count before the passes.
    public init(source: Source, graph: Graph, passes: [String]? = nil, importedNodeCount: Int? = nil) {
        let summary = GraphSummary(graph)
        model = source.path
        producer = graph.info.producerName
        producerVersion = graph.info.producerVersion
        irVersion = graph.info.irVersion
        opsets = Dictionary(graph.info.opsets.map { ($0.domain.isEmpty ? "ai.onnx" : $0.domain, $0.version) }, uniquingKeysWith: max)
        inputs = graph.inputs.map { Port(name: graph[$0].name, type: "\(graph.type(of: $0))") }
        outputs = graph.outputs.map { Port(name: graph[$0].name, type: "\(graph.type(of: $0))") }
        onnxNodeCount = source.onnxNodeCount
        onnxOperators = source.onnxHistogram
        irNodeCount = graph.nodes.count
        irOperators = summary.histogram
        parameterCount = summary.parameterCount
        parameterBytes = summary.parameterBytes
        totalMACs = summary.totalMACs
        activationBytes = summary.activationBytes
        if let passes {
            optimization = Optimization(passes: passes, importedNodeCount: importedNodeCount ?? graph.nodes.count,
                                        optimizedNodeCount: graph.nodes.count, memory: MemorySummary(graph))
        }
        nodes = zip(summary.nodes, graph.nodes).map { row, node in
            // A layout names the order of N, C, H, W: it describes 4-D outputs only (a [1x1000] Dense has none).
            let hasLayout = node[annotation: .layout] != nil || node.op is Reorder
            let layout = hasLayout && row.outputTypes.first?.rank == 4 ? node.outputLayout.rawValue : nil
            return Row(name: row.name, op: row.opType, outputs: row.outputTypes.map(\.description), macs: row.macs,
                       layout: layout, kernel: node.kernel, kernelReason: node.kernelReason, onnxNodes: row.provenance,
                       attributes: Dictionary(node.op.attributeList.map { ($0.0, JSONAttribute($0.1)) }, uniquingKeysWith: { a, _ in a }),
                       annotations: node.annotations.mapValues(JSONAttribute.init))
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func text() -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        line("model       \(model)")
        line("producer    \(producer) \(producerVersion)")
        line("ir version  \(irVersion)")
        line("opsets      \(opsets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        line()
        line("inputs")
        for p in inputs { line("  \(p.name.padding(to: 24))  \(p.type)") }
        line("outputs")
        for p in outputs { line("  \(p.name.padding(to: 24))  \(p.type)") }
        line()
        line("ONNX nodes  \(onnxNodeCount): \(histogramText(onnxOperators))")
        line("IR nodes    \(irNodeCount): \(histogramText(irOperators))")
        if let optimization {
            line("optimized   \(onnxNodeCount) ONNX nodes → \(optimization.importedNodeCount) imported → \(optimization.optimizedNodeCount) after \(optimization.passes.joined(separator: ", "))")
        }
        line("parameters  \(grouped(parameterCount)) (\(bytesText(parameterBytes)))")
        line("MACs        \(grouped(totalMACs)) (\(String(format: "%.3f", Double(totalMACs) / 1e9)) G)")
        line("activations \(bytesText(activationBytes)) (all computed tensors, before memory planning)")
        if let optimization { line("arena       \(optimization.memory.text)") }
        line()
        let showLayout = nodes.contains { $0.layout != nil }
        let showKernel = nodes.contains { $0.kernel != nil }
        let kernelWidth = min(32, max(6, nodes.compactMap { $0.kernel?.count }.max() ?? 6))
        let nameWidth = min(48, max(4, nodes.map(\.name.count).max() ?? 4))
        var header = "  #  \("name".padding(to: nameWidth))  \("op".padding(to: 20))  \("output".padding(to: 26))"
        if showLayout { header += "  \("layout".padding(to: 8))" }
        if showKernel { header += "  \("kernel".padding(to: kernelWidth))" }
        line(header + "  MACs")
        for (i, row) in nodes.enumerated() {
            var text = "\(String(i).leftPadding(to: 3))  \(row.name.padding(to: nameWidth))  \(row.op.padding(to: 20))  \(row.outputs.joined(separator: ", ").padding(to: 26))"
            if showLayout { text += "  \((row.layout ?? "-").padding(to: 8))" }
            if showKernel { text += "  \((row.kernel ?? "-").padding(to: kernelWidth))" }
            line(text + "  \(grouped(row.macs))")
            if let reason = row.kernelReason { line("     why: \(reason)") }
            // The node keeps its main ONNX node's name; list what else it took in.
            let absorbed = row.onnxNodes.first == row.name ? Array(row.onnxNodes.dropFirst()) : row.onnxNodes
            if !absorbed.isEmpty, row.onnxNodes != [row.name] {
                line("     absorbs: \(absorbed.joined(separator: ", "))")
            }
        }
        return out
    }
}

/// An attribute or annotation as a JSON value: numbers, strings, arrays, and tensors as their type.
public struct JSONAttribute: Encodable {
    let value: AttributeValue

    init(_ value: AttributeValue) { self.value = value }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .int(let x): try c.encode(x)
        case .float(let x): try c.encode(x)
        case .string(let x): try c.encode(x)
        case .ints(let x): try c.encode(x)
        case .floats(let x): try c.encode(x)
        case .strings(let x): try c.encode(x)
        case .tensor(let t): try c.encode(["tensor": t.type.description])
        }
    }
}

func histogramText(_ h: [String: Int]) -> String {
    h.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}

func grouped(_ n: Int) -> String {
    let digits = String(n)
    var result = ""
    for (i, c) in digits.reversed().enumerated() {
        if i > 0, i % 3 == 0, c != "-" { result.append(",") }
        result.append(c)
    }
    return String(result.reversed())
}

func bytesText(_ n: Int) -> String {
    n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / 1048576) : String(format: "%.1f KiB", Double(n) / 1024)
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
