/* kiln_kernels_mbconv.h — the MBConv block's expand 1x1 conv and depthwise conv as one kernel, NHWC (and the stem's
 * conv with the first depthwise conv). Included by kiln_kernels.h.
 *
 *   E[b][y][x][:]    = act_expand(bias_e + in[b][y][x][:] · We)                 (1x1 conv, cin -> c channels)
 *   out[b][oy][ox][ch] = act(bias[ch] + sum_{ky,kx} E[b][oy*sh - pt + ky*dh][ox*sw - pl + kx*dw][ch] * W[ch][ky][kx])
 *
 * i.e. kiln_f32_gemm_bias_act (without residual) followed by kiln_f32_dwconv_bias_act, without the expanded tensor E
 * (c / cin times wider than the input; 4.8 MB in EfficientNet-B0's second block) ever existing whole: the output is
 * computed in bands of kiln_expand_dwconv_band_rows output rows, and the expanded rows a band reads (band rows x
 * stride + the taps' reach) are computed by the library's GEMM into a scratch buffer of
 * kiln_expand_dwconv_scratch_floats (kiln_kernels_layout.h), which stays in L2, and read back from there by the
 * library's depthwise kernel. The rows a band shares with the next (its bottom taps are the next band's top ones)
 * move to the top of the scratch instead of being computed twice.
 *
 * The GEMM runs on one image row (w pixels) at a time, and in generated code (which defines KILN_SPECIALIZED_CALLS and
 * passes every shape as a constant) both stages are inlined into the node function, so that w is a constant and the
 * GEMM is specialized for it as the unfused kernel is for its h * w. The GEMM once ran on each band's new rows
 * together, a count that varies from band to band: it then chose its tiles at run time, split the rows into remainder
 * tiles, and the fused kernel measured 1.2-1.8x slower than the two kernels apart (kernels_bench_mbconv.c, -O2), which
 * the catalog then fused only at 112x112. Row by row it measures 0.81-1.03 of them on EfficientNet-B0's blocks.
 *
 * Exactness: both stages are the library's own entry points, called on sub-ranges. The GEMM sums each element in the
 * same order whatever rows it is given; the depthwise call sees the band's rows with `h` and `pt` shifted so that every
 * output row has the same taps inside (only taps outside the image are left out) and the same columns. The result
 * is therefore bit-identical to the two kernels run one after the other, for any band height and any split of the
 * output rows.
 *
 * The stem's direct conv and the first depthwise conv fuse the same way (kiln_f32_conv_dwconv_bias_act): the band
 * loop takes its rows from a source conv (kiln_dw_source_), the expand GEMM or the direct conv of one output row.
 * The block's project 1x1 conv can follow either (the _project_ entry points, a block without squeeze-excite): the
 * band loop then sends its output through a sink (kiln_dw_sink_), one depthwise output row at a time, computed into
 * an L1-sized piece of the scratch and projected by the library's GEMM at once, so that the depthwise output never
 * exists whole either. That row's depthwise conv sees the band's rows from its own first tap, with the padding above
 * it kept, so it has the taps it has in the band; the GEMM sums each element in the same order for any rows: the
 * result is the three kernels' bit for bit. There `out` (oh x ow x cout) must not overlap `in`: input rows are read
 * after the output rows above them are written.
 *
 * packed_expand: kiln_pack_gemm_f32 of the 1x1 weight (K = cin, N = c); packed_conv: kiln_pack_conv_f32; packed:
 * kiln_pack_dwconv_f32 (c, kh, kw); packed_project: kiln_pack_gemm_f32 (K = c, N = cout). in: n x h x w x cin (the
 * direct conv: any layout through its element strides); out: n x oh x ow x c (cout with the projection). in and out
 * must not overlap each other or scratch; the residual r may be in. */
#ifndef KILN_KERNELS_MBCONV_H
#define KILN_KERNELS_MBCONV_H

/* The two stages. Inlined where every shape is a constant (KILN_SPECIALIZED_CALLS); out of line for other callers (the
 * SwiftPM entry points, the C harness), whose every call site would otherwise compile a whole GEMM and depthwise conv
 * for shapes known only at run time. The arithmetic is the same either way. */
#if defined(KILN_SPECIALIZED_CALLS) || !(defined(__GNUC__) || defined(__clang__))
#define KILN_MBCONV_STAGE_ KILN_INLINE
#else
#define KILN_MBCONV_STAGE_ static __attribute__((noinline, unused))
#endif

/* Expanded image row(s): p pixels of cin channels -> c channels, row strides cin and c. */
KILN_MBCONV_STAGE_ void kiln_f32_expand_rows_(size_t p, size_t cin, size_t c, const float *in, const float *packed_expand,
                                              float *rows, kiln_act act_expand) {
    kiln_f32_gemm_bias_act(p, cin, c, in, cin, packed_expand, rows, c, NULL, 0, act_expand);
}

/* The band's output rows from its h expanded rows (one image). */
KILN_MBCONV_STAGE_ void kiln_f32_band_dwconv_(size_t h, size_t w, size_t c, const float *rows, size_t oh, size_t ow,
                                              size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw,
                                              size_t pt, size_t pl, const float *packed, float *out, kiln_act act) {
    /* the band's rows are in the scratch, in L2: the loop order by kiln_dwconv_channel_outer_ with the band's height
     * left out (a run-time value; the scratch is at most KILN_EXPAND_DW_SCRATCH_BYTES) */
    kiln_f32_dwconv_bias_act_order_(1, h, w, c, rows, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act,
                                    kiln_dwconv_channel_outer_(1, w, c, kh, kw, ow), 0, c);
}

/* The conv whose output the depthwise conv reads, one image: a 1x1 expand conv (gemm: the GEMM over NHWC rows,
 * isc = 1, ish = w * cin, isw = cin) or a direct conv (the stem, reading NCHW or NHWC through the element strides,
 * any geometry; the catalog's choice, which the kernel never re-derives from the geometry). */
typedef struct {
    int gemm;
    size_t cin, h, w;                      /* its input */
    const float *in;
    size_t isc, ish, isw;
    size_t kh, kw, sh, sw, dh, dw, pt, pl; /* 1, 1, 1, 1, 1, 1, 0, 0 for the expand conv */
    const float *packed;                   /* kiln_pack_gemm_f32's (expand) or kiln_pack_conv_f32's (direct) */
    kiln_act act;
} kiln_dw_source_;

/* Row y of the source conv's output (ew pixels of c channels) into `row`. */
KILN_INLINE void kiln_dw_source_row_(kiln_dw_source_ s, size_t y, size_t ew, size_t c, float *row) {
    if (s.gemm) {
        kiln_f32_expand_rows_(ew, s.cin, c, s.in + y * s.ish, s.packed, row, s.act);
    } else { /* as the direct conv's row split: the input from the first row the taps reach (at most h: a row of
              * the bottom padding reads none) */
        ptrdiff_t top = (ptrdiff_t)(y * s.sh) - (ptrdiff_t)s.pt;
        size_t first = top <= 0 ? 0 : (size_t)top < s.h ? (size_t)top : s.h, pad = top < 0 ? (size_t)-top : 0;
        kiln_f32_conv_direct_bias_act(1, s.cin, s.h - first, s.w, s.in + first * s.ish, 0, s.isc, s.ish, s.isw, c, 1,
                                      ew, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, pad, s.pl, s.packed, row, s.act);
    }
}

/* Where a band's depthwise output rows go: to `out` as they are (packed NULL), or through the block's 1x1 project
 * conv (the GEMM, K = c, N = cout, residual r of the image's oh x ow x cout or NULL, then act) one output row at a
 * time, that row in an L1-sized piece of scratch: the depthwise output never exists whole either. */
typedef struct {
    size_t cout;
    const float *packed; /* kiln_pack_gemm_f32's (K = c, N = cout), or NULL */
    const float *r;
    kiln_act act;
} kiln_dw_sink_;

/* One depthwise output row (ow pixels of c channels) through the project GEMM into its output row (and residual). */
KILN_MBCONV_STAGE_ void kiln_f32_project_row_(size_t ow, size_t c, kiln_dw_sink_ sink, const float *row, float *out,
                                              const float *r) {
    kiln_f32_gemm_bias_act(ow, c, sink.cout, row, c, sink.packed, out, sink.cout, r, sink.cout, sink.act);
}

/* Output row y of the band whose source rows [lo, hi) are in `rows`: the depthwise conv of that row alone (the taps
 * from its first row, the padding above it kept: the same taps and sums as in the band, see the top of this file),
 * then its projection. */
KILN_INLINE void kiln_f32_dwconv_project_row_(kiln_dw_sink_ sink, const float *rows, size_t lo, size_t hi, size_t ew,
                                              size_t c, size_t ow, size_t kh, size_t kw, size_t sh, size_t sw,
                                              size_t dh, size_t dw, size_t pt, size_t pl, const float *packed,
                                              kiln_act act, size_t y, float *row, float *out) {
    ptrdiff_t top = (ptrdiff_t)(y * sh) - (ptrdiff_t)pt; /* the row's first tap, negative in the top padding */
    size_t first = top <= (ptrdiff_t)lo ? lo : (size_t)top < hi ? (size_t)top : hi;
    size_t pad = (ptrdiff_t)first > top ? (size_t)((ptrdiff_t)first - top) : 0; /* 0 rows left: any pad */
    kiln_f32_band_dwconv_(hi - first, ew, c, rows + (first - lo) * ew * c, 1, ow, kh, kw, sh, sw, dh, dw, pad, pl,
                          packed, row, act);
    kiln_f32_project_row_(ow, c, sink, row, out + y * ow * sink.cout, sink.r ? sink.r + y * ow * sink.cout : NULL);
}

/* Output rows [oy0, oy1) of one image from the source conv's output (eh x ew x c, never whole), band after band,
 * into the sink; scratch: kiln_expand_dwconv_scratch_floats(eh, ew, c, oh, kh, sh, dh) floats, and with a projection
 * kiln_dwconv_project_scratch_floats(...), not shared with a concurrent call. */
KILN_INLINE void kiln_f32_source_dwconv_band_(kiln_dw_source_ src, size_t eh, size_t ew, size_t c, size_t oh,
                                              size_t ow, size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                              size_t dw, size_t pt, size_t pl, const float *packed, float *out,
                                              kiln_act act, kiln_dw_sink_ sink, size_t oy0, size_t oy1,
                                              float *scratch) {
    size_t band = kiln_expand_dwconv_band_rows(ew, c, oh, kh, sh, dh), row = ew * c;
    size_t held_lo = 0, held_hi = 0; /* source rows [held_lo, held_hi) are in scratch, from its start */
    /* with a projection, each depthwise output row goes through this L1-sized row after the band's rows */
    float *project_row = sink.packed ? scratch + kiln_dwconv_project_row_offset(eh, ew, c, oh, kh, sh, dh) : NULL;
    for (size_t y0 = oy0, y1; y0 < oy1; y0 = y1) {
        y1 = oy1 - y0 < band ? oy1 : y0 + band;
        /* the source rows the band's taps reach: [lo, hi) */
        ptrdiff_t top = (ptrdiff_t)(y0 * sh) - (ptrdiff_t)pt;
        ptrdiff_t bottom = (ptrdiff_t)((y1 - 1) * sh + (kh - 1) * dh + 1) - (ptrdiff_t)pt;
        size_t hi = bottom <= 0 ? 0 : (size_t)bottom < eh ? (size_t)bottom : eh;
        size_t lo = top <= 0 ? 0 : (size_t)top < hi ? (size_t)top : hi;
        /* rows the previous band already computed (lo >= held_lo: bands move down) */
        size_t kept = held_hi > lo ? (held_hi < hi ? held_hi : hi) - lo : 0;
        if (kept && lo > held_lo) memmove(scratch, scratch + (lo - held_lo) * row, kept * row * sizeof(float));
        /* one source row per call: ew pixels, a constant in generated code (see the top of this file) */
        for (size_t y = lo + kept; y < hi; y++) kiln_dw_source_row_(src, y, ew, c, scratch + (y - lo) * row);
        held_lo = lo, held_hi = hi;
        if (sink.packed) { /* row by row through the projection */
            for (size_t y = y0; y < y1; y++)
                kiln_f32_dwconv_project_row_(sink, scratch, lo, hi, ew, c, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed,
                                             act, y, project_row, out);
            continue;
        }
        /* the band as a depthwise conv of its own over rows [lo, hi): pt + lo - y0 * sh >= 0 since lo >= top */
        kiln_f32_band_dwconv_(hi - lo, ew, c, scratch, y1 - y0, ow, kh, kw, sh, sw, dh, dw, pt + lo - y0 * sh, pl, packed,
                              out + y0 * ow * c, act);
    }
}

/* Output rows [oy0, oy1) of one image (in: h x w x cin, out: oh x ow x c, both of that image), band after band;
 * scratch: kiln_expand_dwconv_scratch_floats(h, w, c, oh, kh, sh, dh) floats, not shared with a concurrent call.
 * This is the entry point a thread pool calls per part. */
KILN_INLINE void kiln_f32_expand_dwconv_band(size_t h, size_t w, size_t cin, const float *in, size_t c,
                                             const float *packed_expand, kiln_act act_expand, size_t oh, size_t ow,
                                             size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw,
                                             size_t pt, size_t pl, const float *packed, float *out, kiln_act act,
                                             size_t oy0, size_t oy1, float *scratch) {
    kiln_dw_source_ src = {.gemm = 1, .cin = cin, .h = h, .w = w, .in = in, .isc = 1, .ish = w * cin, .isw = cin,
                           .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .packed = packed_expand,
                           .act = act_expand};
    kiln_f32_source_dwconv_band_(src, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act,
                                 (kiln_dw_sink_){0}, oy0, oy1, scratch);
}

/* The stem's direct conv (kiln_f32_conv_direct_bias_act's parameters, prefixed c: packed_conv, ckh ... cpl, act_conv;
 * output eh x ew x c) and the depthwise conv reading it, output rows [oy0, oy1) of image `in` (element strides isc,
 * ish, isw); scratch: kiln_expand_dwconv_scratch_floats(eh, ew, c, oh, kh, sh, dh) floats. The direct conv computes
 * one of its output rows per call, with the top padding it still has above the first input row it reads: exactly
 * its row split (kiln_f32_conv_direct_bias_act_part), so the result is the two kernels' bit for bit. */
KILN_INLINE void kiln_f32_conv_dwconv_band(size_t cin, size_t h, size_t w, const float *in, size_t isc, size_t ish,
                                           size_t isw, size_t c, const float *packed_conv, size_t ckh, size_t ckw,
                                           size_t csh, size_t csw, size_t cdh, size_t cdw, size_t cpt, size_t cpl,
                                           kiln_act act_conv, size_t eh, size_t ew, size_t oh, size_t ow, size_t kh,
                                           size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                           const float *packed, float *out, kiln_act act, size_t oy0, size_t oy1,
                                           float *scratch) {
    kiln_dw_source_ src = {.gemm = 0, .cin = cin, .h = h, .w = w, .in = in, .isc = isc, .ish = ish, .isw = isw,
                           .kh = ckh, .kw = ckw, .sh = csh, .sw = csw, .dh = cdh, .dw = cdw, .pt = cpt, .pl = cpl,
                           .packed = packed_conv, .act = act_conv};
    kiln_f32_source_dwconv_band_(src, eh, ew, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act,
                                 (kiln_dw_sink_){0}, oy0, oy1, scratch);
}

/* The whole tensor: every image's output rows, band after band (kiln_f32_expand_dwconv_band over [0, oh)).
 * scratch: kiln_expand_dwconv_scratch_floats(h, w, c, oh, kh, sh, dh) floats. */
KILN_INLINE void kiln_f32_expand_dwconv_bias_act(size_t n, size_t h, size_t w, size_t cin, const float *in, size_t c,
                                                 const float *packed_expand, kiln_act act_expand, size_t oh,
                                                 size_t ow, size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                                 size_t dw, size_t pt, size_t pl, const float *packed, float *out,
                                                 kiln_act act, float *scratch) {
    for (size_t b = 0; b < n; b++)
        kiln_f32_expand_dwconv_band(h, w, cin, in + b * h * w * cin, c, packed_expand, act_expand, oh, ow, kh, kw, sh,
                                    sw, dh, dw, pt, pl, packed, out + b * oh * ow * c, act, 0, oh, scratch);
}

/* The whole tensor: kiln_f32_conv_dwconv_band over every image's output rows (image stride isn). */
KILN_INLINE void kiln_f32_conv_dwconv_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in, size_t isn,
                                               size_t isc, size_t ish, size_t isw, size_t c, const float *packed_conv,
                                               size_t ckh, size_t ckw, size_t csh, size_t csw, size_t cdh, size_t cdw,
                                               size_t cpt, size_t cpl, kiln_act act_conv, size_t eh, size_t ew,
                                               size_t oh, size_t ow, size_t kh, size_t kw, size_t sh, size_t sw,
                                               size_t dh, size_t dw, size_t pt, size_t pl, const float *packed,
                                               float *out, kiln_act act, float *scratch) {
    for (size_t b = 0; b < n; b++)
        kiln_f32_conv_dwconv_band(cin, h, w, in + b * isn, isc, ish, isw, c, packed_conv, ckh, ckw, csh, csw, cdh, cdw,
                                  cpt, cpl, act_conv, eh, ew, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed,
                                  out + b * oh * ow * c, act, 0, oh, scratch);
}

/* The whole MBConv block without squeeze-excite: the expand 1x1 conv, the depthwise conv and the project 1x1 conv
 * (c -> cout channels, packed_project: kiln_pack_gemm_f32 with K = c, N = cout; act_project; plus the residual r,
 * n x oh x ow x cout, or NULL), output rows [oy0, oy1) of one image (out: oh x ow x cout). Neither the expanded tensor
 * nor the depthwise output exists whole: each depthwise output row goes through the project GEMM from L1. scratch:
 * kiln_dwconv_project_scratch_floats(h, w, c, oh, ow, kh, sh, dh) floats. Bit-identical to the three kernels. */
KILN_INLINE void kiln_f32_expand_dwconv_project_band(size_t h, size_t w, size_t cin, const float *in, size_t c,
                                                     const float *packed_expand, kiln_act act_expand, size_t oh,
                                                     size_t ow, size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                                     size_t dw, size_t pt, size_t pl, const float *packed, kiln_act act,
                                                     size_t cout, const float *packed_project, float *out,
                                                     const float *r, kiln_act act_project, size_t oy0, size_t oy1,
                                                     float *scratch) {
    kiln_dw_source_ src = {.gemm = 1, .cin = cin, .h = h, .w = w, .in = in, .isc = 1, .ish = w * cin, .isw = cin,
                           .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .packed = packed_expand,
                           .act = act_expand};
    kiln_dw_sink_ sink = {.cout = cout, .packed = packed_project, .r = r, .act = act_project};
    kiln_f32_source_dwconv_band_(src, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act, sink, oy0,
                                 oy1, scratch);
}

/* The stem, the first depthwise conv and the first block's project conv (a MobileNet or EfficientNet-Lite first
 * block: no expand conv, no squeeze-excite), as kiln_f32_conv_dwconv_band with the projection of
 * kiln_f32_expand_dwconv_project_band. scratch: kiln_dwconv_project_scratch_floats(eh, ew, c, oh, ow, kh, sh, dh). */
KILN_INLINE void kiln_f32_conv_dwconv_project_band(size_t cin, size_t h, size_t w, const float *in, size_t isc,
                                                   size_t ish, size_t isw, size_t c, const float *packed_conv,
                                                   size_t ckh, size_t ckw, size_t csh, size_t csw, size_t cdh,
                                                   size_t cdw, size_t cpt, size_t cpl, kiln_act act_conv, size_t eh,
                                                   size_t ew, size_t oh, size_t ow, size_t kh, size_t kw, size_t sh,
                                                   size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                                   const float *packed, kiln_act act, size_t cout,
                                                   const float *packed_project, float *out, const float *r,
                                                   kiln_act act_project, size_t oy0, size_t oy1, float *scratch) {
    kiln_dw_source_ src = {.gemm = 0, .cin = cin, .h = h, .w = w, .in = in, .isc = isc, .ish = ish, .isw = isw,
                           .kh = ckh, .kw = ckw, .sh = csh, .sw = csw, .dh = cdh, .dw = cdw, .pt = cpt, .pl = cpl,
                           .packed = packed_conv, .act = act_conv};
    kiln_dw_sink_ sink = {.cout = cout, .packed = packed_project, .r = r, .act = act_project};
    kiln_f32_source_dwconv_band_(src, eh, ew, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act, sink, oy0,
                                 oy1, scratch);
}

/* The whole tensor: kiln_f32_expand_dwconv_project_band over every image's output rows. */
KILN_INLINE void kiln_f32_expand_dwconv_project_bias_act(size_t n, size_t h, size_t w, size_t cin, const float *in,
                                                         size_t c, const float *packed_expand, kiln_act act_expand,
                                                         size_t oh, size_t ow, size_t kh, size_t kw, size_t sh,
                                                         size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                                         const float *packed, kiln_act act, size_t cout,
                                                         const float *packed_project, float *out, const float *r,
                                                         kiln_act act_project, float *scratch) {
    size_t image = oh * ow * cout;
    for (size_t b = 0; b < n; b++)
        kiln_f32_expand_dwconv_project_band(h, w, cin, in + b * h * w * cin, c, packed_expand, act_expand, oh, ow, kh,
                                            kw, sh, sw, dh, dw, pt, pl, packed, act, cout, packed_project,
                                            out + b * image, r ? r + b * image : NULL, act_project, 0, oh, scratch);
}

/* The whole tensor: kiln_f32_conv_dwconv_project_band over every image's output rows (image stride isn). */
KILN_INLINE void kiln_f32_conv_dwconv_project_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in,
                                                       size_t isn, size_t isc, size_t ish, size_t isw, size_t c,
                                                       const float *packed_conv, size_t ckh, size_t ckw, size_t csh,
                                                       size_t csw, size_t cdh, size_t cdw, size_t cpt, size_t cpl,
                                                       kiln_act act_conv, size_t eh, size_t ew, size_t oh, size_t ow,
                                                       size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                                       size_t dw, size_t pt, size_t pl, const float *packed,
                                                       kiln_act act, size_t cout, const float *packed_project,
                                                       float *out, const float *r, kiln_act act_project,
                                                       float *scratch) {
    size_t image = oh * ow * cout;
    for (size_t b = 0; b < n; b++)
        kiln_f32_conv_dwconv_project_band(cin, h, w, in + b * isn, isc, ish, isw, c, packed_conv, ckh, ckw, csh, csw,
                                          cdh, cdw, cpt, cpl, act_conv, eh, ew, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl,
                                          packed, act, cout, packed_project, out + b * image,
                                          r ? r + b * image : NULL, act_project, 0, oh, scratch);
}

#endif
