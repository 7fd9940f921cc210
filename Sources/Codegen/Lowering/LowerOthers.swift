import IR

extension Lowering {
    /// SqueezeExcite on NHWC: the gate (pool, reduce FC + activation, expand FC + gate) into scratch,
    /// then the per-channel scale.
    mutating func lowerSqueezeExcite(_ node: Node, _ op: SqueezeExcite) throws -> [KernelCall] {
        let x = node.inputs[0], shape = graph.type(of: x).shape
        let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
        let w1 = try constant(node.inputs[1]), b1 = try constant(node.inputs[2])
        let w2 = try constant(node.inputs[3]), b2 = try constant(node.inputs[4])
        let r = w1.shape[0]
        guard layout(x) == .nhwc || hw == 1, node.outputLayout == .nhwc || hw == 1 else {
            unsupported.append("SqueezeExcite in layout \(layout(x).rawValue) (node '\(node.name)')")
            return []
        }
        // W1 [R, C] is the GEMM weight with K = C, N = R; W2 [C, R] has K = R, N = C.
        let packed1 = blob.gemm(k: c, n: r, weights: w1, strideK: 1, strideN: c, bias: b1)
        let packed2 = blob.gemm(k: r, n: c, weights: w2, strideK: 1, strideN: r, bias: b2)
        _ = scratch(n * c + r)
        let gate = Buffer.scratch(offset: 0), reduced = Buffer.scratch(offset: n * c)
        let input = try buffer(x)
        if try gateFusesIntoNextConv(node) {
            gatedValues[node.outputs[0]] = (x, 0)
            return [KernelCall("f32_se_gate_nhwc", [.size(n), .size(hw), .size(c), .size(r), .buffer(input),
                                                    .buffer(.weights(offset: packed1)), .activation(op.activation),
                                                    .buffer(.weights(offset: packed2)), .activation(op.gate),
                                                    .buffer(reduced), .buffer(gate)])]
        }
        return [
            KernelCall("f32_se_gate_nhwc", [.size(n), .size(hw), .size(c), .size(r), .buffer(input),
                                            .buffer(.weights(offset: packed1)), .activation(op.activation),
                                            .buffer(.weights(offset: packed2)), .activation(op.gate),
                                            .buffer(reduced), .buffer(gate)]),
            KernelCall("f32_channel_scale_nhwc", [.size(n), .size(hw), .size(c), .buffer(input), .buffer(gate),
                                                  .buffer(try buffer(node.outputs[0]))]),
        ]
    }

    /// Whether the SE's scaled output can stay virtual: its only reader is the very next node, a
    /// pointwise NHWC FusedConv reading it as its input (not as residual), and that conv's output
    /// does not overlap the SE's input in the arena (the input must survive until the conv reads it).
    func gateFusesIntoNextConv(_ node: Node) throws -> Bool {
        let y = node.outputs[0], x = node.inputs[0]
        guard let index = graph.nodes.firstIndex(where: { $0.outputs == node.outputs }), index + 1 < graph.nodes.count,
              graph.useCount(of: y) == 1, !graph.isOutput(y) else { return false }
        let next = graph.nodes[index + 1]
        guard let conv = next.op as? FusedConv, next.inputs.first == y, !next.inputs.dropFirst().contains(y),
              let weights = graph.constants[next.inputs[1]], weights.shape[2] == 1, weights.shape[3] == 1,
              conv.conv.strides == [1, 1], conv.conv.pads == [0, 0, 0, 0], conv.conv.group == 1,
              layout(y) == .nhwc, next.outputLayout == .nhwc,
              case .arena(let xOffset) = try buffer(x) else { return false }
        let xFloats = graph.type(of: x).elementCount
        if case .arena(let yOffset) = try buffer(next.outputs[0]) {
            let yFloats = graph.type(of: next.outputs[0]).elementCount
            if yOffset < xOffset + xFloats && xOffset < yOffset + yFloats { return false }
        }
        return true
    }

    /// Dense: one GEMM row per image, bias and activation fused. The flatten order is NCHW's, so an
    /// NHWC input with more than one pixel is reordered first.
    mutating func lowerDense(_ node: Node, _ op: Dense) throws -> [KernelCall] {
        let x = node.inputs[0], shape = graph.type(of: x).shape
        let weights = try constant(node.inputs[1]), bias = try constant(node.inputs[2])
        let (n, k, j) = (shape[0], weights.shape[1], weights.shape[0])
        var calls: [KernelCall] = []
        var input = try buffer(x)
        if layout(x) == .nhwc, shape.count == 4, shape[2] * shape[3] > 1 {
            let staged = Buffer.scratch(offset: 0)
            _ = scratch(n * k)
            calls.append(KernelCall("f32_nhwc_to_nchw", [.size(n), .size(shape[1]), .size(shape[2] * shape[3]), .buffer(input), .buffer(staged)]))
            input = staged
        }
        let packed = blob.gemm(k: k, n: j, weights: weights, strideK: 1, strideN: k, bias: bias)
        calls.append(KernelCall("f32_gemm_bias_act", [
            .size(n), .size(k), .size(j), .buffer(input), .size(k), .buffer(.weights(offset: packed)),
            .buffer(try buffer(node.outputs[0])), .size(j), .none, .size(0), .activation(op.activation),
        ]))
        return calls
    }

    /// GlobalAveragePool: a mean over each channel's pixels. NCHW is the same kernel with every
    /// (image, channel) pair as an image of one channel.
    mutating func lowerGlobalAveragePool(_ node: Node) throws -> [KernelCall] {
        let x = node.inputs[0], shape = graph.type(of: x).shape
        guard shape.count == 4 else {
            unsupported.append("GlobalAveragePool of rank \(shape.count) (node '\(node.name)')")
            return []
        }
        let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
        let images = layout(x) == .nhwc ? n : n * c, channels = layout(x) == .nhwc ? c : 1
        return [KernelCall("f32_gavgpool_nhwc", [.size(images), .size(hw), .size(channels), .buffer(try buffer(x)),
                                                 .buffer(try buffer(node.outputs[0]))])]
    }

    mutating func lowerReorder(_ node: Node, _ op: Reorder) throws -> [KernelCall] {
        let shape = graph.type(of: node.inputs[0]).shape
        let arguments: [Argument] = [.size(shape[0]), .size(shape[1]), .size(shape[2] * shape[3]),
                                     .buffer(try buffer(node.inputs[0])), .buffer(try buffer(node.outputs[0]))]
        switch (op.from, op.to) {
        case (.nchw, .nhwc): return [KernelCall("f32_nchw_to_nhwc", arguments)]
        case (.nhwc, .nchw): return [KernelCall("f32_nhwc_to_nchw", arguments)]
        default:
            unsupported.append("Reorder \(op.from.rawValue) → \(op.to.rawValue) (node '\(node.name)')")
            return []
        }
    }

    mutating func lowerSoftmax(_ node: Node) throws -> [KernelCall] {
        let shape = graph.type(of: node.inputs[0]).shape
        guard let softmax = node.op as? Softmax, softmax.axes == [shape.count - 1] else {
            unsupported.append("Softmax over other than the last axis (node '\(node.name)')")
            return []
        }
        let last = shape.last ?? 1
        return [KernelCall("f32_softmax", [.size(shape.reduce(1, *) / max(last, 1)), .size(last),
                                           .buffer(try buffer(node.inputs[0])), .buffer(try buffer(node.outputs[0]))])]
    }

    /// Add of two tensors of one shape and layout (a residual the conv could not absorb).
    mutating func lowerAdd(_ node: Node) throws -> [KernelCall] {
        let a = node.inputs[0], b = node.inputs[1]
        guard graph.type(of: a) == graph.type(of: b), layout(a) == layout(b),
              graph.constants[a] == nil, graph.constants[b] == nil else {
            unsupported.append("broadcasting or constant Add (node '\(node.name)')")
            return []
        }
        return [KernelCall("f32_add_act", [.size(graph.type(of: a).elementCount), .buffer(try buffer(a)), .buffer(try buffer(b)),
                                           .buffer(try buffer(node.outputs[0])), .activation(.none)])]
    }

    mutating func lowerActivation(_ node: Node, _ activation: Activation) throws -> [KernelCall] {
        let x = node.inputs[0]
        return [KernelCall("f32_act", [.size(graph.type(of: x).elementCount), .buffer(try buffer(x)),
                                       .buffer(try buffer(node.outputs[0])), .activation(activation)])]
    }

    /// Reshape-like operators move no data in NCHW; the value still needs its own buffer, so copy.
    mutating func lowerCopy(_ node: Node) throws -> [KernelCall] {
        let x = node.inputs[0], shape = graph.type(of: x).shape
        guard layout(x) == .nchw || shape.count < 4 || shape[2] * shape[3] == 1 else {
            unsupported.append("\(node.op.opType) of an NHWC tensor (node '\(node.name)')")
            return []
        }
        let from = try buffer(x), to = try buffer(node.outputs[0])
        if from == to { return [] }
        return [KernelCall("f32_act", [.size(graph.type(of: x).elementCount), .buffer(from), .buffer(to), .activation(.none)])]
    }
}
