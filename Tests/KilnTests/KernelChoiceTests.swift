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
                var body = try #require(Self.body(of: function.name, in: source))
                // A call other nodes make with the same constants is compiled once, as a shared function.
                if let shared = body.firstMatch(of: #/(kiln_shared_\d+_\w+)\(t, /#)?.1 {
                    #expect(shared.hasSuffix("_" + kernel), "\(model) \(isa): \(function.name) calls \(shared) for \(kernel)")
                    body = try #require(Self.body(of: String(shared), in: source), "\(model) \(isa): \(shared) is not defined")
                }
                // A kernel threads share is called in its `_part` form, every thread calling it with its task.
                let call = KernelCatalog.entry(named: kernel)?.isParallel == true ? "kiln_\(kernel)_part(t, " : "kiln_\(kernel)("
                #expect(body.contains(call), "\(model) \(isa): \(function.name) does not call \(call)")
            }
        }
    }

    /// The calls that repeated blocks make with the same constants are compiled once: each shared
    /// function is defined once, beside its first user, and called by every node that makes the call
    /// (tv_b0 repeats the blocks of its stages), with that node's own buffers.
    @Test(.enabled(if: models.contains("tv_b0")))
    func repeatedCallsAreCompiledOnce() throws {
        let path = SharedData.root.appendingPathComponent("models/tv_b0/model.onnx").path
        var graph = try ONNXImporter.load(path: path).graph
        try Pipeline.run(Pipeline.standard(isa: .avx512), on: &graph)
        let plan = try Lowering.lower(graph, banner: [])
        let files = CPrinter(weights: .embed, preprocess: "imagenet", labels: []).model(plan, parts: 2)
        let source = files.map(\.text).joined()
        let shared = Set(source.matches(of: #/void (kiln_shared_\d+_\w+)\(const kiln_task \*t, [^)]*\) \{/#).map { String($0.1) })
        #expect(shared.count >= 8, "tv_b0 has \(shared.count) shared calls")
        for name in shared {
            #expect(source.ranges(of: "\nvoid \(name)(").count == 2, "\(name): one prototype and one definition")
            let callers = plan.functions.filter { Self.body(of: $0.name, in: source)?.contains("\(name)(t, ") == true }
            #expect(callers.count >= 2, "\(name) is called by \(callers.map(\.name))")
            // The callers pass different buffers (their own weights at least).
            let arguments = Set(callers.compactMap { caller -> String? in
                guard let body = Self.body(of: caller.name, in: source), let call = body.firstRange(of: "\(name)(t, ") else { return nil }
                return String(body[call.upperBound...].prefix { $0 != ";" })
            })
            #expect(arguments.count == callers.count, "\(name): callers share buffers")
        }
        // Every kernel call of the plan is made once: in its node, or through a shared function (whose
        // definitions hold one kernel call each).
        let sharedSites = source.ranges(of: #/\n    kiln_shared_\d+_\w+\(t, /#).count
        let kernelCalls = source.ranges(of: #/\n    (if \(t->part == 0\) )?kiln_(?!shared_|sync\(|parallel\()\w+\(/#).count
        #expect(sharedSites + kernelCalls - shared.count == plan.functions.reduce(0) { $0 + $1.calls.count })
        #expect(sharedSites >= 2 * shared.count)
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

    /// The definition of C function `name` (taking the task first), up to its closing brace.
    static func body(of name: String, in source: String) -> String? {
        for line in source.ranges(of: "\nvoid \(name)(const kiln_task *t") {
            guard let eol = source[line.upperBound...].firstIndex(of: "\n"), source[..<eol].hasSuffix(") {") else { continue }
            guard let end = source.range(of: "\n}\n", range: eol..<source.endIndex) else { return nil }
            return String(source[line.lowerBound..<end.upperBound])
        }
        return nil
    }
}
