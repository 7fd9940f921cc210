/* kiln_kernels_parallel.h — every kernel that can share its work between threads, as `kiln_NAME_part(t, ...)`:
 * the kernel's own parameters after a task `t`, part `t->part` of `t->parts`. Included by kiln_kernels.h.
 *
 * All parts of a task call the same function with the same arguments (SPMD, like the body of a parallel loop);
 * each computes one contiguous range of the dimension the kernel's catalog entry declares as its split (rows of a
 * GEMM or its 16-column panels, output rows of a convolution, channels of a pool), by calling the kernel's
 * public entry point on that sub-range. Kernels with more than one phase (the SE gate pools, then runs its two
 * small FCs; the gated GEMM scales its weights or rows, then multiplies) separate them with kiln_sync(t), a barrier of
 * all parts. Parts never write the same memory, and no output element's arithmetic depends on the range it was
 * computed in: the result is bit-identical for any number of parts. One part takes the same path as many (there
 * is no separate unsplit call): every kernel is instantiated once per call site, or twice for the GEMM's chunks,
 * which keeps generated code, and its compile time, as small as unsplit calls made it.
 *
 * The thread pool that runs the parts is the program's (Sources/Runtime/program/kiln_pool.c, the contract in
 * kiln_task.h). */
#ifndef KILN_KERNELS_PARALLEL_H
#define KILN_KERNELS_PARALLEL_H

#include "kiln_task.h"

/* Part `part` of `parts` of [0, total) in whole units of `grain` (the last unit may be short): [*lo, *hi), empty
 * for parts beyond the number of units. Units are dealt out evenly, the first parts taking one more. */
KILN_INLINE void kiln_part_range(size_t total, size_t grain, size_t part, size_t parts, size_t *lo, size_t *hi) {
    size_t units = (total + grain - 1) / grain;
    size_t base = units / parts, extra = units % parts;
    size_t first = part * base + (part < extra ? part : extra);
    size_t count = base + (part < extra ? 1 : 0);
    *lo = first * grain < total ? first * grain : total;
    *hi = (first + count) * grain < total ? (first + count) * grain : total;
}

/* The GEMM's work comes in 24 to 48 chunks (fewer for small shapes), dealt out to the parts. */
#define KILN_GEMM_CHUNKS 24
/* Fewer row tiles than this and the GEMM splits by panels. */
#define KILN_GEMM_MIN_ROW_TILES 8

/* kiln_f32_gemm_bias_act in chunks: rows in whole microkernel tiles, or, with fewer than KILN_GEMM_MIN_ROW_TILES
 * tiles (the 49 rows of a 7x7 layer; the one row of a classifier), pairs of 16-column panels. The chunking depends
 * on the shape alone, never on the number of parts, so every part count runs the same kernel calls; the shape is a
 * compile-time constant in generated code, so each chunk size (the whole chunk and the last, shorter one) is too,
 * and the GEMM is specialized for it exactly as an unsplit call would be. */
/* The largest power of two <= x (x >= 1); a constant when x is. */
KILN_INLINE size_t kiln_floor_pow2_(size_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return (size_t)1 << (63 - __builtin_clzll((unsigned long long)x));
#else
    size_t p = 1;
    while (p <= x / 2) p *= 2;
    return p;
#endif
}

/* How many units (tiles, panel pairs) make a chunk of `units`: a power of two, so that the spatial sizes of
 * EfficientNets (7 x 2^k) split into whole chunks and the GEMM needs no instance for a shorter last chunk. */
KILN_INLINE size_t kiln_gemm_chunk_units_(size_t units) {
    return kiln_floor_pow2_((units + KILN_GEMM_CHUNKS - 1) / KILN_GEMM_CHUNKS);
}

KILN_INLINE void kiln_f32_gemm_bias_act_part(const kiln_task *t, size_t p, size_t k, size_t n, const float *a,
                                             size_t lda, const float *packed, float *c, size_t ldc, const float *r,
                                             size_t ldr, kiln_act act) {
    size_t tiles = (p + KILN_GEMM_MR - 1) / KILN_GEMM_MR, panels = kiln_panels(n), lo, hi;
    if (tiles >= KILN_GEMM_MIN_ROW_TILES || panels <= KILN_GEMM_NP) {
        size_t chunk = KILN_GEMM_MR * kiln_gemm_chunk_units_(tiles), whole = p / chunk;
        kiln_part_range((p + chunk - 1) / chunk, 1, t->part, t->parts, &lo, &hi);
        for (size_t i = lo; i < hi && i < whole; i++) /* the part's first chunk fetches the weight's groups into L2 */
            kiln_f32_gemm_bias_act_next_(chunk, k, n, a + i * chunk * lda, lda, packed, c + i * chunk * ldc, ldc,
                                         r ? r + i * chunk * ldr : r, ldr, act, i == lo, (const float *)0, 0);
        if (lo <= whole && whole < hi && p % chunk) /* the shorter last chunk, number `whole`, if it is this part's */
            kiln_f32_gemm_bias_act_next_(p % chunk, k, n, a + whole * chunk * lda, lda, packed,
                                         c + whole * chunk * ldc, ldc, r ? r + whole * chunk * ldr : r, ldr, act,
                                         whole == lo, (const float *)0, 0);
    } else {
        size_t pairs = (panels + KILN_GEMM_NP - 1) / KILN_GEMM_NP;
        size_t chunk = KILN_GEMM_NP * KILN_PANEL * kiln_gemm_chunk_units_(pairs), whole = n / chunk;
        size_t wchunk = chunk / KILN_PANEL * KILN_PANEL * (k + 1); /* packed floats of a chunk's panels */
        kiln_part_range((n + chunk - 1) / chunk, 1, t->part, t->parts, &lo, &hi);
        for (size_t i = lo; i < hi && i < whole; i++) /* each chunk prefetches the part's next one into L2 */
            kiln_f32_gemm_bias_act_next_(p, k, chunk, a, lda, packed + i * wchunk, c + i * chunk, ldc,
                                         r ? r + i * chunk : r, ldr, act, 1, packed + (i + 1) * wchunk,
                                         i + 1 >= hi      ? 0
                                         : i + 1 < whole ? wchunk
                                                         : kiln_gemm_packed_floats(k, n) - (i + 1) * wchunk);
        if (lo <= whole && whole < hi && n % chunk) /* likewise (a part given no chunk has lo = hi = their count) */
            kiln_f32_gemm_bias_act(p, k, n % chunk, a, lda, packed + whole * wchunk, c + whole * chunk, ldc,
                                   r ? r + whole * chunk : r, ldr, act);
    }
}

/* kiln_f32_gemm_gated_bias_act: per image, the gate applied to the smaller operand into scratch (the activations
 * split by rows, the weight by panels), then the GEMM on it (split as kiln_f32_gemm_bias_act_part). */
KILN_INLINE void kiln_f32_gemm_gated_bias_act_part(const kiln_task *t, size_t images, size_t hw, size_t k, size_t n,
                                                   const float *a, size_t lda, const float *gate, const float *packed,
                                                   float *scratch, float *c, size_t ldc, const float *r, size_t ldr,
                                                   kiln_act act) {
    size_t panels = kiln_panels(n), wps = KILN_PANEL * (k + 1), lo, hi;
    int scales_a = kiln_gemm_gate_scales_a_(hw, k, n);
    kiln_part_range(scales_a ? hw : panels, 1, t->part, t->parts, &lo, &hi);
    for (size_t b = 0; b < images; b++) {
        if (lo < hi && scales_a) {
            kiln_f32_scale_rows(hi - lo, k, a + (b * hw + lo) * lda, lda, gate + b * k, scratch + lo * k, k);
        } else if (lo < hi) {
            size_t cols = (hi * KILN_PANEL < n ? hi * KILN_PANEL : n) - lo * KILN_PANEL;
            kiln_f32_gemm_scale_packed_rows(k, cols, packed + lo * wps, gate + b * k, scratch + lo * wps);
        }
        kiln_sync(t);
        /* one call for either operand, so that the compiler specializes one GEMM for the call site, not two */
        kiln_f32_gemm_bias_act_part(t, hw, k, n, scales_a ? scratch : a + b * hw * lda, scales_a ? k : lda,
                                    scales_a ? packed : scratch, c + b * hw * ldc, ldc, r ? r + b * hw * ldr : r, ldr,
                                    act);
        if (b + 1 < images) kiln_sync(t); /* the next image's scaling overwrites scratch */
    }
}

/* Part t's share of the output rows of n images of oh rows each, in image b: rows [*oy0, *oy1), whose input
 * starts at row *row with *pad rows of the top padding (pt, stride sh) still above it. 0 when the part has no rows
 * in image b. */
KILN_INLINE int kiln_band_(const kiln_task *t, size_t n, size_t oh, size_t sh, size_t pt, size_t b, size_t *oy0,
                           size_t *oy1, size_t *row, size_t *pad) {
    size_t lo, hi;
    kiln_part_range(n * oh, 1, t->part, t->parts, &lo, &hi);
    if (hi <= b * oh || lo >= (b + 1) * oh) return 0;
    *oy0 = lo > b * oh ? lo - b * oh : 0;
    *oy1 = hi - b * oh < oh ? hi - b * oh : oh;
    size_t start = *oy0 * sh;
    *row = start >= pt ? start - pt : 0;
    *pad = start >= pt ? 0 : pt - start;
    return 1;
}

/* kiln_f32_dwconv_bias_act split by output rows (of all images together), or, for a stride-1 conv whose rows would
 * leave a part fewer than KILN_DW_MIN_PART_ROWS (the 7 rows of a 7x7 map: 4 and 3 at two threads), by channel
 * vectors (1152 channels: 36 vectors each). Measured in tv_b0 at two threads against the row split: the 7x7 5x5
 * layers 0.83-0.92 of their time, the 3x3 one 1.02; the stride-2 layer into 7x7 (14x14x672 read, a map its producer
 * wrote by rows) 1.17, so stride 2 keeps the rows. From 4 parts on, 14x14 maps split by channels too (not measured:
 * the development machine has 2 cores). One call site for both (the kernel is inlined once). */
#define KILN_DW_MIN_PART_ROWS 4
KILN_INLINE void kiln_f32_dwconv_bias_act_part(const kiln_task *t, size_t n, size_t h, size_t w, size_t c,
                                               const float *in, size_t oh, size_t ow, size_t kh, size_t kw, size_t sh,
                                               size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                               const float *packed, float *out, kiln_act act) {
    int by_channels = sh == 1 && n * oh < KILN_DW_MIN_PART_ROWS * t->parts;
    size_t cb = 0, ce = c;
    if (by_channels) kiln_part_range(c, KILN_VW, t->part, t->parts, &cb, &ce);
    if (cb >= ce) return;
    for (size_t b = 0, oy0 = 0, oy1 = oh, row = 0, pad = pt; b < n; b++) {
        if (!by_channels && !kiln_band_(t, n, oh, sh, pt, b, &oy0, &oy1, &row, &pad)) continue;
        kiln_f32_dwconv_bias_act_order_(1, h - row, w, c, in + (b * h + row) * w * c, oy1 - oy0, ow, kh, kw, sh, sw,
                                        dh, dw, pad, pl, packed, out + (b * oh + oy0) * ow * c, act,
                                        kiln_dwconv_channel_outer_(h, w, c, kh, kw, ow), cb, ce);
    }
}

/* kiln_f32_expand_dwconv_bias_act split by output rows (of all images together): each part computes its bands
 * with the expanded rows they need in its own scratch (part 0 the program's, the others their private one, as large
 * as the program's). */
KILN_INLINE void kiln_f32_expand_dwconv_bias_act_part(const kiln_task *t, size_t n, size_t h, size_t w, size_t cin,
                                                      const float *in, size_t c, const float *packed_expand,
                                                      kiln_act act_expand, size_t oh, size_t ow, size_t kh, size_t kw,
                                                      size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                                      const float *packed, float *out, kiln_act act, float *scratch) {
    float *own = t->part == 0 || t->scratch == NULL ? scratch : t->scratch;
    for (size_t b = 0, oy0, oy1, row, pad; b < n; b++) {
        if (!kiln_band_(t, n, oh, sh, pt, b, &oy0, &oy1, &row, &pad)) continue;
        kiln_f32_expand_dwconv_band(h, w, cin, in + b * h * w * cin, c, packed_expand, act_expand, oh, ow, kh, kw, sh,
                                    sw, dh, dw, pt, pl, packed, out + b * oh * ow * c, act, oy0, oy1, own);
    }
}

/* kiln_f32_conv_dwconv_bias_act split by output rows (of all images together), as the expand + depthwise fusion:
 * each part's bands in its own scratch. */
KILN_INLINE void kiln_f32_conv_dwconv_bias_act_part(const kiln_task *t, size_t n, size_t cin, size_t h, size_t w,
                                                    const float *in, size_t isn, size_t isc, size_t ish, size_t isw,
                                                    size_t c, const float *packed_conv, size_t ckh, size_t ckw,
                                                    size_t csh, size_t csw, size_t cdh, size_t cdw, size_t cpt,
                                                    size_t cpl, kiln_act act_conv, size_t eh, size_t ew, size_t oh,
                                                    size_t ow, size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                                    size_t dw, size_t pt, size_t pl, const float *packed, float *out,
                                                    kiln_act act, float *scratch) {
    float *own = t->part == 0 || t->scratch == NULL ? scratch : t->scratch;
    for (size_t b = 0, oy0, oy1, row, pad; b < n; b++) {
        if (!kiln_band_(t, n, oh, sh, pt, b, &oy0, &oy1, &row, &pad)) continue;
        kiln_f32_conv_dwconv_band(cin, h, w, in + b * isn, isc, ish, isw, c, packed_conv, ckh, ckw, csh, csw, cdh, cdw,
                                  cpt, cpl, act_conv, eh, ew, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed,
                                  out + b * oh * ow * c, act, oy0, oy1, own);
    }
}

/* kiln_f32_expand_dwconv_project_bias_act split by output rows (of all images together), each part's bands in its own
 * scratch (kiln_dwconv_project_scratch_floats). */
KILN_INLINE void kiln_f32_expand_dwconv_project_bias_act_part(const kiln_task *t, size_t n, size_t h, size_t w,
                                                              size_t cin, const float *in, size_t c,
                                                              const float *packed_expand, kiln_act act_expand,
                                                              size_t oh, size_t ow, size_t kh, size_t kw, size_t sh,
                                                              size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                                              const float *packed, kiln_act act, size_t cout,
                                                              const float *packed_project, float *out, const float *r,
                                                              kiln_act act_project, float *scratch) {
    float *own = t->part == 0 || t->scratch == NULL ? scratch : t->scratch;
    size_t image = oh * ow * cout;
    for (size_t b = 0, oy0, oy1, row, pad; b < n; b++) {
        if (!kiln_band_(t, n, oh, sh, pt, b, &oy0, &oy1, &row, &pad)) continue;
        kiln_f32_expand_dwconv_project_band(h, w, cin, in + b * h * w * cin, c, packed_expand, act_expand, oh, ow, kh,
                                            kw, sh, sw, dh, dw, pt, pl, packed, act, cout, packed_project,
                                            out + b * image, r ? r + b * image : NULL, act_project, oy0, oy1, own);
    }
}

/* kiln_f32_conv_dwconv_project_bias_act split by output rows (of all images together), as above. */
KILN_INLINE void kiln_f32_conv_dwconv_project_bias_act_part(const kiln_task *t, size_t n, size_t cin, size_t h,
                                                            size_t w, const float *in, size_t isn, size_t isc,
                                                            size_t ish, size_t isw, size_t c,
                                                            const float *packed_conv, size_t ckh, size_t ckw,
                                                            size_t csh, size_t csw, size_t cdh, size_t cdw,
                                                            size_t cpt, size_t cpl, kiln_act act_conv, size_t eh,
                                                            size_t ew, size_t oh, size_t ow, size_t kh, size_t kw,
                                                            size_t sh, size_t sw, size_t dh, size_t dw, size_t pt,
                                                            size_t pl, const float *packed, kiln_act act, size_t cout,
                                                            const float *packed_project, float *out, const float *r,
                                                            kiln_act act_project, float *scratch) {
    float *own = t->part == 0 || t->scratch == NULL ? scratch : t->scratch;
    size_t image = oh * ow * cout;
    for (size_t b = 0, oy0, oy1, row, pad; b < n; b++) {
        if (!kiln_band_(t, n, oh, sh, pt, b, &oy0, &oy1, &row, &pad)) continue;
        kiln_f32_conv_dwconv_project_band(cin, h, w, in + b * isn, isc, ish, isw, c, packed_conv, ckh, ckw, csh, csw,
                                          cdh, cdw, cpt, cpl, act_conv, eh, ew, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl,
                                          packed, act, cout, packed_project, out + b * image,
                                          r ? r + b * image : NULL, act_project, oy0, oy1, own);
    }
}

/* kiln_f32_conv_direct_bias_act split by output rows (of all images together). */
KILN_INLINE void kiln_f32_conv_direct_bias_act_part(const kiln_task *t, size_t n, size_t cin, size_t h, size_t w,
                                                    const float *in, size_t isn, size_t isc, size_t ish, size_t isw,
                                                    size_t cout, size_t oh, size_t ow, size_t kh, size_t kw, size_t sh,
                                                    size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                                    const float *packed, float *out, kiln_act act) {
    for (size_t b = 0, oy0, oy1, row, pad; b < n; b++) {
        if (!kiln_band_(t, n, oh, sh, pt, b, &oy0, &oy1, &row, &pad)) continue;
        kiln_f32_conv_direct_bias_act(1, cin, h - row, w, in + b * isn + row * ish, isn, isc, ish, isw, cout,
                                      oy1 - oy0, ow, kh, kw, sh, sw, dh, dw, pad, pl, packed,
                                      out + (b * oh + oy0) * ow * cout, act);
    }
}

/* kiln_f32_conv_generic_bias_act split by output rows (of all images together). */
KILN_INLINE void kiln_f32_conv_generic_bias_act_part(const kiln_task *t, size_t n, size_t cin, size_t h, size_t w,
                                                     const float *in, size_t isn, size_t isc, size_t ish, size_t isw,
                                                     size_t cout, size_t oh, size_t ow, size_t kh, size_t kw,
                                                     size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                                     size_t groups, const float *weight, const float *bias, float *out,
                                                     kiln_act act) {
    for (size_t b = 0, oy0, oy1, row, pad; b < n; b++) {
        if (!kiln_band_(t, n, oh, sh, pt, b, &oy0, &oy1, &row, &pad)) continue;
        kiln_f32_conv_generic_bias_act(1, cin, h - row, w, in + b * isn + row * ish, isn, isc, ish, isw, cout,
                                       oy1 - oy0, ow, kh, kw, sh, sw, dh, dw, pad, pl, groups, weight, bias,
                                       out + (b * oh + oy0) * ow * cout, act);
    }
}

/* kiln_f32_gavgpool_nhwc split by channels (whole vectors). */
KILN_INLINE void kiln_f32_gavgpool_nhwc_part(const kiln_task *t, size_t n, size_t hw, size_t c, const float *in,
                                             float *out) {
    size_t lo, hi;
    kiln_part_range(c, KILN_PANEL, t->part, t->parts, &lo, &hi);
    if (lo < hi) kiln_f32_gavgpool_nhwc_channels_(n, hw, c, lo, hi, in, out);
}

/* The squeeze-excite FCs whose weights are at least this many floats (c x cr, each) are split across the parts: the
 * FCs are one-row GEMMs, bound by reading their weights (MobileNetV3's 960 x 240 gate: 1.8 MB, 150 us on one thread),
 * and smaller ones are not worth the two barriers. */
#define KILN_SE_SPLIT_WEIGHTS 8192

/* The two FCs of each image's gate on every part: each FC split by panels of its outputs as kiln_f32_gemm_bias_act_part
 * (so every output's sum is the one kiln_f32_se_gate_fcs_ computes), a barrier after each. Out of line, with the
 * shapes at run time, as kiln_f32_se_gate_fcs_. */
KILN_OUTLINE void kiln_f32_se_gate_fcs_part_(const kiln_task *t, size_t n, size_t c, size_t cr, const float *packed1,
                                             kiln_act act1, const float *packed2, kiln_act gate_act, float *scratch,
                                             float *gate) {
    for (size_t b = 0; b < n; b++) {
        kiln_f32_gemm_bias_act_part(t, 1, c, cr, gate + b * c, c, packed1, scratch, cr, NULL, 0, act1);
        kiln_sync(t); /* scratch whole before the second FC reads it */
        kiln_f32_gemm_bias_act_part(t, 1, cr, c, scratch, cr, packed2, gate + b * c, c, NULL, 0, gate_act);
        if (b + 1 < n) kiln_sync(t); /* scratch read by every part before the next image's first FC writes it */
    }
}

/* kiln_f32_se_gate_nhwc: the pool split by channels, then the two FCs, split when their weights are large
 * (KILN_SE_SPLIT_WEIGHTS), else on part 0. */
KILN_INLINE void kiln_f32_se_gate_nhwc_part(const kiln_task *t, size_t n, size_t hw, size_t c, size_t cr,
                                            const float *in, const float *packed1, kiln_act act1,
                                            const float *packed2, kiln_act gate_act, float *scratch, float *gate) {
    kiln_f32_gavgpool_nhwc_part(t, n, hw, c, in, gate);
    kiln_sync(t);
    if (c * cr >= KILN_SE_SPLIT_WEIGHTS && t->parts > 1)
        kiln_f32_se_gate_fcs_part_(t, n, c, cr, packed1, act1, packed2, gate_act, scratch, gate);
    else if (t->part == 0)
        for (size_t b = 0; b < n; b++) kiln_f32_se_gate_fcs_(c, cr, packed1, act1, packed2, gate_act, scratch, gate + b * c);
}

/* kiln_f32_channel_scale_nhwc split by pixels (of all images together). */
KILN_INLINE void kiln_f32_channel_scale_nhwc_part(const kiln_task *t, size_t n, size_t hw, size_t c, const float *in,
                                                  const float *gate, float *out) {
    size_t lo, hi;
    kiln_part_range(n * hw, 1, t->part, t->parts, &lo, &hi);
    for (size_t b = lo / hw; b < n && b * hw < hi; b++) {
        size_t p0 = lo > b * hw ? lo - b * hw : 0, p1 = hi - b * hw < hw ? hi - b * hw : hw;
        kiln_f32_channel_scale_nhwc(1, p1 - p0, c, in + (b * hw + p0) * c, gate + b * c, out + (b * hw + p0) * c);
    }
}

/* kiln_f32_add_act split by elements (whole vectors). */
KILN_INLINE void kiln_f32_add_act_part(const kiln_task *t, size_t count, const float *a, const float *b, float *out,
                                       kiln_act act) {
    size_t lo, hi;
    kiln_part_range(count, KILN_PANEL, t->part, t->parts, &lo, &hi);
    if (lo < hi) kiln_f32_add_act(hi - lo, a + lo, b + lo, out + lo, act);
}

/* kiln_f32_act split by elements (whole vectors). */
KILN_INLINE void kiln_f32_act_part(const kiln_task *t, size_t n, const float *in, float *out, kiln_act act) {
    size_t lo, hi;
    kiln_part_range(n, KILN_PANEL, t->part, t->parts, &lo, &hi);
    if (lo < hi) kiln_f32_act(hi - lo, in + lo, out + lo, act);
}

/* kiln_f32_softmax split by rows. */
KILN_INLINE void kiln_f32_softmax_part(const kiln_task *t, size_t rows, size_t n, const float *in, float *out) {
    size_t lo, hi;
    kiln_part_range(rows, 1, t->part, t->parts, &lo, &hi);
    if (lo < hi) kiln_f32_softmax(hi - lo, n, in + lo * n, out + lo * n);
}

/* kiln_f32_nchw_to_nhwc split by pixels (of each image). */
KILN_INLINE void kiln_f32_nchw_to_nhwc_part(const kiln_task *t, size_t n, size_t c, size_t hw, const float *in,
                                            float *out) {
    size_t lo, hi;
    kiln_part_range(hw, 64, t->part, t->parts, &lo, &hi);
    if (lo < hi) kiln_f32_reorder_pixels_(n, c, hw, lo, hi, in, out, 1);
}

/* kiln_f32_nhwc_to_nchw split by pixels (of each image). */
KILN_INLINE void kiln_f32_nhwc_to_nchw_part(const kiln_task *t, size_t n, size_t c, size_t hw, const float *in,
                                            float *out) {
    size_t lo, hi;
    kiln_part_range(hw, 64, t->part, t->parts, &lo, &hi);
    if (lo < hi) kiln_f32_reorder_pixels_(n, c, hw, lo, hi, in, out, 0);
}

/* kiln_copy_strided split along the outermost dimension of its shape that has more than one element. */
KILN_INLINE void kiln_copy_strided_part(const kiln_task *t, size_t size, kiln_dims shape, const void *in, size_t in_at,
                                        kiln_strides is, void *out, size_t out_at, kiln_strides os) {
    int d = 0;
    while (d + 1 < KILN_MAX_RANK && shape.d[d] == 1) d++;
    size_t lo, hi;
    kiln_part_range(shape.d[d], 1, t->part, t->parts, &lo, &hi);
    if (lo >= hi) return;
    kiln_dims part = shape;
    part.d[d] = hi - lo;
    kiln_copy_strided(size, part, in, (size_t)((ptrdiff_t)in_at + (ptrdiff_t)lo * is.s[d]), is, out,
                      (size_t)((ptrdiff_t)out_at + (ptrdiff_t)lo * os.s[d]), os);
}

#endif
