import IR
import Reference

/// `Transpose(x) {perm=[0, 1, …]}` (the identity permutation) → `x`.
struct DropIdentityTranspose: RewritePattern {
    let name = "drop-identity-transpose"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let t = node.op as? Transpose, t.perm == Array(t.perm.indices), node.inputs.count == 1 else { return false }
        return graph.bypass(node.outputs[0], with: node.inputs[0])
    }
}

/// `Transpose(Transpose(x) {perm=p}) {perm=q}` is x with the axes permuted by r[i] = p[q[i]]:
/// removed when r is the identity (the NHWC↔NCHW pairs tf2onnx leaves around convolutions),
/// otherwise one Transpose {perm=r} named after the second.
///
///     %a: float32[1x4x4x8] = Transpose(%x) {perm=[0, 2, 3, 1]}
///     %b: float32[1x8x4x4] = Transpose(%a) {perm=[0, 3, 1, 2]}      →      readers of %b read %x
///
/// When the first Transpose's result has other readers it stays; a cancelling pair is still
/// bypassed (one transpose fewer), but a non-cancelling pair is left alone (merging would not save one).
struct MergeTransposes: RewritePattern {
    let name = "merge-transposes"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let second = graph.nodes[index]
        guard let q = (second.op as? Transpose)?.perm, second.inputs.count == 1,
              let (firstIndex, first) = graph.definingNode(of: second.inputs[0]),
              let p = (first.op as? Transpose)?.perm, first.inputs.count == 1, p.count == q.count
        else { return false }
        let r = q.map { p[$0] }
        if r == Array(r.indices) { return graph.bypass(second.outputs[0], with: first.inputs[0]) }
        guard graph.useCount(of: second.inputs[0]) == 1,
              let merged = graph.rewrittenNode(Transpose(perm: r), inputs: first.inputs, outputs: second.outputs,
                                               replacing: [second, first])
        else { return false }
        graph.replace(nodesAt: [firstIndex, index], with: merged)
        return true
    }
}

/// `Transpose(E(x, c…))` → `E(Transpose(x), c′…)` for an elementwise E (unary maps, broadcasting
/// arithmetic, Kiln's activations): the Transpose moves one node towards the graph inputs, where it
/// meets and cancels the opposite Transpose (`merge-transposes`), or stops at the input. tf2onnx
/// wraps NHWC-only arithmetic between NCHW convolutions in such pairs; Keras' Rescaling and
/// Normalization layers sit in NHWC between the image and the stem's Transpose.
///
///     %m: float32[1x8x8x3] = Mul(%x, %s) loc("rescale")                    (const %s: float32[1x1x1x3])
///     %t: float32[1x3x8x8] = Transpose(%m) {perm=[0, 3, 1, 2]} loc("to_nchw")
///   →
///     %x.t: float32[1x3x8x8] = Transpose(%x) {perm=[0, 3, 1, 2]} loc("to_nchw")
///     %t: float32[1x3x8x8] = Mul(%x.t, %s.t) loc("rescale")                (const %s.t: float32[1x3x1x1])
///
/// Constants are padded to E's rank and permuted at compile time (a single-element constant is
/// kept). An input that is itself `Transpose(y)` with the inverse permutation is replaced by y, so
/// pushing a Transpose into a binary op whose other input comes out of the opposite Transpose
/// removes one. Not when E's result has another reader or is a graph output; E is a per-channel op
/// (ScaleShift, BatchNormalization: their parameters follow axis 1); a non-constant input has
/// another rank than E's result; or more than one new Transpose would be needed (the number of
/// Transposes never grows).
struct PushTransposeAboveElementwise: RewritePattern {
    let name = "push-transpose-above-elementwise"

    /// How each input of E is fed after the rewrite.
    private enum Source {
        case same(ValueID)
        case constant(Tensor)
        case transposed(ValueID)
    }

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let t = graph.nodes[index]
        guard let perm = (t.op as? Transpose)?.perm, t.inputs.count == 1, t.outputs.count == 1,
              let (eIndex, e) = graph.definingNode(of: t.inputs[0]), e.outputs.count == 1,
              OpTraits.isElementwise(e.op), !OpTraits.isPerChannelAffine(e.op),
              graph.useCount(of: t.inputs[0]) == 1, !graph.isOutput(t.inputs[0])
        else { return false }
        guard let sources = plan(e.inputs, perm: perm, in: graph) else { return false }
        let needed = Set(sources.compactMap { if case .transposed(let v) = $0 { v } else { nil } })
        guard needed.count <= 1 else { return false }
        let types = sources.map { source -> TensorType in
            switch source {
            case .same(let v): graph.type(of: v)
            case .constant(let c): c.type
            case .transposed(let v): TensorType(graph.type(of: v).elementType, perm.map { graph.type(of: v).shape[$0] })
            }
        }
        guard graph.infers(e.op, from: types, outputs: t.outputs) else { return false }

        var newTranspose: Node?
        if let x = needed.first {
            let out = graph.addValue(name: graph[x].name + ".t", type: TensorType(graph.type(of: x).elementType,
                                                                                   perm.map { graph.type(of: x).shape[$0] }))
            newTranspose = Node(name: t.name, op: t.op, inputs: [x], outputs: [out], provenance: t.provenance)
        }
        let inputs = zip(sources, e.inputs).map { source, original -> ValueID in
            switch source {
            case .same(let v): v
            case .constant(let c): graph.addConstant(name: graph[original].name + ".t", c)
            case .transposed: newTranspose?.outputs[0] ?? original
            }
        }
        // Opposite Transposes read only here die; E keeps their locs, and the pushed one's if it vanishes.
        let cancelled = zip(sources, e.inputs).compactMap { source, original -> [String]? in
            guard case .same(let v) = source, v != original, graph.useCount(of: original) == 1,
                  let (_, inner) = graph.definingNode(of: original) else { return nil }
            return inner.provenance
        }
        let moved = Node(name: e.name, op: e.op, inputs: inputs, outputs: t.outputs,
                         provenance: e.provenance + (newTranspose == nil ? t.provenance : []) + cancelled.flatMap { $0 })
        graph.replace(nodesAt: [eIndex, index], with: moved)
        if let newTranspose { graph.insert(newTranspose, at: index - 1) }
        return true
    }

    /// For each input of E: kept (a single-element constant), permuted (another constant), read
    /// from before an inverse Transpose, or to be transposed. Nil when an input cannot follow.
    private func plan(_ inputs: [ValueID], perm: [Int], in graph: Graph) -> [Source]? {
        var result: [Source] = []
        for input in inputs {
            let type = graph.type(of: input)
            if let c = graph.constant(input) {
                guard c.type.rank <= perm.count else { return nil }
                if c.elementCount == 1 {
                    result.append(.same(input))
                    continue
                }
                let padded = [Int](repeating: 1, count: perm.count - c.type.rank) + c.shape
                let outType = TensorType(c.elementType, perm.map { padded[$0] })
                guard let permuted = try? Interpreter.evaluate(Transpose(perm: perm), inputs: [c.reshaped(padded)],
                                                               outputTypes: [outType]).first
                else { return nil }
                result.append(.constant(permuted))
            } else {
                guard type.rank == perm.count else { return nil }
                if let (_, inner) = graph.definingNode(of: input), let p = (inner.op as? Transpose)?.perm,
                   inner.inputs.count == 1, perm.map({ p[$0] }) == Array(perm.indices) {
                    result.append(.same(inner.inputs[0]))
                } else {
                    result.append(.transposed(input))
                }
            }
        }
        return result
    }
}
