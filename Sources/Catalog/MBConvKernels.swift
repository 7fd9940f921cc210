import IR

extension KernelCatalog {
    /// The expanded tensor size from which `fuse-expand-depthwise` fuses an expand conv into the
    /// depthwise conv reading it: 1 MiB. Measured on EfficientNet-B0's blocks (`scripts/bench-kernels.sh`,
    /// `kernels_bench_mbconv.c`: interleaved rounds, AVX-512, one core with a 1.25 MiB L2), the fused
    /// kernel takes 0.66–0.72 of the two kernels' time at 112×112×96 (4.8 MB expanded) and 0.85–0.93 at
    /// 56×56×144 (1.8 MB), but 0.97–1.04 from 28×28×240 (750 KB) down to 7×7×1152 (225 KB): a tensor
    /// that small stays in L2 between the two kernels anyway, and what the fusion adds (rows copied
    /// between bands, the GEMM on a few rows at a time) is then not paid back.
    public static let expandDepthwiseMinimumBytes = 1 << 20

    public static let expandDepthwise: KernelEntry = KernelEntry(
        name: "f32_expand_dwconv_bias_act",
        summary: "an MBConv's expand 1×1 conv and depthwise conv in bands of output rows, the expanded rows in an L2-sized scratch (never whole)",
        parameters: sizes("n", "h", "w", "cin") + [.init("in", .reads)] + sizes("c")
            + [.init("packed_expand", .reads), .init("act_expand", .activation)]
            + sizes("oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")
            + [.init("packed", .reads), .init("out", .writes), .init("act", .activation), .init("scratch", .writes)],
        weightPacking: "OHWI-panel16+HWC-depthwise", split: "oh",
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
    /// run fused: the kernel runs it, and the expanded tensor is large enough for it to pay
    /// (`expandDepthwiseMinimumBytes`).
    public static func fusesExpandDepthwise(_ query: KernelQuery) -> Bool {
        guard let s = ExpandDepthwiseShape(query), !expandDepthwise.candidates(for: query).isEmpty else { return false }
        return s.expandedBytes >= expandDepthwiseMinimumBytes
    }
}

/// An `ExpandDepthwise` node as its kernel sees it.
struct ExpandDepthwiseShape {
    let cin: Int, c: Int, kh: Int, kw: Int, sh: Int
    let expandMACs: Double, depthwiseMACs: Double
    let expandedBytes: Int

    init?(_ query: KernelQuery) {
        guard case .expandDepthwise(let op) = query.computation, query.inputs.count == 5,
              query.constant[1...4].allSatisfy({ $0 }), query.output.elementType == .float32 else { return nil }
        let x = query.inputs[0].shape, wd = query.inputs[3].shape, y = query.output.shape
        guard x.count == 4, wd.count == 4, y.count == 4 else { return nil }
        (cin, c, kh, kw, sh) = (x[1], y[1], wd[2], wd[3], op.depthwise.strides[0])
        expandMACs = Double(x[0] * x[2] * x[3] * cin * c)
        depthwiseMACs = Double(query.output.elementCount * kh * kw)
        expandedBytes = x[0] * c * x[2] * x[3] * 4
    }
}
