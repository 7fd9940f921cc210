import ArgumentParser
import Codegen
import Exporters
import Foundation
import Frontend
import IR

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what Kiln understood of a model, and what the optimizer makes of it.",
        discussion: """
            Without optimization flags, shows the imported graph. --optimized runs the standard pipeline; \
            --passes runs a chosen list. --print-after, --print-after-all, --stop-after and --verify-each \
            imply --optimized when no --passes is given.
            Formats: text (report), json (the same, with every node's attributes and annotations), \
            ir (Kiln's IR text), dot (Graphviz), onnx (an ONNX model; needs -o), plan (the kernel calls \
            the compiled program makes, every argument labelled; implies --optimized).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, dot, onnx, ir, plan }

    @OptionGroup var model: ModelOptions

    @Option(help: "Output format: text, json, ir, dot or onnx.")
    var format: Format = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the output to FILE instead of stdout (required for onnx).", valueName: "FILE"))
    var output: String?

    @Flag(help: "Run the standard optimization pipeline.")
    var optimized = false

    @Option(help: ArgumentHelp("Run these passes, in this order (comma-separated).", valueName: "a,b,c"))
    var passes: String?

    @Option(name: .customLong("print-after"), help: ArgumentHelp("Print the IR after this pass (repeatable).", valueName: "NAME"))
    var printAfter: [String] = []

    @Flag(name: .customLong("print-after-all"), help: "Print the IR after every pass.")
    var printAfterAll = false

    @Option(name: .customLong("stop-after"), help: ArgumentHelp("Stop the pipeline after this pass.", valueName: "NAME"))
    var stopAfter: String?

    @Flag(name: .customLong("verify-each"), help: "Run the verifier after every pass.")
    var verifyEach = false

    @Option(help: "Choose kernels for this instruction set: native, avx512, avx2 or generic.")
    var target: Target = .native

    func validate() throws {
        if format == .onnx, output == nil {
            throw ValidationError("--format onnx writes a binary model; give the file with -o FILE")
        }
    }

    /// Whether any pass runs.
    var optimizing: Bool {
        optimized || passes != nil || !printAfter.isEmpty || printAfterAll || stopAfter != nil || verifyEach || format == .plan
    }

    func run() throws {
        try reportingErrors {
            // Pass names and the output file are checked before the model is read.
            let selection = try asUsage { () -> PassSelection? in
                guard optimizing else { return nil }
                let selection = PassSelection(passes: try passes.map(PassSelection.parseList), printAfter: printAfter,
                                              printAfterAll: printAfterAll, stopAfter: stopAfter, verifyEach: verifyEach,
                                              isa: target.isa)
                _ = try selection.resolve()
                return selection
            }
            _ = try model.parsedInputShapes()
            if let output { try OutputFiles.checkFile(output, "-o") }
            let result = try model.load()
            var graph = result.graph
            var ran: [String]?
            if let selection {
                ran = try selection.run(on: &graph) { FileHandle.standardOutput.write(Data($0.utf8)) }
            }
            let source = InspectReport.Source(path: model.model, onnxNodeCount: result.onnxNodeCount, onnxHistogram: result.onnxHistogram)
            let bytes: [UInt8]
            switch format {
            case .text:
                bytes = Array(InspectReport(source: source, graph: graph, passes: ran, importedNodeCount: result.graph.nodes.count).text().utf8)
            case .json:
                bytes = Array((try InspectReport(source: source, graph: graph, passes: ran, importedNodeCount: result.graph.nodes.count).json() + "\n").utf8)
            case .ir:
                bytes = Array(IRPrinter().print(graph).utf8)
            case .dot:
                bytes = Array(DotExporter().export(graph).utf8)
            case .plan:
                bytes = Array(try Lowering.lower(graph, banner: []).text.utf8)
            case .onnx:
                let note = ran.map { "passes: \($0.joined(separator: ", "))" } ?? "not optimized"
                bytes = ONNXExporter(producerVersion: Kiln.version, note: note).export(graph)
            }
            try write(bytes)
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        guard let output else {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        try OutputFiles.write(bytes, to: output)
    }
}
