import IR

/// `fold-batchnorm`: per-channel affine maps disappear into the convolution before them.
///
/// Two rules, applied to a fixed point. First, every BatchNormalization with constant parameters
/// becomes a `ScaleShift` with a = γ / √(var + ε) and b = β − mean · a:
///
///     %y: float32[1x8x5x5] = BatchNormalization(%x, %gamma, %beta, %mean, %var) {epsilon=1e-05} loc("bn")
///   becomes
///     %y: float32[1x8x5x5] = ScaleShift(%x, %y.scale, %y.shift) loc("bn")
///
/// Second, a per-channel scale and shift right after a convolution folds into its weights and bias
/// (W'[m, …] = W[m, …] · a[m], B'[m] = B[m] · a[m] + b[m]; a zero bias is made when the conv has
/// none). The scale and shift may come from a ScaleShift (so from a BatchNormalization), or from a
/// Mul / Add with a constant that broadcasts along channels only ([C,1,1], [1,C,1,1] or a scalar):
///
///     %c: float32[1x8x5x5] = Conv(%x, %w) {strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=8} loc("conv")
///     %y: float32[1x8x5x5] = ScaleShift(%c, %y.scale, %y.shift) loc("bn")
///   becomes
///     %y: float32[1x8x5x5] = Conv(%x, %y.w, %y.b) {strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=8} loc("conv", "bn")
///
/// Any group count folds (grouped and depthwise included): output channel m owns weight row m.
/// Works on Conv and on a FusedConv without activation and residual.
///
/// Third, a per-channel affine map right *before* a convolution folds into its weights and bias
/// when that is exact (`FoldAffineIntoNextConv`: a shift only into a conv without padding); and
/// two affine maps in a row that fold nowhere become one ScaleShift (`MergeAffineChain`). The
/// scale and shift may also come from `x − c`, `c − x` and `x / c`.
///
/// Does not apply when: the conv's output has another reader or is a graph output (it would have
/// to be computed twice); the weights, bias or affine parameters are not constants; the constant of
/// a Mul/Add varies along N, H or W; a parameter or a folded value is not finite (var + ε ≤ 0, …).
/// A BatchNormalization with runtime parameters stays as it is.
public struct FoldBatchNorm: Pass {
    public let name = "fold-batchnorm"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        try PatternPass(name: name, patterns: [
            BatchNormToScaleShift(), FoldAffineIntoConv(), MergeAffineChain(), FoldAffineIntoNextConv(),
        ]).run(&graph)
    }
}

/// BatchNormalization(X, γ, β, mean, var) → ScaleShift(X, a, b), for constant parameters.
struct BatchNormToScaleShift: RewritePattern {
    let name = "batchnorm-to-scaleshift"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let bn = node.op as? BatchNormalization, node.inputs.count == 5, node.outputs.count == 1 else { return false }
        let params = node.inputs[1...].compactMap { graph.constant($0) }
        guard params.count == 4, params.allSatisfy({ $0.elementType == .float32 }) else { return false }
        let (gamma, beta, mean, variance) = (params[0].floats, params[1].floats, params[2].floats, params[3].floats)
        var scale: [Float] = [], shift: [Float] = []
        for c in 0..<gamma.count {
            let a = Double(gamma[c]) / (Double(variance[c]) + Double(bn.epsilon)).squareRoot()
            scale.append(Float(a))
            shift.append(Float(Double(beta[c]) - Double(mean[c]) * a))
        }
        let x = node.inputs[0], parameter = TensorType(.float32, [scale.count])
        guard (scale + shift).allSatisfy(\.isFinite),
              FusionMatch.infers(ScaleShift(), [graph.type(of: x), parameter, parameter], node.outputs, in: graph)
        else { return false }
        let out = node.outputs[0]
        let scaleID = graph.addConstant(name: graph[out].name + ".scale", Tensor(shape: [scale.count], floats: scale))
        let shiftID = graph.addConstant(name: graph[out].name + ".shift", Tensor(shape: [shift.count], floats: shift))
        graph.nodes[index] = Node(name: node.name, op: ScaleShift(), inputs: [x, scaleID, shiftID],
                                  outputs: node.outputs, provenance: node.provenance, annotations: node.annotations)
        return true
    }
}

/// conv → {ScaleShift, Mul / Add / Sub / Div with a per-channel constant} → one conv.
struct FoldAffineIntoConv: RewritePattern {
    let name = "fold-affine-into-conv"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard node.outputs.count == 1,
              let affine = FusionMatch.perChannelAffine(node, in: graph), case let convOut = affine.input,
              let p = graph.producer(of: convOut), FusionMatch.onlyRead(convOut, in: graph),
              let linear = FusionMatch.linearConv(at: p, in: graph),
              graph.type(of: node.outputs[0]) == graph.type(of: convOut)
        else { return false }
        let conv = graph.nodes[p]
        let m = linear.weights.shape[0]
        let a = affine.scale ?? [Float](repeating: 1, count: m), b = affine.shift ?? [Float](repeating: 0, count: m)
        guard a.count == m, b.count == m, (a + b).allSatisfy(\.isFinite) else { return false }

        let w = linear.weights.floats, rowLength = linear.weights.elementCount / max(m, 1)
        var newW = [Float](repeating: 0, count: w.count), newB = [Float](repeating: 0, count: m)
        for oc in 0..<m {
            for i in oc * rowLength..<(oc + 1) * rowLength { newW[i] = w[i] * a[oc] }
            newB[oc] = (linear.bias?.floats[oc] ?? 0) * a[oc] + b[oc]
        }
        guard (newW + newB).allSatisfy(\.isFinite),
              FusionMatch.infers(conv.op, [graph.type(of: conv.inputs[0]), linear.weights.type, TensorType(.float32, [m])],
                                 node.outputs, in: graph)
        else { return false }
        let outName = graph[node.outputs[0]].name
        let wID = graph.addConstant(name: outName + ".w", Tensor(shape: linear.weights.shape, floats: newW))
        let bID = graph.addConstant(name: outName + ".b", Tensor(shape: [m], floats: newB))
        let folded = Node(name: conv.name, op: conv.op, inputs: [conv.inputs[0], wID, bID], outputs: node.outputs,
                          provenance: conv.provenance + node.provenance, annotations: conv.annotations)
        graph.replace(nodesAt: [p, index], with: folded)
        return true
    }
}
