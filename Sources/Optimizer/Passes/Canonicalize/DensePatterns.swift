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

/// `MatMul(x, W)` with a 2-D x and a constant W [K, J] → `Dense(x, Wᵀ, 0)`; an Add of a row bias
/// after it then joins the Dense (`absorb-bias-into-dense`), so MatMul + Add is one Dense too.
///
///     %y: float32[2x3] = MatMul(%x, %W) loc("mm")      →     %y = Dense(%x, %W_t, %mm_bias) loc("mm")
///
/// Not when x is not 2-D (a batched MatMul is not a Dense), W is computed at run time or is not
/// float32.
struct MatMulToDense: RewritePattern {
    let name = "matmul-to-dense"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let mm = graph.nodes[index]
        guard mm.op is MatMul, mm.inputs.count == 2, graph.type(of: mm.inputs[0]).rank == 2,
              let w = graph.constant(mm.inputs[1]), w.type.rank == 2, w.elementType == .float32,
              graph.infers(Dense(), from: [graph.type(of: mm.inputs[0]), TensorType(.float32, [w.shape[1], w.shape[0]]),
                                           TensorType(.float32, [w.shape[1]])], outputs: mm.outputs)
        else { return false }
        let weights = graph.addConstant(name: graph[mm.inputs[1]].name + "_t", transposed(w))
        let bias = graph.addConstant(name: mm.name + "_bias", Tensor(zeros: TensorType(.float32, [w.shape[1]])))
        guard let dense = graph.rewrittenNode(Dense(), inputs: [mm.inputs[0], weights, bias],
                                              outputs: mm.outputs, replacing: [mm]) else { return false }
        graph.nodes[index] = dense
        return true
    }
}

/// `Add(Dense(x, W, b), c)` (either Add operand order) with a constant c the same for every row
/// ([J], [1, J] or one element) and no activation in the Dense → `Dense(x, W, b + c)`, named after
/// the Dense. When b is all zeros and c is [J], c itself becomes the bias.
///
///     %d: float32[2x4] = Dense(%x, %W, %zero) {activation="none"} loc("mm")
///     %y: float32[2x4] = Add(%b, %d) loc("add")       →      %y = Dense(%x, %W, %b) loc("mm", "add")
///
/// Not when the Dense's result has another reader, it has an activation, its bias is not a
/// constant, or c varies along the rows ([M, J]) or is computed at run time.
struct AbsorbBiasIntoDense: RewritePattern {
    let name = "absorb-bias-into-dense"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let add = graph.nodes[index]
        guard add.op is Add, add.inputs.count == 2, add.outputs.count == 1 else { return false }
        for (denseSide, biasSide) in [(0, 1), (1, 0)] {
            guard let (denseIndex, dense) = graph.definingNode(of: add.inputs[denseSide]),
                  let op = dense.op as? Dense, op.activation == .none, dense.inputs.count == 3,
                  graph.useCount(of: add.inputs[denseSide]) == 1, !graph.isOutput(add.inputs[denseSide]),
                  graph.type(of: add.outputs[0]) == graph.type(of: dense.outputs[0]),
                  let b = graph.constant(dense.inputs[2]), b.elementType == .float32,
                  let c = graph.constant(add.inputs[biasSide]), let extra = rowBias(c, columns: b.elementCount)
            else { continue }
            let old = Array(b.floats)
            let biasID = old.allSatisfy({ $0 == 0 }) && c.shape == b.shape
                ? add.inputs[biasSide]
                : graph.addFloatConstant(name: dense.name + "_bias", shape: b.shape, zip(old, extra).map { $0 + $1 })
            guard let fused = graph.rewrittenNode(op, inputs: [dense.inputs[0], dense.inputs[1], biasID],
                                                  outputs: add.outputs, replacing: [dense, add]) else { continue }
            graph.replace(nodesAt: [denseIndex, index], with: fused)
            return true
        }
        return false
    }
}

/// `Dense(S(x), W, b)` → `Dense(x, W, b)` where S is a shape-only op (Flatten {axis=1}, Reshape,
/// Squeeze, Unsqueeze) giving [N, K]: Dense flattens its input itself. tf2onnx's classifier reads
/// `Squeeze(GlobalAveragePool(x)) {axes=[2, 3]}`. Only when S gives exactly [x.shape[0], rest] (what
/// Dense reads) and nothing else reads its result.
struct AbsorbFlattenIntoDense: RewritePattern {
    let name = "absorb-flatten-into-dense"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let dense = graph.nodes[index]
        guard dense.op is Dense, let flat = dense.inputs.first,
              let (flatIndex, flatten) = graph.definingNode(of: flat), OpTraits.isShapeOnly(flatten.op),
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
func rowBias(_ c: Tensor, columns: Int) -> [Float]? {
    guard c.elementType == .float32, c.type.rank <= 2, c.type.rank < 2 || c.shape[0] == 1 else { return nil }
    let values = Array(c.floats)
    if values.count == columns { return values }
    if values.count == 1 { return Array(repeating: values[0], count: columns) }
    return nil
}

/// The transpose of a float32 matrix.
func transposed(_ m: Tensor) -> Tensor {
    let rows = m.shape[0], cols = m.shape[1]
    let t = Tensor(zeros: TensorType(.float32, [cols, rows]))
    let src = m.floats, dst = t.mutableFloats
    for r in 0..<rows {
        for c in 0..<cols { dst[c * rows + r] = src[r * cols + c] }
    }
    return t
}
