extension KilnKernels {
    /// `KILN_EXPAND_DW_SCRATCH_BYTES` (kiln_kernels_layout.h): the bytes of expanded rows one band
    /// keeps in scratch (why 384 KiB: see there).
    static var expandDepthwiseScratchBytes: Int { 384 * 1024 }

    /// Output rows per band (`kiln_expand_dwconv_band_rows`): as many as keep the band's expanded
    /// rows within `expandDepthwiseScratchBytes`, at least 1, at most oh.
    public static func expandDepthwiseBandRows(w: Int, c: Int, oh: Int, kh: Int, sh: Int, dh: Int) -> Int {
        let row: Int = w * c * 4, span: Int = (kh - 1) * dh + 1
        let fit: Int = row > 0 ? expandDepthwiseScratchBytes / row : 0
        let band: Int = fit > span ? (fit - span) / sh + 1 : 1
        return band < oh ? band : Swift.max(oh, 1)
    }

    /// Floats of scratch one band call needs (`kiln_expand_dwconv_scratch_floats`).
    public static func expandDepthwiseScratchFloats(h: Int, w: Int, c: Int, oh: Int, kh: Int, sh: Int, dh: Int) -> Int {
        let rows: Int = (expandDepthwiseBandRows(w: w, c: c, oh: oh, kh: kh, sh: sh, dh: dh) - 1) * sh + (kh - 1) * dh + 1
        return Swift.min(rows, h) * w * c
    }

    /// An MBConv's expand 1×1 conv (cin → c channels, `packed_expand` as the GEMM's) and the depthwise
    /// conv reading it (`packed` as the depthwise kernel's), NHWC, without the expanded tensor: per
    /// image, `f32_expand_dwconv_band` over all output rows. `scratch`: `expandDepthwiseScratchFloats`.
    @inline(never)
    public static func f32_expand_dwconv_bias_act(n: Int, h: Int, w: Int, cin: Int, in input: UnsafePointer<Float>, c: Int,
                                                  packed_expand: UnsafePointer<Float>, act_expand: KilnActivation,
                                                  oh: Int, ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int,
                                                  pt: Int, pl: Int, packed: UnsafePointer<Float>,
                                                  out: UnsafeMutablePointer<Float>, act: KilnActivation,
                                                  scratch: UnsafeMutablePointer<Float>) {
        for b in 0..<n {
            f32_expand_dwconv_band(h: h, w: w, cin: cin, in: input + b * h * w * cin, c: c, packed_expand: packed_expand,
                                   act_expand: act_expand, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw,
                                   pt: pt, pl: pl, packed: packed, out: out + b * oh * ow * c, act: act, oy0: 0, oy1: oh,
                                   scratch: scratch)
        }
    }

    /// Output rows [oy0, oy1) of one image, band after band, as the C kernel (kiln_kernels_mbconv.h):
    /// each band's expanded rows (the rows its taps reach) by the GEMM into `scratch`, the rows it
    /// shares with the previous band moved to the top instead of computed again, then the band as a
    /// depthwise conv of its own over those rows (`h` and `pt` shifted, so every output row keeps its
    /// taps).
    public static func f32_expand_dwconv_band(h: Int, w: Int, cin: Int, in input: UnsafePointer<Float>, c: Int,
                                              packed_expand: UnsafePointer<Float>, act_expand: KilnActivation, oh: Int,
                                              ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int,
                                              pl: Int, packed: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                              act: KilnActivation, oy0: Int, oy1: Int,
                                              scratch: UnsafeMutablePointer<Float>) {
        let band: Int = expandDepthwiseBandRows(w: w, c: c, oh: oh, kh: kh, sh: sh, dh: dh), row: Int = w * c
        var heldLo: Int = 0, heldHi: Int = 0  // expanded rows [heldLo, heldHi) are in scratch, from its start
        var y0: Int = oy0
        while y0 < oy1 {
            let y1: Int = Swift.min(y0 + band, oy1)
            let top: Int = y0 * sh - pt, bottom: Int = (y1 - 1) * sh + (kh - 1) * dh + 1 - pt
            let hi: Int = Swift.min(Swift.max(bottom, 0), h), lo: Int = Swift.min(Swift.max(top, 0), hi)
            let kept: Int = heldHi > lo ? Swift.min(heldHi, hi) - lo : 0
            if kept > 0 && lo > heldLo { scratch.update(from: scratch + (lo - heldLo) * row, count: kept * row) }
            if hi > lo + kept {
                f32_gemm_bias_act(p: (hi - lo - kept) * w, k: cin, n: c, a: input + (lo + kept) * w * cin, lda: cin,
                                  packed: packed_expand, c: scratch + kept * row, ldc: c, r: nil, ldr: 0, act: act_expand)
            }
            (heldLo, heldHi) = (lo, hi)
            f32_dwconv_bias_act(n: 1, h: hi - lo, w: w, c: c, in: UnsafePointer(scratch), oh: y1 - y0, ow: ow, kh: kh, kw: kw,
                                sh: sh, sw: sw, dh: dh, dw: dw, pt: pt + lo - y0 * sh, pl: pl, packed: packed,
                                out: out + y0 * ow * c, act: act)
            y0 = y1
        }
    }
}
