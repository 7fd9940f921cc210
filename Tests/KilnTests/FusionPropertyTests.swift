import IR
import Optimizer
import Reference
import Testing

/// Property tests of the fusion passes: random small graphs, built programmatically, must compute
/// the same outputs through the reference interpreter before and after `fold-batchnorm`,
/// `fuse-squeeze-excite` and `fuse-epilogue` (max|after − before| ≤ 1e-5 · max|before|), and the
/// pass must have fused what it should. The generator is seeded: a failure names its seed and
/// iteration, and reproduces.
@Suite struct FusionPropertyTests {
    static let iterations = 150

    @Test func foldBatchNormKeepsOutputs() throws {
        var rng = SplitMix(seed: 0xB47C4)
        for iteration in 0..<Self.iterations {
            var b = RandomGraph(rng: rng)
            let conv = try b.randomConv(input: b.input([b.int(1...2), b.int(1...24), b.int(3...8), b.int(3...8)]))
            let channels = b.graph.type(of: conv).shape[1]
            let shared = b.bool(0.2)  // a second reader of the conv output blocks the fold
            var y: ValueID
            switch b.int(0...3) {
            case 0, 1: y = try b.batchNorm(conv)
            case 2: y = try b.node(Mul(), b.shuffled([conv, b.perChannelConstant(channels)]))
            default: y = try b.node(Add(), b.shuffled([conv, b.perChannelConstant(channels)]))
            }
            if b.bool(0.3) { y = try b.node(Mul(), [y, b.perChannelConstant(channels)]) }  // a second affine folds too
            if b.bool(0.3) { y = try b.batchNorm(b.node(Relu(), [y])) }                    // a BN after no conv
            b.graph.outputs = [y] + (shared ? [try b.node(Relu(), [conv])] : [])
            let after = try b.checkPass(FoldBatchNorm(), context: "fold-batchnorm iteration \(iteration)")
            #expect(count(BatchNormalization.self, in: after) == 0, "iteration \(iteration): a BatchNormalization is left")
            let affineLeft = after.nodes.filter { $0.op is ScaleShift || $0.op is Mul || $0.op is Add }.count
            if !shared {
                #expect(after.nodes.first?.provenance.count ?? 0 >= 2, "iteration \(iteration): nothing folded into the conv")
                #expect(affineLeft <= 1, "iteration \(iteration): \(affineLeft) affine nodes left")
            }
            rng = b.rng
        }
    }

    @Test func fuseSqueezeExciteKeepsOutputs() throws {
        var rng = SplitMix(seed: 0x5E5E)
        for iteration in 0..<Self.iterations {
            var b = RandomGraph(rng: rng)
            let c = b.int(1...24), ratio = [1, 2, 4, 6][b.int(0...3)]
            let r = max(1, c / ratio)
            let x = try b.node(Relu(), [b.input([b.int(1...2), c, b.int(1...7), b.int(1...7)])])
            let pooled = try b.bool(0.5) ? b.node(GlobalAveragePool(), [x]) : b.node(ReduceMean(axes: [2, 3]), [x])
            let reduced = try b.pointwise(pooled, outputs: r)
            let activated = try b.randomActivation(reduced, kinds: b.seActivations)
            let expanded = try b.pointwise(activated, outputs: c)
            let gate = try b.bool(0.5) ? b.node(Sigmoid(), [expanded])
                : b.node(HardSigmoid(alpha: Float(b.double(0.1...0.3)), beta: Float(b.double(0.3...0.7))), [expanded])
            b.graph.outputs = [try b.node(Mul(), b.shuffled([x, gate]))]
            let after = try b.checkPass(FuseSqueezeExcite(), context: "fuse-squeeze-excite iteration \(iteration)")
            #expect(count(SqueezeExcite.self, in: after) == 1 && after.nodes.count == 2,
                    "iteration \(iteration): not fused:\n\(IRPrinter().print(after))")
            rng = b.rng
        }
    }

    @Test func fuseEpilogueKeepsOutputs() throws {
        var rng = SplitMix(seed: 0xE1)
        for iteration in 0..<Self.iterations {
            var b = RandomGraph(rng: rng)
            let conv = try b.randomConv(input: b.input([b.int(1...2), b.int(1...24), b.int(3...8), b.int(3...8)]))
            let residual = b.input(b.graph.type(of: conv).shape)
            var y = conv
            switch b.int(0...3) {
            case 0: y = try b.randomActivation(y, kinds: b.epilogueActivations)
            case 1: y = try b.node(Add(), b.shuffled([y, residual]))
            case 2: y = try b.node(Add(), b.shuffled([b.randomActivation(y, kinds: b.epilogueActivations), residual]))
            default: y = try b.randomActivation(b.node(Add(), b.shuffled([y, residual])), kinds: b.epilogueActivations)
            }
            b.graph.outputs = [y]
            let after = try b.checkPass(FuseEpilogue(), context: "fuse-epilogue iteration \(iteration)")
            #expect(after.nodes.count == 1 && after.nodes[0].op is FusedConv,
                    "iteration \(iteration): not fused:\n\(IRPrinter().print(after))")
            rng = b.rng
        }
    }

    /// An MBConv block with batch norms (expand → BN → act → depthwise → BN → act → SE → project →
    /// BN → residual) through the fusion passes in pipeline order: one FusedConv per conv, and the
    /// SE's gate applied by the project conv.
    @Test func mbConvBlockThroughTheFusionPasses() throws {
        var rng = SplitMix(seed: 0x3B)
        for iteration in 0..<Self.iterations / 3 {
            var b = RandomGraph(rng: rng)
            let c = b.int(1...12), expanded = c * b.int(1...4)
            let x = b.input([1, c, b.int(3...8), b.int(3...8)])
            var h = try b.randomActivation(b.batchNorm(b.pointwise(x, outputs: expanded, bias: false)), kinds: b.seActivations)
            let k = [3, 5][b.int(0...1)]
            let dw = Conv(pads: [k / 2, k / 2, k / 2, k / 2], group: expanded)
            h = try b.randomActivation(b.batchNorm(b.node(dw, [h, b.weights([expanded, 1, k, k])])), kinds: b.seActivations)
            let se = try b.pointwise(b.randomActivation(b.pointwise(b.node(GlobalAveragePool(), [h]), outputs: max(1, c / 4)),
                                                        kinds: b.seActivations), outputs: expanded)
            h = try b.node(Mul(), [h, b.node(Sigmoid(), [se])])
            let y = try b.node(Add(), [b.batchNorm(b.pointwise(h, outputs: c, bias: false)), x])
            b.graph.outputs = [y]
            let after = try b.checkPass(FoldBatchNorm(), FuseSqueezeExcite(), FuseEpilogue(), FuseGatedConv(),
                                        context: "MBConv iteration \(iteration)")
            #expect(after.nodes.map(\.op.opType) == ["FusedConv", "FusedConv", "SqueezeExciteGate", "FusedConv"],
                    "iteration \(iteration):\n\(IRPrinter().print(after))")
            rng = b.rng
        }
    }

    private func count<T: Operator>(_: T.Type, in graph: Graph) -> Int { graph.nodes.filter { $0.op is T }.count }
}

/// SplitMix64: a tiny seeded generator, so every run draws the same graphs.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds a random graph node by node (types by shape inference) and checks passes on it.
struct RandomGraph {
    var rng: SplitMix
    var graph = Graph()

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func double(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
    mutating func bool(_ probability: Double) -> Bool { double(0...1) < probability }
    mutating func shuffled(_ values: [ValueID]) -> [ValueID] { values.shuffled(using: &rng) }

    mutating func floats(_ count: Int, _ range: ClosedRange<Float>) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &rng) }
    }

    mutating func input(_ shape: [Int]) -> ValueID {
        let id = graph.addValue(name: "in\(graph.inputs.count)", type: TensorType(.float32, shape))
        graph.inputs.append(id)
        return id
    }

    mutating func constant(_ shape: [Int], _ range: ClosedRange<Float>) -> ValueID {
        graph.addConstant(name: "c\(graph.constants.count)", Tensor(shape: shape, floats: floats(shape.reduce(1, *), range)))
    }

    /// Weights scaled by 1/√fan-in, so activations stay near 1 however wide the layer.
    mutating func weights(_ shape: [Int]) -> ValueID {
        let bound = 1 / Float(shape.dropFirst().reduce(1, *)).squareRoot()
        return constant(shape, -bound...bound)
    }

    mutating func node(_ op: any Operator, _ inputs: [ValueID]) throws -> ValueID {
        let types = try op.inferTypes(inputs.map(graph.type(of:)))
        let name = "n\(graph.nodes.count)"
        let output = graph.addValue(name: name, type: types[0])
        graph.nodes.append(Node(name: name, op: op, inputs: inputs, outputs: [output], provenance: [name]))
        return output
    }

    /// A conv with random output channels (1…24), group (1, depthwise, or another divisor of the
    /// input channels), kernel 1/3/5 (no larger than the input), stride 1/2, padding, bias or none.
    mutating func randomConv(input x: ValueID) throws -> ValueID {
        let shape = graph.type(of: x).shape
        let c = shape[1]
        let divisors = (1...c).filter { c % $0 == 0 }
        let group = bool(0.3) ? c : divisors[int(0...divisors.count - 1)]
        let m = group * int(1...max(1, 24 / group))
        let kernels = [1, 3, 5].filter { $0 <= min(shape[2], shape[3]) }
        let k = kernels[int(0...kernels.count - 1)]
        let pad = int(0...k / 2)
        let conv = Conv(strides: [int(1...2), int(1...2)], pads: [pad, pad, int(0...k / 2), pad], group: group)
        var inputs = [x, weights([m, c / group, k, k])]
        if bool(0.5) { inputs.append(constant([m], -1...1)) }
        return try node(conv, inputs)
    }

    /// A 1×1 conv with group 1, with or without bias.
    mutating func pointwise(_ x: ValueID, outputs: Int, bias: Bool? = nil) throws -> ValueID {
        let c = graph.type(of: x).shape[1]
        var inputs = [x, weights([outputs, c, 1, 1])]
        if bias ?? bool(0.5) { inputs.append(constant([outputs], -0.5...0.5)) }
        return try node(Conv(), inputs)
    }

    /// BatchNormalization with random statistics (positive variance) and epsilon.
    mutating func batchNorm(_ x: ValueID) throws -> ValueID {
        let c = graph.type(of: x).shape[1]
        let params = [constant([c], 0.5...2), constant([c], -1...1), constant([c], -0.5...0.5), constant([c], 0.1...2)]
        return try node(BatchNormalization(epsilon: Float(double(1e-5...1e-3))), [x] + params)
    }

    /// A float32 constant that broadcasts along channels: [C,1,1], [1,C,1,1] or a scalar.
    mutating func perChannelConstant(_ channels: Int) -> ValueID {
        switch int(0...2) {
        case 0: constant([channels, 1, 1], 0.5...2)
        case 1: constant([1, channels, 1, 1], -1...1)
        default: constant([], 0.5...2)
        }
    }

    enum Kind: CaseIterable { case relu, relu6Clip, relu6, silu, siluMul, hardSwish, sigmoid, clip, hardSigmoid }

    /// Relu6 and SiLU are Kiln ops whose kernels `canonicalize` brings; use them once they exist.
    var seActivations: [Kind] { [.relu, .relu6Clip, .siluMul, .hardSwish] + kilnActivations }
    var epilogueActivations: [Kind] { [.relu, .relu6Clip, .siluMul, .hardSwish, .sigmoid, .clip, .hardSigmoid] + kilnActivations }
    var kilnActivations: [Kind] { (Relu6() as Any) is any ReferenceKernel && (SiLU() as Any) is any ReferenceKernel ? [.relu6, .silu] : [] }

    mutating func randomActivation(_ x: ValueID, kinds: [Kind]) throws -> ValueID {
        switch kinds[int(0...kinds.count - 1)] {
        case .relu: return try node(Relu(), [x])
        case .relu6Clip: return try node(Clip(min: 0, max: 6), [x])
        case .relu6: return try node(Relu6(), [x])
        case .silu: return try node(SiLU(), [x])
        case .siluMul: return try node(Mul(), shuffled([x, node(Sigmoid(), [x])]))
        case .hardSwish: return try node(HardSwish(), [x])
        case .sigmoid: return try node(Sigmoid(), [x])
        case .clip: return try node(Clip(min: Float(double(-1...0)), max: Float(double(0.1...1))), [x])
        case .hardSigmoid: return try node(HardSigmoid(alpha: 0.2, beta: 0.5), [x])
        }
    }

    /// Runs `passes` (verifying the graph after each), and compares the interpreter's outputs on
    /// random inputs before and after. Returns the rewritten graph.
    mutating func checkPass(_ passes: any Pass..., context: String) throws -> Graph {
        try Verifier.verify(graph)
        var after = graph
        try Pipeline.run(passes, on: &after, options: .init(verifyEach: true))
        let inputs = graph.inputs.map { id in
            let type = graph.type(of: id)
            return Tensor(shape: type.shape, floats: floats(type.elementCount, -2...2))
        }
        let expected = try Interpreter(graph: graph).run(inputs)
        let actual = try Interpreter(graph: after).run(inputs)
        for (y, ref) in zip(actual, expected) {
            let d = Difference(y, ref)
            #expect(d.maxAbs <= 1e-5 * max(d.maxRef, 1e-3), "\(context): max|Δ| = \(d.maxAbs), max|ref| = \(d.maxRef)\n\(IRPrinter().print(graph))")
        }
        return after
    }
}
