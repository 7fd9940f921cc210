/* kiln_kernels_misc.h — pooling, squeeze-excite, softmax, elementwise and layout kernels (f32).
 * Included by kiln_kernels.h. All NHWC unless the name says otherwise; no alignment requirements. */
#ifndef KILN_KERNELS_MISC_H
#define KILN_KERNELS_MISC_H

/* Channels [c0, c1) of the global average pool below (c0 a multiple of 16, so vectors start where they would). */
KILN_INLINE void kiln_f32_gavgpool_nhwc_channels_(size_t n, size_t hw, size_t c, size_t c0, size_t c1, const float *in,
                                                  float *out) {
    kiln_v scale = kiln_v_set1(1.0f / (float)hw);
    for (size_t b = 0; b < n; b++) {
        const float *ib = in + b * hw * c;
        float *o = out + b * c;
        size_t cc = c0;
        for (; cc + 4 * KILN_VW <= c1; cc += 4 * KILN_VW) { /* four independent sums per pass */
            kiln_v s0 = kiln_v_zero(), s1 = s0, s2 = s0, s3 = s0;
            for (size_t p = 0; p < hw; p++) {
                const float *ip = ib + p * c + cc;
                s0 = kiln_v_add(s0, kiln_v_load(ip));
                s1 = kiln_v_add(s1, kiln_v_load(ip + KILN_VW));
                s2 = kiln_v_add(s2, kiln_v_load(ip + 2 * KILN_VW));
                s3 = kiln_v_add(s3, kiln_v_load(ip + 3 * KILN_VW));
            }
            kiln_v_store(o + cc, kiln_v_mul(s0, scale));
            kiln_v_store(o + cc + KILN_VW, kiln_v_mul(s1, scale));
            kiln_v_store(o + cc + 2 * KILN_VW, kiln_v_mul(s2, scale));
            kiln_v_store(o + cc + 3 * KILN_VW, kiln_v_mul(s3, scale));
        }
        for (; cc < c1; cc += KILN_VW) {
            size_t lanes = c1 - cc < KILN_VW ? c1 - cc : KILN_VW;
            kiln_v s = kiln_v_zero();
            for (size_t p = 0; p < hw; p++) s = kiln_v_add(s, kiln_v_loadn(ib + p * c + cc, lanes));
            kiln_v_storen(o + cc, kiln_v_mul(s, scale), lanes);
        }
    }
}

/* out[b][ch] = (1/hw) sum_p in[b][p][ch]: global average pool, in: n x hw x c (NHWC), out: n x c. Each channel's
 * sum runs over p in order, in its own vector lane. */
KILN_INLINE void kiln_f32_gavgpool_nhwc(size_t n, size_t hw, size_t c, const float *in, float *out) {
    kiln_f32_gavgpool_nhwc_channels_(n, hw, c, 0, c, in, out);
}

/* The two FCs of one image's squeeze-excite gate, in place on its pooled channels: see below. Out of line, with
 * the shapes and activations at run time: a few thousand multiply-adds, which specialized at every call site
 * cost compile time (two GEMMs each) and saved no run time. The arithmetic is the same either way. */
KILN_OUTLINE void kiln_f32_se_gate_fcs_(size_t c, size_t cr, const float *packed1, kiln_act act1, const float *packed2,
                                       kiln_act gate_act, float *scratch, float *gate) {
    kiln_f32_gemm_bias_act(1, c, cr, gate, c, packed1, scratch, cr, NULL, 0, act1);
    kiln_f32_gemm_bias_act(1, cr, c, scratch, cr, packed2, gate, c, NULL, 0, gate_act);
}

/* The squeeze-excite gate of each image: gate[b] = gate_act(W2 act1(W1 mean_p(in[b][p]) + b1) + b2).
 * in: n x hw x c (NHWC); packed1 = kiln_pack_gemm_f32 of the reduce conv (K = c, N = cr), packed2 of the expand
 * conv (K = cr, N = c); gate_act is usually SIGMOID or HARDSIGMOID(a, b). scratch: cr floats; gate: n x c. */
KILN_INLINE void kiln_f32_se_gate_nhwc(size_t n, size_t hw, size_t c, size_t cr, const float *in,
                                       const float *packed1, kiln_act act1, const float *packed2, kiln_act gate_act,
                                       float *scratch, float *gate) {
    for (size_t b = 0; b < n; b++) {
        kiln_f32_gavgpool_nhwc(1, hw, c, in + b * hw * c, gate + b * c);
        kiln_f32_se_gate_fcs_(c, cr, packed1, act1, packed2, gate_act, scratch, gate + b * c);
    }
}

/* out[b][p][ch] = in[b][p][ch] * gate[b][ch] (the SE multiply when not fused into the next 1x1 conv). out may
 * equal in. */
KILN_INLINE void kiln_f32_channel_scale_nhwc(size_t n, size_t hw, size_t c, const float *in, const float *gate,
                                             float *out) {
    for (size_t b = 0; b < n; b++) kiln_f32_scale_rows(hw, c, in + b * hw * c, c, gate + b * c, out + b * hw * c, c);
}

/* out[i] = act(a[i] + b[i]), i < count (residual add when not fused). out may equal a or b. */
KILN_INLINE void kiln_f32_add_act(size_t count, const float *a, const float *b, float *out, kiln_act act) {
    size_t i = 0;
    for (; i + KILN_VW <= count; i += KILN_VW)
        kiln_v_store(out + i, kiln_v_act(kiln_v_add(kiln_v_load(a + i), kiln_v_load(b + i)), act));
    if (i < count)
        kiln_v_storen(out + i, kiln_v_act(kiln_v_add(kiln_v_loadn(a + i, count - i), kiln_v_loadn(b + i, count - i)), act),
                      count - i);
}

/* Softmax of each of `rows` rows of n floats: out = exp(x - max) / sum exp(x - max). out may equal in. */
KILN_INLINE void kiln_f32_softmax(size_t rows, size_t n, const float *in, float *out) {
    for (size_t r = 0; r < rows; r++) {
        const float *x = in + r * n;
        float *y = out + r * n;
        size_t tail = n % KILN_VW, body = n - tail;
        float mx = x[0];
        for (size_t i = 0; i < n; i++) mx = x[i] > mx ? x[i] : mx;
        kiln_v m = kiln_v_set1(mx), s = kiln_v_zero();
        for (size_t i = 0; i < body; i += KILN_VW) {
            kiln_v e = kiln_v_exp_nonpos(kiln_v_sub(kiln_v_load(x + i), m));
            kiln_v_store(y + i, e);
            s = kiln_v_add(s, e);
        }
        float sum = kiln_v_reduce_add(s);
        if (tail) {
            /* lanes past n load 0 and would add exp(0 - max): keep them out of the sum */
            kiln_v e = kiln_v_exp_nonpos(kiln_v_sub(kiln_v_loadn(x + body, tail), m));
            kiln_v_storen(y + body, e, tail);
            for (size_t i = body; i < n; i++) sum += y[i];
        }
        kiln_v inv = kiln_v_set1(1.0f / sum);
        for (size_t i = 0; i < body; i += KILN_VW) kiln_v_store(y + i, kiln_v_mul(kiln_v_load(y + i), inv));
        for (size_t i = body; i < n; i++) y[i] *= 1.0f / sum;
    }
}

/* Pixels [p0, p1) of each image between NCHW (n x c x hw) and NHWC (n x hw x c): to NHWC when to_nhwc, else back.
 * 64-pixel strips keep the c strided streams in cache. */
KILN_INLINE void kiln_f32_reorder_pixels_(size_t n, size_t c, size_t hw, size_t p0, size_t p1, const float *in,
                                          float *out, int to_nhwc) {
    for (size_t b = 0; b < n; b++)
        for (size_t s = p0; s < p1; s += 64)
            for (size_t ch = 0; ch < c; ch++)
                for (size_t p = s; p < p1 && p < s + 64; p++) {
                    size_t nchw = (b * c + ch) * hw + p, nhwc = (b * hw + p) * c + ch;
                    if (to_nhwc) out[nhwc] = in[nchw];
                    else out[nchw] = in[nhwc];
                }
}

/* NCHW (n x c x hw) -> NHWC (n x hw x c), hw = H*W. */
KILN_INLINE void kiln_f32_nchw_to_nhwc(size_t n, size_t c, size_t hw, const float *in, float *out) {
    kiln_f32_reorder_pixels_(n, c, hw, 0, hw, in, out, 1);
}

/* NHWC (n x hw x c) -> NCHW (n x c x hw). */
KILN_INLINE void kiln_f32_nhwc_to_nchw(size_t n, size_t c, size_t hw, const float *in, float *out) {
    kiln_f32_reorder_pixels_(n, c, hw, 0, hw, in, out, 0);
}

#endif
