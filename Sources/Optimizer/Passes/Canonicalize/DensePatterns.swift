import IR

/// `Gemm(a, B, C) {alpha=1, beta=1, transA=0}` with constant B and C → `Dense(a, W, bias)`.
///
///     const %B: float32[1280x1000]
///     const %C: float32[1000]
///     %y: float32[1x1000] = Gemm(%a, %B, %C) {alpha=1.0, beta=1.0, transA=0, transB=0}
///   →
///     const %B_t: float32[1000x1280]                                          (Bᵀ, folded)
///     %y: float32[1x1000] = Dense(%a, %B_t, %C) {activation="none"}
///
/// W is B (transB = 1) or Bᵀ (transB = 0), as [J, K]. C may be [J], [1, J] or a single element
/// (broadcast along the rows); a missing C becomes zeros. Not when alpha ≠ 1, beta ≠ 1 with a C,
/// transA = 1, B or C is computed at run time, or C varies along the rows ([M, J] or [M, 1]).
struct GemmToDense: RewritePattern {
    let name = "gemm-to-dense"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let gemm = node.op as? Gemm, gemm.alpha == 1, !gemm.transA, node.inputs.count == 2 || gemm.beta == 1,
              let b = graph.constant(node.inputs[1]), b.type.rank == 2, b.elementType == .float32,
              let output = node.outputs.first, graph.type(of: output).rank == 2
        else { return false }
        let j = graph.type(of: output).shape[1]
        var bias: [Float] = Array(repeating: 0, count: j)
        if node.inputs.count == 3 {
            guard let c = graph.constant(node.inputs[2]), let values = rowBias(c, columns: j) else { return false }
            bias = values
        }
        let k = b.shape[gemm.transB ? 1 : 0]
        guard graph.infers(Dense(), from: [graph.type(of: node.inputs[0]), TensorType(.float32, [j, k]), TensorType(.float32, [j])],
                           outputs: node.outputs) else { return false }
        let weights = gemm.transB ? node.inputs[1] : graph.addConstant(name: graph[node.inputs[1]].name + "_t", transposed(b))
        let biasID = node.inputs.count == 3 && graph.type(of: node.inputs[2]).shape == [j]
            ? node.inputs[2] : graph.addFloatConstant(name: node.name + "_bias", shape: [j], bias)
        guard let dense = graph.rewrittenNode(Dense(), inputs: [node.inputs[0], weights, biasID],
                                              outputs: node.outputs, replacing: [node]) else { return false }
        graph.nodes[index] = dense
        return true
    }
}

/// `Add(MatMul(x, W), bias)` (either Add operand order) with a 2-D x, constant W [K, J] and a
/// constant bias broadcast along the rows → `Dense(x, Wᵀ, bias)`, named after the MatMul.
///
///     %m: float32[2x3] = MatMul(%x, %W) loc("mm")
///     %y: float32[2x3] = Add(%m, %b) loc("add")      →     %y = Dense(%x, %W_t, %b) loc("mm", "add")
///
/// Not when the MatMul's result has another reader, x is not 2-D (a batched MatMul is not a Dense),
/// W or the bias is computed at run time, or the bias varies along the rows.
struct MatMulAddToDense: RewritePattern {
    let name = "matmul-add-to-dense"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let add = graph.nodes[index]
        guard add.op is Add, add.inputs.count == 2, let output = add.outputs.first else { return false }
        for (mmSide, biasSide) in [(0, 1), (1, 0)] {
            guard let (mmIndex, mm) = graph.definingNode(of: add.inputs[mmSide]), mm.op is MatMul,
                  graph.useCount(of: add.inputs[mmSide]) == 1,
                  graph.type(of: mm.inputs[0]).rank == 2, graph.type(of: output) == graph.type(of: mm.outputs[0]),
                  let w = graph.constant(mm.inputs[1]), w.type.rank == 2, w.elementType == .float32,
                  let c = graph.constant(add.inputs[biasSide]), let bias = rowBias(c, columns: w.shape[1]),
                  graph.infers(Dense(), from: [graph.type(of: mm.inputs[0]), TensorType(.float32, [w.shape[1], w.shape[0]]),
                                               TensorType(.float32, [w.shape[1]])], outputs: add.outputs)
            else { continue }
            let weights = graph.addConstant(name: graph[mm.inputs[1]].name + "_t", transposed(w))
            let biasID = c.shape == [w.shape[1]]
                ? add.inputs[biasSide] : graph.addFloatConstant(name: mm.name + "_bias", shape: [w.shape[1]], bias)
            guard let dense = graph.rewrittenNode(Dense(), inputs: [mm.inputs[0], weights, biasID],
                                                  outputs: add.outputs, replacing: [mm, add]) else { continue }
            graph.replace(nodesAt: [mmIndex, index], with: dense)
            return true
        }
        return false
    }
}

/// `Dense(Flatten(x) {axis=1}, W, b)` or `Dense(Reshape(x) to [N, K], W, b)` → `Dense(x, W, b)`: Dense
/// flattens its input itself. Only when the Flatten/Reshape gives exactly [x.shape[0], rest] (what
/// Dense reads) and nothing else reads its result.
struct AbsorbFlattenIntoDense: RewritePattern {
    let name = "absorb-flatten-into-dense"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let dense = graph.nodes[index]
        guard dense.op is Dense, let flat = dense.inputs.first,
              let (flatIndex, flatten) = graph.definingNode(of: flat), flatten.op is Flatten || flatten.op is Reshape,
              flatten.inputs.count == 1, graph.useCount(of: flat) == 1
        else { return false }
        let x = graph.type(of: flatten.inputs[0])
        guard x.rank >= 2, graph.type(of: flat).shape == [x.shape[0], x.shape.dropFirst().reduce(1, *)],
              let fused = graph.rewrittenNode(dense.op, inputs: [flatten.inputs[0]] + dense.inputs.dropFirst(),
                                              outputs: dense.outputs, replacing: [dense, flatten])
        else { return false }
        graph.replace(nodesAt: [flatIndex, index], with: fused)
        return true
    }
}

/// The bias of each of `columns` columns, when the float32 constant `c` is the same for every row
/// (shape [J], [1, J], or one element); nil otherwise.
private func rowBias(_ c: Tensor, columns: Int) -> [Float]? {
    guard c.elementType == .float32, c.type.rank <= 2, c.type.rank < 2 || c.shape[0] == 1 else { return nil }
    let values = Array(c.floats)
    if values.count == columns { return values }
    if values.count == 1 { return Array(repeating: values[0], count: columns) }
    return nil
}

/// The transpose of a float32 matrix.
private func transposed(_ m: Tensor) -> Tensor {
    let rows = m.shape[0], cols = m.shape[1]
    let t = Tensor(zeros: TensorType(.float32, [cols, rows]))
    let src = m.floats, dst = t.mutableFloats
    for r in 0..<rows {
        for c in 0..<cols { dst[c * rows + r] = src[r * cols + c] }
    }
    return t
}
