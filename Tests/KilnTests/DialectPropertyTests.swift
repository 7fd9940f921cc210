import IR
import Optimizer
import Reference
import Testing

/// Property tests of the rewrites that bring the tf2onnx/Keras dialect to Kiln's canonical form:
/// random small graphs must compute the same through the reference interpreter before and after
/// (max|after − before| ≤ 1e-5 · max|before|, see `RandomGraph.checkPass`), and the rewrite must
/// have removed what it should. Seeded: a failure names its seed and iteration, and reproduces.
@Suite struct DialectPropertyTests {
    static let iterations = 150

    /// NCHW → Transpose to NHWC → random elementwise work in NHWC (unary maps, constants of every
    /// broadcastable shape, a second NHWC tensor) → Transpose back: canonicalize leaves no Transpose.
    @Test func transposesAroundNhwcArithmeticCancel() throws {
        var rng = SplitMix(seed: 0x7A45)
        for iteration in 0..<Self.iterations {
            var b = RandomGraph(rng: rng)
            let shape = [b.int(1...2), b.int(1...6), b.int(1...5), b.int(1...5)]
            let nhwc = [shape[0], shape[2], shape[3], shape[1]]
            var y = try b.node(Transpose(perm: [0, 2, 3, 1]), [b.input(shape)])
            for _ in 0..<b.int(1...4) {
                switch b.int(0...4) {
                case 0: y = try b.node(b.bool(0.5) ? Sigmoid() as any Operator : Relu(), [y])
                case 1: y = try b.node(Mul(), b.shuffled([y, b.constant([nhwc[3]], 0.5...2)]))
                case 2: y = try b.node(Add(), b.shuffled([y, b.constant([1, 1, 1, nhwc[3]], -1...1)]))
                case 3: y = try b.node(Sub(), [y, b.constant([nhwc[1], nhwc[2], nhwc[3]], -1...1)])
                default: y = try b.node(Add(), b.shuffled([y, b.node(Transpose(perm: [0, 2, 3, 1]), [b.input(shape)])]))
                }
            }
            b.graph.outputs = [try b.node(Transpose(perm: [0, 3, 1, 2]), [y])]
            let after = try b.checkPass(Canonicalize(), context: "transpose push iteration \(iteration)")
            #expect(!after.nodes.contains { $0.op is Transpose }, "iteration \(iteration):\n\(IRPrinter().print(after))")
            rng = b.rng
        }
    }

    /// One to three per-channel affine maps (Mul, Add, x − c, c − x, x / c, ScaleShift) before a
    /// random conv: fold-batchnorm folds them into the conv when that is exact (no padding, or no
    /// shift), and otherwise leaves at most one node in front of it.
    @Test func affineBeforeConvFoldsWhenExact() throws {
        var rng = SplitMix(seed: 0xAFF1)
        for iteration in 0..<Self.iterations {
            var b = RandomGraph(rng: rng)
            let shape = [b.int(1...2), b.int(1...8), b.int(3...7), b.int(3...7)]
            let c = shape[1]
            var y = b.input(shape)
            var shifts = false
            for _ in 0..<b.int(1...3) {
                switch b.int(0...5) {
                case 0: y = try b.node(Mul(), b.shuffled([y, b.perChannelConstant(c)]))
                case 1: y = try b.node(Add(), b.shuffled([y, b.perChannelConstant(c)])); shifts = true
                case 2: y = try b.node(Sub(), [y, b.perChannelConstant(c)]); shifts = true
                case 3: y = try b.node(Sub(), [b.perChannelConstant(c), y]); shifts = true
                case 4: y = try b.node(Div(), [y, b.constant([1, c, 1, 1], 0.5...2)])
                default: y = try b.node(ScaleShift(), [y, b.constant([c], 0.5...2), b.constant([c], -1...1)]); shifts = true
                }
            }
            let conv = try b.randomConv(input: y)
            b.graph.outputs = [conv]
            let after = try b.checkPass(FoldBatchNorm(), context: "affine before conv iteration \(iteration)")
            let pads = after.nodes.compactMap { $0.op as? Conv }.first?.pads ?? []
            let exact = !shifts || pads.allSatisfy { $0 == 0 }
            #expect(exact ? after.nodes.count == 1 : after.nodes.count == 2,
                    "iteration \(iteration) (shift \(shifts), pads \(pads)):\n\(IRPrinter().print(after))")
            rng = b.rng
        }
    }

    /// Squeeze-excite gates in tf2onnx's spellings: GlobalAveragePool or ReduceMean (with or without
    /// keepdims), shape ops at random between the steps, each FC a 1×1 conv or a MatMul (+ Add), the
    /// gate reshaped or unsqueezed back to [N, C, 1, 1]: one SqueezeExcite.
    @Test func squeezeExciteWithShapeOpsAndMatMulsFuses() throws {
        var rng = SplitMix(seed: 0x5E2)
        for iteration in 0..<Self.iterations {
            var b = RandomGraph(rng: rng)
            let n = b.int(1...2), c = b.int(1...16), r = max(1, c / [1, 2, 4][b.int(0...2)])
            let x = try b.node(Relu(), [b.input([n, c, b.int(1...6), b.int(1...6)])])
            var v = try b.bool(0.5) ? b.node(GlobalAveragePool(), [x]) : b.node(ReduceMean(axes: [2, 3], keepdims: b.bool(0.5)), [x])
            v = try b.fullyConnected(v, outputs: r)
            v = try b.randomActivation(b.randomShapeOps(v), kinds: b.seActivations)
            v = try b.fullyConnected(v, outputs: c)
            v = try b.node(Sigmoid(), [b.randomShapeOps(v)])
            if b.graph.type(of: v).rank == 2 {
                v = try b.bool(0.5) ? b.node(Unsqueeze(axes: [2, 3]), [v]) : b.node(Reshape(shape: [n, c, 1, 1]), [v])
            }
            b.graph.outputs = [try b.node(Mul(), b.shuffled([x, v]))]
            let after = try b.checkPass(FuseSqueezeExcite(), context: "keras squeeze-excite iteration \(iteration)")
            #expect(after.nodes.map(\.op.opType) == ["Relu", "SqueezeExcite"], "iteration \(iteration):\n\(IRPrinter().print(after))")
            rng = b.rng
        }
    }
}

extension RandomGraph {
    /// An FC from [N, C] or [N, C, 1, 1] to `outputs` features: a 1×1 conv (on a 4-D input; a 2-D
    /// one is reshaped first) or a MatMul with, half the time, an Add of a bias (a 4-D input is
    /// squeezed or flattened first).
    mutating func fullyConnected(_ x: ValueID, outputs: Int) throws -> ValueID {
        let shape = graph.type(of: x).shape
        if bool(0.5) {
            let input = shape.count == 4 ? x : try node(Reshape(shape: [shape[0], shape[1], 1, 1]), [x])
            return try pointwise(input, outputs: outputs)
        }
        let input = shape.count == 2 ? x : try node(bool(0.5) ? Squeeze(axes: [2, 3]) as any Operator : Flatten(axis: 1), [x])
        let k = graph.type(of: input).shape[1]
        let product = try node(MatMul(), [input, weights([k, outputs])])
        return bool(0.5) ? try node(Add(), shuffled([product, constant([outputs], -0.5...0.5)])) : product
    }

    /// Zero to two shape ops that keep the [N, K] rows: a Reshape to [N, K, 1, 1] or [N, K], or a
    /// Reshape to the same shape.
    mutating func randomShapeOps(_ x: ValueID) throws -> ValueID {
        var y = x
        for _ in 0..<int(0...2) {
            let shape = graph.type(of: y).shape, rows = [shape[0], shape.dropFirst().reduce(1, *)]
            y = try node(Reshape(shape: [rows, rows + [1, 1], shape][int(0...2)]), [y])
        }
        return y
    }
}
