import Catalog
import IR

extension Lowering {
    /// SqueezeExcite: the gate (pool, reduce FC + activation, expand FC + gate) into scratch, then the
    /// per-channel scale. SqueezeExciteGate (its conv applies the gate): the gate alone, into its result.
    mutating func lowerSqueezeExcite(_ node: Node) throws -> [KernelCall] {
        let (activation, gate): (Activation, Activation)
        switch node.op {
        case let op as SqueezeExcite: (activation, gate) = (op.activation, op.gate)
        case let op as SqueezeExciteGate: (activation, gate) = (op.activation, op.gate)
        default: throw KilnError("internal error: a squeeze-excite kernel on a \(node.op.opType) node")
        }
        let x = node.inputs[0], shape = graph.type(of: x).shape
        let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
        let w1 = try constant(node.inputs[1]), b1 = try constant(node.inputs[2])
        let w2 = try constant(node.inputs[3]), b2 = try constant(node.inputs[4])
        let r = w1.shape[0]
        // W1 [R, C] is the GEMM weight with K = C, N = R; W2 [C, R] has K = R, N = C.
        let packed1 = blob.gemm(k: c, n: r, weights: w1, strideK: 1, strideN: c, bias: b1)
        let packed2 = blob.gemm(k: r, n: c, weights: w2, strideK: 1, strideN: r, bias: b2)
        let excites = node.op is SqueezeExcite
        // Scratch: the reduced vector, then (without a conv to apply it) the gate.
        let reduced = scratch(r + (excites ? n * c : 0))
        let gateBuffer = excites ? reduced.advanced(by: r) : try buffer(node.outputs[0])
        let input = try buffer(x)
        var calls = [try KernelCall(KernelCatalog.squeezeExciteGate, [
            "n": .size(n), "hw": .size(hw), "c": .size(c), "cr": .size(r), "in": .buffer(input),
            "packed1": .buffer(.weights(offset: packed1)), "act1": .activation(activation),
            "packed2": .buffer(.weights(offset: packed2)), "gate_act": .activation(gate),
            "scratch": .buffer(reduced), "gate": .buffer(gateBuffer),
        ])]
        if excites {
            calls.append(try KernelCall(KernelCatalog.channelScale, [
                "n": .size(n), "hw": .size(hw), "c": .size(c), "in": .buffer(input), "gate": .buffer(gateBuffer),
                "out": .buffer(try buffer(node.outputs[0])),
            ]))
        }
        return calls
    }

    /// Dense: one GEMM row per image, bias and activation fused, over the row-major input.
    mutating func lowerDense(_ node: Node, _ op: Dense) throws -> [KernelCall] {
        let x = node.inputs[0], shape = graph.type(of: x).shape
        let weights = try constant(node.inputs[1]), bias = try constant(node.inputs[2])
        let (n, k, j) = (shape[0], weights.shape[1], weights.shape[0])
        let packed = blob.gemm(k: k, n: j, weights: weights, strideK: 1, strideN: k, bias: bias)
        return [try KernelCall(KernelCatalog.gemm, [
            "p": .size(n), "k": .size(k), "n": .size(j), "a": .buffer(try buffer(x)), "lda": .size(k),
            "packed": .buffer(.weights(offset: packed)), "c": .buffer(try buffer(node.outputs[0])), "ldc": .size(j),
            "r": .none, "ldr": .size(0), "act": .activation(op.activation),
        ])]
    }

    /// GlobalAveragePool: a mean over each channel's pixels. NCHW is the same kernel with every
    /// (image, channel) pair as an image of one channel.
    mutating func lowerGlobalAveragePool(_ node: Node) throws -> [KernelCall] {
        let x = node.inputs[0], shape = graph.type(of: x).shape
        let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
        let nhwc = layout(x) == .nhwc
        return [try KernelCall(KernelCatalog.globalAveragePool, [
            "n": .size(nhwc ? n : n * c), "hw": .size(hw), "c": .size(nhwc ? c : 1),
            "in": .buffer(try buffer(x)), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    mutating func lowerReorder(_ node: Node, _ entry: KernelEntry) throws -> [KernelCall] {
        let shape = graph.type(of: node.inputs[0]).shape
        return [try KernelCall(entry, [
            "n": .size(shape[0]), "c": .size(shape[1]), "hw": .size(shape[2] * shape[3]),
            "in": .buffer(try buffer(node.inputs[0])), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// Softmax over the last axes: rows of their product.
    mutating func lowerSoftmax(_ node: Node) throws -> [KernelCall] {
        let shape = graph.type(of: node.inputs[0]).shape
        let first = (node.op as? Softmax)?.axes.first ?? max(shape.count - 1, 0)
        let n = shape[first...].reduce(1, *)
        return [try KernelCall(KernelCatalog.softmax, [
            "rows": .size(shape.reduce(1, *) / max(n, 1)), "n": .size(n),
            "in": .buffer(try buffer(node.inputs[0])), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// Add of two tensors of one shape and layout (a residual the conv could not absorb).
    mutating func lowerAdd(_ node: Node) throws -> [KernelCall] {
        let a = node.inputs[0], b = node.inputs[1]
        return [try KernelCall(KernelCatalog.add, [
            "count": .size(graph.type(of: a).elementCount), "a": .buffer(try buffer(a)), "b": .buffer(try buffer(b)),
            "out": .buffer(try buffer(node.outputs[0])), "act": .activation(.none),
        ])]
    }

    /// A standalone activation, or (act none) the copy of a reshape-like node; a copy whose plan
    /// puts its result in its input's buffer needs no call.
    mutating func lowerElementwise(_ node: Node) throws -> [KernelCall] {
        let x = node.inputs[0], from = try buffer(x), to = try buffer(node.outputs[0])
        let activation = Activation.computed(by: node.op) ?? .none
        if activation == .none && from == to { return [] }
        return [try KernelCall(KernelCatalog.activation, [
            "n": .size(graph.type(of: x).elementCount), "in": .buffer(from), "out": .buffer(to), "act": .activation(activation),
        ])]
    }
}
