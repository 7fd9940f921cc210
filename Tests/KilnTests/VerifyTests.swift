import Codegen
import Foundation
import Frontend
import IR
import Optimizer
import Testing
import Verification

/// `kiln verify`: the compiled program agrees with the reference interpreter on a small model and on
/// Lite0; a program broken on purpose in one node fails, and the trace names exactly that node; the
/// tracing code is only in trace builds.
@Suite struct VerifyTests {
    /// conv1 (3×3, 3→8) + Relu → conv2 (1×1, 8→8) + Relu → conv3 (1×1, 8→4) on a 1×3×9×7 input,
    /// weights of both signs so that every Relu clips something; one data set with input_0.pb.
    static func threeConvs() throws -> (model: String, data: URL) {
        var seed: UInt64 = 0x9e3779b97f4a7c15
        func values(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int(seed >> 40) % 2001 - 1000) / 1000
            }
        }
        var m = ModelBuilder()
        m.inputs = [ModelBuilder.valueInfo("x", dims: [1, 3, 9, 7])]
        m.outputs = [ModelBuilder.valueInfo("y", dims: [1, 4, 9, 7])]
        m.initializers = [
            ModelBuilder.tensor("w1", dims: [8, 3, 3, 3], values: values(8 * 27)), ModelBuilder.tensor("b1", dims: [8], values: values(8)),
            ModelBuilder.tensor("w2", dims: [8, 8, 1, 1], values: values(64)), ModelBuilder.tensor("b2", dims: [8], values: values(8)),
            ModelBuilder.tensor("w3", dims: [4, 8, 1, 1], values: values(32)), ModelBuilder.tensor("b3", dims: [4], values: values(4)),
        ]
        m.node("Conv", ["x", "w1", "b1"], ["c1"], name: "conv1", ints: ["pads": [1, 1, 1, 1]])
        m.node("Relu", ["c1"], ["r1"], name: "relu1")
        m.node("Conv", ["r1", "w2", "b2"], ["c2"], name: "conv2")
        m.node("Relu", ["c2"], ["r2"], name: "relu2")
        m.node("Conv", ["r2", "w3", "b3"], ["y"], name: "conv3")
        let dir = try TemporaryFolder.make()
        let model = try m.write(in: dir)
        let data = dir.appendingPathComponent("test_data_set_0")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Data(ModelBuilder.tensor("x", dims: [1, 3, 9, 7], values: values(3 * 63)).bytes)
            .write(to: data.appendingPathComponent("input_0.pb"))
        return (model, dir)
    }

    static func optimized(_ path: String) throws -> Graph {
        var graph = try ONNXImporter.load(path: path).graph
        try Pipeline.run(Pipeline.standard(), on: &graph)
        return graph
    }

    @Test func smallModelPassesAndEveryNodeIsTraced() throws {
        let (model, dir) = try Self.threeConvs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let graph = try Self.optimized(model)
        var options = VerifyOptions()
        options.alwaysTrace = true
        let report = try ModelVerifier.verify(graph, dataSets: try DataSet.beside(model: model), options: options)
        #expect(report.passed)
        #expect(report.dataSets.count == 1)
        let check = try #require(report.dataSets.first?.outputs.first)
        #expect(check.interpreter.relative <= 1e-5 && check.interpreter.maxRef > 0)
        #expect(check.expected == nil)
        let trace = try #require(report.trace)
        #expect(trace.problems.isEmpty)
        #expect(trace.nodes.count == (try Lowering.lower(graph, banner: [])).functions.count { $0.output != nil })
        #expect(report.divergence == nil)
    }

    /// On both backends: the Swift program traces through kiln_program.swift's `kilnTrace`.
    @Test(arguments: [BackendKind.c, .swift])
    func brokenNodeFailsAndIsNamed(backend: BackendKind) throws {
        let (model, dir) = try Self.threeConvs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let graph = try Self.optimized(model)
        let plan = try Lowering.lower(graph, banner: [])
        let broken = try #require(plan.functions.first { $0.node.provenance.contains("conv2") })
        var options = VerifyOptions()
        options.compile.backend = backend
        // The break: conv2's fused Relu becomes no activation, so its negative values leak through.
        options.alterPlan = { plan in
            for f in plan.functions.indices where plan.functions[f].node.provenance.contains("conv2") {
                for c in plan.functions[f].calls.indices {
                    for (a, argument) in plan.functions[f].calls[c].arguments.enumerated() {
                        if case .activation(.relu) = argument { plan.functions[f].calls[c].arguments[a] = .activation(.none) }
                    }
                }
            }
        }
        let report = try ModelVerifier.verify(graph, dataSets: try DataSet.find(at: dir.appendingPathComponent("test_data_set_0").path),
                                              options: options)
        #expect(!report.passed)
        let divergence = try #require(report.divergence)
        #expect(divergence.node == broken.node)
        #expect(divergence.node.provenance == ["conv2", "relu2"])
        #expect(divergence.error.relative > 1e-2)
        // The nodes before it agree.
        let before = report.trace?.nodes.filter { $0.node.index < broken.node.index } ?? []
        #expect(!before.isEmpty && before.allSatisfy { $0.error.relative <= 1e-5 })
    }

    @Test func onlyTraceBuildsCarryTracing() throws {
        let (model, dir) = try Self.threeConvs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let graph = try Self.optimized(model)
        var options = CompileOptions()
        let normal = dir.appendingPathComponent("normal").path, traced = dir.appendingPathComponent("traced").path
        _ = try Compiler.compile(graph, output: normal, options: options)
        options.trace = true
        _ = try Compiler.compile(graph, output: traced, options: options)
        let marker = Data("KILN_TRACE_DIR".utf8)
        #expect(try Data(contentsOf: URL(fileURLWithPath: normal)).range(of: marker) == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: traced)).range(of: marker) != nil)
    }

    @Test func lite0PassesAgainstInterpreterAndOnnxruntime() throws {
        guard let shared = SharedData.available("verify lite0") else { return }
        let model = shared.appendingPathComponent("models/lite0_trained/model.onnx").path
        let report = try ModelVerifier.verify(try Self.optimized(model), dataSets: try DataSet.beside(model: model), options: VerifyOptions())
        #expect(report.passed)
        #expect(report.dataSets.count == 2)
        for set in report.dataSets {
            for output in set.outputs {
                print("lite0 \(set.dataSet.name): relative \(output.interpreter.relative) to the interpreter, \(output.expected?.relative ?? .nan) to onnxruntime")
                #expect(output.interpreter.relative <= 1e-4 && output.interpreter.sameArgmax)
                #expect(output.expected != nil)
            }
        }
        #expect(report.trace == nil)
    }
}
