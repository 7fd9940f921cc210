import IR
import KilnKernels

extension Lowering {
    /// Element strides (image, channel, row, column) of a [N, C, H, W] tensor stored in `layout`.
    static func strides(_ layout: Layout, c: Int, h: Int, w: Int) -> [Int] {
        layout == .nhwc ? [h * w * c, 1, w * c, c] : [c * h * w, h * w, w, 1]
    }

    /// A FusedConv picks the fastest kernel its shape and layouts allow:
    /// - pointwise 1×1 (stride 1, no padding, one group) on NHWC: the register-blocked GEMM, with
    ///   bias, activation and residual fused;
    /// - depthwise on NHWC: the depthwise kernel (k×k, any stride), bias and activation fused;
    /// - one group and at most 8 input channels (the stem): the direct conv, which reads NCHW or NHWC;
    /// - anything else: the general grouped conv.
    /// All of them write NHWC; an NCHW output is written through scratch and reordered.
    mutating func lowerConv(_ node: Node, _ op: FusedConv) throws -> [KernelCall] {
        let x = node.inputs[0], y = node.outputs[0]
        let xt = graph.type(of: x).shape, yt = graph.type(of: y).shape
        let weights = try constant(node.inputs[1]), bias = try constant(node.inputs[2])
        let residual = node.inputs.count > 3 ? node.inputs[3] : nil
        let (n, c, h, w) = (xt[0], xt[1], xt[2], xt[3])
        let (m, oh, ow) = (yt[1], yt[2], yt[3])
        let (kh, kw) = (weights.shape[2], weights.shape[3])
        let conv = op.conv
        let inLayout = layout(x), outLayout = node.outputLayout
        guard inLayout == .nchw || inLayout == .nhwc, outLayout == .nchw || outLayout == .nhwc else {
            unsupported.append("FusedConv in layout \(inLayout.rawValue) → \(outLayout.rawValue) (node '\(node.name)')")
            return []
        }
        let destination = try buffer(y)
        // The kernels write NHWC; an NCHW result goes through scratch.
        let nhwcOut: Buffer = outLayout == .nhwc ? destination : .scratch(offset: scratch(n * m * oh * ow))
        // The kernels add a residual after the activation; `residual_first` with an activation adds it
        // in a second step, before the activation.
        let pointwise = kh == 1 && kw == 1 && conv.strides == [1, 1] && conv.pads == [0, 0, 0, 0] && conv.group == 1
        let depthwise = conv.group == c && c == m && weights.shape[1] == 1
        let gemm = pointwise && inLayout == .nhwc
        let fuseResidual = residual != nil && gemm && outLayout == .nhwc && (!op.residualFirst || op.activation == .none)
        let kernelActivation: Activation = residual != nil && !fuseResidual && op.residualFirst ? .none : op.activation
        var residualArgument = Argument.none
        if fuseResidual, let residual { residualArgument = .buffer(try buffer(residual)) }
        let geometry: [Argument] = [kh, kw, conv.strides[0], conv.strides[1], conv.dilations[0], conv.dilations[1],
                                    conv.pads[0], conv.pads[1]].map(Argument.size)
        var calls: [KernelCall] = []
        if gemm, let (seInput, gate) = gatedValues[x] {
            // The squeeze-excite scale happens here: the kernel scales the packed weights by the gate.
            let packed = blob.gemm(k: c, n: m, weights: weights, strideK: 1, strideN: c, bias: bias)
            let packedCopy = scratch(n * c + kiln_pack_gemm_f32_floats(c, m)) + n * c
            calls.append(KernelCall("f32_gemm_gated_bias_act", [
                .size(n), .size(h * w), .size(c), .size(m), .buffer(try buffer(seInput)), .size(c),
                .buffer(.scratch(offset: gate)), .buffer(.weights(offset: packed)), .buffer(.scratch(offset: packedCopy)),
                .buffer(nhwcOut), .size(m), residualArgument, .size(fuseResidual ? m : 0), .activation(kernelActivation),
            ]))
        } else if gemm {
            let packed = blob.gemm(k: c, n: m, weights: weights, strideK: 1, strideN: c, bias: bias)
            calls.append(KernelCall("f32_gemm_bias_act", [
                .size(n * h * w), .size(c), .size(m), .buffer(try buffer(x)), .size(c), .buffer(.weights(offset: packed)),
                .buffer(nhwcOut), .size(m), residualArgument, .size(fuseResidual ? m : 0), .activation(kernelActivation),
            ]))
        } else if depthwise && inLayout == .nhwc {
            let packed = blob.depthwise(c: c, kh: kh, kw: kw, weights: weights, bias: bias)
            calls.append(KernelCall("f32_dwconv_bias_act", [
                .size(n), .size(h), .size(w), .size(c), .buffer(try buffer(x)), .size(oh), .size(ow),
            ] + geometry + [.buffer(.weights(offset: packed)), .buffer(nhwcOut), .activation(kernelActivation)]))
        } else if conv.group == 1 && c <= 8 {
            let packed = blob.direct(cout: m, cin: c, kh: kh, kw: kw, weights: weights, bias: bias)
            calls.append(KernelCall("f32_conv_direct_bias_act", [.size(n), .size(c), .size(h), .size(w), .buffer(try buffer(x))]
                + Self.strides(inLayout, c: c, h: h, w: w).map(Argument.size) + [.size(m), .size(oh), .size(ow)]
                + geometry + [.buffer(.weights(offset: packed)), .buffer(nhwcOut), .activation(kernelActivation)]))
        } else {
            let w0 = blob.raw(weights), b0 = blob.raw(bias)
            calls.append(KernelCall("f32_conv_generic_bias_act", [.size(n), .size(c), .size(h), .size(w), .buffer(try buffer(x))]
                + Self.strides(inLayout, c: c, h: h, w: w).map(Argument.size) + [.size(m), .size(oh), .size(ow)]
                + geometry + [.size(conv.group), .buffer(.weights(offset: w0)), .buffer(.weights(offset: b0)),
                              .buffer(nhwcOut), .activation(kernelActivation)]))
        }
        // Unless the GEMM fused it, the residual is added now (with `residual_first`, before the activation).
        let afterResidual: Activation = op.residualFirst ? op.activation : .none
        if let residual, !fuseResidual, outLayout == .nhwc {
            calls.append(KernelCall("f32_add_act", [.size(n * m * oh * ow), .buffer(nhwcOut), .buffer(try buffer(residual)),
                                                    .buffer(nhwcOut), .activation(afterResidual)]))
        }
        if outLayout == .nchw {
            calls.append(KernelCall("f32_nhwc_to_nchw", [.size(n), .size(m), .size(oh * ow), .buffer(nhwcOut), .buffer(destination)]))
            if let residual {
                calls.append(KernelCall("f32_add_act", [.size(n * m * oh * ow), .buffer(destination), .buffer(try buffer(residual)),
                                                        .buffer(destination), .activation(afterResidual)]))
            }
        }
        return calls
    }
}
