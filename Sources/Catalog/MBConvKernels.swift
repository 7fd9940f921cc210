import IR

extension KernelCatalog {
    /// The expanded tensor size from which `fuse-expand-depthwise` fuses an expand conv into the
    /// depthwise conv reading it: 768 KiB, with the block's input and the depthwise output more than
    /// the core's L2 (1.25 MiB here), past which the unfused expanded tensor goes through L3 or memory.
    /// In EfficientNet-B0 the blocks at 112×112 and 56×56 (4.6 and 1.7 MiB expanded), not those at
    /// 28×28 (735 KiB) and below; in MobileNetV3 also the 56×56×72 blocks (882 KiB).
    /// Measured in whole programs (`--profile`, interleaved, medians of per-round ratios, against the
    /// same program's unfused blocks as control; AVX-512, one thread), after the fused kernel computes
    /// its expanded rows one image row at a time (kiln_kernels_mbconv.h): tv_b0's 56×56×144 stride-1
    /// block at 0.88 of the two kernels apart, the 56×56 → 28×28 stride-2 one at 0.94, the 28×28
    /// ones at 1.00 and 1.02 (no gain: their 0.7 MiB stay in L2 apart too); mnv3's 56×56×72 blocks
    /// (stride 1, and stride 2 into the first squeeze-excite block) at 0.88 and 0.93, the whole run
    /// 0.987 at one thread and 0.975 at two (21 and 15 rounds), when the limit went from 1 MiB to
    /// 768 KiB. Before the row-by-row GEMM the fused kernel ran its GEMM on a band's varying row
    /// count, with tiles chosen at run time, and was slower than the kernels apart everywhere but at
    /// 112×112 (1.06–1.38 at 56×56 and 28×28). keras_b1's 30×30×240 blocks (844 KiB) fused with the
    /// new limit too: expand and depthwise together 0.84, 0.85 and 0.97 of their time (15 rounds).
    public static let expandDepthwiseMinimumBytes = 768 << 10

    /// The largest expand weight `fuse-expand-depthwise` fuses: 64 KiB. The fused kernel runs the
    /// expand GEMM on one image row at a time against the whole weight, so the weight is read once
    /// per row, where the unfused GEMM reads it once per tile of rows: from L1 or L2 when it is small.
    /// Measured on EfficientNet-B7 (one thread, `--profile`, fused against apart) when the GEMM ran
    /// once per band: stride-2 blocks with 24 and 55 KiB weights ran fused at 0.83 and 0.95 of the two
    /// kernels apart, with 154 KiB at 1.07, and up to 1.65 with larger ones (the last stage's 9.4 MiB
    /// weight, read by all 19 bands: 27.7 ms fused, 21.8 ms apart). Not measured again since.
    public static let expandDepthwiseMaximumWeightBytes = 64 << 10

    public static let expandDepthwise: KernelEntry = KernelEntry(
        name: "f32_expand_dwconv_bias_act",
        summary: "an MBConv's expand 1×1 conv and depthwise conv in bands of output rows, the expanded rows in an L2-sized scratch (never whole)",
        parameters: sizes("n", "h", "w", "cin") + [.init("in", .reads)] + sizes("c")
            + [.init("packed_expand", .reads), .init("act_expand", .activation)]
            + sizes("oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")
            + [.init("packed", .reads), .init("out", .writes), .init("act", .activation), .init("scratch", .writes)],
        weightPacking: "OHWI-panel16+HWC-depthwise", split: ["oh"],
        match: { entry, q in
            guard let s = ExpandDepthwiseShape(q), s.pointwise else { return [] }
            return [KernelCandidate(entry: entry, inputs: [.nhwc, nil, nil, nil, nil], output: .nhwc,
                                    reason: "expand 1x1 \(s.cin)→\(s.c) channels then depthwise \(s.kh)x\(s.kw)\(s.sh > 1 ? " stride \(s.sh)" : ""): "
                                        + "the \(s.expandedBytes / 1024) KiB expanded tensor computed band by band in an L2-sized scratch",
                                    cost: s.cost(q))]
        })

    /// The stem's direct conv and the depthwise conv reading it, as `expandDepthwise` with the first
    /// stage the direct conv (`direct`) of one output row at a time: in EfficientNet-B0 the 1.5 MiB
    /// 112×112×32 stem output never goes to memory and back. Measured in whole programs (one thread,
    /// 15 interleaved rounds, bit-identical outputs): tv_b0 0.97 and lite0 0.94 of their time. (Not in
    /// MobileNetV3: its first block adds the stem's output back as its residual, and that 16-channel
    /// output is under `expandDepthwiseMinimumBytes` anyway.)
    public static let convDepthwise: KernelEntry = KernelEntry(
        name: "f32_conv_dwconv_bias_act",
        summary: "the stem's direct conv and the depthwise conv reading it, in bands of output rows, the conv's rows in an L2-sized scratch (never whole)",
        parameters: sizes("n", "cin", "h", "w") + [.init("in", .reads)] + sizes("isn", "isc", "ish", "isw", "c")
            + [.init("packed_conv", .reads)] + sizes("ckh", "ckw", "csh", "csw", "cdh", "cdw", "cpt", "cpl")
            + [.init("act_conv", .activation)] + sizes("eh", "ew", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")
            + [.init("packed", .reads), .init("out", .writes), .init("act", .activation), .init("scratch", .writes)],
        weightPacking: "HWIO-panel16+HWC-depthwise", split: ["oh"],
        match: { entry, q in
            guard let s = ExpandDepthwiseShape(q), !s.pointwise, s.cin <= stemMaxInputChannels else { return [] }
            return [Layout.nchw, .nhwc].map { layout in
                KernelCandidate(entry: entry, inputs: [layout, nil, nil, nil, nil], output: .nhwc,
                                reason: "\(s.ekh)x\(s.ekw) conv of \(s.cin) channels (reads \(layout.rawValue)) then depthwise \(s.kh)x\(s.kw): "
                                    + "the \(s.expandedBytes / 1024) KiB conv output computed band by band in an L2-sized scratch",
                                cost: s.cost(q))
            }
        })

    /// Whether the first conv and depthwise conv `query` describes as one `ExpandDepthwise` should
    /// run fused: one of the two kernels runs it (`expandDepthwise` for a 1×1 expand conv,
    /// `convDepthwise` for a stem), the expanded tensor is large enough for the fusion to pay
    /// (`expandDepthwiseMinimumBytes`), and the expand weight small enough for every band to read it
    /// from cache (`expandDepthwiseMaximumWeightBytes`).
    public static func fusesExpandDepthwise(_ query: KernelQuery) -> Bool {
        guard let s = ExpandDepthwiseShape(query),
              !expandDepthwise.candidates(for: query).isEmpty || !convDepthwise.candidates(for: query).isEmpty
        else { return false }
        return s.expandedBytes >= expandDepthwiseMinimumBytes && s.expandWeightBytes <= expandDepthwiseMaximumWeightBytes
    }
}

/// An `ExpandDepthwise` node as its kernel sees it.
struct ExpandDepthwiseShape {
    let cin: Int, c: Int, kh: Int, kw: Int, sh: Int, sw: Int
    /// The first conv's kernel size; whether it is a 1×1, stride-1 expand (the GEMM) rather than a k×k conv.
    let ekh: Int, ekw: Int, pointwise: Bool
    let expandMACs: Double, depthwiseMACs: Double
    let expandedBytes: Int
    let expandWeightBytes: Int

    init?(_ query: KernelQuery) {
        guard case .expandDepthwise(let op) = query.computation, query.inputs.count == 5,
              query.constant[1...4].allSatisfy({ $0 }), query.output.elementType == .float32,
              let e = try? op.expandedType(query.inputs) else { return nil }
        let x = query.inputs[0].shape, we = query.inputs[1].shape, wd = query.inputs[3].shape, y = query.output.shape
        guard x.count == 4, we.count == 4, wd.count == 4, y.count == 4, e.rank == 4 else { return nil }
        (cin, c, kh, kw, sh, sw) = (x[1], y[1], wd[2], wd[3], op.depthwise.strides[0], op.depthwise.strides[1])
        (ekh, ekw) = (we[2], we[3])
        pointwise = op.expandIsPointwise(weights: query.inputs[1])
        expandMACs = Double(e.elementCount * cin * ekh * ekw)
        depthwiseMACs = Double(query.output.elementCount * kh * kw)
        expandedBytes = c * e.shape[2] * e.shape[3] * 4 // one image's: the kernel works image by image
        expandWeightBytes = cin * c * ekh * ekw * 4
    }

    /// The first conv and the depthwise conv as the unfused kernels cost them; what the fusion saves
    /// is memory traffic (the expanded tensor), which `work` shows in bytes.
    func cost(_ q: KernelQuery) -> Double {
        expandMACs / q.lanes(c, efficiency: pointwise ? 0.9 : 0.6) + depthwiseMACs / q.lanes(c, efficiency: 0.5)
    }
}
