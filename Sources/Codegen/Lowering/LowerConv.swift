import Catalog
import IR
import KilnKernels

extension Lowering {
    /// A FusedConv on the conv kernel `select-kernel` recorded. Every conv kernel writes NHWC (the
    /// catalog says so, and select-kernel put a Reorder after the node where NCHW is needed). The
    /// epilogue: bias and activation always fused; the residual fused by the GEMMs when it comes
    /// after the activation, otherwise added by one `f32_add_act` pass (before the activation with
    /// `residual_first`).
    mutating func lowerConv(_ node: Node, _ op: FusedConv, _ entry: KernelEntry) throws -> [KernelCall] {
        let x = node.inputs[0], y = node.outputs[0]
        let xt = graph.type(of: x).shape, yt = graph.type(of: y).shape
        let wt = graph.type(of: node.inputs[1]).shape
        let residual = op.residualSlot(inputCount: node.inputs.count).map { node.inputs[$0] }
        let (n, c, h, w) = (xt[0], xt[1], xt[2], xt[3])
        let (m, oh, ow) = (yt[1], yt[2], yt[3])
        let (kh, kw) = (wt[2], wt[3])
        let conv = op.conv
        let input = try buffer(x), output = try buffer(y)
        guard node.outputLayout == .nhwc, let strides = layout(x).strides(c: c, h: h, w: w) else {
            throw KilnError("internal error: \(entry.name) recorded for layouts \(layout(x).rawValue) → \(node.outputLayout.rawValue)")
        }
        let fuseResidual = residual != nil && KernelCatalog.fusesResidual(kernel: entry.name, of: op)
        let kernelActivation: Activation = residual != nil && !fuseResidual && op.residualFirst ? .none : op.activation
        var fused: [String: Argument] = ["r": .none, "ldr": .size(0)]
        if fuseResidual, let residual { fused = ["r": .buffer(try buffer(residual)), "ldr": .size(m)] }
        let geometry: [String: Argument] = [
            "kh": .size(kh), "kw": .size(kw), "sh": .size(conv.strides[0]), "sw": .size(conv.strides[1]),
            "dh": .size(conv.dilations[0]), "dw": .size(conv.dilations[1]), "pt": .size(conv.pads[0]), "pl": .size(conv.pads[1]),
        ]
        let image: [String: Argument] = [
            "n": .size(n), "cin": .size(c), "h": .size(h), "w": .size(w), "in": .buffer(input),
            "isn": .size(strides.n), "isc": .size(strides.c), "ish": .size(strides.h), "isw": .size(strides.w),
            "cout": .size(m), "oh": .size(oh), "ow": .size(ow), "out": .buffer(output), "act": .activation(kernelActivation),
        ]

        var calls: [KernelCall] = []
        switch entry {
        case KernelCatalog.gatedGEMM:
            guard let slot = op.gateSlot else { throw KilnError("internal error: \(entry.name) on an ungated conv") }
            let (weights, bias) = try packedWeights(node)
            let packed = blob.gemm(k: c, n: m, weights: weights, strideK: 1, strideN: c, bias: bias)
            calls.append(try KernelCall(entry, fused.merging([
                "images": .size(n), "hw": .size(h * w), "k": .size(c), "n": .size(m), "a": .buffer(input), "lda": .size(c),
                "gate": .buffer(try buffer(node.inputs[slot])), "packed": .buffer(.weights(offset: packed)),
                "scratch": .buffer(scratch(kiln_pack_gemm_f32_floats(c, m))), "c": .buffer(output), "ldc": .size(m),
                "act": .activation(kernelActivation),
            ]) { $1 }))
        case KernelCatalog.gemm:
            let (weights, bias) = try packedWeights(node)
            let packed = blob.gemm(k: c, n: m, weights: weights, strideK: 1, strideN: c, bias: bias)
            calls.append(try KernelCall(entry, fused.merging([
                "p": .size(n * h * w), "k": .size(c), "n": .size(m), "a": .buffer(input), "lda": .size(c),
                "packed": .buffer(.weights(offset: packed)), "c": .buffer(output), "ldc": .size(m),
                "act": .activation(kernelActivation),
            ]) { $1 }))
        case KernelCatalog.depthwise:
            let (weights, bias) = try packedWeights(node)
            let packed = blob.depthwise(c: c, kh: kh, kw: kw, weights: weights, bias: bias)
            calls.append(try KernelCall(entry, geometry.merging([
                "n": .size(n), "h": .size(h), "w": .size(w), "c": .size(c), "in": .buffer(input), "oh": .size(oh), "ow": .size(ow),
                "packed": .buffer(.weights(offset: packed)), "out": .buffer(output), "act": .activation(kernelActivation),
            ]) { $1 }))
        case KernelCatalog.direct:
            let (weights, bias) = try packedWeights(node)
            let packed = blob.direct(cout: m, cin: c, kh: kh, kw: kw, weights: weights, bias: bias)
            calls.append(try KernelCall(entry, geometry.merging(image) { $1 }.merging(["packed": .buffer(.weights(offset: packed))]) { $1 }))
        default:
            // OIHW weights and the bias as they are: constants from the weights, or computed tensors.
            let weight = try buffer(node.inputs[1]), bias = try buffer(node.inputs[2])
            calls.append(try KernelCall(entry, geometry.merging(image) { $1 }.merging([
                "groups": .size(conv.group), "weight": .buffer(weight), "bias": .buffer(bias),
            ]) { $1 }))
        }
        if let residual, !fuseResidual {
            // With `residual_first` the activation comes after the residual.
            calls.append(try KernelCall(KernelCatalog.add, [
                "count": .size(n * m * oh * ow), "a": .buffer(output), "b": .buffer(try buffer(residual)), "out": .buffer(output),
                "act": .activation(op.residualFirst ? op.activation : .none),
            ]))
        }
        return calls
    }

    /// A conv's weights and bias for packing: the packed kernels need them at compile time (the
    /// catalog offers them only then).
    func packedWeights(_ node: Node) throws -> (Tensor, Tensor) {
        (try constant(node.inputs[1]), try constant(node.inputs[2]))
    }
}
