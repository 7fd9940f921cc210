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
 * panel vector per k. AVX-512: 14 x 32 (28 zmm accumulators); AVX2: 6 x 16; generic: 4 x 16.
 * Row remainders (P % MR) run as 8/4/2/1-row tiles, column remainders compute the padded lanes and store with
 * masks. With P, K, N constant at the call site only the tiles actually needed are emitted. */
#ifndef KILN_KERNELS_GEMM_H
#define KILN_KERNELS_GEMM_H

#if defined(KILN_TARGET_AVX512)
#define KILN_GEMM_MR 14
#define KILN_GEMM_NP 2
#elif defined(KILN_TARGET_AVX2)
#define KILN_GEMM_MR 6
#define KILN_GEMM_NP 1
#else
#define KILN_GEMM_MR 4
#define KILN_GEMM_NP 1
#endif
#define KILN_VPP (KILN_PANEL / KILN_VW) /* vectors per panel */
#define KILN_GEMM_NV (KILN_GEMM_NP * KILN_VPP)

/* One MR x NP tile: rows [0, mr) of a/c, panels [0, np) of w; the last panel has nlast (1..16) valid columns. */
KILN_INLINE void kiln_f32_gemm_tile_(size_t mr, size_t np, size_t nlast, size_t k, const float *KILN_RESTRICT a,
                                     size_t lda, const float *KILN_RESTRICT w, size_t wps, float *c, size_t ldc,
                                     const float *r, size_t ldr, kiln_act act) {
    kiln_v acc[KILN_GEMM_MR][KILN_GEMM_NV];
    KILN_UNROLL for (size_t j = 0; j < np * KILN_VPP; j++) {
        kiln_v b = kiln_v_load(w + (j / KILN_VPP) * wps + (j % KILN_VPP) * KILN_VW);
        KILN_UNROLL for (size_t i = 0; i < mr; i++) acc[i][j] = b;
    }
    const float *wk = w + KILN_PANEL;
    for (size_t kk = 0; kk < k; kk++) {
        kiln_v b[KILN_GEMM_NV];
        KILN_UNROLL for (size_t j = 0; j < np * KILN_VPP; j++)
            b[j] = kiln_v_load(wk + (j / KILN_VPP) * wps + (j % KILN_VPP) * KILN_VW);
        KILN_UNROLL for (size_t i = 0; i < mr; i++) {
            kiln_v x = kiln_v_set1(a[i * lda + kk]);
            KILN_UNROLL for (size_t j = 0; j < np * KILN_VPP; j++) acc[i][j] = kiln_v_fma(x, b[j], acc[i][j]);
        }
        wk += KILN_PANEL;
    }
    KILN_UNROLL for (size_t i = 0; i < mr; i++) {
        KILN_UNROLL for (size_t j = 0; j < np * KILN_VPP; j++) {
            size_t col = (j / KILN_VPP) * KILN_PANEL + (j % KILN_VPP) * KILN_VW;
            size_t valid = (j / KILN_VPP == np - 1) ? (np - 1) * KILN_PANEL + nlast : np * KILN_PANEL;
            if (col >= valid) continue;
            kiln_v y = kiln_v_act(acc[i][j], act);
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

/* mr rows (a constant after inlining) against all N columns. */
KILN_INLINE void kiln_f32_gemm_rows_(size_t mr, size_t k, size_t n, const float *a, size_t lda, const float *w,
                                     float *c, size_t ldc, const float *r, size_t ldr, kiln_act act) {
    size_t panels = kiln_panels(n), wps = KILN_PANEL * (k + 1), j = 0;
    size_t nlast = n - KILN_PANEL * (panels - 1);
    for (; j + KILN_GEMM_NP <= panels; j += KILN_GEMM_NP)
        kiln_f32_gemm_tile_(mr, KILN_GEMM_NP, j + KILN_GEMM_NP == panels ? nlast : KILN_PANEL, k, a, lda,
                            w + j * wps, wps, c + j * KILN_PANEL, ldc, r ? r + j * KILN_PANEL : r, ldr, act);
#if KILN_GEMM_NP == 2
    if (j < panels)
        kiln_f32_gemm_tile_(mr, 1, nlast, k, a, lda, w + j * wps, wps, c + j * KILN_PANEL, ldc,
                            r ? r + j * KILN_PANEL : r, ldr, act);
#elif KILN_GEMM_NP != 1
#error "the panel remainder handles KILN_GEMM_NP of 1 or 2"
#endif
}

/* C = act(A W + bias) (+ R): see the top of this file. p, k, n >= 1. */
KILN_INLINE void kiln_f32_gemm_bias_act(size_t p, size_t k, size_t n, const float *a, size_t lda,
                                        const float *packed, float *c, size_t ldc, const float *r, size_t ldr,
                                        kiln_act act) {
    size_t i = 0;
    for (; i + KILN_GEMM_MR <= p; i += KILN_GEMM_MR)
        kiln_f32_gemm_rows_(KILN_GEMM_MR, k, n, a + i * lda, lda, packed, c + i * ldc, ldc, r ? r + i * ldr : r,
                            ldr, act);
    /* the remainder as binary-sized tiles (8, 4, 2, 1 rows) so that only four more tile shapes exist */
#define KILN_GEMM_REM_(m)                                                                                     \
    if ((m) < KILN_GEMM_MR && p - i >= (m)) {                                                                 \
        kiln_f32_gemm_rows_((m) < KILN_GEMM_MR ? (m) : 1, k, n, a + i * lda, lda, packed, c + i * ldc, ldc,   \
                            r ? r + i * ldr : r, ldr, act);                                                   \
        i += (m);                                                                                             \
    }
    KILN_GEMM_REM_(8) KILN_GEMM_REM_(4) KILN_GEMM_REM_(2) KILN_GEMM_REM_(1)
#undef KILN_GEMM_REM_
}

/* Multiplies row kk of a packed GEMM weight by g[kk] (biases unchanged): dst = src with W[k][n] *= g[k]. */
KILN_INLINE void kiln_f32_gemm_scale_packed_rows(size_t k, size_t n, const float *src, const float *g, float *dst) {
    size_t panels = kiln_panels(n);
    for (size_t j = 0; j < panels; j++) {
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

/* The SE-gated 1x1 conv: for each image b < images,
 *   C[b][q][n] = act(bias[n] + sum_k (A[b][q][k] * gate[b][k]) * W[k][n]) (+ R)       q < hw
 * implemented by scaling the packed weight into scratch (kiln_gemm_packed_floats(K, N) floats) once per image,
 * which costs K*N multiplies against hw*K*N for the GEMM. A rows are contiguous per image (image stride hw*lda). */
KILN_INLINE void kiln_f32_gemm_gated_bias_act(size_t images, size_t hw, size_t k, size_t n, const float *a,
                                              size_t lda, const float *gate, const float *packed, float *scratch,
                                              float *c, size_t ldc, const float *r, size_t ldr, kiln_act act) {
    for (size_t b = 0; b < images; b++) {
        kiln_f32_gemm_scale_packed_rows(k, n, packed, gate + b * k, scratch);
        kiln_f32_gemm_bias_act(hw, k, n, a + b * hw * lda, lda, scratch, c + b * hw * ldc, ldc,
                               r ? r + b * hw * ldr : r, ldr, act);
    }
}

#endif
