import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing

/// The shared models through fold-batchnorm, fuse-squeeze-excite and fuse-epilogue (with the
/// verifier after each), with and without canonicalize before them (each pass must work alone): no
/// BatchNormalization, Conv, Sigmoid, Mul or Add is left; the squeeze-excite gates and residual adds
/// are fused. With `KILN_FUSION_NUMERICS=1` the
/// interpreter also checks that the outputs stay within 1e-5 · max|ref| (slow in debug: ~2 min).
@Suite struct FusionModelTests {
    static let models = SharedData.available("fusion model tests") == nil ? [] : SharedData.modelNames

    /// Squeeze-excite blocks and residual adds of each model.
    static let expected: [String: (se: Int, residuals: Int)] = [
        "tv_b0": (16, 9), "tv_b0_bn": (16, 9), "tv_b0_dynamo": (16, 9), "timm_tf_b0": (16, 9),
        "mnv3": (8, 10), "lite0_trained": (0, 9), "keras_b1": (23, 16),
    ]

    /// Nodes a model keeps when `canonicalize` does not run first: keras_b1's Rescaling and
    /// Normalization (Mul, Add, Mul) stand in NHWC before the image's Transpose, and only
    /// canonicalize moves that Transpose out of their way (then they fold into the stem).
    static let uncanonicalizedLeftovers: [String: [String: Int]] = ["keras_b1": ["Mul": 2, "Add": 1]]

    @Test(arguments: models, [false, true])
    func fusesModel(model: String, canonicalize: Bool) throws {
        let dir = SharedData.root.appendingPathComponent("models/\(model)")
        let graph = try ONNXImporter.load(path: dir.appendingPathComponent("model.onnx").path).graph
        var fused = graph
        let passes: [any Pass] = [FoldBatchNorm(), FuseSqueezeExcite(), FuseEpilogue(), DeadCodeElimination()]
        try Pipeline.run((canonicalize ? [Canonicalize()] : []) + passes, on: &fused, options: .init(verifyEach: true))
        var histogram: [String: Int] = [:]
        for node in fused.nodes { histogram[node.op.opType, default: 0] += 1 }
        print("\(model)\(canonicalize ? " (canonicalized)" : ""): \(graph.nodes.count) → \(fused.nodes.count) nodes: \(histogram.sorted { $0.key < $1.key })")
        let allowed = canonicalize ? [:] : Self.uncanonicalizedLeftovers[model] ?? [:]
        for op in ["BatchNormalization", "Conv", "Sigmoid", "HardSigmoid", "Mul", "Add", "Relu", "Relu6", "SiLU", "HardSwish", "Clip"] {
            #expect(histogram[op] == allowed[op], "\(model): \(histogram[op] ?? 0) \(op) left")
        }
        let residuals = fused.nodes.filter { $0.op is FusedConv && $0.inputs.count == 4 }.count
        if let expected = Self.expected[model] {
            #expect(histogram["SqueezeExcite", default: 0] == expected.se, "\(model): squeeze-excite blocks")
            #expect(residuals == expected.residuals, "\(model): residual adds fused")
        }
        // Every ONNX node of the original graph is still accounted for by some node's provenance.
        let covered = Set(fused.nodes.flatMap(\.provenance))
        #expect(graph.nodes.allSatisfy { covered.contains($0.name) }, "\(model): provenance lost a node")

        guard ProcessInfo.processInfo.environment["KILN_FUSION_NUMERICS"] == "1" else { return }
        let inputs = try SharedData.tensors(SharedData.dataSets(dir)[0], prefix: "input")
        let before = try Interpreter(graph: graph).run(inputs), after = try Interpreter(graph: fused).run(inputs)
        for (y, ref) in zip(after, before) {
            let d = Difference(y, ref)
            print("\(model): optimized vs unoptimized max|Δ| = \(d.maxAbs), relative \(d.relative)")
            #expect(d.relative <= 1e-5, "\(model): relative difference \(d.relative)")
        }
    }
}
