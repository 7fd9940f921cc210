import IR

/// `fuse-squeeze-excite`: the squeeze-and-excitation gate of an MBConv block becomes one node.
///
///     %s: float32[1x8x1x1] = GlobalAveragePool(%x) loc("pool")
///     %r: float32[1x2x1x1] = Conv(%s, %w1, %b1) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1} loc("reduce")
///     %t: float32[1x2x1x1] = SiLU(%r) loc("act")
///     %e: float32[1x8x1x1] = Conv(%t, %w2, %b2) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1} loc("expand")
///     %g: float32[1x8x1x1] = Sigmoid(%e) loc("gate")
///     %y: float32[1x8x5x5] = Mul(%x, %g) loc("excite")
///   becomes
///     %y: float32[1x8x5x5] = SqueezeExcite(%x, %y.w1, %y.b1, %y.w2, %y.b2) {activation="silu", gate="sigmoid"} loc("pool", "reduce", "act", "expand", "gate", "excite")
///
/// The squeeze is GlobalAveragePool or ReduceMean over axes [2, 3] with keepdims; the activation is
/// Relu, Relu6 (or Clip(0, 6)), HardSwish or SiLU — the Kiln op, or still `Mul(r, Sigmoid(r))` when
/// `canonicalize` did not run; the gate is Sigmoid or HardSigmoid (any α, β); the Mul takes X and the
/// gate in either order. A missing conv bias becomes zeros. The fused node takes the squeeze's name.
///
/// Does not apply when: an intermediate (pooled vector, either conv's output, the activation's
/// output, the gate) has another reader or is a graph output; either conv is not a 1×1 conv with
/// group 1, unit strides and no padding, or has runtime weights or bias (a FusedConv counts only
/// without activation and residual); the expand conv does not give one gate per channel of X; the
/// squeezed tensor is not the one the Mul scales; the activation or the gate is of another kind.
public struct FuseSqueezeExcite: Pass {
    public let name = "fuse-squeeze-excite"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        try PatternPass(name: name, patterns: [SqueezeExcitePattern()]).run(&graph)
    }
}

struct SqueezeExcitePattern: RewritePattern {
    let name = "squeeze-excite"

    /// What the walk back from the Mul found.
    private struct Match {
        var x: ValueID
        var activation: Activation
        var gate: Activation
        var reduce: FusionMatch.LinearConv
        var expand: FusionMatch.LinearConv
        var nodes: [Int]
    }

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let mul = graph.nodes[index]
        guard mul.op is Mul, mul.inputs.count == 2, mul.outputs.count == 1 else { return false }
        guard let match = match(x: mul.inputs[0], gate: mul.inputs[1], mulAt: index, in: graph)
                ?? match(x: mul.inputs[1], gate: mul.inputs[0], mulAt: index, in: graph)
        else { return false }

        let c = graph.type(of: match.x).shape[1], r = match.reduce.weights.shape[0]
        let op = SqueezeExcite(activation: match.activation, gate: match.gate)
        let types = [graph.type(of: match.x)] + [[r, c], [r], [c, r], [c]].map { TensorType(.float32, $0) }
        guard FusionMatch.infers(op, types, mul.outputs, in: graph) else { return false }
        let outName = graph[mul.outputs[0]].name
        func constant(_ suffix: String, _ tensor: Tensor) -> ValueID { graph.addConstant(name: outName + suffix, tensor) }
        let inputs = [
            match.x,
            constant(".w1", match.reduce.weights.reshaped([r, c])),
            constant(".b1", match.reduce.bias ?? Tensor(zeros: TensorType(.float32, [r]))),
            constant(".w2", match.expand.weights.reshaped([c, r])),
            constant(".b2", match.expand.bias ?? Tensor(zeros: TensorType(.float32, [c]))),
        ]
        let squeeze = graph.nodes[match.nodes[0]]
        let fused = Node(name: squeeze.name, op: op,
                         inputs: inputs, outputs: mul.outputs,
                         provenance: match.nodes.flatMap { graph.nodes[$0].provenance }, annotations: squeeze.annotations)
        graph.replace(nodesAt: match.nodes, with: fused)
        return true
    }

    /// Walks back from `Mul(x, gate)`: gate ← expand conv ← activation ← reduce conv ← squeeze(x).
    private func match(x: ValueID, gate: ValueID, mulAt index: Int, in graph: Graph) -> Match? {
        let xType = graph.type(of: x)
        guard xType.rank == 4, xType.elementType == .float32, graph.type(of: graph.nodes[index].outputs[0]) == xType,
              FusionMatch.onlyRead(gate, in: graph), let g = graph.producer(of: gate),
              let gateKind = gateActivation(graph.nodes[g].op), graph.nodes[g].inputs.count == 1
        else { return nil }
        let expanded = graph.nodes[g].inputs[0]
        guard FusionMatch.onlyRead(expanded, in: graph), let e = graph.producer(of: expanded),
              let expand = pointwise(at: e, in: graph), expand.weights.shape[0] == xType.shape[1]
        else { return nil }
        let activated = graph.nodes[e].inputs[0]
        guard FusionMatch.onlyRead(activated, in: graph), let a = graph.producer(of: activated),
              let act = FusionMatch.activation(at: a, in: graph),
              [Activation.relu, .relu6, .silu, .hardSwish].contains(act.activation),
              FusionMatch.onlyRead(act.input, uses: act.inputUses, in: graph), let rd = graph.producer(of: act.input),
              let reduce = pointwise(at: rd, in: graph)
        else { return nil }
        let squeezed = graph.nodes[rd].inputs[0]
        guard FusionMatch.onlyRead(squeezed, in: graph), let s = graph.producer(of: squeezed),
              isSqueeze(graph.nodes[s].op), graph.nodes[s].inputs == [x]
        else { return nil }
        let nodes = [s, rd] + act.nodes + [e, g, index]
        guard Set(nodes).count == nodes.count else { return nil }
        return Match(x: x, activation: act.activation, gate: gateKind, reduce: reduce, expand: expand, nodes: nodes.sorted())
    }

    private func gateActivation(_ op: any Operator) -> Activation? {
        switch op {
        case is Sigmoid: .sigmoid
        case let op as HardSigmoid: .hardSigmoid(alpha: op.alpha, beta: op.beta)
        default: nil
        }
    }

    /// GlobalAveragePool, or ReduceMean over H and W keeping the dimensions (rank 4 is checked by the caller).
    private func isSqueeze(_ op: any Operator) -> Bool {
        if op is GlobalAveragePool { return true }
        if let op = op as? ReduceMean { return op.axes == [2, 3] && op.keepdims }
        return false
    }

    /// A 1×1 conv with group 1, unit strides, no padding and constant parameters.
    private func pointwise(at index: Int, in graph: Graph) -> FusionMatch.LinearConv? {
        guard let linear = FusionMatch.linearConv(at: index, in: graph),
              linear.conv.group == 1, linear.conv.strides == [1, 1], linear.conv.pads == [0, 0, 0, 0],
              linear.weights.shape.count == 4, linear.weights.shape[2] == 1, linear.weights.shape[3] == 1
        else { return nil }
        return linear
    }
}
