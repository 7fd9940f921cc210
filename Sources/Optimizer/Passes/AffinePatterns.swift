import IR

/// A per-channel affine map right before a convolution folds into the conv's weights and bias, the
/// mirror of `FoldAffineIntoConv`. With y = x · a + b (per input channel c) and group g owning input
/// channels g·Cg …:
///
///     W'[m, ci, kh, kw] = W[m, ci, kh, kw] · a[c]          c = g(m) · Cg + ci
///     B'[m]             = B[m] + Σ_ci,kh,kw W[m, ci, kh, kw] · b[c]
///
/// This is how Keras' Rescaling and Normalization layers (x / 255, − mean, / std) disappear into
/// the stem conv:
///
///     %s: float32[1x3x8x8] = Mul(%x, %k) loc("rescale")                      (const %k: float32[] = 1/255)
///     %y: float32[1x8x4x4] = Conv(%s, %w, %b) {strides=[2, 2], pads=[0, 0, 1, 1], …} loc("stem")
///   becomes
///     %y: float32[1x8x4x4] = Conv(%x, %y.w, %y.b) {strides=[2, 2], pads=[0, 0, 1, 1], …} loc("stem", "rescale")
///
/// **Exactness.** The conv pads the affine map's *output* with zeros, and a zero there is the
/// input value −b/a, not a zero of x: the shift folds only into a conv without padding. A scale
/// alone folds whatever the padding (0 · a = 0). Works on Conv and FusedConv (any activation and
/// residual: they apply after the weights).
///
/// Does not apply when: the conv pads and some shift is not zero (then `merge-affine-chain` keeps
/// the map as one ScaleShift); the affine result has another reader or is a graph output; the
/// weights or bias are not constants; the affine map is not per input channel (see
/// `FusionMatch.perChannelAffine`); a folded value is not finite.
struct FoldAffineIntoNextConv: RewritePattern {
    let name = "fold-affine-into-next-conv"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        let conv: Conv
        switch node.op {
        case let op as Conv: conv = op
        case let op as FusedConv: conv = op.conv
        default: return false
        }
        guard node.inputs.count >= 2, let y = node.inputs.first, FusionMatch.onlyRead(y, in: graph),
              let a = graph.producer(of: y), let affine = FusionMatch.perChannelAffine(graph.nodes[a], in: graph),
              let weights = graph.constant(node.inputs[1]), weights.elementType == .float32, weights.type.rank == 4
        else { return false }
        let m = weights.shape[0], cg = weights.shape[1], c = graph.type(of: y).shape[1]
        let bias = node.inputs.count >= 3 ? graph.constant(node.inputs[2]) : nil
        guard conv.group > 0, m % conv.group == 0, cg * conv.group == c, node.inputs.count < 3 || bias != nil else { return false }
        let scale = affine.scale ?? [Float](repeating: 1, count: c), shift = affine.shift ?? [Float](repeating: 0, count: c)
        guard scale.count == c, shift.count == c, conv.pads.allSatisfy({ $0 == 0 }) || shift.allSatisfy({ $0 == 0 })
        else { return false }

        let w = weights.floats, window = weights.elementCount / max(m * cg, 1), mg = m / conv.group
        var newW = [Float](repeating: 0, count: w.count), newB = [Float](repeating: 0, count: m)
        for oc in 0..<m {
            var sum = Double(bias?.floats[oc] ?? 0)
            for ci in 0..<cg {
                let channel = (oc / mg) * cg + ci, start = (oc * cg + ci) * window
                for i in start..<start + window {
                    newW[i] = w[i] * scale[channel]
                    sum += Double(w[i]) * Double(shift[channel])
                }
            }
            newB[oc] = Float(sum)
        }
        guard (newW + newB).allSatisfy(\.isFinite) else { return false }
        var inputs = node.inputs
        inputs[0] = affine.input
        let outName = graph[node.outputs[0]].name
        inputs[1] = graph.addConstant(name: outName + ".w", Tensor(shape: weights.shape, floats: newW))
        let biasID = graph.addConstant(name: outName + ".b", Tensor(shape: [m], floats: newB))
        if inputs.count >= 3 { inputs[2] = biasID } else { inputs.append(biasID) }
        guard FusionMatch.infers(node.op, inputs.map(graph.type(of:)), node.outputs, in: graph) else { return false }
        let folded = Node(name: node.name, op: node.op, inputs: inputs, outputs: node.outputs,
                          provenance: node.provenance + graph.nodes[a].provenance, annotations: node.annotations)
        graph.replace(nodesAt: [a, index], with: folded)
        return true
    }
}

/// Two per-channel affine maps in a row (ScaleShift, or Mul / Add / Sub / Div by per-channel
/// constants) → one ScaleShift: y = (x · a1 + b1) · a2 + b2 = x · (a1·a2) + (b1·a2 + b2). What is left
/// of Keras' Rescaling + Normalization when it cannot fold into the stem (a padded stem and a
/// non-zero mean) becomes one per-channel node this way.
///
///     %r: float32[1x3x8x8] = Mul(%x, %k) loc("rescale")
///     %n: float32[1x3x8x8] = Add(%r, %m) loc("sub_mean")
///   becomes
///     %n: float32[1x3x8x8] = ScaleShift(%x, %n.scale, %n.shift) loc("rescale", "sub_mean")
///
/// Not when the first map's result has another reader or is a graph output, or a merged value
/// is not finite. A single affine node stays as it is.
struct MergeAffineChain: RewritePattern {
    let name = "merge-affine-chain"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let second = graph.nodes[index]
        guard let outer = FusionMatch.perChannelAffine(second, in: graph), FusionMatch.onlyRead(outer.input, in: graph),
              let f = graph.producer(of: outer.input), let inner = FusionMatch.perChannelAffine(graph.nodes[f], in: graph)
        else { return false }
        let c = graph.type(of: inner.input).shape[1]
        let a1 = inner.scale ?? [Float](repeating: 1, count: c), b1 = inner.shift ?? [Float](repeating: 0, count: c)
        let a2 = outer.scale ?? [Float](repeating: 1, count: c), b2 = outer.shift ?? [Float](repeating: 0, count: c)
        guard [a1, b1, a2, b2].allSatisfy({ $0.count == c }) else { return false }
        let scale = (0..<c).map { a1[$0] * a2[$0] }, shift = (0..<c).map { b1[$0] * a2[$0] + b2[$0] }
        let parameter = TensorType(.float32, [c])
        guard (scale + shift).allSatisfy(\.isFinite),
              FusionMatch.infers(ScaleShift(), [graph.type(of: inner.input), parameter, parameter], second.outputs, in: graph)
        else { return false }
        let outName = graph[second.outputs[0]].name
        let scaleID = graph.addConstant(name: outName + ".scale", Tensor(shape: [c], floats: scale))
        let shiftID = graph.addConstant(name: outName + ".shift", Tensor(shape: [c], floats: shift))
        let first = graph.nodes[f]
        let merged = Node(name: first.name, op: ScaleShift(), inputs: [inner.input, scaleID, shiftID], outputs: second.outputs,
                          provenance: first.provenance + second.provenance)
        graph.replace(nodesAt: [f, index], with: merged)
        return true
    }
}
