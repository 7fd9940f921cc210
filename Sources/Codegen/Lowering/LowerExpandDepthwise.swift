import Catalog
import IR
import KilnKernels

extension Lowering {
    /// An ExpandDepthwise on `f32_expand_dwconv_bias_act` (an expand 1×1 conv first) or
    /// `f32_conv_dwconv_bias_act` (the stem's k×k conv first), or with its projection on their
    /// `_project_` forms: the first conv's weights packed for the GEMM or the direct conv, the
    /// depthwise conv's for the depthwise kernel, the project conv's for the GEMM (the packings the
    /// unfused kernels read), and the band's rows of the first conv's output (and a depthwise output
    /// row) in the program's scratch, sized by the library's own `kiln_expand_dwconv_scratch_floats`
    /// or `kiln_dwconv_project_scratch_floats` (the scratch is shared by every node, so the largest
    /// need counts; a thread pool gives each part its own).
    mutating func lowerExpandDepthwise(_ node: Node, _ op: ExpandDepthwise, _ entry: KernelEntry) throws -> [KernelCall] {
        let x = node.inputs[0], y = node.outputs[0]
        let types = node.inputs.map(graph.type(of:))
        let xt = types[0].shape, we = types[1].shape, wd = types[3].shape
        let et = try op.expandedType(types).shape, dt = try op.depthwiseType(types).shape
        let (n, cin, h, w) = (xt[0], xt[1], xt[2], xt[3])
        let (c, oh, ow, kh, kw) = (dt[1], dt[2], dt[3], wd[2], wd[3])
        let conv = op.depthwise
        let gemm = op.expandIsPointwise(weights: types[1]), projects = op.projectActivation != nil
        let expected = gemm ? (projects ? KernelCatalog.expandDepthwiseProject : KernelCatalog.expandDepthwise)
            : (projects ? KernelCatalog.convDepthwiseProject : KernelCatalog.convDepthwise)
        guard node.outputLayout == .nhwc, let strides = layout(x).strides(c: cin, h: h, w: w), entry == expected,
              !gemm || layout(x) == .nhwc
        else {
            let first = gemm ? "1×1 expand conv" : "direct conv"
            throw KilnError("internal error: \(entry.name) recorded for a \(first), layouts \(layout(x).rawValue) → "
                                + node.outputLayout.rawValue)
        }
        // the first conv's weights first, then the depthwise conv's (the order of the blob)
        let first: [String: Argument]
        if !gemm {
            let packed = blob.direct(cout: c, cin: cin, kh: we[2], kw: we[3], weights: try constant(node.inputs[1]),
                                     bias: try constant(node.inputs[2]))
            first = [
                "isn": .size(strides.n), "isc": .size(strides.c), "ish": .size(strides.h), "isw": .size(strides.w),
                "packed_conv": .buffer(.weights(offset: packed)), "ckh": .size(we[2]), "ckw": .size(we[3]),
                "csh": .size(op.expand.strides[0]), "csw": .size(op.expand.strides[1]), "cdh": .size(op.expand.dilations[0]),
                "cdw": .size(op.expand.dilations[1]), "cpt": .size(op.expand.pads[0]), "cpl": .size(op.expand.pads[1]),
                "act_conv": .activation(op.expandActivation), "eh": .size(et[2]), "ew": .size(et[3]),
            ]
        } else {
            let packed = blob.gemm(k: cin, n: c, weights: try constant(node.inputs[1]), strideK: 1, strideN: cin,
                                   bias: try constant(node.inputs[2]))
            first = ["packed_expand": .buffer(.weights(offset: packed)), "act_expand": .activation(op.expandActivation)]
        }
        let depthwise = blob.depthwise(c: c, kh: kh, kw: kw, weights: try constant(node.inputs[3]), bias: try constant(node.inputs[4]))
        let scratchFloats = op.projectActivation == nil
            ? kiln_expand_dwconv_scratch_floats(et[2], et[3], c, oh, kh, conv.strides[0], conv.dilations[0])
            : kiln_dwconv_project_scratch_floats(et[2], et[3], c, oh, ow, kh, conv.strides[0], conv.dilations[0])
        var project: [String: Argument] = [:]
        if let activation = op.projectActivation {
            let cout = graph.type(of: y).shape[1]
            let packed = blob.gemm(k: c, n: cout, weights: try constant(node.inputs[5]), strideK: 1, strideN: c,
                                   bias: try constant(node.inputs[6]))
            var residual = Argument.none
            if let r = op.residualSlot(inputCount: node.inputs.count) {
                guard layout(node.inputs[r]) == .nhwc else {
                    throw KilnError("internal error: \(entry.name) recorded with a \(layout(node.inputs[r]).rawValue) residual")
                }
                residual = .buffer(try buffer(node.inputs[r]))
            }
            // the kernel reads input rows after writing the output rows above them (the residual may be the input);
            // arena offsets count floats
            if case .arena(let xo) = try buffer(x), case .arena(let yo) = try buffer(y),
               xo < yo + graph.type(of: y).elementCount, yo < xo + graph.type(of: x).elementCount {
                throw KilnError("internal error: \(entry.name) of node '\(node.name)' given an output that overlaps its input")
            }
            project = ["cout": .size(cout), "packed_project": .buffer(.weights(offset: packed)), "r": residual,
                       "act_project": .activation(activation)]
        }
        let arguments: [String: Argument] = [
            "n": .size(n), "h": .size(h), "w": .size(w), "cin": .size(cin), "in": .buffer(try buffer(x)), "c": .size(c),
            "oh": .size(oh), "ow": .size(ow), "kh": .size(kh), "kw": .size(kw), "sh": .size(conv.strides[0]),
            "sw": .size(conv.strides[1]), "dh": .size(conv.dilations[0]), "dw": .size(conv.dilations[1]),
            "pt": .size(conv.pads[0]), "pl": .size(conv.pads[1]), "packed": .buffer(.weights(offset: depthwise)),
            "out": .buffer(try buffer(y)), "act": .activation(op.activation), "scratch": .buffer(scratch(scratchFloats)),
        ]
        return [try KernelCall(entry, arguments.merging(first) { $1 }.merging(project) { $1 })]
    }
}
