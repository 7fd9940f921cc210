/* kiln_kernels_conv.h — f32 direct convolution for small Cin (the stem) and a general grouped fallback.
 * Included by kiln_kernels.h. Both compute, with zero padding (bottom/right pads implied by oh x ow):
 *
 *   out[b][oy][ox][co] = act(bias[co] + sum_{ci in group(co), ky, kx}
 *                            in[b][ci][oy*sh - pt + ky*dh][ox*sw - pl + kx*dw] * W[co][ci - g0][ky][kx])
 *
 * The input is addressed through element strides (isn, isc, ish, isw), so NCHW (isn = C*H*W, isc = H*W, ish = W,
 * isw = 1) and NHWC (isn = H*W*C, isc = 1, ish = W*C, isw = C) are read directly; the output is NHWC. */
#ifndef KILN_KERNELS_CONV_H
#define KILN_KERNELS_CONV_H

#if defined(KILN_TARGET_AVX512)
#define KILN_CONV_PX 8
#define KILN_CONV_NP 2 /* panels per block: 8 pixels x 32 channels, 16 accumulators */
#else
#define KILN_CONV_PX 4
#define KILN_CONV_NP 1
#endif

/* npx output pixels from column ox of np panels (16 output channels each, panel stride pstride; the last panel has
 * nvalid real ones), taps clipped. Each input value is broadcast once for all np panels. */
KILN_INLINE void kiln_f32_conv_block_(size_t npx, size_t np, size_t ox, const float *inb, size_t isc, size_t ish,
                                      size_t isw, size_t cin, ptrdiff_t iy0, size_t sw, size_t pl, size_t kw,
                                      size_t dh, size_t dw, size_t ky0, size_t ky1, size_t kx0, size_t kx1,
                                      const float *panel, size_t pstride, size_t nvalid, float *orow, size_t cout,
                                      kiln_act act) {
    kiln_v acc[KILN_CONV_PX][KILN_CONV_NP * KILN_VPP];
    const size_t nv = np * KILN_VPP;
    KILN_UNROLL for (size_t v = 0; v < nv; v++) {
        kiln_v bias = kiln_v_load(panel + (v / KILN_VPP) * pstride + (v % KILN_VPP) * KILN_VW);
        KILN_UNROLL for (size_t p = 0; p < npx; p++) acc[p][v] = bias;
    }
    for (size_t ky = ky0; ky < ky1; ky++) {
        const float *irow = inb + (size_t)(iy0 + (ptrdiff_t)(ky * dh)) * ish;
        for (size_t kx = kx0; kx < kx1; kx++) {
            const float *ip = irow + (ox * sw + kx * dw - pl) * isw;
            const float *wp = panel + KILN_PANEL * (1 + (ky * kw + kx) * cin);
            for (size_t ci = 0; ci < cin; ci++) {
                kiln_v wv[KILN_CONV_NP * KILN_VPP];
                KILN_UNROLL for (size_t v = 0; v < nv; v++)
                    wv[v] = kiln_v_load(wp + (v / KILN_VPP) * pstride + ci * KILN_PANEL + (v % KILN_VPP) * KILN_VW);
                KILN_UNROLL for (size_t p = 0; p < npx; p++) {
                    kiln_v x = kiln_v_set1(ip[ci * isc + p * sw * isw]);
                    KILN_UNROLL for (size_t v = 0; v < nv; v++) acc[p][v] = kiln_v_fma(x, wv[v], acc[p][v]);
                }
            }
        }
    }
    size_t valid = (np - 1) * KILN_PANEL + nvalid;
    KILN_UNROLL for (size_t p = 0; p < npx; p++) {
        KILN_UNROLL for (size_t v = 0; v < nv; v++) {
            size_t col = (v / KILN_VPP) * KILN_PANEL + (v % KILN_VPP) * KILN_VW;
            if (col >= valid) continue;
            kiln_v y = kiln_v_act(acc[p][v], act);
            if (valid - col >= KILN_VW) kiln_v_store(orow + (ox + p) * cout + col, y);
            else kiln_v_storen(orow + (ox + p) * cout + col, y, valid - col);
        }
    }
}

/* One output row of np panels from panel (see kiln_f32_conv_block_): border columns one pixel at a time with their
 * taps clipped, the interior [ox_lo, ox_hi) KILN_CONV_PX pixels at a time. */
KILN_INLINE void kiln_f32_conv_row_(size_t np, const float *inb, size_t isc, size_t ish, size_t isw, size_t cin,
                                    size_t w, ptrdiff_t iy0, size_t ow, size_t ox_lo, size_t ox_hi, size_t sw,
                                    size_t pl, size_t kw, size_t dh, size_t dw, size_t ky0, size_t ky1,
                                    const float *panel, size_t pstride, size_t nvalid, float *oj, size_t cout,
                                    kiln_act act) {
    for (size_t ox = 0; ox < ow; ox++) {
        if (ox == ox_lo) ox = ox_hi;
        if (ox >= ow) break;
        ptrdiff_t ix0 = (ptrdiff_t)(ox * sw) - (ptrdiff_t)pl;
        size_t kx0, kx1;
        kiln_tap_range_(ix0, kw, dw, w, &kx0, &kx1);
        kiln_f32_conv_block_(1, np, ox, inb, isc, ish, isw, cin, iy0, sw, pl, kw, dh, dw, ky0, ky1, kx0, kx1, panel,
                             pstride, nvalid, oj, cout, act);
    }
    size_t ox = ox_lo;
    for (; ox + KILN_CONV_PX <= ox_hi; ox += KILN_CONV_PX)
        kiln_f32_conv_block_(KILN_CONV_PX, np, ox, inb, isc, ish, isw, cin, iy0, sw, pl, kw, dh, dw, ky0, ky1, 0, kw,
                             panel, pstride, nvalid, oj, cout, act);
    for (; ox < ox_hi; ox++)
        kiln_f32_conv_block_(1, np, ox, inb, isc, ish, isw, cin, iy0, sw, pl, kw, dh, dw, ky0, ky1, 0, kw, panel,
                             pstride, nvalid, oj, cout, act);
}

/* Direct conv, groups = 1, packed by kiln_pack_conv_f32. Fast when cin is small (the 3-channel stem): per output
 * pixel block the cost is KH*KW*Cin broadcasts and FMAs per 16 output channels, no im2col buffer; on AVX-512 two
 * panels (32 channels) share each broadcast. */
KILN_INLINE void kiln_f32_conv_direct_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in, size_t isn,
                                               size_t isc, size_t ish, size_t isw, size_t cout, size_t oh,
                                               size_t ow, size_t kh, size_t kw, size_t sh, size_t sw, size_t dh,
                                               size_t dw, size_t pt, size_t pl, const float *packed, float *out,
                                               kiln_act act) {
    size_t panels = kiln_panels(cout), pstride = KILN_PANEL * (1 + kh * kw * cin);
    size_t nlast = cout - KILN_PANEL * (panels - 1);
    size_t span = (kw - 1) * dw + 1;
    size_t ox_lo = (pl + sw - 1) / sw, ox_hi = w + pl >= span ? (w + pl - span) / sw + 1 : 0;
    if (ox_hi > ow) ox_hi = ow;
    if (ox_lo > ox_hi) ox_lo = ox_hi;
    for (size_t b = 0; b < n; b++) {
        const float *inb = in + b * isn;
        for (size_t oy = 0; oy < oh; oy++) {
            float *orow = out + (b * oh + oy) * ow * cout;
            ptrdiff_t iy0 = (ptrdiff_t)(oy * sh) - (ptrdiff_t)pt;
            size_t ky0, ky1;
            kiln_tap_range_(iy0, kh, dh, h, &ky0, &ky1);
            size_t j = 0;
            for (; j + KILN_CONV_NP <= panels; j += KILN_CONV_NP)
                kiln_f32_conv_row_(KILN_CONV_NP, inb, isc, ish, isw, cin, w, iy0, ow, ox_lo, ox_hi, sw, pl, kw, dh,
                                   dw, ky0, ky1, packed + j * pstride, pstride,
                                   j + KILN_CONV_NP == panels ? nlast : KILN_PANEL, orow + j * KILN_PANEL, cout, act);
            if (j < panels) /* KILN_CONV_NP is 1 or 2: at most one panel left */
                kiln_f32_conv_row_(1, inb, isc, ish, isw, cin, w, iy0, ow, ox_lo, ox_hi, sw, pl, kw, dh, dw, ky0, ky1,
                                   packed + j * pstride, pstride, nlast, orow + j * KILN_PANEL, cout, act);
        }
    }
}

/* The always-applicable fallback: any groups (cin and cout divisible by groups), strides, dilations, pads.
 * weight is the ONNX layout [cout][cin/groups][kh][kw], unpacked; bias may be NULL. Scalar loops. */
KILN_INLINE void kiln_f32_conv_generic_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in,
                                                size_t isn, size_t isc, size_t ish, size_t isw, size_t cout,
                                                size_t oh, size_t ow, size_t kh, size_t kw, size_t sh, size_t sw,
                                                size_t dh, size_t dw, size_t pt, size_t pl, size_t groups,
                                                const float *weight, const float *bias, float *out, kiln_act act) {
    size_t cig = cin / groups, cog = cout / groups;
    for (size_t b = 0; b < n; b++) {
        for (size_t oy = 0; oy < oh; oy++) {
            ptrdiff_t iy0 = (ptrdiff_t)(oy * sh) - (ptrdiff_t)pt;
            size_t ky0, ky1;
            kiln_tap_range_(iy0, kh, dh, h, &ky0, &ky1);
            for (size_t ox = 0; ox < ow; ox++) {
                ptrdiff_t ix0 = (ptrdiff_t)(ox * sw) - (ptrdiff_t)pl;
                size_t kx0, kx1;
                kiln_tap_range_(ix0, kw, dw, w, &kx0, &kx1);
                float *o = out + ((b * oh + oy) * ow + ox) * cout;
                for (size_t co = 0; co < cout; co++) {
                    size_t g = co / cog;
                    float s = bias ? bias[co] : 0.0f;
                    for (size_t ci = 0; ci < cig; ci++) {
                        const float *ip = in + b * isn + (g * cig + ci) * isc;
                        const float *wp = weight + (co * cig + ci) * kh * kw;
                        for (size_t ky = ky0; ky < ky1; ky++)
                            for (size_t kx = kx0; kx < kx1; kx++)
                                s += ip[(size_t)(iy0 + (ptrdiff_t)(ky * dh)) * ish +
                                        (size_t)(ix0 + (ptrdiff_t)(kx * dw)) * isw] * wp[ky * kw + kx];
                    }
                    o[co] = s;
                }
                kiln_f32_act(cout, o, o, act);
            }
        }
    }
}

#endif
