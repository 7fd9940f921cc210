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

    /// With the project conv fused too (`kiln_dwconv_project_row_offset`): one depthwise output row
    /// (ow × c floats) after the band's rows, from a multiple of 16 floats.
    static func dwconvProjectRowOffset(h: Int, w: Int, c: Int, oh: Int, kh: Int, sh: Int, dh: Int) -> Int {
        (expandDepthwiseScratchFloats(h: h, w: w, c: c, oh: oh, kh: kh, sh: sh, dh: dh) + 15) / 16 * 16
    }

    /// Floats of scratch one band call with the project conv needs (`kiln_dwconv_project_scratch_floats`).
    public static func dwconvProjectScratchFloats(h: Int, w: Int, c: Int, oh: Int, ow: Int, kh: Int, sh: Int, dh: Int) -> Int {
        dwconvProjectRowOffset(h: h, w: w, c: c, oh: oh, kh: kh, sh: sh, dh: dh) + ow * c
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
        let source = DepthwiseSource(gemm: true, cin: cin, h: h, w: w, input: input, isc: 1, ish: w * cin, isw: cin,
                                     packed: packed_expand, act: act_expand)
        dwconvBand(source, eh: h, ew: w, c: c, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt,
                   pl: pl, packed: packed, out: out, act: act, oy0: oy0, oy1: oy1, scratch: scratch)
    }

    /// The stem's direct conv (`packed_conv` as `f32_conv_direct_bias_act`'s, geometry ckh … cpl,
    /// output eh × ew × c) and the depthwise conv reading it, NHWC out, without the conv's output:
    /// per image, `f32_conv_dwconv_band` over all output rows. `scratch`: `expandDepthwiseScratchFloats`
    /// of the conv's output size.
    @inline(never)
    public static func f32_conv_dwconv_bias_act(n: Int, cin: Int, h: Int, w: Int, in input: UnsafePointer<Float>,
                                                isn: Int, isc: Int, ish: Int, isw: Int, c: Int,
                                                packed_conv: UnsafePointer<Float>, ckh: Int, ckw: Int, csh: Int, csw: Int,
                                                cdh: Int, cdw: Int, cpt: Int, cpl: Int, act_conv: KilnActivation,
                                                eh: Int, ew: Int, oh: Int, ow: Int, kh: Int, kw: Int, sh: Int, sw: Int,
                                                dh: Int, dw: Int, pt: Int, pl: Int, packed: UnsafePointer<Float>,
                                                out: UnsafeMutablePointer<Float>, act: KilnActivation,
                                                scratch: UnsafeMutablePointer<Float>) {
        for b in 0..<n {
            f32_conv_dwconv_band(cin: cin, h: h, w: w, in: input + b * isn, isc: isc, ish: ish, isw: isw, c: c,
                                 packed_conv: packed_conv, ckh: ckh, ckw: ckw, csh: csh, csw: csw, cdh: cdh, cdw: cdw,
                                 cpt: cpt, cpl: cpl, act_conv: act_conv, eh: eh, ew: ew, oh: oh, ow: ow, kh: kh, kw: kw,
                                 sh: sh, sw: sw, dh: dh, dw: dw, pt: pt, pl: pl, packed: packed,
                                 out: out + b * oh * ow * c, act: act, oy0: 0, oy1: oh, scratch: scratch)
        }
    }

    /// Output rows [oy0, oy1) of one image of `f32_conv_dwconv_bias_act`, band after band, as the C
    /// kernel (`kiln_f32_conv_dwconv_band`).
    public static func f32_conv_dwconv_band(cin: Int, h: Int, w: Int, in input: UnsafePointer<Float>, isc: Int, ish: Int,
                                            isw: Int, c: Int, packed_conv: UnsafePointer<Float>, ckh: Int, ckw: Int,
                                            csh: Int, csw: Int, cdh: Int, cdw: Int, cpt: Int, cpl: Int,
                                            act_conv: KilnActivation, eh: Int, ew: Int, oh: Int, ow: Int, kh: Int,
                                            kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                            packed: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                            act: KilnActivation, oy0: Int, oy1: Int,
                                            scratch: UnsafeMutablePointer<Float>) {
        let source = DepthwiseSource(gemm: false, cin: cin, h: h, w: w, input: input, isc: isc, ish: ish, isw: isw,
                                     kh: ckh, kw: ckw, sh: csh, sw: csw, dh: cdh, dw: cdw, pt: cpt, pl: cpl,
                                     packed: packed_conv, act: act_conv)
        dwconvBand(source, eh: eh, ew: ew, c: c, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt,
                   pl: pl, packed: packed, out: out, act: act, oy0: oy0, oy1: oy1, scratch: scratch)
    }

    /// The block's project 1×1 conv a band's depthwise output rows go through (`kiln_dw_sink_`): c →
    /// `cout` channels, `packed` as the GEMM's, residual `r` (the image's oh × ow × cout) or nil.
    struct Projection {
        var cout: Int, packed: UnsafePointer<Float>, r: UnsafePointer<Float>?, act: KilnActivation
    }

    /// The whole MBConv block without squeeze-excite (`kiln_f32_expand_dwconv_project_bias_act`): per
    /// image, `f32_expand_dwconv_project_band` over all output rows. `scratch`: `dwconvProjectScratchFloats`.
    @inline(never)
    public static func f32_expand_dwconv_project_bias_act(n: Int, h: Int, w: Int, cin: Int, in input: UnsafePointer<Float>,
                                                          c: Int, packed_expand: UnsafePointer<Float>,
                                                          act_expand: KilnActivation, oh: Int, ow: Int, kh: Int, kw: Int,
                                                          sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                                          packed: UnsafePointer<Float>, act: KilnActivation, cout: Int,
                                                          packed_project: UnsafePointer<Float>,
                                                          out: UnsafeMutablePointer<Float>, r: UnsafePointer<Float>?,
                                                          act_project: KilnActivation, scratch: UnsafeMutablePointer<Float>) {
        let image: Int = oh * ow * cout
        for b in 0..<n {
            f32_expand_dwconv_project_band(h: h, w: w, cin: cin, in: input + b * h * w * cin, c: c,
                                           packed_expand: packed_expand, act_expand: act_expand, oh: oh, ow: ow, kh: kh,
                                           kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt, pl: pl, packed: packed, act: act,
                                           cout: cout, packed_project: packed_project, out: out + b * image,
                                           r: r.map { $0 + b * image }, act_project: act_project, oy0: 0, oy1: oh,
                                           scratch: scratch)
        }
    }

    /// Output rows [oy0, oy1) of one image of `f32_expand_dwconv_project_bias_act`, as the C kernel
    /// (`kiln_f32_expand_dwconv_project_band`).
    public static func f32_expand_dwconv_project_band(h: Int, w: Int, cin: Int, in input: UnsafePointer<Float>, c: Int,
                                                      packed_expand: UnsafePointer<Float>, act_expand: KilnActivation,
                                                      oh: Int, ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int,
                                                      dw: Int, pt: Int, pl: Int, packed: UnsafePointer<Float>,
                                                      act: KilnActivation, cout: Int, packed_project: UnsafePointer<Float>,
                                                      out: UnsafeMutablePointer<Float>, r: UnsafePointer<Float>?,
                                                      act_project: KilnActivation, oy0: Int, oy1: Int,
                                                      scratch: UnsafeMutablePointer<Float>) {
        let source = DepthwiseSource(gemm: true, cin: cin, h: h, w: w, input: input, isc: 1, ish: w * cin, isw: cin,
                                     packed: packed_expand, act: act_expand)
        dwconvBand(source, eh: h, ew: w, c: c, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt,
                   pl: pl, packed: packed, out: out, act: act,
                   projection: Projection(cout: cout, packed: packed_project, r: r, act: act_project), oy0: oy0, oy1: oy1,
                   scratch: scratch)
    }

    /// The stem, the first depthwise conv and the first block's project conv
    /// (`kiln_f32_conv_dwconv_project_bias_act`): per image, `f32_conv_dwconv_project_band`.
    @inline(never)
    public static func f32_conv_dwconv_project_bias_act(n: Int, cin: Int, h: Int, w: Int, in input: UnsafePointer<Float>,
                                                        isn: Int, isc: Int, ish: Int, isw: Int, c: Int,
                                                        packed_conv: UnsafePointer<Float>, ckh: Int, ckw: Int, csh: Int,
                                                        csw: Int, cdh: Int, cdw: Int, cpt: Int, cpl: Int,
                                                        act_conv: KilnActivation, eh: Int, ew: Int, oh: Int, ow: Int, kh: Int,
                                                        kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                                        packed: UnsafePointer<Float>, act: KilnActivation, cout: Int,
                                                        packed_project: UnsafePointer<Float>,
                                                        out: UnsafeMutablePointer<Float>, r: UnsafePointer<Float>?,
                                                        act_project: KilnActivation, scratch: UnsafeMutablePointer<Float>) {
        let image: Int = oh * ow * cout
        for b in 0..<n {
            f32_conv_dwconv_project_band(cin: cin, h: h, w: w, in: input + b * isn, isc: isc, ish: ish, isw: isw, c: c,
                                         packed_conv: packed_conv, ckh: ckh, ckw: ckw, csh: csh, csw: csw, cdh: cdh,
                                         cdw: cdw, cpt: cpt, cpl: cpl, act_conv: act_conv, eh: eh, ew: ew, oh: oh, ow: ow,
                                         kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt, pl: pl, packed: packed,
                                         act: act, cout: cout, packed_project: packed_project, out: out + b * image,
                                         r: r.map { $0 + b * image }, act_project: act_project, oy0: 0, oy1: oh,
                                         scratch: scratch)
        }
    }

    /// Output rows [oy0, oy1) of one image of `f32_conv_dwconv_project_bias_act`, as the C kernel.
    public static func f32_conv_dwconv_project_band(cin: Int, h: Int, w: Int, in input: UnsafePointer<Float>, isc: Int,
                                                    ish: Int, isw: Int, c: Int, packed_conv: UnsafePointer<Float>, ckh: Int,
                                                    ckw: Int, csh: Int, csw: Int, cdh: Int, cdw: Int, cpt: Int, cpl: Int,
                                                    act_conv: KilnActivation, eh: Int, ew: Int, oh: Int, ow: Int, kh: Int,
                                                    kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                                    packed: UnsafePointer<Float>, act: KilnActivation, cout: Int,
                                                    packed_project: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                                    r: UnsafePointer<Float>?, act_project: KilnActivation, oy0: Int,
                                                    oy1: Int, scratch: UnsafeMutablePointer<Float>) {
        let source = DepthwiseSource(gemm: false, cin: cin, h: h, w: w, input: input, isc: isc, ish: ish, isw: isw,
                                     kh: ckh, kw: ckw, sh: csh, sw: csw, dh: cdh, dw: cdw, pt: cpt, pl: cpl,
                                     packed: packed_conv, act: act_conv)
        dwconvBand(source, eh: eh, ew: ew, c: c, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt,
                   pl: pl, packed: packed, out: out, act: act,
                   projection: Projection(cout: cout, packed: packed_project, r: r, act: act_project), oy0: oy0, oy1: oy1,
                   scratch: scratch)
    }

    /// The conv whose output a band's depthwise conv reads (`kiln_dw_source_` in kiln_kernels_mbconv.h):
    /// an expand 1×1 conv (`gemm`: the GEMM over NHWC rows) or a direct conv (the stem, any geometry).
    struct DepthwiseSource {
        var gemm: Bool
        var cin: Int, h: Int, w: Int, input: UnsafePointer<Float>, isc: Int, ish: Int, isw: Int
        var kh: Int = 1, kw: Int = 1, sh: Int = 1, sw: Int = 1, dh: Int = 1, dw: Int = 1, pt: Int = 0, pl: Int = 0
        var packed: UnsafePointer<Float>, act: KilnActivation

        /// The conv's output rows [y0, y1), `ew` pixels of `c` channels each, into `rows`.
        func rows(_ y0: Int, _ y1: Int, ew: Int, c: Int, into rows: UnsafeMutablePointer<Float>) {
            if gemm {
                f32_gemm_bias_act(p: (y1 - y0) * ew, k: cin, n: c, a: input + y0 * ish, lda: cin, packed: packed, c: rows,
                                  ldc: c, r: nil, ldr: 0, act: act)
            } else {
                // as the direct conv's row split: the input from the first row the taps reach (at most h), the
                // padding left above it
                let top: Int = y0 * sh - pt, row: Int = Swift.min(Swift.max(top, 0), h)
                f32_conv_direct_bias_act(n: 1, cin: cin, h: h - row, w: w, in: input + row * ish, isn: 0, isc: isc,
                                         ish: ish, isw: isw, cout: c, oh: y1 - y0, ow: ew, kh: kh, kw: kw, sh: sh, sw: sw,
                                         dh: dh, dw: dw, pt: Swift.max(-top, 0), pl: pl, packed: packed, out: rows,
                                         act: act)
            }
        }
    }

    /// Output rows [oy0, oy1) of one image from `source`'s output (eh × ew × c), band after band (see
    /// `f32_expand_dwconv_band`).
    static func dwconvBand(_ source: DepthwiseSource, eh: Int, ew: Int, c: Int, oh: Int, ow: Int, kh: Int, kw: Int, sh: Int,
                           sw: Int, dh: Int, dw: Int, pt: Int, pl: Int, packed: UnsafePointer<Float>,
                           out: UnsafeMutablePointer<Float>, act: KilnActivation, projection: Projection? = nil, oy0: Int,
                           oy1: Int, scratch: UnsafeMutablePointer<Float>) {
        let band: Int = expandDepthwiseBandRows(w: ew, c: c, oh: oh, kh: kh, sh: sh, dh: dh), row: Int = ew * c
        var heldLo: Int = 0, heldHi: Int = 0  // the source's rows [heldLo, heldHi) are in scratch, from its start
        // with a projection, each depthwise output row goes through this L1-sized buffer after the band's rows
        let rowBuffer = scratch + (projection == nil ? 0 : dwconvProjectRowOffset(h: eh, w: ew, c: c, oh: oh, kh: kh, sh: sh, dh: dh))
        var y0: Int = oy0
        while y0 < oy1 {
            let y1: Int = Swift.min(y0 + band, oy1)
            let top: Int = y0 * sh - pt, bottom: Int = (y1 - 1) * sh + (kh - 1) * dh + 1 - pt
            let hi: Int = Swift.min(Swift.max(bottom, 0), eh), lo: Int = Swift.min(Swift.max(top, 0), hi)
            let kept: Int = heldHi > lo ? Swift.min(heldHi, hi) - lo : 0
            if kept > 0 && lo > heldLo { scratch.update(from: scratch + (lo - heldLo) * row, count: kept * row) }
            if hi > lo + kept { source.rows(lo + kept, hi, ew: ew, c: c, into: scratch + kept * row) }
            (heldLo, heldHi) = (lo, hi)
            if let projection {
                // row by row through the projection (`kiln_f32_dwconv_project_row_`): each row's depthwise conv
                // from its first tap's row, the padding above it kept, into rowBuffer
                for y in y0..<y1 {
                    let top: Int = y * sh - pt, first: Int = Swift.min(Swift.max(top, lo), hi)
                    f32_dwconv_bias_act(n: 1, h: hi - first, w: ew, c: c, in: UnsafePointer(scratch + (first - lo) * row),
                                        oh: 1, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw,
                                        pt: Swift.max(first - top, 0), pl: pl, packed: packed, out: rowBuffer, act: act)
                    let o: Int = y * ow * projection.cout
                    f32_gemm_bias_act(p: ow, k: c, n: projection.cout, a: UnsafePointer(rowBuffer), lda: c,
                                      packed: projection.packed, c: out + o, ldc: projection.cout, r: projection.r.map { $0 + o },
                                      ldr: projection.cout, act: projection.act)
                }
                y0 = y1
                continue
            }
            f32_dwconv_bias_act(n: 1, h: hi - lo, w: ew, c: c, in: UnsafePointer(scratch), oh: y1 - y0, ow: ow, kh: kh, kw: kw,
                                sh: sh, sw: sw, dh: dh, dw: dw, pt: pt + lo - y0 * sh, pl: pl, packed: packed,
                                out: out + y0 * ow * c, act: act)
            y0 = y1
        }
    }
}
