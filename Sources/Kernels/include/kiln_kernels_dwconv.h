/* kiln_kernels_dwconv.h — f32 depthwise convolution, NHWC, fused bias + activation. Included by kiln_kernels.h.
 *
 *   out[b][oy][ox][ch] = act(bias[ch] + sum_{ky,kx} in[b][oy*sh - pt + ky*dh][ox*sw - pl + kx*dw][ch] * W[ch][ky][kx])
 *
 * with taps outside the input contributing 0 (zero padding; pads may be asymmetric: the bottom/right pads are
 * implied by the output size oh x ow). in: n x h x w x c; out: n x oh x ow x c; packed: kiln_pack_dwconv_f32
 * (Cpad = c rounded up to 16: Cpad biases, then per tap (ky, kx) Cpad weights, zero-padded).
 *
 * Structure (3x3 and 5x5 kernels): for each output row and vector of channels, the weights are loaded once into
 * registers; columns whose taps are all inside horizontally form the interior, computed KILN_DW_PX pixels at a time
 * with no bounds checks; border columns one pixel at a time with their kx range clipped. Rows near the top/bottom
 * skip their outside ky taps (the unrolled tap loop tests ky once per tap row). Rows at most KILN_DW_NARROW wide
 * with constant shapes (generated code's 14x14 and 7x7 maps) instead go KILN_DW_PX pixels at a time from column 0
 * in an unrolled loop where each pixel's clipped taps are constants. Other kernel sizes, and channels past the last
 * whole vector, use the per-pixel path, whose tap ranges are clipped once per pixel. Which path computes a pixel
 * depends only on the shapes and its column, never on which output rows a caller asked for. The loop over rows and
 * channel vectors runs rows outer, or (5x5 on wide rows held in L2: kiln_dwconv_channel_outer_) one vector at a time
 * down all the rows; the results are the same either way. */
#ifndef KILN_KERNELS_DWCONV_H
#define KILN_KERNELS_DWCONV_H

#define KILN_DW_PX 4
#define KILN_DW_CV 4 /* channel vectors per border pixel step */
#define KILN_DW_MAX_TAPS 25 /* 5x5 */
#define KILN_DW_STRIP_BYTES 24576 /* input bytes per column strip: half of a 48 KiB L1 */
#define KILN_DW_NARROW 16 /* rows at most this wide take the unrolled narrow-row path when shapes are constants */

/* The taps t in [*lo, *hi) of a window starting at i0 (dilation d, k taps) that land in [0, size). */
KILN_INLINE void kiln_tap_range_(ptrdiff_t i0, size_t k, size_t d, size_t size, size_t *lo, size_t *hi) {
    size_t l = i0 < 0 ? (size_t)((-i0 + (ptrdiff_t)d - 1) / (ptrdiff_t)d) : 0;
    ptrdiff_t last = (ptrdiff_t)size - 1 - i0;
    size_t h = last < 0 ? 0 : (size_t)(last / (ptrdiff_t)d) + 1;
    if (h > k) h = k;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/* One output pixel, channels [c0, c1), taps clipped to [ky0, ky1) x [kx0, kx1). */
KILN_INLINE void kiln_f32_dwconv_pixel_(size_t c0, size_t c1, size_t c, size_t cpad, const float *in, size_t w,
                                        ptrdiff_t iy0, ptrdiff_t ix0, size_t kw, size_t dh, size_t dw, size_t ky0,
                                        size_t ky1, size_t kx0, size_t kx1, const float *packed, float *out,
                                        kiln_act act) {
    const float *wt = packed + cpad;
    size_t cc = c0;
    /* KILN_DW_CV channel vectors at a time: independent accumulator chains hide the FMA latency */
    for (; cc + KILN_DW_CV * KILN_VW <= c1; cc += KILN_DW_CV * KILN_VW) {
        kiln_v acc[KILN_DW_CV];
        KILN_UNROLL for (size_t v = 0; v < KILN_DW_CV; v++) acc[v] = kiln_v_load(packed + cc + v * KILN_VW);
        for (size_t ky = ky0; ky < ky1; ky++) {
            const float *irow = in + (size_t)(iy0 + (ptrdiff_t)(ky * dh)) * w * c;
            for (size_t kx = kx0; kx < kx1; kx++) {
                const float *ip = irow + (size_t)(ix0 + (ptrdiff_t)(kx * dw)) * c + cc;
                const float *wp = wt + (ky * kw + kx) * cpad + cc;
                KILN_UNROLL for (size_t v = 0; v < KILN_DW_CV; v++)
                    acc[v] = kiln_v_fma(kiln_v_load(ip + v * KILN_VW), kiln_v_load(wp + v * KILN_VW), acc[v]);
            }
        }
        KILN_UNROLL for (size_t v = 0; v < KILN_DW_CV; v++)
            kiln_v_store(out + cc + v * KILN_VW, kiln_v_act(acc[v], act));
    }
    for (; cc < c1; cc += KILN_VW) {
        size_t lanes = c1 - cc < KILN_VW ? c1 - cc : KILN_VW;
        kiln_v acc = kiln_v_load(packed + cc);
        for (size_t ky = ky0; ky < ky1; ky++) {
            const float *irow = in + (size_t)(iy0 + (ptrdiff_t)(ky * dh)) * w * c;
            for (size_t kx = kx0; kx < kx1; kx++) {
                const float *ip = irow + (size_t)(ix0 + (ptrdiff_t)(kx * dw)) * c + cc;
                kiln_v x = lanes == KILN_VW ? kiln_v_load(ip) : kiln_v_loadn(ip, lanes);
                acc = kiln_v_fma(x, kiln_v_load(wt + (ky * kw + kx) * cpad + cc), acc);
            }
        }
        acc = kiln_v_act(acc, act);
        if (lanes == KILN_VW) kiln_v_store(out + cc, acc);
        else kiln_v_storen(out + cc, acc, lanes);
    }
}

/* npx pixels starting at output column ox (input column ox*sw - pl), one full vector of channels at cc, weights
 * in wv; only taps [ky0, ky1) x [kx0, kx1) are summed (all of them in the interior, where these are the constants
 * 0, kh, 0, kw; clipped ranges are for single border pixels). With clip, each pixel also skips its taps outside
 * the row [0, w): for narrow rows whose ox and shape are constants, so that the tests fold away. A single pixel
 * splits its taps over two accumulator chains (even and odd ky) to halve the FMA latency chain. */
KILN_INLINE void kiln_f32_dwconv_block_(size_t npx, size_t ox, size_t cc, size_t c, const float *in, ptrdiff_t iy0,
                                        size_t w, size_t kh, size_t kw, size_t sw, size_t dh, size_t dw, size_t pl,
                                        size_t ky0, size_t ky1, size_t kx0, size_t kx1, int clip, const kiln_v *wv,
                                        kiln_v bias, float *orow, kiln_act act) {
    kiln_v acc[KILN_DW_PX], acc2 = kiln_v_zero();
    ptrdiff_t ix0 = (ptrdiff_t)(ox * sw) - (ptrdiff_t)pl;
    KILN_UNROLL for (size_t p = 0; p < npx; p++) acc[p] = bias;
    KILN_UNROLL for (size_t ky = 0; ky < kh; ky++) { /* kh, kw are constants here: see kiln_f32_dwconv_row_ */
        if (ky < ky0 || ky >= ky1) continue;
        const float *irow = in + (size_t)(iy0 + (ptrdiff_t)(ky * dh)) * w * c + cc;
        KILN_UNROLL for (size_t kx = 0; kx < kw; kx++) {
            if (kx < kx0 || kx >= kx1) continue;
            KILN_UNROLL for (size_t p = 0; p < npx; p++) {
                ptrdiff_t ix = ix0 + (ptrdiff_t)(p * sw + kx * dw);
                if (clip && (ix < 0 || ix >= (ptrdiff_t)w)) continue;
                kiln_v x = kiln_v_load(irow + (size_t)ix * c);
                if (npx == 1 && ky % 2) acc2 = kiln_v_fma(x, wv[ky * kw + kx], acc2);
                else acc[p] = kiln_v_fma(x, wv[ky * kw + kx], acc[p]);
            }
        }
    }
    if (npx == 1) acc[0] = kiln_v_add(acc[0], acc2);
    KILN_UNROLL for (size_t p = 0; p < npx; p++) kiln_v_store(orow + (ox + p) * c + cc, kiln_v_act(acc[p], act));
}

/* One output row (input rows from iy0, taps [ky0, ky1) inside), channels [c0, c1) (whole vectors); kh, kw
 * constants. Interior columns [a0, a1) go KILN_DW_PX at a time; border columns one at a time with clipped kx. */
KILN_INLINE void kiln_f32_dwconv_rowk_(size_t kh, size_t kw, size_t a0, size_t a1, size_t ow, size_t c0, size_t c1,
                                       size_t c, size_t cpad, const float *in, ptrdiff_t iy0, size_t ky0, size_t ky1,
                                       size_t w, size_t sw, size_t dh, size_t dw, size_t pl, const float *packed,
                                       float *orow, kiln_act act) {
    /* Narrow rows (the 7x7 and 14x14 maps) with every shape a constant: the whole row in blocks of KILN_DW_PX from
     * column 0, in a loop unrolled so that each pixel's clipped taps are constants. Border pixels then need no
     * single-pixel path with variable tap ranges (on a 7-wide row with a 5x5 kernel every pixel was one). */
    if (KILN_CONSTANT_P(ow) && KILN_CONSTANT_P(w) && KILN_CONSTANT_P(pl) && KILN_CONSTANT_P(sw) &&
        KILN_CONSTANT_P(dw) && ow <= KILN_DW_NARROW) {
        for (size_t cc = c0; cc < c1; cc += KILN_VW) {
            kiln_v wv[KILN_DW_MAX_TAPS];
            KILN_UNROLL for (size_t t = 0; t < kh * kw; t++) wv[t] = kiln_v_load(packed + cpad + t * cpad + cc);
            kiln_v bias = kiln_v_load(packed + cc);
            KILN_UNROLL for (size_t ox = 0; ox < KILN_DW_NARROW; ox += KILN_DW_PX)
                if (ox < ow)
                    kiln_f32_dwconv_block_(ow - ox < KILN_DW_PX ? ow - ox : KILN_DW_PX, ox, cc, c, in, iy0, w, kh, kw,
                                           sw, dh, dw, pl, ky0, ky1, 0, kw, 1, wv, bias, orow, act);
        }
        return;
    }
    /* strips of output columns whose input window (kh rows) stays in L1 across the channel-vector passes */
    size_t strip = KILN_DW_STRIP_BYTES / (kh * (sw * KILN_DW_PX + kw) * (c1 - c0) * sizeof(float)) * KILN_DW_PX;
    if (strip < KILN_DW_PX) strip = KILN_DW_PX;
    for (size_t s0 = 0, s1; s0 < ow; s0 = s1) {
        /* strips start at a0 + k*strip so the interior splits into whole blocks; the left border joins the first */
        size_t base = s0 < a0 ? a0 : s0;
        s1 = ow - base < strip ? ow : base + strip;
        size_t e = s1 < a1 ? s1 : a1;
        for (size_t cc = c0; cc < c1; cc += KILN_VW) {
            kiln_v wv[KILN_DW_MAX_TAPS];
            KILN_UNROLL for (size_t t = 0; t < kh * kw; t++) wv[t] = kiln_v_load(packed + cpad + t * cpad + cc);
            kiln_v bias = kiln_v_load(packed + cc);
            size_t ox = s0, kx0, kx1;
            for (; ox < s1 && ox < a0; ox++) { /* left border */
                kiln_tap_range_((ptrdiff_t)(ox * sw) - (ptrdiff_t)pl, kw, dw, w, &kx0, &kx1);
                kiln_f32_dwconv_block_(1, ox, cc, c, in, iy0, w, kh, kw, sw, dh, dw, pl, ky0, ky1, kx0, kx1, 0, wv,
                                       bias, orow, act);
            }
            for (; ox + KILN_DW_PX <= e; ox += KILN_DW_PX)
                kiln_f32_dwconv_block_(KILN_DW_PX, ox, cc, c, in, iy0, w, kh, kw, sw, dh, dw, pl, ky0, ky1, 0, kw, 0,
                                       wv, bias, orow, act);
            /* fewer than KILN_DW_PX interior pixels left: a bound the compiler sees (with an unbounded count gcc
             * warned that a 2^63rd iteration would overflow the pointer arithmetic; generated code builds with
             * -Werror) */
            for (size_t left = 0; left + 1 < KILN_DW_PX && ox < e; left++, ox++)
                kiln_f32_dwconv_block_(1, ox, cc, c, in, iy0, w, kh, kw, sw, dh, dw, pl, ky0, ky1, 0, kw, 0, wv,
                                       bias, orow, act);
            for (; ox < s1; ox++) { /* right border */
                kiln_tap_range_((ptrdiff_t)(ox * sw) - (ptrdiff_t)pl, kw, dw, w, &kx0, &kx1);
                kiln_f32_dwconv_block_(1, ox, cc, c, in, iy0, w, kh, kw, sw, dh, dw, pl, ky0, ky1, kx0, kx1, 0, wv,
                                       bias, orow, act);
            }
        }
    }
}

/* kiln_f32_dwconv_rowk_ with the tap rows as constants (all of them) on rows away from the top/bottom border */
KILN_INLINE void kiln_f32_dwconv_row_(size_t kh, size_t kw, size_t a0, size_t a1, size_t ow, size_t c0, size_t c1,
                                      size_t c, size_t cpad, const float *in, ptrdiff_t iy0, size_t ky0, size_t ky1,
                                      size_t w, size_t sw, size_t dh, size_t dw, size_t pl, const float *packed,
                                      float *orow, kiln_act act) {
    if (ky0 == 0 && ky1 == kh)
        kiln_f32_dwconv_rowk_(kh, kw, a0, a1, ow, c0, c1, c, cpad, in, iy0, 0, kh, w, sw, dh, dw, pl, packed, orow,
                              act);
    else
        kiln_f32_dwconv_rowk_(kh, kw, a0, a1, ow, c0, c1, c, cpad, in, iy0, ky0, ky1, w, sw, dh, dw, pl, packed, orow,
                              act);
}

/* Output rows [0, oh) of one image, channels [c0, c1) (whole vectors), with the register-resident path (3x3 and 5x5
 * only: constant trip counts to unroll). */
KILN_INLINE void kiln_f32_dwconv_rows_(size_t h, size_t w, size_t c, const float *in, size_t oh, size_t ow, size_t kh,
                                       size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                       size_t ox_lo, size_t ox_hi, size_t c0, size_t c1, const float *packed,
                                       float *out, kiln_act act) {
    size_t cpad = kiln_panels(c) * KILN_PANEL;
    for (size_t oy = 0; oy < oh; oy++) {
        ptrdiff_t iy0 = (ptrdiff_t)(oy * sh) - (ptrdiff_t)pt;
        size_t ky0, ky1;
        kiln_tap_range_(iy0, kh, dh, h, &ky0, &ky1);
        if (kh == 3 && kw == 3)
            kiln_f32_dwconv_row_(3, 3, ox_lo, ox_hi, ow, c0, c1, c, cpad, in, iy0, ky0, ky1, w, sw, dh, dw, pl, packed,
                                 out + oy * ow * c, act);
        else
            kiln_f32_dwconv_row_(5, 5, ox_lo, ox_hi, ow, c0, c1, c, cpad, in, iy0, ky0, ky1, w, sw, dh, dw, pl, packed,
                                 out + oy * ow * c, act);
    }
}

/* Whether the register-resident path runs one channel vector at a time down all the rows (each input line then comes
 * from L2 once, and the kh input rows of that vector stay in L1 from one output row to the next) rather than one row
 * at a time across all channels (kh input rows of every channel per output row, read from L2 again for each output
 * row that uses them). Measured in whole programs (tv_b0, one thread, against the unchanged layers): the 5x5 kernels
 * on rows wider than KILN_DW_NARROW whose kh input rows overflow L1 gain (28x28x240: 0.80 of the time; the fused
 * 56x56x144 stride-2 band: 0.97); 3x3 kernels (1.10-1.35) and the narrow 14x14 and 7x7 rows (1.10-1.44) lose, so they
 * keep the row order, as does an input larger than L2 (the 112x112 maps, read from memory, sequentially). The order
 * changes no result: each output element is computed by the same instructions either way. */
#define KILN_DW_L1_WINDOW (32 * 1024)
#define KILN_DW_L2_INPUT (768 * 1024)
KILN_INLINE int kiln_dwconv_channel_outer_(size_t h, size_t w, size_t c, size_t kh, size_t kw, size_t ow) {
    size_t row = w * c * sizeof(float);
    return kh == 5 && kw == 5 && ow > KILN_DW_NARROW && kh * row > KILN_DW_L1_WINDOW && h * row <= KILN_DW_L2_INPUT;
}

/* kiln_f32_dwconv_bias_act with the loop order chosen by the caller (channel_outer: kiln_dwconv_channel_outer_ of the
 * whole input, which a caller running part of the rows knows and this call may not), for channels [cb, ce) only
 * (cb a multiple of KILN_VW; ce too, or c). */
KILN_INLINE void kiln_f32_dwconv_bias_act_order_(size_t n, size_t h, size_t w, size_t c, const float *in, size_t oh,
                                                 size_t ow, size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                                 size_t dw, size_t pt, size_t pl, const float *packed, float *out,
                                                 kiln_act act, int channel_outer, size_t cb, size_t ce) {
    size_t cpad = kiln_panels(c) * KILN_PANEL;
    /* interior columns: ox*sw - pl >= 0 and ox*sw - pl + (kw-1)*dw <= w-1 */
    size_t span = (kw - 1) * dw + 1;
    size_t ox_lo = (pl + sw - 1) / sw, ox_hi = w + pl >= span ? (w + pl - span) / sw + 1 : 0;
    if (ox_hi > ow) ox_hi = ow;
    if (ox_lo > ox_hi) ox_lo = ox_hi;
    /* the register-resident path exists for 3x3 and 5x5 (constant trip counts to unroll); other kernel sizes, and
     * the channels past the last whole vector, take the per-pixel path */
    size_t cfull = (kh == 3 && kw == 3) || (kh == 5 && kw == 5) ? c - c % KILN_VW : 0;
    size_t vend = ce < cfull ? ce : cfull, pb = cb > cfull ? cb : cfull; /* vectors [cb, vend), pixels [pb, ce) */
    for (size_t b = 0; b < n; b++) {
        const float *inb = in + b * h * w * c;
        float *outb = out + b * oh * ow * c;
        /* one call site for both orders (one vector, or all of them, per pass down the rows), so that the kernel is
         * inlined once: two would double what the compiler works through before it drops the order not taken */
        size_t step = channel_outer ? KILN_VW : vend - cb;
        for (size_t cc = cb; cc < vend; cc += step)
            kiln_f32_dwconv_rows_(h, w, c, inb, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, ox_lo, ox_hi, cc, cc + step,
                                  packed, outb, act);
        if (pb < ce)
            for (size_t oy = 0; oy < oh; oy++) {
                ptrdiff_t iy0 = (ptrdiff_t)(oy * sh) - (ptrdiff_t)pt;
                size_t ky0, ky1;
                kiln_tap_range_(iy0, kh, dh, h, &ky0, &ky1);
                for (size_t ox = 0; ox < ow; ox++) {
                    ptrdiff_t ix0 = (ptrdiff_t)(ox * sw) - (ptrdiff_t)pl;
                    size_t kx0, kx1;
                    kiln_tap_range_(ix0, kw, dw, w, &kx0, &kx1);
                    kiln_f32_dwconv_pixel_(pb, ce, c, cpad, inb, w, iy0, ix0, kw, dh, dw, ky0, ky1, kx0, kx1,
                                           packed, outb + (oy * ow + ox) * c, act);
                }
            }
    }
}

KILN_INLINE void kiln_f32_dwconv_bias_act(size_t n, size_t h, size_t w, size_t c, const float *in, size_t oh,
                                          size_t ow, size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                          size_t dw, size_t pt, size_t pl, const float *packed, float *out,
                                          kiln_act act) {
    kiln_f32_dwconv_bias_act_order_(n, h, w, c, in, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act,
                                    kiln_dwconv_channel_outer_(h, w, c, kh, kw, ow), 0, c);
}

#endif
