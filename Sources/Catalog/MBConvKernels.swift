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

    /// The parameters the expand + depthwise kernels share, up to the depthwise weight: the input, the
    /// expand conv, the depthwise geometry.
    private static let expandDepthwiseHead: [KernelParameter] = sizes("n", "h", "w", "cin") + [.init("in", .reads)] + sizes("c")
        + [.init("packed_expand", .reads), .init("act_expand", .activation)]
        + sizes("oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")
    /// ... and the stem + depthwise kernels: the image through its strides, the direct conv and its geometry.
    private static let convDepthwiseHead: [KernelParameter] = sizes("n", "cin", "h", "w") + [.init("in", .reads)]
        + sizes("isn", "isc", "ish", "isw", "c") + [.init("packed_conv", .reads)]
        + sizes("ckh", "ckw", "csh", "csw", "cdh", "cdw", "cpt", "cpl") + [.init("act_conv", .activation)]
        + sizes("eh", "ew", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")
    /// The parameters after the head when the project conv follows.
    private static let projectTail: [KernelParameter] = [.init("packed", .reads), .init("act", .activation)] + sizes("cout")
        + [.init("packed_project", .reads), .init("out", .writes), .init("r", .reads), .init("act_project", .activation),
           .init("scratch", .writes)]

    public static let expandDepthwise: KernelEntry = KernelEntry(
        name: "f32_expand_dwconv_bias_act",
        summary: "an MBConv's expand 1×1 conv and depthwise conv in bands of output rows, the expanded rows in an L2-sized scratch (never whole)",
        parameters: expandDepthwiseHead + [.init("packed", .reads), .init("out", .writes), .init("act", .activation),
                                           .init("scratch", .writes)],
        weightPacking: "OHWI-panel16+HWC-depthwise", split: ["oh"],
        match: { entry, q in
            guard let s = ExpandDepthwiseShape(q), s.pointwise, !s.projects else { return [] }
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
        parameters: convDepthwiseHead + [.init("packed", .reads), .init("out", .writes), .init("act", .activation),
                                         .init("scratch", .writes)],
        weightPacking: "HWIO-panel16+HWC-depthwise", split: ["oh"],
        match: { entry, q in
            guard let s = ExpandDepthwiseShape(q), !s.pointwise, !s.projects, s.cin <= stemMaxInputChannels else { return [] }
            return [Layout.nchw, .nhwc].map { layout in
                KernelCandidate(entry: entry, inputs: [layout, nil, nil, nil, nil], output: .nhwc,
                                reason: "\(s.ekh)x\(s.ekw) conv of \(s.cin) channels (reads \(layout.rawValue)) then depthwise \(s.kh)x\(s.kw): "
                                    + "the \(s.expandedBytes / 1024) KiB conv output computed band by band in an L2-sized scratch",
                                cost: s.cost(q))
            }
        })

    /// The largest project weight `fuse-depthwise-project` fuses: 64 KiB, as for the expand weight
    /// (the fused kernel runs the project GEMM on one output row at a time against the whole weight).
    /// EfficientNet-Lite0's fused blocks have 9–23 KiB, MobileNetV3's 6–7 KiB.
    public static let depthwiseProjectMaximumWeightBytes = 64 << 10

    /// `expandDepthwise` with the block's 1×1 project conv: each depthwise output row, in L1, through
    /// the project GEMM (and the residual) as it is computed. Measured on this machine (AMD Zen 4, one
    /// thread): EfficientNet-Lite0's 56×56×144 stride-1 block at 0.92 of `expandDepthwise` and the
    /// project GEMM apart in a whole program (`--profile`); hot in kernels_bench_mbconv.c 0.99–1.00
    /// on Lite0's blocks (the 32 MiB L3 holds the depthwise output there).
    public static let expandDepthwiseProject: KernelEntry = KernelEntry(
        name: "f32_expand_dwconv_project_bias_act",
        summary: "an MBConv block without squeeze-excite (expand 1×1, depthwise, project 1×1 and the residual) in bands of output rows: the expanded rows in an L2-sized scratch, each depthwise output row projected from L1",
        parameters: expandDepthwiseHead + projectTail,
        weightPacking: "OHWI-panel16+HWC-depthwise+OHWI-panel16", split: ["oh"],
        match: { entry, q in
            guard let s = ExpandDepthwiseShape(q), s.pointwise, s.projects else { return [] }
            return [KernelCandidate(entry: entry, inputs: s.slots(q, input: .nhwc), output: .nhwc,
                                    reason: "expand 1x1 \(s.cin)→\(s.c) channels, depthwise \(s.kh)x\(s.kw)\(s.sh > 1 ? " stride \(s.sh)" : ""), project 1x1 →\(s.cout)\(s.residual ? " + residual" : ""): "
                                        + "neither the \(s.expandedBytes / 1024) KiB expanded tensor nor the depthwise output ever whole",
                                    cost: s.cost(q))]
        })

    /// `convDepthwise` with the first block's project conv (EfficientNet-Lite's and MobileNetV2's
    /// first block: no expand conv, no squeeze-excite).
    public static let convDepthwiseProject: KernelEntry = KernelEntry(
        name: "f32_conv_dwconv_project_bias_act",
        summary: "the stem's direct conv, the first depthwise conv and the first block's project 1×1 conv in bands of output rows, neither the conv's output nor the depthwise output ever whole",
        parameters: convDepthwiseHead + projectTail,
        weightPacking: "HWIO-panel16+HWC-depthwise+OHWI-panel16", split: ["oh"],
        match: { entry, q in
            guard let s = ExpandDepthwiseShape(q), !s.pointwise, s.projects, s.cin <= stemMaxInputChannels else { return [] }
            return [Layout.nchw, .nhwc].map { layout in
                KernelCandidate(entry: entry, inputs: s.slots(q, input: layout), output: .nhwc,
                                reason: "\(s.ekh)x\(s.ekw) conv of \(s.cin) channels (reads \(layout.rawValue)), depthwise \(s.kh)x\(s.kw), project 1x1 →\(s.cout)\(s.residual ? " + residual" : ""): "
                                    + "neither the \(s.expandedBytes / 1024) KiB conv output nor the depthwise output ever whole",
                                cost: s.cost(q))
            }
        })

    /// Whether the ExpandDepthwise with a projection `query` describes should run fused: one of the
    /// two kernels runs it, and the project weight is small enough for every output row to read it
    /// from L1 or L2 (`depthwiseProjectMaximumWeightBytes`).
    public static func fusesDepthwiseProject(_ query: KernelQuery) -> Bool {
        guard let s = ExpandDepthwiseShape(query), s.projects,
              !expandDepthwiseProject.candidates(for: query).isEmpty || !convDepthwiseProject.candidates(for: query).isEmpty
        else { return false }
        return s.projectWeightBytes <= depthwiseProjectMaximumWeightBytes
    }

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
    /// Whether the node has the project conv (to `cout` channels) and a residual.
    let projects: Bool, cout: Int, residual: Bool
    let expandMACs: Double, depthwiseMACs: Double, projectMACs: Double
    let expandedBytes: Int
    let expandWeightBytes: Int, projectWeightBytes: Int

    init?(_ query: KernelQuery) {
        guard case .expandDepthwise(let op) = query.computation,
              (op.projectActivation == nil ? 5...5 : 7...8).contains(query.inputs.count),
              query.constant[1..<min(query.inputs.count, 7)].allSatisfy({ $0 }), query.output.elementType == .float32,
              let e = try? op.expandedType(query.inputs), let d = try? op.depthwiseType(query.inputs) else { return nil }
        let x = query.inputs[0].shape, we = query.inputs[1].shape, wd = query.inputs[3].shape, y = d.shape
        guard x.count == 4, we.count == 4, wd.count == 4, y.count == 4, e.rank == 4, query.output.rank == 4 else { return nil }
        (cin, c, kh, kw, sh, sw) = (x[1], y[1], wd[2], wd[3], op.depthwise.strides[0], op.depthwise.strides[1])
        (ekh, ekw) = (we[2], we[3])
        pointwise = op.expandIsPointwise(weights: query.inputs[1])
        (projects, cout) = (op.projectActivation != nil, query.output.shape[1])
        residual = op.residualSlot(inputCount: query.inputs.count) != nil
        expandMACs = Double(e.elementCount * cin * ekh * ekw)
        depthwiseMACs = Double(d.elementCount * kh * kw)
        projectMACs = projects ? Double(query.output.elementCount * c) : 0
        expandedBytes = c * e.shape[2] * e.shape[3] * 4 // one image's: the kernel works image by image
        expandWeightBytes = cin * c * ekh * ekw * 4
        projectWeightBytes = projects ? c * cout * 4 : 0
    }

    /// The layouts of the node's inputs: X in `input`, the residual NHWC as the output, weights none.
    func slots(_ query: KernelQuery, input: Layout) -> [Layout?] {
        var slots = [Layout?](repeating: nil, count: query.inputs.count)
        slots[0] = input
        if residual { slots[7] = .nhwc }
        return slots
    }

    /// The convs as the unfused kernels cost them; what the fusion saves is memory traffic (the
    /// expanded tensor and the depthwise output), which `work` shows in bytes.
    func cost(_ q: KernelQuery) -> Double {
        expandMACs / q.lanes(c, efficiency: pointwise ? 0.9 : 0.6) + depthwiseMACs / q.lanes(c, efficiency: 0.5)
            + projectMACs / q.lanes(cout, efficiency: 0.9) // 0 without a projection
    }
}
