import Catalog
import IR

/// Lowering for the generic kernels' arithmetic (`GenericMathKernels.swift`).
extension Lowering {
    /// Broadcasting arithmetic. Min and Max of more than two inputs fold left to right into the
    /// output; an input sharing the output's buffer (planned in place) goes first, so it is read
    /// before it is overwritten. One input is a copy.
    mutating func lowerBinary(_ node: Node) throws -> [KernelCall] {
        let ops: [String: String] = ["Add": "ADD", "Sub": "SUB", "Mul": "MUL", "Div": "DIV", "Min": "MIN", "Max": "MAX", "Equal": "EQUAL"]
        guard let op = ops[node.op.opType] else { throw KilnError("internal error: binary kernel on a \(node.op.opType) node") }
        let y = graph.type(of: node.outputs[0]), out = try buffer(node.outputs[0])
        var inputs = node.inputs
        if inputs.count == 1 {
            let x = graph.type(of: inputs[0])
            return [try copyCall(x.elementType.byteSize, shape: y.shape, from: try buffer(inputs[0]),
                                 is: StridedLoop.broadcast(x.shape, to: y.shape), to: out, os: StridedLoop.rowMajor(y.shape))]
        }
        if inputs.count > 2, let aliased = try inputs.firstIndex(where: { try buffer($0) == out }) {
            inputs.insert(inputs.remove(at: aliased), at: 0)
        }
        let type = graph.type(of: inputs[0]).elementType
        var calls: [KernelCall] = [], a = try buffer(inputs[0])
        var aStrides = StridedLoop.broadcast(graph.type(of: inputs[0]).shape, to: y.shape)
        for next in inputs.dropFirst() {
            let bStrides = StridedLoop.broadcast(graph.type(of: next).shape, to: y.shape)
            let loop = try Self.kernelLoop(StridedLoop(shape: y.shape, strides: [aStrides, bStrides]))
            calls.append(try KernelCall(KernelCatalog.binary, [
                "type": Self.dtype(type), "op": .choice("KILN_BINOP_" + op), "shape": loop.shape,
                "a": .buffer(a), "as": loop.strides[0], "b": .buffer(try buffer(next)), "bs": loop.strides[1], "out": .buffer(out),
            ]))
            (a, aStrides) = (out, StridedLoop.rowMajor(y.shape))
        }
        return calls
    }

    mutating func lowerPow(_ node: Node) throws -> [KernelCall] {
        let y = graph.type(of: node.outputs[0]), base = node.inputs[0], exponent = node.inputs[1]
        let loop = try Self.kernelLoop(StridedLoop(shape: y.shape, strides: broadcastStrides([base, exponent], to: y.shape)))
        return [try KernelCall(KernelCatalog.power, [
            "type": Self.dtype(y.elementType), "shape": loop.shape, "base": .buffer(try buffer(base)), "bs": loop.strides[0],
            "exponent_type": Self.dtype(graph.type(of: exponent).elementType), "exponent": .buffer(try buffer(exponent)),
            "es": loop.strides[1], "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// A unary map, or an activation of a float64 or integer tensor.
    mutating func lowerUnary(_ node: Node) throws -> [KernelCall] {
        let (op, a, b): (String, Double, Double)
        if let activation = Activation.computed(by: node.op) {
            switch activation {
            case .none: (op, a, b) = ("CLIP", -.infinity, .infinity)
            case .relu: (op, a, b) = ("RELU", 0, 0)
            case .relu6: (op, a, b) = ("CLIP", 0, 6)
            case .silu: (op, a, b) = ("SWISH", 1, 0)
            case .hardSwish: (op, a, b) = ("HARDSWISH", 0, 0)
            case .sigmoid: (op, a, b) = ("SIGMOID", 0, 0)
            case .hardSigmoid(let alpha, let beta): (op, a, b) = ("HARDSIGMOID", Double(alpha), Double(beta))
            case .clip(let lo, let hi): (op, a, b) = ("CLIP", Double(lo), Double(hi))
            }
        } else {
            switch node.op {
            case let swish as Swish: (op, a, b) = ("SWISH", Double(swish.alpha), 0)
            default: (op, a, b) = (node.op.opType.uppercased(), 0, 0)  // SQRT, EXP, TANH, ERF, CEIL, FLOOR
            }
        }
        let x = graph.type(of: node.inputs[0])
        return [try KernelCall(KernelCatalog.unary, [
            "type": Self.dtype(x.elementType), "op": .choice("KILN_UNOP_" + op), "a": .real(a), "b": .real(b),
            "count": .size(x.elementCount), "in": .buffer(try buffer(node.inputs[0])), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    mutating func lowerCast(_ node: Node, _ op: Cast) throws -> [KernelCall] {
        let x = graph.type(of: node.inputs[0])
        return [try KernelCall(KernelCatalog.cast, [
            "from": Self.dtype(x.elementType), "to": Self.dtype(op.to), "count": .size(x.elementCount),
            "in": .buffer(try buffer(node.inputs[0])), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// MatMul: each matrix of the broadcast batch at its batch strides (a 1-D A is one row, a 1-D
    /// B one column; the output's bytes are the same either way).
    mutating func lowerMatMul(_ node: Node) throws -> [KernelCall] {
        let a = graph.type(of: node.inputs[0]), b = graph.type(of: node.inputs[1])
        let plan = try MatMul.plan(a, b)
        let (m, k, n) = (plan.m, plan.k, plan.n)
        let loop = StridedLoop(shape: plan.batch, strides: [StridedLoop.broadcast(plan.aBatch, to: plan.batch).map { $0 * m * k },
                                                             StridedLoop.broadcast(plan.bBatch, to: plan.batch).map { $0 * k * n }])
        guard let batch = loop.kernelShape else { throw KilnError("internal error: MatMul batch of \(plan.batch.count) dimensions") }
        return [try KernelCall(KernelCatalog.matmul, [
            "batch": .dims(batch), "m": .size(m), "k": .size(k), "n": .size(n),
            "a": .buffer(try buffer(node.inputs[0])), "as": .strides(loop.kernelStrides(0)), "lda": .size(k),
            "b": .buffer(try buffer(node.inputs[1])), "bs": .strides(loop.kernelStrides(1)), "ldb": .size(n),
            "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// Gemm: the transposes swap A's and B's strides; C is read through broadcast strides.
    mutating func lowerGemm(_ node: Node, _ op: Gemm) throws -> [KernelCall] {
        let a = graph.type(of: node.inputs[0]), b = graph.type(of: node.inputs[1])
        let (m, k, n) = try op.dimensions(a, b)
        var c: [String: Argument] = ["c": .none, "c_m": .size(0), "c_n": .size(0)]
        if node.inputs.count == 3 {
            let strides = StridedLoop.broadcast(graph.type(of: node.inputs[2]).shape, to: [m, n])
            c = ["c": .buffer(try buffer(node.inputs[2])), "c_m": .size(strides[0]), "c_n": .size(strides[1])]
        }
        return [try KernelCall(KernelCatalog.gemmStrided, c.merging([
            "m": .size(m), "k": .size(k), "n": .size(n), "alpha": .real(Double(op.alpha)),
            "a": .buffer(try buffer(node.inputs[0])), "a_m": .size(op.transA ? 1 : k), "a_k": .size(op.transA ? m : 1),
            "b": .buffer(try buffer(node.inputs[1])), "b_k": .size(op.transB ? 1 : n), "b_n": .size(op.transB ? k : 1),
            "beta": .real(Double(op.beta)), "out": .buffer(try buffer(node.outputs[0])),
        ]) { $1 })]
    }

    mutating func lowerSoftmaxAxis(_ node: Node, _ op: Softmax) throws -> [KernelCall] {
        let shape = graph.type(of: node.inputs[0]).shape
        guard let first = op.axes.first, let last = op.axes.last else { throw KilnError("internal error: Softmax without axes") }
        return [try KernelCall(KernelCatalog.softmaxAxis, [
            "outer": .size(shape[..<first].reduce(1, *)), "n": .size(shape[first...last].reduce(1, *)),
            "inner": .size(shape[(last + 1)...].reduce(1, *)),
            "in": .buffer(try buffer(node.inputs[0])), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// ReduceMean: the input walked row-major, each element added at its output offset (stride 0
    /// along the reduced axes).
    mutating func lowerReduceMean(_ node: Node, _ op: ReduceMean) throws -> [KernelCall] {
        let x = graph.type(of: node.inputs[0]), y = graph.type(of: node.outputs[0])
        let kept = x.shape.indices.filter { !op.axes.contains($0) }
        let keptStrides = StridedLoop.rowMajor(kept.map { x.shape[$0] })
        let os = x.shape.indices.map { d in kept.firstIndex(of: d).map { keptStrides[$0] } ?? 0 }
        let loop = try Self.kernelLoop(StridedLoop(shape: x.shape, strides: [StridedLoop.rowMajor(x.shape), os]))
        return [try KernelCall(KernelCatalog.reduceMean, [
            "shape": loop.shape, "in": .buffer(try buffer(node.inputs[0])), "os": loop.strides[1],
            "out_count": .size(y.elementCount), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// ScaleShift and BatchNormalization over [outer][c][inner]: NCHW, or NHWC with inner = 1.
    mutating func lowerPerChannel(_ node: Node, _ entry: KernelEntry) throws -> [KernelCall] {
        let shape = graph.type(of: node.inputs[0]).shape, c = shape[1]
        let inner = node.outputLayout == .nhwc ? 1 : shape[2...].reduce(1, *)
        var arguments: [String: Argument] = [
            "outer": .size(shape.reduce(1, *) / max(c * inner, 1)), "c": .size(c), "inner": .size(inner),
            "in": .buffer(try buffer(node.inputs[0])), "out": .buffer(try buffer(node.outputs[0])),
        ]
        let roles = entry == KernelCatalog.batchNorm ? ["scale", "bias", "mean", "var"] : ["scale", "shift"]
        for (role, value) in zip(roles, node.inputs.dropFirst()) { arguments[role] = .buffer(try buffer(value)) }
        if let bn = node.op as? BatchNormalization { arguments["epsilon"] = .real(Double(bn.epsilon)) }
        return [try KernelCall(entry, arguments)]
    }

    mutating func lowerPool(_ node: Node, _ window: PoolWindow, average: AveragePool?) throws -> [KernelCall] {
        let x = graph.type(of: node.inputs[0]).shape, y = graph.type(of: node.outputs[0]).shape
        var arguments: [String: Argument] = [
            "planes": .size(x[0] * x[1]), "h": .size(x[2]), "w": .size(x[3]), "oh": .size(y[2]), "ow": .size(y[3]),
            "kh": .size(window.kernel[0]), "kw": .size(window.kernel[1]), "sh": .size(window.strides[0]), "sw": .size(window.strides[1]),
            "dh": .size(window.dilations[0]), "dw": .size(window.dilations[1]), "pt": .size(window.pads[0]), "pl": .size(window.pads[1]),
            "in": .buffer(try buffer(node.inputs[0])), "out": .buffer(try buffer(node.outputs[0])),
        ]
        guard let average else { return [try KernelCall(KernelCatalog.maxPool, arguments)] }
        arguments["pb"] = .size(window.pads[2])
        arguments["pr"] = .size(window.pads[3])
        arguments["include_pad"] = .size(average.countIncludePad ? 1 : 0)
        return [try KernelCall(KernelCatalog.averagePool, arguments)]
    }
}
