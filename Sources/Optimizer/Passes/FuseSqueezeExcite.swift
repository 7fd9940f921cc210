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
/// The squeeze is GlobalAveragePool or ReduceMean over axes [2, 3] (keeping the dimensions or not);
/// each FC is a 1×1 conv, a Dense, or a MatMul by a constant (+ Add of a bias); the activation is
/// Relu, Relu6 (or Clip(0, 6)), HardSwish or SiLU — the Kiln op, or still `Mul(r, Sigmoid(r))` when
/// `canonicalize` did not run; the gate is Sigmoid or HardSigmoid (any α, β); the Mul takes X and the
/// gate in either order. Shape-only ops (Reshape, Flatten, Squeeze, Unsqueeze) may sit between any
/// two steps: tf2onnx writes Keras' squeeze-excite as
///
///     GlobalAveragePool → Squeeze {axes=[2, 3]} → Reshape [N, C, 1, 1] → Conv → SiLU
///         → Reshape → Conv → Sigmoid → Mul
///
/// and a Dense-based gate reads `GlobalAveragePool → Squeeze → MatMul → Add → … → Sigmoid →
/// Unsqueeze → Mul`. Each FC reads its input as [N, K] rows, so a shape op in between changes
/// nothing it computes; the gate must reach the Mul as [N, C, 1, 1] (or a shape that pads to it). A
/// missing bias becomes zeros. The fused node takes the squeeze's name.
///
/// Does not apply when: an intermediate (pooled vector, either FC's output, the activation's
/// output, the gate, any shape op's result) has another reader or is a graph output; a conv FC is
/// not 1×1 with group 1, unit strides and no padding on a 1×1 input; an FC has runtime weights or
/// bias (a FusedConv or Dense counts only without activation and residual); the reduce FC does not
/// read C values per row or the expand FC does not give one gate per channel of X; the squeezed
/// tensor is not the one the Mul scales; the activation or the gate is of another kind.
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
        var reduce: FusionMatch.FullyConnected
        var expand: FusionMatch.FullyConnected
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
        guard FusionMatch.infers(op, types, mul.outputs, in: graph),
              match.reduce.bias.map({ $0.type == types[2] }) ?? true, match.expand.bias.map({ $0.type == types[4] }) ?? true
        else { return false }
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

    /// Walks back from `Mul(x, gate)`: gate ← expand FC ← activation ← reduce FC ← squeeze(x), with
    /// shape-only ops allowed at every arrow.
    private func match(x: ValueID, gate: ValueID, mulAt index: Int, in graph: Graph) -> Match? {
        let xType = graph.type(of: x)
        guard xType.rank == 4, xType.elementType == .float32, graph.type(of: graph.nodes[index].outputs[0]) == xType
        else { return nil }
        let n = xType.shape[0], c = xType.shape[1], gateShape = graph.type(of: gate).shape
        guard gateShape.count <= 4, [Int](repeating: 1, count: 4 - gateShape.count) + gateShape == [n, c, 1, 1],
              let (gated, toMul) = FusionMatch.throughShapeOps(gate, in: graph), let g = graph.producer(of: gated),
              let gateKind = gateActivation(graph.nodes[g].op), graph.nodes[g].inputs.count == 1,
              let (expanded, toGate) = FusionMatch.throughShapeOps(graph.nodes[g].inputs[0], in: graph),
              let expand = FusionMatch.fullyConnected(producing: expanded, in: graph), expand.weights.shape[0] == c,
              let (activated, toExpand) = FusionMatch.throughShapeOps(expand.input, in: graph),
              let a = graph.producer(of: activated), let act = FusionMatch.activation(at: a, in: graph),
              [Activation.relu, .relu6, .silu, .hardSwish].contains(act.activation),
              let (reduced, toAct) = FusionMatch.throughShapeOps(act.input, uses: act.inputUses, in: graph),
              let reduce = FusionMatch.fullyConnected(producing: reduced, in: graph),
              reduce.weights.shape[1] == c, reduce.weights.shape[0] == expand.weights.shape[1],
              let (squeezed, toReduce) = FusionMatch.throughShapeOps(reduce.input, in: graph),
              let s = graph.producer(of: squeezed), isSqueeze(graph.nodes[s].op), graph.nodes[s].inputs == [x]
        else { return nil }
        let nodes = [s, g, index] + toMul + toGate + expand.nodes + toExpand + act.nodes + toAct + reduce.nodes + toReduce
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

    /// GlobalAveragePool, or ReduceMean over H and W (rank 4 is checked by the caller).
    private func isSqueeze(_ op: any Operator) -> Bool {
        if op is GlobalAveragePool { return true }
        if let op = op as? ReduceMean { return op.axes.map { $0 < 0 ? $0 + 4 : $0 }.sorted() == [2, 3] }
        return false
    }
}
