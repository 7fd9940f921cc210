import ArgumentParser
import Foundation
import Frontend
import IR

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what Kiln understood of a model: inputs, outputs, operators, parameters, MACs, every node.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var model: ModelOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        try reportingErrors {
            let result = try model.load()
            let report = InspectReport(path: model.model, result: result)
            switch format {
            case .text: print(report.text(), terminator: "")
            case .json: print(try report.json())
            }
        }
    }
}

/// The data `kiln inspect` shows, in one place for both formats.
struct InspectReport: Encodable {
    struct Port: Encodable { var name: String; var type: String }
    struct Row: Encodable { var name: String; var op: String; var outputs: [String]; var macs: Int; var onnxNodes: [String] }

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
    var nodes: [Row]

    init(path: String, result: ImportResult) {
        let graph = result.graph
        let summary = GraphSummary(graph)
        model = path
        producer = graph.info.producerName
        producerVersion = graph.info.producerVersion
        irVersion = graph.info.irVersion
        opsets = Dictionary(graph.info.opsets.map { ($0.domain.isEmpty ? "ai.onnx" : $0.domain, $0.version) }, uniquingKeysWith: max)
        inputs = graph.inputs.map { Port(name: graph[$0].name, type: "\(graph.type(of: $0))") }
        outputs = graph.outputs.map { Port(name: graph[$0].name, type: "\(graph.type(of: $0))") }
        onnxNodeCount = result.onnxNodeCount
        onnxOperators = result.onnxHistogram
        irNodeCount = graph.nodes.count
        irOperators = summary.histogram
        parameterCount = summary.parameterCount
        parameterBytes = summary.parameterBytes
        totalMACs = summary.totalMACs
        activationBytes = summary.activationBytes
        nodes = summary.nodes.map { Row(name: $0.name, op: $0.opType, outputs: $0.outputTypes.map(\.description), macs: $0.macs, onnxNodes: $0.provenance) }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
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
        line("parameters  \(grouped(parameterCount)) (\(bytesText(parameterBytes)))")
        line("MACs        \(grouped(totalMACs)) (\(String(format: "%.3f", Double(totalMACs) / 1e9)) G)")
        line("activations \(bytesText(activationBytes)) (all computed tensors, before memory planning)")
        line()
        let nameWidth = min(48, max(4, nodes.map(\.name.count).max() ?? 4))
        line("  #  \("name".padding(to: nameWidth))  \("op".padding(to: 20))  \("output".padding(to: 26))  MACs")
        for (i, row) in nodes.enumerated() {
            let number = String(i).leftPadding(to: 3)
            line("\(number)  \(row.name.padding(to: nameWidth))  \(row.op.padding(to: 20))  \(row.outputs.joined(separator: ", ").padding(to: 26))  \(grouped(row.macs))")
        }
        return out
    }
}

private func histogramText(_ h: [String: Int]) -> String {
    h.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}

private func grouped(_ n: Int) -> String {
    let digits = String(n)
    var result = ""
    for (i, c) in digits.reversed().enumerated() {
        if i > 0, i % 3 == 0 { result.append(",") }
        result.append(c)
    }
    return String(result.reversed())
}

private func bytesText(_ n: Int) -> String {
    n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / 1048576) : String(format: "%.1f KiB", Double(n) / 1024)
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
