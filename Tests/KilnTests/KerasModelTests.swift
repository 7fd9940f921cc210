import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing

/// keras_b1 (Keras EfficientNetB1 through tf2onnx: NHWC image input, Rescaling and Normalization in
/// the graph, squeeze-excite spelled with Squeeze/Reshape, classifier MatMul + Softmax) through the
/// standard pipeline must look like a PyTorch export: one SqueezeExcite per MBConv block, at most the
/// image's Transpose, no Reshape, Squeeze or Mul outside fused nodes, a Dense classifier. That the
/// optimized graph still matches onnxruntime (max|y − ref| ≤ 1e-4 · max|ref|, same top-1, and within
/// 1e-5 of the unoptimized graph) is `ModelTests`' check, which covers keras_b1 with every model.
@Suite struct KerasModelTests {
    static func optimized() throws -> (imported: Graph, optimized: Graph)? {
        guard let shared = SharedData.available("keras_b1 tests") else { return nil }
        let path = shared.appendingPathComponent("models/keras_b1/model.onnx").path
        guard FileManager.default.fileExists(atPath: path) else {
            print("SKIP keras_b1 tests: no \(path)")
            return nil
        }
        let graph = try ONNXImporter.load(path: path).graph
        var result = graph
        try Pipeline.run(Pipeline.standard(), on: &result, options: .init(verifyEach: true))
        return (graph, result)
    }

    static func histogram(_ graph: Graph) -> [String: Int] {
        graph.nodes.reduce(into: [:]) { $0[$1.op.opType, default: 0] += 1 }
    }

    @Test func optimizedGraphLooksLikeThePyTorchOne() throws {
        guard let (imported, graph) = try Self.optimized() else { return }
        let before = Self.histogram(imported), after = Self.histogram(graph)
        print("keras_b1 imported: \(imported.nodes.count) nodes \(before.sorted { $0.key < $1.key })")
        print("keras_b1 optimized: \(graph.nodes.count) nodes \(after.sorted { $0.key < $1.key })")
        // One squeeze-excite per MBConv block, each gate applied by the project conv after it.
        #expect(after["SqueezeExciteGate", default: 0] + after["SqueezeExcite", default: 0] == 23, "one squeeze-excite per MBConv block")
        #expect(after["SqueezeExciteGate"] == 23, "every gate folded into its project conv")
        #expect(after["Transpose", default: 0] <= 1, "at most the image's Transpose")
        for op in ["Reshape", "Squeeze", "Unsqueeze", "Flatten", "Mul", "Add", "Sub", "Div", "MatMul", "Sigmoid", "ScaleShift"] {
            #expect(after[op] == nil, "\(after[op] ?? 0) \(op) left")
        }
        #expect(after["Dense"] == 1 && after["Softmax"] == 1, "classifier: Dense, then Softmax")
        // The one Transpose reads the graph input; Rescaling and Normalization folded into the stem.
        if let t = graph.nodes.firstIndex(where: { $0.op is Transpose }) {
            #expect(graph.nodes[t].inputs == graph.inputs, "the Transpose reads the image")
            let stem = graph.nodes.first { $0.op is FusedConv || $0.op is ExpandDepthwise } // fused with the first depthwise conv
            #expect(stem?.provenance.contains("efficientnetb1_1/rescaling_1/mul") == true)
        }
        // Every ONNX node is still accounted for by some node's provenance.
        let covered = Set(graph.nodes.flatMap(\.provenance))
        #expect(imported.nodes.allSatisfy { covered.contains($0.name) }, "provenance lost a node")
    }

    /// The random-weight model's probabilities are nearly uniform (max ≈ 0.0013), which makes the
    /// comparison with onnxruntime lenient; the logits before the Softmax are not. With the Softmax
    /// cut off, the optimized graph's logits match the imported graph's within 1e-5 of their scale.
    @Test func optimizedLogitsMatchTheImportedGraph() throws {
        guard let shared = SharedData.available("keras_b1 logits test") else { return }
        let dir = shared.appendingPathComponent("models/keras_b1")
        var imported = try ONNXImporter.load(path: dir.appendingPathComponent("model.onnx").path).graph
        guard let output = imported.outputs.first, let s = imported.producer(of: output), imported.nodes[s].op is Softmax
        else {
            Issue.record("keras_b1 should end in a Softmax")
            return
        }
        imported.outputs = [imported.nodes[s].inputs[0]]
        imported.removeDeadNodes()
        var optimized = imported
        try Pipeline.run(Pipeline.standard(), on: &optimized, options: .init(verifyEach: true))
        for dataSet in SharedData.dataSets(dir) {
            let inputs = try SharedData.tensors(dataSet, prefix: "input")
            let ref = try Interpreter(graph: imported).run(inputs)[0], y = try Interpreter(graph: optimized).run(inputs)[0]
            let d = Difference(y, ref)
            print("keras_b1/\(dataSet.lastPathComponent) logits: max|optimized − imported| = \(d.maxAbs), max|logit| = \(d.maxRef), relative \(d.relative)")
            #expect(d.relative <= 1e-5 && argmax(y) == argmax(ref), "keras_b1/\(dataSet.lastPathComponent): logits differ by \(d.relative)")
        }
    }
}
