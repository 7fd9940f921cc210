import Catalog
import IR
import KilnKernels

extension Lowering {
    /// An ExpandDepthwise on `f32_expand_dwconv_bias_act`: the expand conv's weights packed for the
    /// GEMM, the depthwise conv's for the depthwise kernel (the packings the two unfused kernels
    /// read), and the band's expanded rows in the program's scratch, sized by the library's own
    /// `kiln_expand_dwconv_scratch_floats` (the scratch is shared by every node, so the largest need
    /// counts; a thread pool gives each part its own).
    mutating func lowerExpandDepthwise(_ node: Node, _ op: ExpandDepthwise) throws -> [KernelCall] {
        let x = node.inputs[0], y = node.outputs[0]
        let xt = graph.type(of: x).shape, yt = graph.type(of: y).shape, wd = graph.type(of: node.inputs[3]).shape
        let (n, cin, h, w) = (xt[0], xt[1], xt[2], xt[3])
        let (c, oh, ow, kh, kw) = (yt[1], yt[2], yt[3], wd[2], wd[3])
        guard layout(x) == .nhwc, node.outputLayout == .nhwc else {
            throw KilnError("internal error: f32_expand_dwconv_bias_act recorded for layouts \(layout(x).rawValue) → \(node.outputLayout.rawValue)")
        }
        let expand = blob.gemm(k: cin, n: c, weights: try constant(node.inputs[1]), strideK: 1, strideN: cin,
                               bias: try constant(node.inputs[2]))
        let depthwise = blob.depthwise(c: c, kh: kh, kw: kw, weights: try constant(node.inputs[3]), bias: try constant(node.inputs[4]))
        let conv = op.depthwise
        let scratchFloats = kiln_expand_dwconv_scratch_floats(h, w, c, oh, kh, conv.strides[0], conv.dilations[0])
        return [try KernelCall(KernelCatalog.expandDepthwise, [
            "n": .size(n), "h": .size(h), "w": .size(w), "cin": .size(cin), "in": .buffer(try buffer(x)), "c": .size(c),
            "packed_expand": .buffer(.weights(offset: expand)), "act_expand": .activation(op.expandActivation),
            "oh": .size(oh), "ow": .size(ow), "kh": .size(kh), "kw": .size(kw), "sh": .size(conv.strides[0]),
            "sw": .size(conv.strides[1]), "dh": .size(conv.dilations[0]), "dw": .size(conv.dilations[1]),
            "pt": .size(conv.pads[0]), "pl": .size(conv.pads[1]), "packed": .buffer(.weights(offset: depthwise)),
            "out": .buffer(try buffer(y)), "act": .activation(op.activation), "scratch": .buffer(scratch(scratchFloats)),
        ])]
    }
}
