import IR

/// `Clip(x) {min=0, max=6}` → `Relu6(x)`; `Clip(x) {min=0}` (no max, or +inf) → `Relu(x)`. Float32
/// only (the Kiln activations are float32). Not for any other bounds.
struct ClipToRelu: RewritePattern {
    let name = "clip-to-relu"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let clip = node.op as? Clip, clip.min == 0, node.inputs.count == 1 else { return false }
        let op: any Operator
        switch clip.max {
        case 6: op = Relu6()
        case nil, Float.infinity?: op = Relu()
        default: return false
        }
        guard graph.type(of: node.inputs[0]).elementType == .float32,
              let relu = graph.rewrittenNode(op, inputs: node.inputs, outputs: node.outputs, replacing: [node])
        else { return false }
        graph.nodes[index] = relu
        return true
    }
}

/// Opset 24's `Swish(x) {alpha=1}` → `SiLU(x)`. Not for another alpha.
struct SwishToSiLU: RewritePattern {
    let name = "swish-to-silu"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let swish = node.op as? Swish, swish.alpha == 1,
              let silu = graph.rewrittenNode(SiLU(), inputs: node.inputs, outputs: node.outputs, replacing: [node])
        else { return false }
        graph.nodes[index] = silu
        return true
    }
}

/// `Mul(x, g(x))` or `Mul(g(x), x)` → one node `f(x)`, where the gate `g` is matched by `isGate`.
/// Not when the gate's result has another reader (or is a graph output): it would have to be
/// computed anyway. Not when the Mul broadcasts (x and the gate must have the Mul's shape).
private func fuseSelfGatedMul(at index: Int, in graph: inout Graph, isGate: (any Operator) -> Bool, into op: any Operator) -> Bool {
    let mul = graph.nodes[index]
    guard mul.op is Mul, mul.inputs.count == 2 else { return false }
    for (gateSide, xSide) in [(1, 0), (0, 1)] {
        let x = mul.inputs[xSide], gated = mul.inputs[gateSide]
        guard let (gateIndex, gate) = graph.definingNode(of: gated), isGate(gate.op),
              gate.inputs == [x], graph.useCount(of: gated) == 1,
              let fused = graph.rewrittenNode(op, inputs: [x], outputs: mul.outputs, replacing: [mul, gate])
        else { continue }
        graph.replace(nodesAt: [gateIndex, index], with: fused)
        return true
    }
    return false
}

/// `Mul(x, Sigmoid(x))`, either operand order → `SiLU(x)`.
///
///     %s: float32[1x8x4x4] = Sigmoid(%x) loc("sig")
///     %y: float32[1x8x4x4] = Mul(%x, %s) loc("mul")       →      %y = SiLU(%x) loc("mul", "sig")
///
/// Not when the Sigmoid's result is read elsewhere, nor when the Sigmoid reads something other than
/// the Mul's other operand (a squeeze-excite gate `Mul(x, Sigmoid(conv(…)))` stays).
struct MulSigmoidToSiLU: RewritePattern {
    let name = "mul-sigmoid-to-silu"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        fuseSelfGatedMul(at: index, in: &graph, isGate: { $0 is Sigmoid }, into: SiLU())
    }
}

/// `Mul(x, HardSigmoid(x) {alpha=1/6, beta=0.5})`, either operand order → `HardSwish(x)`. Alpha and
/// beta are compared within float rounding (exporters write 1/6 as 0.16666667). Not for other
/// alpha/beta, nor when the HardSigmoid's result is read elsewhere.
struct MulHardSigmoidToHardSwish: RewritePattern {
    let name = "mul-hardsigmoid-to-hardswish"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        fuseSelfGatedMul(at: index, in: &graph, isGate: { op in
            guard let h = op as? HardSigmoid else { return false }
            return nearlyEqual(h.alpha, 1.0 / 6.0) && nearlyEqual(h.beta, 0.5)
        }, into: HardSwish())
    }
}

/// `ReduceMean(x) {axes=[2, 3], keepdims=1}` of a 4-D x → `GlobalAveragePool(x)`. Not when the
/// reduction drops the dimensions, covers other axes, or x is not 4-D.
struct ReduceMeanToGlobalAveragePool: RewritePattern {
    let name = "reducemean-to-gap"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let mean = node.op as? ReduceMean, mean.keepdims, mean.axes == [2, 3], node.inputs.count == 1,
              graph.type(of: node.inputs[0]).rank == 4,
              let pool = graph.rewrittenNode(GlobalAveragePool(), inputs: node.inputs, outputs: node.outputs, replacing: [node])
        else { return false }
        graph.nodes[index] = pool
        return true
    }
}
