import IR

/// `fuse-epilogue`: every Conv becomes a FusedConv, which then absorbs the activation and the
/// residual Add that follow it; a Dense absorbs the activation after it.
///
///     %c: float32[1x8x5x5] = Conv(%x, %w) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1} loc("project")
///     %y: float32[1x8x5x5] = Add(%c, %skip) loc("add")
///   becomes
///     %y: float32[1x8x5x5] = FusedConv(%x, %w, %y.bias, %skip) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1, activation="none"} loc("project", "add")
///
/// The rules, applied to a fixed point:
/// - Conv → FusedConv with activation none; a missing bias becomes zeros.
/// - FusedConv (no activation) → activation: the activation moves into it. The activations are
///   Relu, Relu6, SiLU, HardSwish, Sigmoid, HardSigmoid, Clip, and the two-node `x · σ(x)` form.
///   When the FusedConv already has its residual (Z + R), the result is act(Z + R): `residual_first`.
/// - FusedConv (no residual) → Add(·, R) with R of the same type as the conv output: R becomes the
///   residual input, added after the activation the FusedConv may have: act(Z) + R. R is an input
///   of the Add, so it is defined before the Add, where the fused node is placed.
/// - Dense (no activation) → activation: the activation moves into it.
/// So conv → add → act gives act(Z + R), conv → act → add gives act(Z) + R.
///
/// Does not apply when: the conv's (or Dense's) output has another reader or is a graph output; it
/// already has an activation (a second one stays a separate node); the Add would broadcast (R's
/// type differs from the conv's output) or adds the conv output to itself; a FusedConv already has
/// a residual (a second Add stays).
public struct FuseEpilogue: Pass {
    public let name = "fuse-epilogue"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        try PatternPass(name: name, patterns: [ConvToFusedConv(), AbsorbActivation(), AbsorbResidual()]).run(&graph)
    }
}

/// Conv(X, W[, B]) → FusedConv(X, W, B) {activation="none"}.
struct ConvToFusedConv: RewritePattern {
    let name = "conv-to-fusedconv"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        var node = graph.nodes[index]
        guard let conv = node.op as? Conv, node.inputs.count == 2 || node.inputs.count == 3 else { return false }
        if node.inputs.count == 2 {
            let m = graph.type(of: node.inputs[1]).shape.first ?? 0
            let name = graph[node.outputs[0]].name + ".bias"
            node.inputs.append(graph.addConstant(name: name, Tensor(zeros: TensorType(.float32, [m]))))
        }
        node.op = FusedConv(conv: conv)
        graph.nodes[index] = node
        return true
    }
}

/// FusedConv or Dense without activation → activation node(s): one node with the activation.
struct AbsorbActivation: RewritePattern {
    let name = "absorb-activation"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        guard let act = FusionMatch.activation(at: index, in: graph),
              FusionMatch.onlyRead(act.input, uses: act.inputUses, in: graph),
              let p = graph.producer(of: act.input)
        else { return false }
        var fused = graph.nodes[p]
        switch fused.op {
        case var op as FusedConv where op.activation == .none:
            // With a residual already in (Z + R), the activation now applies to the sum.
            op.activation = act.activation
            op.residualFirst = fused.inputs.count == 4
            fused.op = op
        case var op as Dense where op.activation == .none:
            op.activation = act.activation
            fused.op = op
        default:
            return false
        }
        fused.outputs = graph.nodes[index].outputs
        guard FusionMatch.infers(fused.op, fused.inputs.map(graph.type(of:)), fused.outputs, in: graph) else { return false }
        fused.provenance += act.nodes.flatMap { graph.nodes[$0].provenance }
        graph.replace(nodesAt: [p] + act.nodes, with: fused)
        return true
    }
}

/// FusedConv (no residual) → Add(·, R) with R of the conv output's type: FusedConv with residual R.
struct AbsorbResidual: RewritePattern {
    let name = "absorb-residual"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let add = graph.nodes[index]
        guard add.op is Add, add.inputs.count == 2, add.outputs.count == 1, add.inputs[0] != add.inputs[1] else { return false }
        for (convOut, residual) in [(add.inputs[0], add.inputs[1]), (add.inputs[1], add.inputs[0])] {
            guard FusionMatch.onlyRead(convOut, in: graph), let p = graph.producer(of: convOut),
                  var op = graph.nodes[p].op as? FusedConv, graph.nodes[p].inputs.count == 3,
                  graph.type(of: residual) == graph.type(of: convOut), graph.type(of: add.outputs[0]) == graph.type(of: convOut)
            else { continue }
            var fused = graph.nodes[p]
            op.residualFirst = false  // the activation (if any) came before the Add: act(Z) + R
            fused.op = op
            fused.inputs.append(residual)
            fused.outputs = add.outputs
            guard FusionMatch.infers(op, fused.inputs.map(graph.type(of:)), fused.outputs, in: graph) else { continue }
            fused.provenance += add.provenance
            graph.replace(nodesAt: [p, index], with: fused)
            return true
        }
        return false
    }
}
