/* kiln_kernels_gemm.h — f32 GEMM with a fused epilogue: the 1x1 (pointwise) convolution in NHWC, Gemm/FC, and the
 * squeeze-excite-gated 1x1 conv. Included through kiln_kernels.h.
 *
 *   C[p][n] = act(bias[n] + sum_k A[p][k] * W[k][n]) (+ R[p][n])      p < P, n < N
 *
 * A: P rows of K floats, row stride lda (>= K); for a 1x1 conv A is the NHWC input, P = N*H*W, lda = Cin.
 * W, bias: packed by kiln_pack_gemm_f32 (kiln_gemm_packed_floats(K, N) floats): per panel of 16 output columns,
 *   16 biases then K rows of 16 weights, zero-padded past N.
 * C: P rows of N floats, row stride ldc (>= N). R (optional, NULL for none): residual added after the activation,
 *   row stride ldr; R may equal C (in-place residual) since every element is read before it is written.
 * No alignment requirements. A and C must not overlap.
 *
 * Microkernel: MR rows x NP panels, accumulators in registers, A broadcast per (row, k), one vector load of W per
 * panel vector per k. AVX-512: 14 x 32 (28 zmm accumulators), or 7 x 64 when P is a compile-time constant that it
 * divides with fewer rows over (P = 49, the 7x7 maps); AVX2: 6 x 16; generic: 4 x 16. The P % MR rows left over
 * run as 8/4/2/1-row tiles, each as many panels wide as the accumulator budget allows (so a lone row still has
 * several independent FMA chains); column remainders compute the padded lanes and store with masks. With P, K, N
 * constant at the call site only the tiles actually needed are emitted.
 *
 * Loop order: when the packed weight is larger than A (few rows, many channels: the 14x14 and 7x7 layers) the
 * panels are the outer loop, in groups of KILN_GEMM_NP_MAX, so that each group stays in cache while every row tile
 * reads it and A, the smaller operand, is what is read again; otherwise all panels form one group, the row tiles
 * are outer and the (small) weight is what streams. Every output element is summed in the same order (bias, then
 * k = 0, 1, ...) whichever tile computes it, so results do not depend on tile shapes, loop order or how a caller
 * splits the rows or panels.
 *
 * Prefetch, two kinds, neither changing a result:
 * - Into L1: a panel group larger than L1 (the whole weight when rows are outer, KILN_GEMM_NP_MAX panels of a large
 *   K otherwise, every panel when a single row block walks them all) is read from L2, one 64-byte weight row per
 *   panel per k step; the hardware prefetchers left those loads waiting on L2, so the tile asks for each panel's row
 *   KILN_GEMM_PREFETCH_ROWS steps ahead. Measured hot on B0's shapes: 0.81-0.97 of the time for K >= 192 on 7x7 and
 *   14x14 maps, no change where the group fits L1 (so it is not asked for there).
 * - Into L2: the next panel group (or, for the last, the `next` weight range a caller names: the following chunk
 *   of a split GEMM), spread over the main row tiles (not the leftover rows), one line per k step (more when a
 *   tile has fewer k steps than its share). A program's weights come cold from memory, and the first row tile of
 *   every group used to wait for them while the core's bandwidth idled during the other tiles; now each group is
 *   fetched while the one before is computed. Measured in lite0 at one thread: the 7x7 expand GEMMs 0.81-0.85 of their time, the 7x7 projects
 *   0.85-0.92, the head 0.86; about 3 % hot, where the lines are already there, so a row-split caller asks for it
 *   in its first chunk only (`inner`). */
#ifndef KILN_KERNELS_GEMM_H
#define KILN_KERNELS_GEMM_H

#if defined(KILN_TARGET_AVX512)
#define KILN_GEMM_MR 14
#define KILN_GEMM_NP 2
#define KILN_GEMM_MR_ALT 7 /* the other main tile: KILN_GEMM_MR_ALT x KILN_GEMM_NP_ALT */
#define KILN_GEMM_NP_ALT 4
#define KILN_GEMM_NP_MAX 4 /* panels per tile at most, and per group when panels are the outer loop */
#define KILN_GEMM_ACC 28   /* accumulator vectors per tile at most */
#elif defined(KILN_TARGET_AVX2)
#define KILN_GEMM_MR 6
#define KILN_GEMM_NP 1
#define KILN_GEMM_MR_ALT 6
#define KILN_GEMM_NP_ALT 1
#define KILN_GEMM_NP_MAX 2
#define KILN_GEMM_ACC 12
#else
#define KILN_GEMM_MR 4
#define KILN_GEMM_NP 1
#define KILN_GEMM_MR_ALT 4
#define KILN_GEMM_NP_ALT 1
#define KILN_GEMM_NP_MAX 1
#define KILN_GEMM_ACC 64
#endif
#define KILN_VPP (KILN_PANEL / KILN_VW) /* vectors per panel */
/* Weight rows are prefetched this many k steps ahead when the panels a row tile walks through exceed
 * KILN_GEMM_L1_WEIGHT_BYTES (see the top of this file). */
#define KILN_GEMM_PREFETCH_ROWS 8
/* The L1D of the development machine (Ice Lake: 48 KiB); on cores with 32 KiB, groups of 32-48 KiB go without the
 * prefetch (not measured there). */
#define KILN_GEMM_L1_WEIGHT_BYTES (48 * 1024)
#define KILN_GEMM_NV (KILN_GEMM_NP_MAX * KILN_VPP)

/* One mr x np tile: rows [0, mr) of a/c, panels [0, np) of w; the last panel has nlast (1..16) valid columns. */
KILN_INLINE void kiln_f32_gemm_tile_(size_t mr, size_t np, size_t nlast, size_t k, const float *KILN_RESTRICT a,
                                     size_t lda, const float *KILN_RESTRICT w, size_t wps, float *c, size_t ldc,
                                     const float *r, size_t ldr, kiln_act act, int prefetch, const float *pf,
                                     size_t pf_lines) {
    kiln_v acc[KILN_GEMM_ACC]; /* acc[i * nv + j]: exactly the budget, so that every element becomes a register */
    const size_t nv = np * KILN_VPP;
    KILN_UNROLL for (size_t j = 0; j < nv; j++) {
        kiln_v b = kiln_v_load(w + (j / KILN_VPP) * wps + (j % KILN_VPP) * KILN_VW);
        KILN_UNROLL for (size_t i = 0; i < mr; i++) acc[i * nv + j] = b;
    }
    const float *wk = w + KILN_PANEL;
    for (size_t kk = 0; kk < k; kk++) {
        kiln_v b[KILN_GEMM_NV];
        KILN_UNROLL for (size_t j = 0; j < nv; j++)
            b[j] = kiln_v_load(wk + (j / KILN_VPP) * wps + (j % KILN_VPP) * KILN_VW);
        if (prefetch) {
            KILN_UNROLL for (size_t j = 0; j < np; j++)
                kiln_prefetch_(wk + j * wps, KILN_GEMM_PREFETCH_ROWS * KILN_PANEL);
        }
        for (size_t q = kk; q < pf_lines; q += k) kiln_prefetch_l2_(pf + q * KILN_LINE_FLOATS);
        KILN_UNROLL for (size_t i = 0; i < mr; i++) {
            kiln_v x = kiln_v_set1(a[i * lda + kk]);
            KILN_UNROLL for (size_t j = 0; j < nv; j++) acc[i * nv + j] = kiln_v_fma(x, b[j], acc[i * nv + j]);
        }
        wk += KILN_PANEL;
    }
    size_t valid = (np - 1) * KILN_PANEL + nlast;
    KILN_UNROLL for (size_t i = 0; i < mr; i++) {
        KILN_UNROLL for (size_t j = 0; j < nv; j++) {
            size_t col = (j / KILN_VPP) * KILN_PANEL + (j % KILN_VPP) * KILN_VW;
            if (col >= valid) continue;
            kiln_v y = kiln_v_act_tile_(acc[i * nv + j], act);
            if (valid - col >= KILN_VW) {
                if (r) y = kiln_v_add(y, kiln_v_load(r + i * ldr + col));
                kiln_v_store(c + i * ldc + col, y);
            } else {
                if (r) y = kiln_v_add(y, kiln_v_loadn(r + i * ldr + col, valid - col));
                kiln_v_storen(c + i * ldc + col, y, valid - col);
            }
        }
    }
}

/* mr rows (a constant after inlining) against panels [0, panels) of w, np panels per tile and the panels left over
 * as one narrower tile; the last panel has nlast valid columns. */
KILN_INLINE void kiln_f32_gemm_rows_(size_t mr, size_t np, size_t panels, size_t nlast, size_t k, const float *a,
                                     size_t lda, const float *w, size_t wps, float *c, size_t ldc, const float *r,
                                     size_t ldr, kiln_act act, int prefetch, const float *pf, size_t pf_lines) {
    size_t j = 0, tiles = (panels + np - 1) / np;
    for (; j + np <= panels; j += np) {
        size_t t = j / np, lo = pf_lines * t / tiles, hi = pf_lines * (t + 1) / tiles;
        kiln_f32_gemm_tile_(mr, np, j + np == panels ? nlast : KILN_PANEL, k, a, lda, w + j * wps, wps,
                            c + j * KILN_PANEL, ldc, r ? r + j * KILN_PANEL : r, ldr, act, prefetch,
                            pf + lo * KILN_LINE_FLOATS, hi - lo);
    }
    size_t lo = pf_lines * (tiles - 1) / tiles;
    KILN_UNROLL for (size_t t = 1; t < KILN_GEMM_NP_MAX; t++)
        if (t < np && panels - j == t)
            kiln_f32_gemm_tile_(mr, t < np ? t : 1, nlast, k, a, lda, w + j * wps, wps, c + j * KILN_PANEL, ldc,
                                r ? r + j * KILN_PANEL : r, ldr, act, prefetch, pf + lo * KILN_LINE_FLOATS,
                                pf_lines - lo);
}

/* Panels per tile for m rows: as many as the accumulator budget allows (4, 2 or 1), at most KILN_GEMM_NP_MAX. */
KILN_INLINE size_t kiln_gemm_tile_panels_(size_t m) {
    size_t np = KILN_GEMM_ACC / (m * KILN_VPP);
    np = np >= 4 ? 4 : np >= 2 ? 2 : 1;
    return np < KILN_GEMM_NP_MAX ? np : KILN_GEMM_NP_MAX;
}

/* Rows [0, p) against panels [0, panels): mr x np tiles, then the p % mr rows left over as 8/4/2/1-row tiles. */
KILN_INLINE void kiln_f32_gemm_block_(size_t mr, size_t np, size_t p, size_t panels, size_t nlast, size_t k,
                                      const float *a, size_t lda, const float *w, size_t wps, float *c, size_t ldc,
                                      const float *r, size_t ldr, kiln_act act, int prefetch, const float *pf,
                                      size_t pf_lines) {
    /* the L2 prefetch shared out by the main row tiles; a GEMV (p < mr: the classifier) streams its weight once,
     * which the hardware prefetchers do well, and measured 1.18x slower with it */
    size_t i = 0, blocks = p / mr;
    for (; i + mr <= p; i += mr) {
        size_t b = i / mr, lo = pf_lines * b / blocks, hi = pf_lines * (b + 1) / blocks;
        kiln_f32_gemm_rows_(mr, np, panels, nlast, k, a + i * lda, lda, w, wps, c + i * ldc, ldc, r ? r + i * ldr : r,
                            ldr, act, prefetch, pf + lo * KILN_LINE_FLOATS, hi - lo);
    }
#define KILN_GEMM_REM_(m)                                                                                     \
    if ((m) < mr && p - i >= (m)) {                                                                           \
        kiln_f32_gemm_rows_((m) < KILN_GEMM_MR ? (m) : 1, kiln_gemm_tile_panels_(m), panels, nlast, k,        \
                            a + i * lda, lda, w, wps, c + i * ldc, ldc, r ? r + i * ldr : r, ldr, act, prefetch, \
                            pf, 0);                                                                           \
        i += (m);                                                                                             \
    }
    KILN_GEMM_REM_(8) KILN_GEMM_REM_(4) KILN_GEMM_REM_(2) KILN_GEMM_REM_(1)
#undef KILN_GEMM_REM_
}

/* Multiplies row kk of a packed GEMM weight by g[kk] (biases unchanged): dst = src with W[k][n] *= g[k]. */
KILN_INLINE void kiln_f32_gemm_scale_packed_rows(size_t k, size_t n, const float *src, const float *g, float *dst) {
    for (size_t j = 0, np = kiln_panels(n); j < np; j++) {
        const float *s = src + j * KILN_PANEL * (k + 1);
        float *d = dst + j * KILN_PANEL * (k + 1);
        for (size_t v = 0; v < KILN_PANEL; v += KILN_VW) kiln_v_store(d + v, kiln_v_load(s + v));
        for (size_t kk = 0; kk < k; kk++) {
            kiln_v gv = kiln_v_set1(g[kk]);
            const float *sk = s + KILN_PANEL * (kk + 1);
            float *dk = d + KILN_PANEL * (kk + 1);
            for (size_t v = 0; v < KILN_PANEL; v += KILN_VW) kiln_v_store(dk + v, kiln_v_mul(gv, kiln_v_load(sk + v)));
        }
    }
}

/* The whole product with main tile mr x np, in panel groups (see the top of this file). */
KILN_INLINE void kiln_f32_gemm_groups_(size_t mr, size_t np, size_t p, size_t k, size_t n, const float *a,
                                       size_t lda, const float *packed, float *c, size_t ldc, const float *r,
                                       size_t ldr, kiln_act act, int inner, const float *next, size_t next_floats) {
    size_t panels = kiln_panels(n), wps = KILN_PANEL * (k + 1), nlast = n - KILN_PANEL * (panels - 1);
    size_t group = kiln_gemm_packed_floats(k, n) > p * k ? KILN_GEMM_NP_MAX : panels;
    if (!next) next = packed, next_floats = 0; /* a valid base: the tiles offset it (by 0), and NULL + 0 is UB in C */
    /* the panels read from L2 between two reads of a weight row: a group, or all of them when one row block walks
     * every group once */
    size_t walked = p <= mr || group > panels ? panels : group;
    int prefetch = walked * wps * sizeof(float) > KILN_GEMM_L1_WEIGHT_BYTES;
    for (size_t j = 0; j < panels; j += group) {
        size_t gp = panels - j < group ? panels - j : group, after = j + gp;
        const float *pf = after < panels ? packed + after * wps : next;
        size_t pf_floats = after < panels ? (panels - after < group ? panels - after : group) * wps : next_floats;
        kiln_f32_gemm_block_(mr, np, p, gp, j + gp == panels ? nlast : KILN_PANEL, k, a, lda, packed + j * wps, wps,
                             c + j * KILN_PANEL, ldc, r ? r + j * KILN_PANEL : r, ldr, act, prefetch, pf,
                             inner || after >= panels ? (pf_floats + KILN_LINE_FLOATS - 1) / KILN_LINE_FLOATS : 0);
    }
}

/* kiln_f32_gemm_bias_act with the L2 prefetch made explicit (see the top of this file): `inner` asks for each panel
 * group to fetch the next, and the last group fetches next[0, next_floats) (nothing when next is NULL or next_floats
 * is 0). The main tile is the alternative one only when p is a compile-time constant it leaves fewer rows over of (a
 * variable p would otherwise emit both). */
KILN_INLINE void kiln_f32_gemm_bias_act_next_(size_t p, size_t k, size_t n, const float *a, size_t lda,
                                              const float *packed, float *c, size_t ldc, const float *r, size_t ldr,
                                              kiln_act act, int inner, const float *next, size_t next_floats) {
#if KILN_GEMM_MR_ALT != KILN_GEMM_MR
    if (KILN_CONSTANT_P(p) && p % KILN_GEMM_MR_ALT < p % KILN_GEMM_MR) {
        kiln_f32_gemm_groups_(KILN_GEMM_MR_ALT, KILN_GEMM_NP_ALT, p, k, n, a, lda, packed, c, ldc, r, ldr, act, inner,
                              next, next_floats);
        return;
    }
#endif
    kiln_f32_gemm_groups_(KILN_GEMM_MR, KILN_GEMM_NP, p, k, n, a, lda, packed, c, ldc, r, ldr, act, inner, next,
                          next_floats);
}

/* C = act(A W + bias) (+ R): see the top of this file. p, k, n >= 1. */
KILN_INLINE void kiln_f32_gemm_bias_act(size_t p, size_t k, size_t n, const float *a, size_t lda,
                                        const float *packed, float *c, size_t ldc, const float *r, size_t ldr,
                                        kiln_act act) {
    kiln_f32_gemm_bias_act_next_(p, k, n, a, lda, packed, c, ldc, r, ldr, act, 1, (const float *)0, 0);
}

/* Whether the gated GEMM scales its activations (hw rows of K) rather than its packed weight: whichever is smaller.
 * The 7x7 layers have fewer rows than output channels; the larger maps scale the weight. A function of the shape
 * only, so every caller (and every split of the work) takes the same path. */
KILN_INLINE int kiln_gemm_gate_scales_a_(size_t hw, size_t k, size_t n) {
    return hw * k < kiln_gemm_packed_floats(k, n);
}

/* The SE-gated 1x1 conv: for each image b < images,
 *   C[b][q][n] = act(bias[n] + sum_k (A[b][q][k] * gate[b][k]) * W[k][n]) (+ R)       q < hw
 * The gate is applied to the smaller operand (kiln_gemm_gate_scales_a_), into scratch (at most
 * kiln_gemm_packed_floats(K, N) floats either way) per image:
 * - the activations: the hw x K rows of A times the gate, exactly the Mul the ONNX graph had, then the plain GEMM
 *   on them (hw*K multiplies);
 * - the packed weight: its rows times the gate (K*N multiplies; the products are a * (g * w)); the weight is then
 *   no larger than A, so the GEMM's row tiles are the outer loop and the scaled weight stays in cache.
 * Either against hw*K*N for the GEMM. A rows are contiguous per image (image stride hw*lda). */
KILN_INLINE void kiln_f32_gemm_gated_bias_act(size_t images, size_t hw, size_t k, size_t n, const float *a,
                                              size_t lda, const float *gate, const float *packed, float *scratch,
                                              float *c, size_t ldc, const float *r, size_t ldr, kiln_act act) {
    for (size_t b = 0; b < images; b++) {
        if (kiln_gemm_gate_scales_a_(hw, k, n)) {
            kiln_f32_scale_rows(hw, k, a + b * hw * lda, lda, gate + b * k, scratch, k);
            kiln_f32_gemm_bias_act(hw, k, n, scratch, k, packed, c + b * hw * ldc, ldc, r ? r + b * hw * ldr : r, ldr,
                                   act);
        } else {
            kiln_f32_gemm_scale_packed_rows(k, n, packed, gate + b * k, scratch);
            kiln_f32_gemm_bias_act(hw, k, n, a + b * hw * lda, lda, scratch, c + b * hw * ldc, ldc,
                                   r ? r + b * hw * ldr : r, ldr, act);
        }
    }
}

#endif
