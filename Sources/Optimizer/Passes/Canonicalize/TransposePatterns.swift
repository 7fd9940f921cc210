import IR

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
