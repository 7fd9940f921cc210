/* kiln_kernels_mbconv.h — the MBConv block's expand 1x1 conv and depthwise conv as one kernel, NHWC. Included by
 * kiln_kernels.h.
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
 * packed_expand: kiln_pack_gemm_f32 of the 1x1 weight (K = cin, N = c); packed: kiln_pack_dwconv_f32 (c, kh, kw).
 * in: n x h x w x cin; out: n x oh x ow x c. in and out must not overlap each other or scratch. */
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

/* Output rows [oy0, oy1) of one image (in: h x w x cin, out: oh x ow x c, both of that image), band after band;
 * scratch: kiln_expand_dwconv_scratch_floats(h, w, c, oh, kh, sh, dh) floats, not shared with a concurrent call.
 * This is the entry point a thread pool calls per part. */
KILN_INLINE void kiln_f32_expand_dwconv_band(size_t h, size_t w, size_t cin, const float *in, size_t c,
                                             const float *packed_expand, kiln_act act_expand, size_t oh, size_t ow,
                                             size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw,
                                             size_t pt, size_t pl, const float *packed, float *out, kiln_act act,
                                             size_t oy0, size_t oy1, float *scratch) {
    size_t band = kiln_expand_dwconv_band_rows(w, c, oh, kh, sh, dh), row = w * c;
    size_t held_lo = 0, held_hi = 0; /* expanded rows [held_lo, held_hi) are in scratch, from its start */
    for (size_t y0 = oy0, y1; y0 < oy1; y0 = y1) {
        y1 = oy1 - y0 < band ? oy1 : y0 + band;
        /* the image rows the band's taps reach: [lo, hi) */
        ptrdiff_t top = (ptrdiff_t)(y0 * sh) - (ptrdiff_t)pt;
        ptrdiff_t bottom = (ptrdiff_t)((y1 - 1) * sh + (kh - 1) * dh + 1) - (ptrdiff_t)pt;
        size_t hi = bottom <= 0 ? 0 : (size_t)bottom < h ? (size_t)bottom : h;
        size_t lo = top <= 0 ? 0 : (size_t)top < hi ? (size_t)top : hi;
        /* rows the previous band already expanded (lo >= held_lo: bands move down) */
        size_t kept = held_hi > lo ? (held_hi < hi ? held_hi : hi) - lo : 0;
        if (kept && lo > held_lo) memmove(scratch, scratch + (lo - held_lo) * row, kept * row * sizeof(float));
        /* one image row per GEMM: w rows, a constant in generated code (see the top of this file) */
        for (size_t y = lo + kept; y < hi; y++)
            kiln_f32_expand_rows_(w, cin, c, in + y * w * cin, packed_expand, scratch + (y - lo) * row, act_expand);
        held_lo = lo, held_hi = hi;
        /* the band as a depthwise conv of its own over rows [lo, hi): pt + lo - y0 * sh >= 0 since lo >= top */
        kiln_f32_band_dwconv_(hi - lo, w, c, scratch, y1 - y0, ow, kh, kw, sh, sw, dh, dw, pt + lo - y0 * sh, pl, packed,
                              out + y0 * ow * c, act);
    }
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

#endif
