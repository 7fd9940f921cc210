import IR

/// The shape of a FusedConv as the conv kernels see it.
struct ConvShape {
    let op: FusedConv
    let n: Int, c: Int, h: Int, w: Int, m: Int, oh: Int, ow: Int, kh: Int, kw: Int
    let macs: Double
    let residualSlot: Int?
    /// Whether weights and bias are constants (the packed kernels need them at compile time; the
    /// generic conv also reads them computed at run time).
    let constantWeights: Bool

    init?(_ query: KernelQuery) {
        guard case .conv(let op) = query.computation, query.inputs.count >= 3, query.output.elementType == .float32
        else { return nil }
        let x = query.inputs[0].shape, wt = query.inputs[1].shape, y = query.output.shape
        guard x.count == 4, wt.count == 4, y.count == 4 else { return nil }
        constantWeights = query.constant[1] && query.constant[2]
        self.op = op
        (n, c, h, w) = (x[0], x[1], x[2], x[3])
        (m, oh, ow, kh, kw) = (y[1], y[2], y[3], wt[2], wt[3])
        macs = Double(query.output.elementCount * wt[1] * kh * kw)
        residualSlot = op.residualSlot(inputCount: query.inputs.count)
    }

    var conv: Conv { op.conv }
    /// 1×1, stride 1, no padding or dilation, one group: a GEMM over pixels.
    var isPointwise: Bool {
        kh == 1 && kw == 1 && conv.strides == [1, 1] && conv.pads.allSatisfy { $0 == 0 } && conv.dilations == [1, 1]
            && conv.group == 1
    }
    var isDepthwise: Bool { conv.group == c && m == c && c > 1 }
    /// The direct conv vectorizes over output channels and broadcasts one input value per tap, which
    /// pays for images with few channels (the stem).
    var isStem: Bool { conv.group == 1 && c <= KernelCatalog.stemMaxInputChannels }
    var hasResidual: Bool { residualSlot != nil }

    /// `pointwise 1x1`, `depthwise 3x3 stride 2`, `grouped 3x3 conv`, `5x5 conv`, `1x1 conv stride 2`.
    var description: String {
        var text: String
        if isDepthwise { text = "depthwise \(kh)x\(kw)" }
        else if conv.group > 1 { text = "grouped \(kh)x\(kw) conv" }
        else if isPointwise { text = "pointwise 1x1" }
        else { text = "\(kh)x\(kw) conv" }
        if conv.strides != [1, 1] {
            text += conv.strides[0] == conv.strides[1] ? " stride \(conv.strides[0])" : " stride \(conv.strides[0])x\(conv.strides[1])"
        }
        if conv.dilations != [1, 1] { text += " dilation \(conv.dilations[0])" }
        return text
    }

    /// The per-slot layouts of a conv kernel reading X in `input`: the residual in the output's
    /// layout, weights and the gate (one pixel) in any.
    func slots(_ query: KernelQuery, input: Layout, output: Layout) -> [Layout?] {
        var slots = [Layout?](repeating: nil, count: query.inputs.count)
        slots[0] = input
        if let r = residualSlot { slots[r] = output }
        return slots
    }

    /// What the epilogue costs beyond the kernel: a residual the kernel cannot add after the
    /// activation (`residual_first` with an activation) takes a pass of its own.
    func epilogueCost(_ query: KernelQuery, fusesResidual: Bool) -> Double {
        hasResidual && !fusesResidual ? query.elements / Double(query.isa.vectorWidth) : 0
    }

    /// Whether the GEMM's epilogue (bias, activation, then + residual) adds the residual itself.
    var gemmFusesResidual: Bool { hasResidual && KernelCatalog.fusesResidual(kernel: KernelCatalog.gemm.name, of: op) }
}

extension KernelCatalog {
    /// Input channels up to which the direct (stem) conv runs a group-1 conv.
    public static let stemMaxInputChannels = 8

    public static let gemm: KernelEntry = KernelEntry(
        name: "f32_gemm_bias_act",
        summary: "C[p][n] = act(bias + A[p][:] · W[:][n]) + R[p][n]: 1×1 convs over NHWC rows, fully connected layers",
        parameters: sizes("p", "k", "n") + [.init("a", .reads)] + sizes("lda") + [.init("packed", .reads), .init("c", .writes)]
            + sizes("ldc") + [.init("r", .reads)] + sizes("ldr") + [.init("act", .activation)],
        weightPacking: "OHWI-panel16", split: ["p", "n"],
        match: { entry, q in
            if case .dense = q.computation { return denseCandidates(entry, q) }
            guard let s = ConvShape(q), s.constantWeights, s.isPointwise, !s.op.gated else { return [] }
            return [KernelCandidate(entry: entry, inputs: s.slots(q, input: .nhwc, output: .nhwc), output: .nhwc,
                                    reason: "\(s.description), \(s.c)→\(s.m) channels: GEMM over NHWC rows",
                                    cost: s.macs / q.lanes(s.m, efficiency: 0.9) + s.epilogueCost(q, fusesResidual: s.gemmFusesResidual))]
        })

    public static let gatedGEMM: KernelEntry = KernelEntry(
        name: "f32_gemm_gated_bias_act",
        summary: "the GEMM of A scaled per channel by a squeeze-excite gate (applied once per image to A or to the weights, whichever is smaller)",
        parameters: sizes("images", "hw", "k", "n") + [.init("a", .reads)] + sizes("lda")
            + [.init("gate", .reads), .init("packed", .reads), .init("scratch", .writes), .init("c", .writes)]
            + sizes("ldc") + [.init("r", .reads)] + sizes("ldr") + [.init("act", .activation)],
        weightPacking: "OHWI-panel16", split: ["hw", "n"],
        match: { entry, q in
            guard let s = ConvShape(q), s.op.gated, fusesGate(s) else { return [] }
            let scalesA = gateScalesActivations(hw: s.h * s.w, k: s.c, n: s.m)
            let scaling = Double(s.n * s.c * (scalesA ? s.h * s.w : s.m)) / Double(q.isa.vectorWidth)
            return [KernelCandidate(entry: entry, inputs: s.slots(q, input: .nhwc, output: .nhwc), output: .nhwc,
                                    reason: "\(s.description), \(s.c)→\(s.m) channels, squeeze-excite gate applied to \(scalesA ? "the activations" : "the weights"): GEMM over NHWC rows",
                                    cost: s.macs / q.lanes(s.m, efficiency: 0.9) + scaling + s.epilogueCost(q, fusesResidual: s.gemmFusesResidual))]
        })

    /// Whether the gated GEMM applies the gate to its activations (hw rows of K) rather than to its
    /// packed weight: whichever is smaller, as the kernel decides (`kiln_gemm_gate_scales_a_`).
    static func gateScalesActivations(hw: Int, k: Int, n: Int) -> Bool {
        hw * k < (n + 15) / 16 * 16 * (k + 1)
    }

    /// Whether a squeeze-excite gate can be folded into this conv: the gated GEMM runs it.
    static func fusesGate(_ s: ConvShape) -> Bool { s.constantWeights && s.isPointwise }

    public static let depthwise: KernelEntry = KernelEntry(
        name: "f32_dwconv_bias_act",
        summary: "depthwise kh×kw conv over NHWC, vectorized over channels, any stride, padding and dilation",
        parameters: sizes("n", "h", "w", "c") + [.init("in", .reads)] + sizes("oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")
            + [.init("packed", .reads), .init("out", .writes), .init("act", .activation)],
        weightPacking: "HWC-depthwise", split: ["oh", "c"],
        match: { entry, q in
            guard let s = ConvShape(q), s.constantWeights, s.isDepthwise, !s.op.gated else { return [] }
            return [KernelCandidate(entry: entry, inputs: s.slots(q, input: .nhwc, output: .nhwc), output: .nhwc,
                                    reason: "\(s.description), \(s.c) channels: vectorized over NHWC channels",
                                    cost: s.macs / q.lanes(s.c, efficiency: 0.5) + s.epilogueCost(q, fusesResidual: false))]
        })

    public static let direct: KernelEntry = KernelEntry(
        name: "f32_conv_direct_bias_act",
        summary: "direct conv for few input channels (the stem): reads NCHW or NHWC, writes NHWC, vectorized over output channels",
        parameters: sizes("n", "cin", "h", "w") + [.init("in", .reads)]
            + sizes("isn", "isc", "ish", "isw", "cout", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")
            + [.init("packed", .reads), .init("out", .writes), .init("act", .activation)],
        weightPacking: "HWIO-panel16", split: ["oh"],
        match: { entry, q in
            guard let s = ConvShape(q), s.constantWeights, s.isStem, !s.op.gated else { return [] }
            let cost = s.macs / q.lanes(s.m, efficiency: 0.6) + s.epilogueCost(q, fusesResidual: false)
            let channels = "\(s.c) input channel\(s.c == 1 ? "" : "s")"
            return [Layout.nchw, .nhwc].map { layout in
                KernelCandidate(entry: entry, inputs: s.slots(q, input: layout, output: .nhwc), output: .nhwc,
                                reason: "\(s.description), \(channels): direct conv reads \(layout.rawValue), writes NHWC",
                                cost: cost)
            }
        })

    public static let genericConv: KernelEntry = KernelEntry(
        name: "f32_conv_generic_bias_act",
        summary: "any grouped conv, scalar loops: reads NCHW or NHWC, writes NHWC (the fallback; weights may be computed at run time)",
        parameters: sizes("n", "cin", "h", "w") + [.init("in", .reads)]
            + sizes("isn", "isc", "ish", "isw", "cout", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl", "groups")
            + [.init("weight", .reads), .init("bias", .reads), .init("out", .writes), .init("act", .activation)],
        weightPacking: "OIHW", split: ["oh"],
        match: { entry, q in
            guard let s = ConvShape(q), !s.op.gated else { return [] }
            let reason = "\(s.description), \(s.c)→\(s.m) channels: generic conv (\(whyGeneric(s)))"
            return [Layout.nchw, .nhwc].map { layout in
                KernelCandidate(entry: entry, inputs: s.slots(q, input: layout, output: .nhwc), output: .nhwc,
                                reason: reason + ", reads \(layout.rawValue)", cost: s.macs + s.epilogueCost(q, fusesResidual: false))
            }
        })

    /// Why no vectorized kernel takes a conv, for the generic conv's reason.
    static func whyGeneric(_ s: ConvShape) -> String {
        if s.kh == 1 && s.kw == 1 && s.conv.group == 1 && !s.isPointwise {
            return "the GEMM needs stride 1 and no padding"
        }
        if !s.constantWeights { return "weights computed at run time" }
        if s.isPointwise || s.isDepthwise || s.isStem { return "cheaper than the vectorized kernel with its reorders" }
        if s.conv.group > 1 {
            return s.conv.group == s.c ? "depthwise with channel multiplier \(s.m / max(s.c, 1))" : "group \(s.conv.group)"
        }
        return "\(s.c) input channels: more than the direct conv's \(stemMaxInputChannels)"
    }
}
