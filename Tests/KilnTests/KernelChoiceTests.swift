import Catalog
import Codegen
import Exporters
import Foundation
import Frontend
import IR
import Optimizer
import Testing

/// On every public model: the kernel `select-kernel` records on a node (what `kiln inspect` shows)
/// is the kernel the emitted C calls for that node, for AVX-512, AVX2 and portable builds.
@Suite struct KernelChoiceTests {
    /// Every public model: the compiled backends take them all.
    static let models = SharedData.available("kernel choice tests") == nil ? [] : SharedData.modelNames

    @Test(arguments: models)
    func inspectNamesTheKernelTheCodeCalls(model: String) throws {
        let path = SharedData.root.appendingPathComponent("models/\(model)/model.onnx").path
        let imported = try ONNXImporter.load(path: path)
        for isa in ISA.allCases {
            var graph = imported.graph
            try Pipeline.run(Pipeline.standard(isa: isa), on: &graph)
            let plan = try Lowering.lower(graph, banner: [])
            let printer = CPrinter(weights: .embed, preprocess: "imagenet", labels: [])
            let source = printer.model(plan, parts: 1).map(\.text).joined()
            let functions = Dictionary(plan.functions.map { ($0.node.index, $0) }, uniquingKeysWith: { a, _ in a })
            for (index, node) in graph.nodes.enumerated() {
                let kernel = try #require(node.kernel, "\(model) \(isa): node \(index) '\(node.name)' (\(node.op.opType)) has no kernel")
                #expect(node.kernelReason?.isEmpty == false, "\(model) \(isa): node \(index) has no reason")
                guard let function = functions[index] else {
                    // Only a copy whose result shares its input's buffer emits nothing.
                    #expect([KernelCatalog.activation.name, KernelCatalog.copyStrided.name].contains(kernel), "\(model) \(isa): node \(index) '\(node.name)' emitted nothing")
                    continue
                }
                #expect(function.calls.first?.kernel == kernel, "\(model) \(isa): node \(index) records \(kernel), calls \(function.calls.map(\.kernel))")
                let body = try #require(Self.body(of: function.name, in: source))
                // A kernel threads share is called in its `_part` form, every thread calling it with its task.
                let call = KernelCatalog.entry(named: kernel)?.isParallel == true ? "kiln_\(kernel)_part(t, " : "kiln_\(kernel)("
                #expect(body.contains(call), "\(model) \(isa): \(function.name) does not call \(call)")
            }
        }
    }

    /// `kiln inspect --optimized --format json` gives every node a kernel and a reason.
    @Test(arguments: models.prefix(2))
    func inspectJSONHasKernels(model: String) throws {
        let path = SharedData.root.appendingPathComponent("models/\(model)/model.onnx").path
        let imported = try ONNXImporter.load(path: path)
        var graph = imported.graph
        try Pipeline.run(Pipeline.standard(), on: &graph)
        let report = InspectReport(source: .init(path: path, onnxNodeCount: imported.onnxNodeCount, onnxHistogram: imported.onnxHistogram),
                                   graph: graph, passes: Pipeline.standard().map(\.name), importedNodeCount: imported.graph.nodes.count)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let nodes = try #require(json["nodes"] as? [[String: Any]])
        #expect(nodes.count == graph.nodes.count)
        for node in nodes {
            #expect((node["kernel"] as? String)?.isEmpty == false, "\(node["name"] ?? "?") has no kernel")
            #expect((node["kernelReason"] as? String)?.isEmpty == false, "\(node["name"] ?? "?") has no kernel reason")
        }
        #expect(report.text().contains("why: "))
    }

    /// The text of `void NAME(…) { … }` in generated C.
    static func body(of name: String, in source: String) -> String? {
        guard let start = source.range(of: "void \(name)(const kiln_task *t) {") else { return nil }
        guard let end = source.range(of: "\n}\n", range: start.upperBound..<source.endIndex) else { return nil }
        return String(source[start.lowerBound..<end.upperBound])
    }
}
