import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing

/// `canonicalize` keeps what graphs compute: every golden case and every shared model gives the
/// same outputs through the reference interpreter before and after (within 1e-5 relative), and on
/// the models nothing the pass is meant to remove is left.
@Suite struct CanonicalizeTests {
    static let goldenDir = SharedData.packageRoot.appendingPathComponent("Tests/Golden/canonicalize")
    static let goldenCases = ((try? FileManager.default.contentsOfDirectory(atPath: goldenDir.path)) ?? [])
        .filter { $0.hasSuffix(".kir") && !$0.hasSuffix(".expected.kir") }.sorted()
    static let models = SharedData.available("canonicalize model tests") == nil ? [] : SharedData.modelNames

    static func canonicalized(_ graph: Graph) throws -> Graph {
        var result = graph
        try Pipeline.run([Canonicalize()], on: &result, options: .init(verifyEach: true))
        return result
    }

    /// The largest |a − b| over all outputs, relative to the largest |a|.
    static func relativeDifference(_ a: [Tensor], _ b: [Tensor]) -> Double {
        var maxDiff = 0.0, maxRef = 0.0
        for (x, y) in zip(a, b) {
            for (u, v) in zip(x.doubles(), y.doubles()) {
                maxDiff = max(maxDiff, abs(u - v))
                maxRef = max(maxRef, abs(u))
            }
        }
        return maxRef > 0 ? maxDiff / maxRef : maxDiff
    }

    /// Inputs in [-8, 8) from a fixed linear congruential sequence (wide enough to reach every piece
    /// of Relu6, HardSwish and friends).
    static func inputs(for graph: Graph) -> [Tensor] {
        var state: UInt64 = 0x2545F4914F6CDD1D
        return graph.inputs.map { id in
            let type = graph.type(of: id)
            var values: [Double] = []
            for _ in 0..<type.elementCount {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                values.append(Double(state >> 40) / Double(1 << 24) * 16 - 8)
            }
            switch type.elementType {
            case .int64: return Tensor(copying: values.map { Int64($0.rounded(.down)) }, as: type)
            default: return Tensor(copying: values.map { Float($0) }, as: type)
            }
        }
    }

    @Test(arguments: goldenCases)
    func goldenCaseComputesTheSame(_ file: String) throws {
        let graph = try IRParser.parse(try String(contentsOf: Self.goldenDir.appendingPathComponent(file), encoding: .utf8))
        let after = try Self.canonicalized(graph)
        let x = Self.inputs(for: graph)
        let before = try Interpreter(graph: graph).run(x), result = try Interpreter(graph: after).run(x)
        #expect(before.map(\.type) == result.map(\.type))
        #expect(Self.relativeDifference(before, result) <= 1e-6, "\(file)")
    }

    @Test func hardSwishMatchesMulHardSigmoidOnEveryPiece() throws {
        // Below −3, inside, above +3, and the kinks themselves.
        let x = Tensor(shape: [9], floats: [-10, -3, -2.5, -0.1, 0, 0.7, 2.9, 3, 12])
        let graph = try IRParser.parse("""
            graph "g" {
              input %x: float32[9]
              %h: float32[9] = HardSigmoid(%x) {alpha=0.16666667, beta=0.5}
              %y: float32[9] = Mul(%x, %h)
              output %y
            }
            """)
        let after = try Self.canonicalized(graph)
        #expect(after.nodes.map(\.op.opType) == ["HardSwish"])
        let a = try Interpreter(graph: graph).run([x]), b = try Interpreter(graph: after).run([x])
        #expect(Self.relativeDifference(a, b) <= 1e-6)
    }

    @Test func denseKernelMatchesHandComputedValues() throws {
        // Y = relu(X' · Wᵀ + b) with X [2, 1, 3] read as [2, 3].
        let x = Tensor(shape: [2, 1, 3], floats: [1, 2, 3, -1, 0, 2])
        let w = Tensor(shape: [2, 3], floats: [1, 0, -1, 0.5, 0.5, 0.5])
        let b = Tensor(shape: [2], floats: [0.25, -4])
        let y = try Interpreter.evaluate(Dense(activation: .relu), inputs: [x, w, b],
                                         outputTypes: [TensorType(.float32, [2, 2])])[0]
        // Row 0: 1 − 3 + 0.25 = −1.75 → 0; 3 − 4 = −1 → 0.  Row 1: −1 − 2 + 0.25 = −2.75 → 0; 0.5 − 4 → 0.
        // Without the activation the raw sums show.
        #expect(Array(y.floats) == [0, 0, 0, 0])
        let raw = try Interpreter.evaluate(Dense(), inputs: [x, w, b], outputTypes: [TensorType(.float32, [2, 2])])[0]
        #expect(Array(raw.floats) == [-1.75, -1, -2.75, -3.5])
    }

    @Test func relu6AndSiLUKernels() throws {
        let x = Tensor(shape: [5], floats: [-2, 0, 1, 6, 7.5])
        let type = [TensorType(.float32, [5])]
        // Keep the result tensors alive while their elements are read.
        let relu6 = try Interpreter.evaluate(Relu6(), inputs: [x], outputTypes: type)[0]
        #expect(Array(relu6.floats) == [0, 0, 1, 6, 6])
        let siluTensor = try Interpreter.evaluate(SiLU(), inputs: [x], outputTypes: type)[0]
        let silu = Array(siluTensor.floats)
        let expected: [Float] = [-0.23840584, 0, 0.7310586, 5.985164, 7.495854]
        for (a, b) in zip(silu, expected) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
    }

    /// Mul(x, Sigmoid(x)) pairs (either order) left in a graph.
    static func siluPairs(_ graph: Graph) -> Int {
        graph.nodes.filter { node in
            guard node.op is Mul, node.inputs.count == 2 else { return false }
            return [(0, 1), (1, 0)].contains { s, x in
                guard let p = graph.producer(of: node.inputs[s]) else { return false }
                return graph.nodes[p].op is Sigmoid && graph.nodes[p].inputs == [node.inputs[x]]
            }
        }.count
    }

    @Test(arguments: models)
    func modelComputesTheSameAfterCanonicalize(model: String) throws {
        let dir = SharedData.root.appendingPathComponent("models/\(model)")
        let graph = try ONNXImporter.load(path: dir.appendingPathComponent("model.onnx").path).graph
        let after = try Self.canonicalized(graph)
        func counts(_ g: Graph) -> [String: Int] { g.nodes.reduce(into: [:]) { $0[$1.op.opType, default: 0] += 1 } }
        print("\(model): \(graph.nodes.count) → \(after.nodes.count) nodes; before \(counts(graph).sorted { $0.key < $1.key }); after \(counts(after).sorted { $0.key < $1.key })")

        let ops = after.nodes.map(\.op)
        #expect(!ops.contains { $0 is Identity || $0 is Dropout || $0 is Swish })
        #expect(!ops.contains { ($0 as? Clip).map { $0.min == 0 && ($0.max == 6 || $0.max == nil) } ?? false })
        #expect(Self.siluPairs(after) == 0)
        #expect(!ops.contains { $0 is Gemm }, "\(model): the classifier Gemm should be a Dense")
        if model.hasPrefix("tv_b0") || model == "timm_tf_b0" {
            // 49 Mul(x, Sigmoid(x)) activations; the other 16 Sigmoids are squeeze-excite gates.
            #expect(ops.filter { $0 is SiLU }.count == 49)
            #expect(ops.filter { $0 is Sigmoid }.count == 16)
        }

        guard let dataSet = SharedData.dataSets(dir).first else { return }
        let inputs = try SharedData.tensors(dataSet, prefix: "input")
        let before = try Interpreter(graph: graph).run(inputs)
        let result = try Interpreter(graph: after).run(inputs)
        let difference = Self.relativeDifference(before, result)
        print("\(model): canonicalized vs original, relative difference \(difference)")
        #expect(difference <= 1e-5, "\(model): relative difference \(difference)")
    }
}
