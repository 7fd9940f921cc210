import IR

extension KernelCatalog {
    /// The expanded tensor size from which `fuse-expand-depthwise` fuses an expand conv into the
    /// depthwise conv reading it: 2 MiB, which in EfficientNet and MobileNetV3 means the blocks at
    /// 112×112 (B1: 120×120), whose expanded tensor (3–5 MB) goes through L3 or memory unfused.
    /// Measured in whole programs (`--profile`, interleaved with the unfused program, medians; AVX-512,
    /// one core with a 1.25 MiB L2), fused / unfused time of the nodes: 0.87 for tv_b0's 112×112×96
    /// block and 0.61 for mnv3's 112×112×64 one, but 1.06–1.38 for the blocks at 56×56 and 28×28
    /// (1.7 MiB and 0.7 MiB expanded) and 1.02 at 14×14×672. `kernels_bench_mbconv.c` agrees from
    /// 28×28 down (1.13–1.19) and finds 0.88–0.92 at 56×56×144, which whole programs do not show:
    /// there the unfused kernels, specialized for their shapes, are faster than the fused kernel's
    /// out-of-line stages (see kiln_kernels_mbconv.h), and the tensors they pass stay mostly in L2.
    public static let expandDepthwiseMinimumBytes = 2 << 20

    /// The largest expand weight `fuse-expand-depthwise` fuses: 64 KiB. Every band of output rows
    /// runs the expand GEMM on its few new rows against the whole weight, so the weight is read once
    /// per band, where the unfused GEMM reads it once for all rows. Measured on EfficientNet-B7 (one
    /// thread, `--profile`, fused against apart): stride-2 blocks with 24 and 55 KiB weights ran fused
    /// at 0.83 and 0.95 of the two kernels apart, with 154 KiB at 1.07, and up to 1.65 with larger ones
    /// (the last stage's 9.4 MiB weight, read by all 19 bands: 27.7 ms fused, 21.8 ms apart).
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
            guard let s = ExpandDepthwiseShape(q) else { return [] }
            // The expand GEMM and the depthwise conv as the unfused kernels cost them; what the fusion
            // saves is memory traffic (the expanded tensor), which `work` shows in bytes.
            let cost = s.expandMACs / q.lanes(s.c, efficiency: 0.9) + s.depthwiseMACs / q.lanes(s.c, efficiency: 0.5)
            return [KernelCandidate(entry: entry, inputs: [.nhwc, nil, nil, nil, nil], output: .nhwc,
                                    reason: "expand 1x1 \(s.cin)→\(s.c) channels then depthwise \(s.kh)x\(s.kw)\(s.sh > 1 ? " stride \(s.sh)" : ""): "
                                        + "the \(s.expandedBytes / 1024) KiB expanded tensor computed band by band in an L2-sized scratch",
                                    cost: cost)]
        })

    /// Whether the expand conv and depthwise conv `query` describes as one `ExpandDepthwise` should
    /// run fused: the kernel runs it, the depthwise conv has stride 2 (its input, the expanded
    /// tensor, four times its output), the expanded tensor is large enough for the fusion to pay
    /// (`expandDepthwiseMinimumBytes`), and the expand weight small enough for every band to read it
    /// from cache (`expandDepthwiseMaximumWeightBytes`). At stride 1 the two kernels apart were as
    /// fast or faster wherever measured: B0's 56×56 and 28×28 blocks (1.06–1.38 fused / apart) and B7's 150×150
    /// ones (0.96–1.27, five blocks of six slower fused).
    public static func fusesExpandDepthwise(_ query: KernelQuery) -> Bool {
        guard let s = ExpandDepthwiseShape(query), !expandDepthwise.candidates(for: query).isEmpty else { return false }
        return s.sh >= 2 && s.sw >= 2 && s.expandedBytes >= expandDepthwiseMinimumBytes
            && s.expandWeightBytes <= expandDepthwiseMaximumWeightBytes
    }
}

/// An `ExpandDepthwise` node as its kernel sees it.
struct ExpandDepthwiseShape {
    let cin: Int, c: Int, kh: Int, kw: Int, sh: Int, sw: Int
    let expandMACs: Double, depthwiseMACs: Double
    let expandedBytes: Int
    let expandWeightBytes: Int

    init?(_ query: KernelQuery) {
        guard case .expandDepthwise(let op) = query.computation, query.inputs.count == 5,
              query.constant[1...4].allSatisfy({ $0 }), query.output.elementType == .float32 else { return nil }
        let x = query.inputs[0].shape, wd = query.inputs[3].shape, y = query.output.shape
        guard x.count == 4, wd.count == 4, y.count == 4 else { return nil }
        (cin, c, kh, kw, sh, sw) = (x[1], y[1], wd[2], wd[3], op.depthwise.strides[0], op.depthwise.strides[1])
        expandMACs = Double(x[0] * x[2] * x[3] * cin * c)
        depthwiseMACs = Double(query.output.elementCount * kh * kw)
        expandedBytes = c * x[2] * x[3] * 4 // one image's: the kernel works image by image
        expandWeightBytes = cin * c * 4
    }
}
