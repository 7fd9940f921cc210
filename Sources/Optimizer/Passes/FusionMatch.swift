import IR

/// Matchers the fusion passes (`fold-batchnorm`, `fuse-squeeze-excite`, `fuse-epilogue`) share.
/// Every matcher answers nil for "no match"; none of them edits the graph.
enum FusionMatch {
    /// An activation found by walking back from the node that produces its result.
    struct MatchedActivation {
        /// The value the activation is applied to.
        var input: ValueID
        var activation: Activation
        /// The nodes that compute it, in graph order (two for `x · Sigmoid(x)`).
        var nodes: [Int]
        /// How many reads of `input` the pattern itself accounts for: fusing it away is safe when
        /// `input` has exactly this many uses.
        var inputUses: Int
    }

    /// The activation computed by the node at `index` (and, for `x · σ(x)` and `x · hardsigmoid(x)`,
    /// the node before it): Relu, Relu6, SiLU, HardSwish, Sigmoid, HardSigmoid, Clip (see
    /// `Activation.computed(by:)`), or the two-node SiLU/HardSwish forms that
    /// `canonicalize` would otherwise rewrite. Only float32.
    static func activation(at index: Int, in graph: Graph) -> MatchedActivation? {
        let node = graph.nodes[index]
        guard node.outputs.count == 1, graph.type(of: node.outputs[0]).elementType == .float32 else { return nil }
        if node.inputs.count == 2, node.op is Mul {
            return gatedActivation(mulAt: index, in: graph)
        }
        guard node.inputs.count == 1 else { return nil }
        let single: (Activation) -> MatchedActivation = {
            MatchedActivation(input: node.inputs[0], activation: $0, nodes: [index], inputUses: 1)
        }
        return Activation.computed(by: node.op).map(single)
    }

    /// `Mul(x, Sigmoid(x))` → silu and `Mul(x, HardSigmoid(x))` with α = 1/6, β = 1/2 → hardswish,
    /// either operand order; the gate must be read only by the Mul.
    private static func gatedActivation(mulAt index: Int, in graph: Graph) -> MatchedActivation? {
        let mul = graph.nodes[index]
        for (x, gate) in [(mul.inputs[0], mul.inputs[1]), (mul.inputs[1], mul.inputs[0])] {
            guard x != gate, let g = graph.producer(of: gate), graph.nodes[g].inputs == [x],
                  graph.useCount(of: gate) == 1 else { continue }
            let activation: Activation
            switch graph.nodes[g].op {
            case is Sigmoid: activation = .silu
            case let op as HardSigmoid where abs(op.alpha - 1 / 6) < 1e-6 && op.beta == 0.5: activation = .hardSwish
            default: continue
            }
            return MatchedActivation(input: x, activation: activation, nodes: [g, index], inputUses: 2)
        }
        return nil
    }

    /// True when `value` is read exactly `uses` times by nodes and is not a graph output: the
    /// readers the pattern accounts for are the only ones, so fusing `value` away hides it from no one.
    static func onlyRead(_ value: ValueID, uses: Int = 1, in graph: Graph) -> Bool {
        !graph.isOutput(value) && graph.useCount(of: value) == uses
    }

    /// Whether `op` on inputs of `inputTypes` gives exactly the types of `outputs`: checked before a
    /// rewrite edits anything, so a pattern can never leave an invalid graph behind.
    static func infers(_ op: any Operator, _ inputTypes: [TensorType], _ outputs: [ValueID], in graph: Graph) -> Bool {
        (try? op.inferTypes(inputTypes)) == outputs.map(graph.type(of:))
    }

    /// The node at `index` as a plain convolution (Conv, or a FusedConv with no activation and no
    /// residual), with its constant weights and constant bias (nil when it has none).
    struct LinearConv {
        var conv: Conv
        var isFused: Bool
        var weights: Tensor
        var bias: Tensor?
    }

    static func linearConv(at index: Int, in graph: Graph) -> LinearConv? {
        let node = graph.nodes[index]
        let conv: Conv, isFused: Bool
        switch node.op {
        case let op as Conv:
            (conv, isFused) = (op, false)
        case let op as FusedConv where op.activation == .none && node.inputs.count == 3:
            (conv, isFused) = (op.conv, true)
        default:
            return nil
        }
        guard node.inputs.count >= 2, let weights = graph.constant(node.inputs[1]) else { return nil }
        var bias: Tensor?
        if node.inputs.count == 3 {
            guard let b = graph.constant(node.inputs[2]) else { return nil }
            bias = b
        }
        return LinearConv(conv: conv, isFused: isFused, weights: weights, bias: bias)
    }

    /// The per-channel values of a constant that, in an elementwise op with a [N, C, H, W] tensor,
    /// broadcasts along channels only: shape [C, 1, 1], [1, C, 1, 1], a scalar, or anything that
    /// pads to [1, C or 1, 1, 1]. Expanded to `channels` values; nil for other shapes and types.
    static func perChannel(_ tensor: Tensor, channels: Int) -> [Float]? {
        guard tensor.elementType == .float32, tensor.type.rank <= 4 else { return nil }
        let padded = [Int](repeating: 1, count: 4 - tensor.type.rank) + tensor.shape
        guard padded[0] == 1, padded[2] == 1, padded[3] == 1, padded[1] == 1 || padded[1] == channels else { return nil }
        let values = Array(tensor.floats)
        return values.count == channels ? values : [Float](repeating: values[0], count: channels)
    }

    /// A per-channel affine map y[n, c, …] = x[n, c, …] · scale[c] + shift[c] (nil scale = 1, nil shift = 0).
    struct Affine {
        var input: ValueID
        var scale: [Float]?
        var shift: [Float]?
    }

    /// The node as a per-channel affine map of its one computed input: a ScaleShift with constant
    /// parameters, or, on a 4-D tensor, `Mul` or `Add` with a per-channel constant (either order),
    /// `x − c`, `c − x` or `x / c` (`perChannel` shapes). The result must have the input's type (the
    /// constant does not broadcast x). Nil otherwise, and for a division by zero.
    static func perChannelAffine(_ node: Node, in graph: Graph) -> Affine? {
        guard node.outputs.count == 1 else { return nil }
        if node.op is ScaleShift, node.inputs.count == 3,
           let scale = graph.constant(node.inputs[1]), let shift = graph.constant(node.inputs[2]),
           scale.elementType == .float32, shift.elementType == .float32 {
            return Affine(input: node.inputs[0], scale: Array(scale.floats), shift: Array(shift.floats))
        }
        guard node.inputs.count == 2 else { return nil }
        let out = graph.type(of: node.outputs[0])
        guard out.rank == 4 else { return nil }
        for (xSide, cSide) in [(0, 1), (1, 0)] {
            let x = node.inputs[xSide]
            guard graph.constant(x) == nil, graph.type(of: x) == out, let constant = graph.constant(node.inputs[cSide]),
                  let c = perChannel(constant, channels: out.shape[1]) else { continue }
            switch node.op {
            case is Mul: return Affine(input: x, scale: c, shift: nil)
            case is Add: return Affine(input: x, scale: nil, shift: c)
            case is Sub: return xSide == 0 ? Affine(input: x, scale: nil, shift: c.map { -$0 })
                : Affine(input: x, scale: c.map { _ in -1 }, shift: c)
            case is Div where xSide == 0 && !c.contains(0): return Affine(input: x, scale: c.map { 1 / $0 }, shift: nil)
            default: return nil
            }
        }
        return nil
    }

    /// Walks back from `value`, which must be read exactly `uses` times, through shape-only ops
    /// (Reshape, Flatten, Squeeze, Unsqueeze) whose results are read only by the next step. Returns
    /// the value the chain starts from (`value` itself when no shape op makes it) and the chain's
    /// nodes; nil when a value on the way has other readers or is a graph output.
    static func throughShapeOps(_ value: ValueID, uses: Int = 1, in graph: Graph) -> (source: ValueID, nodes: [Int])? {
        guard onlyRead(value, uses: uses, in: graph) else { return nil }
        var source = value, nodes: [Int] = []
        while let p = graph.producer(of: source), OpTraits.isShapeOnly(graph.nodes[p].op), graph.nodes[p].inputs.count == 1 {
            source = graph.nodes[p].inputs[0]
            nodes.append(p)
            guard onlyRead(source, in: graph) else { return nil }
        }
        return (source, nodes)
    }

    /// A fully connected layer, y[n, :] = W · x[n, :] + B with x read as [N, K] rows.
    struct FullyConnected {
        var input: ValueID
        /// [J, K], float32.
        var weights: Tensor
        /// [J], or nil for none.
        var bias: Tensor?
        var nodes: [Int]
    }

    /// The fully connected layer that produces `value`: a 1×1 Conv (group 1, unit strides, no
    /// padding) on an [N, K, 1, 1] input, a Dense without activation, or `MatMul(x, W)` with a 2-D x
    /// and W [K, J], optionally followed by an Add of a bias the same for every row. Weights and
    /// bias must be float32 constants; an intermediate MatMul result must be read only by the Add.
    static func fullyConnected(producing value: ValueID, in graph: Graph) -> FullyConnected? {
        guard let p = graph.producer(of: value) else { return nil }
        let node = graph.nodes[p]
        if let linear = linearConv(at: p, in: graph) {
            let x = graph.type(of: node.inputs[0]), w = linear.weights
            guard linear.conv.group == 1, linear.conv.strides == [1, 1], linear.conv.pads == [0, 0, 0, 0],
                  w.shape.count == 4, w.shape[2] == 1, w.shape[3] == 1, x.rank == 4, x.shape[2] == 1, x.shape[3] == 1
            else { return nil }
            return FullyConnected(input: node.inputs[0], weights: w.reshaped([w.shape[0], w.shape[1]]),
                                  bias: linear.bias, nodes: [p])
        }
        if let dense = node.op as? Dense, dense.activation == .none, node.inputs.count == 3,
           let w = graph.constant(node.inputs[1]), let b = graph.constant(node.inputs[2]),
           w.elementType == .float32, b.elementType == .float32 {
            return FullyConnected(input: node.inputs[0], weights: w, bias: b, nodes: [p])
        }
        if node.op is MatMul { return matMul(at: p, bias: nil, in: graph) }
        guard node.op is Add, node.inputs.count == 2 else { return nil }
        for (mmSide, biasSide) in [(0, 1), (1, 0)] {
            guard onlyRead(node.inputs[mmSide], in: graph), let m = graph.producer(of: node.inputs[mmSide]),
                  graph.nodes[m].op is MatMul, graph.type(of: node.inputs[mmSide]) == graph.type(of: value),
                  let c = graph.constant(node.inputs[biasSide]),
                  let columns = graph.type(of: value).shape.last, let bias = rowBias(c, columns: columns),
                  var fc = matMul(at: m, bias: Tensor(shape: [columns], floats: bias), in: graph)
            else { continue }
            fc.nodes.append(p)
            return fc
        }
        return nil
    }

    /// `MatMul(x, W)` with a 2-D x and a constant float32 W [K, J], as a fully connected layer.
    private static func matMul(at index: Int, bias: Tensor?, in graph: Graph) -> FullyConnected? {
        let node = graph.nodes[index]
        guard node.inputs.count == 2, graph.type(of: node.inputs[0]).rank == 2,
              let w = graph.constant(node.inputs[1]), w.type.rank == 2, w.elementType == .float32
        else { return nil }
        return FullyConnected(input: node.inputs[0], weights: transposed(w), bias: bias, nodes: [index])
    }
}
