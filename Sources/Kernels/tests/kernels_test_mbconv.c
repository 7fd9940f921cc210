/* kernels_test_mbconv.c — the expand + depthwise fusion (kiln_kernels_mbconv.h) against the two kernels it fuses,
 * kiln_f32_gemm_bias_act then kiln_f32_dwconv_bias_act through a whole expanded tensor: the results must be equal
 * bit for bit (the fusion calls the same entry points on sub-ranges; see the header). Shapes leave remainders
 * everywhere: odd sizes, channel counts that are not multiples of 16, stride 2, 3x3 and 5x5, asymmetric "same"
 * padding, pads beyond the taps' reach, two images, rows wide enough for several bands; and the band entry point
 * over arbitrary splits of the output rows, as a thread pool calls it. The stem's direct conv + depthwise fusion
 * the same way, against kiln_f32_conv_direct_bias_act then kiln_f32_dwconv_bias_act, reading NCHW and NHWC. Both with
 * the block's project conv fused too, against kiln_f32_gemm_bias_act on the depthwise output (with and without a
 * residual, each activation). */
#include "kernels_test.h"

#include "kiln_pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const kiln_act mb_acts[] = {
    {KILN_ACT_SILU, 0, 0}, {KILN_ACT_RELU6, 0, 0}, {KILN_ACT_HARDSWISH, 0, 0}, {KILN_ACT_NONE, 0, 0},
    {KILN_ACT_CLIP, -0.5f, 0.7f},
};
#define MB_NACTS (sizeof mb_acts / sizeof mb_acts[0])

/* Counts a check: a failure unless got equals want bit for bit. */
void check_bits(const char *what, const float *got, const float *want, size_t count) {
    checks++;
    if (memcmp(got, want, count * sizeof(float)) == 0) return;
    size_t i = 0;
    while (i < count && memcmp(got + i, want + i, sizeof(float)) == 0) i++;
    if (++failures <= 20)
        fprintf(stderr, "FAIL %s [%zu of %zu]: got %.9g want %.9g\n", what, i, count, (double)got[i], (double)want[i]);
}

/* Random expand (1x1, cin -> c) and depthwise (k x k) weights and biases, packed for the two kernels: *pe and *pd,
 * malloc'd. */
void mb_packed_weights(size_t cin, size_t c, size_t k, float **pe, float **pd) {
    float *we = randv(c * cin, 0.5f), *be = randv(c, 1), *wd = randv(c * k * k, 1), *bd = randv(c, 1);
    *pe = malloc(kiln_pack_gemm_f32_floats(cin, c) * sizeof(float));
    *pd = malloc(kiln_pack_dwconv_f32_floats(c, k, k) * sizeof(float));
    kiln_pack_gemm_f32(cin, c, we, 1, cin, be, *pe);
    kiln_pack_dwconv_f32(c, k, k, wd, bd, *pd);
    free(we), free(be), free(wd), free(bd);
}

/* The project conv (c -> cout) of a fused block: its packed weight, the residual (or NULL) and the expected output,
 * kiln_f32_gemm_bias_act on the depthwise output d (n x oh x ow x c) as the unfused program runs it. */
typedef struct {
    size_t cout;
    float *packed, *r, *want, *got;
    kiln_act act;
} mb_projection;

static mb_projection mb_project(size_t combo, size_t rows, size_t c, const float *d) {
    static const size_t couts[] = {24, 7, 16, 40, 1};
    mb_projection p = {.cout = couts[combo % 5], .act = mb_acts[(combo + 3) % MB_NACTS]};
    float *wp = randv(p.cout * c, 0.3f), *bp = randv(p.cout, 1);
    p.packed = malloc(kiln_pack_gemm_f32_floats(c, p.cout) * sizeof(float));
    kiln_pack_gemm_f32(c, p.cout, wp, 1, c, bp, p.packed);
    p.r = combo % 3 ? randv(rows * p.cout, 1) : NULL;
    p.want = malloc(rows * p.cout * sizeof(float)), p.got = malloc(rows * p.cout * sizeof(float));
    kiln_f32_gemm_bias_act(rows, c, p.cout, d, c, p.packed, p.want, p.cout, p.r, p.cout, p.act);
    for (size_t i = 0; i < rows * p.cout; i++) p.got[i] = -1e30f;
    free(wp), free(bp);
    return p;
}

static void mb_projection_free(mb_projection *p) { free(p->packed), free(p->r), free(p->want), free(p->got); }

static void mbconv_case(size_t n, size_t h, size_t w, size_t cin, size_t c, size_t k, size_t s, size_t dil,
                        size_t pt, size_t pl, size_t pb, size_t pr, kiln_act act_expand, kiln_act act) {
    size_t span = (k - 1) * dil + 1;
    if (h + pt + pb < span || w + pl + pr < span) return;
    size_t oh = (h + pt + pb - span) / s + 1, ow = (w + pl + pr - span) / s + 1;
    float *in = randv(n * h * w * cin, 1), *pe, *pd;
    mb_packed_weights(cin, c, k, &pe, &pd);
    size_t out_floats = n * oh * ow * c, scratch_floats = kiln_expand_dwconv_scratch_floats(h, w, c, oh, k, s, dil);
    float *expanded = malloc(n * h * w * c * sizeof(float)), *want = malloc(out_floats * sizeof(float));
    float *got = malloc(out_floats * sizeof(float)), *scratch = malloc(scratch_floats * sizeof(float));

    kiln_f32_gemm_bias_act(n * h * w, cin, c, in, cin, pe, expanded, c, NULL, 0, act_expand);
    kiln_f32_dwconv_bias_act(n, h, w, c, expanded, oh, ow, k, k, s, s, dil, dil, pt, pl, pd, want, act);
    for (size_t i = 0; i < out_floats; i++) got[i] = -1e30f;
    kiln_f32_expand_dwconv_bias_act(n, h, w, cin, in, c, pe, act_expand, oh, ow, k, k, s, s, dil, dil, pt, pl, pd, got,
                                    act, scratch);
    char what[160];
    snprintf(what, sizeof what, "expand_dwconv n%zu %zux%zux%zu->%zu k%zu s%zu d%zu pads %zu,%zu,%zu,%zu", n, h, w,
             cin, c, k, s, dil, pt, pl, pb, pr);
    check_bits(what, got, want, out_floats);

    /* the band entry point over uneven parts of the last image's rows, as a thread pool would call it */
    for (size_t parts = 2; parts <= 3; parts++) {
        size_t last = (n - 1) * oh * ow * c;
        for (size_t i = 0; i < oh * ow * c; i++) got[last + i] = -1e30f;
        for (size_t part = 0; part < parts; part++) {
            size_t oy0 = oh * part * part / (parts * parts), oy1 = oh * (part + 1) * (part + 1) / (parts * parts);
            kiln_f32_expand_dwconv_band(h, w, cin, in + (n - 1) * h * w * cin, c, pe, act_expand, oh, ow, k, k, s, s,
                                        dil, dil, pt, pl, pd, got + last, act, oy0, oy1, scratch);
        }
        snprintf(what, sizeof what, "expand_dwconv band, %zu parts, %zux%zux%zu->%zu k%zu s%zu", parts, h, w, cin, c,
                 k, s);
        check_bits(what, got + last, want + last, oh * ow * c);
    }

    /* the whole block: the project conv on each depthwise output row, whole and in uneven parts of the last image */
    size_t combo = h * 7 + w * 3 + c + k + s + pt;
    mb_projection p = mb_project(combo, n * oh * ow, c, want);
    float *pscratch = malloc(kiln_dwconv_project_scratch_floats(h, w, c, oh, ow, k, s, dil) * sizeof(float));
    kiln_f32_expand_dwconv_project_bias_act(n, h, w, cin, in, c, pe, act_expand, oh, ow, k, k, s, s, dil, dil, pt, pl,
                                            pd, act, p.cout, p.packed, p.got, p.r, p.act, pscratch);
    snprintf(what, sizeof what, "expand_dwconv_project n%zu %zux%zux%zu->%zu->%zu%s k%zu s%zu d%zu pads %zu,%zu,%zu,%zu",
             n, h, w, cin, c, p.cout, p.r ? " +r" : "", k, s, dil, pt, pl, pb, pr);
    check_bits(what, p.got, p.want, n * oh * ow * p.cout);
    size_t image = oh * ow * p.cout, last = (n - 1) * image;
    for (size_t i = 0; i < image; i++) p.got[last + i] = -1e30f;
    for (size_t part = 0; part < 3; part++) {
        size_t oy0 = oh * part * part / 9, oy1 = oh * (part + 1) * (part + 1) / 9;
        kiln_f32_expand_dwconv_project_band(h, w, cin, in + (n - 1) * h * w * cin, c, pe, act_expand, oh, ow, k, k, s,
                                            s, dil, dil, pt, pl, pd, act, p.cout, p.packed, p.got + last,
                                            p.r ? p.r + last : NULL, p.act, oy0, oy1, pscratch);
    }
    snprintf(what, sizeof what, "expand_dwconv_project band, 3 parts, %zux%zux%zu->%zu->%zu", h, w, cin, c, p.cout);
    check_bits(what, p.got + last, p.want + last, image);
    mb_projection_free(&p);
    free(pscratch);
    free(in), free(pe), free(pd), free(expanded), free(want), free(got), free(scratch);
}

/* Random direct conv weights (cout x cin x k x k, OIHW) and bias, packed: malloc'd. */
static float *conv_packed_weights(size_t cout, size_t cin, size_t k) {
    float *wt = randv(cout * cin * k * k, 0.5f), *b = randv(cout, 1);
    float *packed = malloc(kiln_pack_conv_f32_floats(cout, cin, k, k) * sizeof(float));
    kiln_pack_conv_f32(cout, cin, k, k, wt, b, packed);
    free(wt), free(b);
    return packed;
}

/* The stem's conv (cin -> c, ck x ck, stride cs, pads cpt/cpl/cpb/cpr) then a depthwise k x k, stride s, "same"
 * padding; the input NCHW or NHWC. */
static void conv_dwconv_case(size_t n, size_t h, size_t w, size_t cin, int nchw, size_t c, size_t ck, size_t cs,
                             size_t cpt, size_t cpl, size_t cpb, size_t cpr, size_t k, size_t s, kiln_act act_conv,
                             kiln_act act) {
    if (h + cpt + cpb < ck || w + cpl + cpr < ck) return;
    size_t eh = (h + cpt + cpb - ck) / cs + 1, ew = (w + cpl + cpr - ck) / cs + 1;
    size_t pb = (k - 1) / 2, pt = s == 2 ? pb - 1 : pb;
    if (eh + pt + pb < k || ew + pt + pb < k) return;
    size_t oh = (eh + pt + pb - k) / s + 1, ow = (ew + pt + pb - k) / s + 1;
    size_t isn = cin * h * w, isc = nchw ? h * w : 1, ish = nchw ? w : w * cin, isw = nchw ? 1 : cin;
    float *in = randv(n * isn, 1), *pc = conv_packed_weights(c, cin, ck), *pe, *pd;
    mb_packed_weights(1, c, k, &pe, &pd);
    size_t out_floats = n * oh * ow * c, scratch_floats = kiln_expand_dwconv_scratch_floats(eh, ew, c, oh, k, s, 1);
    float *conv = malloc(n * eh * ew * c * sizeof(float)), *want = malloc(out_floats * sizeof(float));
    float *got = malloc(out_floats * sizeof(float)), *scratch = malloc(scratch_floats * sizeof(float));

    kiln_f32_conv_direct_bias_act(n, cin, h, w, in, isn, isc, ish, isw, c, eh, ew, ck, ck, cs, cs, 1, 1, cpt, cpl, pc,
                                  conv, act_conv);
    kiln_f32_dwconv_bias_act(n, eh, ew, c, conv, oh, ow, k, k, s, s, 1, 1, pt, pt, pd, want, act);
    for (size_t i = 0; i < out_floats; i++) got[i] = -1e30f;
    kiln_f32_conv_dwconv_bias_act(n, cin, h, w, in, isn, isc, ish, isw, c, pc, ck, ck, cs, cs, 1, 1, cpt, cpl, act_conv,
                                  eh, ew, oh, ow, k, k, s, s, 1, 1, pt, pt, pd, got, act, scratch);
    char what[160];
    snprintf(what, sizeof what, "conv_dwconv n%zu %zux%zux%zu %s ->%zu conv k%zu s%zu pads %zu,%zu,%zu,%zu dw k%zu s%zu",
             n, h, w, cin, nchw ? "NCHW" : "NHWC", c, ck, cs, cpt, cpl, cpb, cpr, k, s);
    check_bits(what, got, want, out_floats);

    /* the band entry point over uneven parts of the last image's rows */
    size_t last = (n - 1) * oh * ow * c;
    for (size_t i = 0; i < oh * ow * c; i++) got[last + i] = -1e30f;
    for (size_t part = 0; part < 3; part++) {
        size_t oy0 = oh * part * part / 9, oy1 = oh * (part + 1) * (part + 1) / 9;
        kiln_f32_conv_dwconv_band(cin, h, w, in + (n - 1) * isn, isc, ish, isw, c, pc, ck, ck, cs, cs, 1, 1, cpt, cpl,
                                  act_conv, eh, ew, oh, ow, k, k, s, s, 1, 1, pt, pt, pd, got + last, act, oy0, oy1,
                                  scratch);
    }
    snprintf(what, sizeof what, "conv_dwconv band, 3 parts, %zux%zux%zu ->%zu", h, w, cin, c);
    check_bits(what, got + last, want + last, oh * ow * c);

    /* with the first block's project conv: whole, and the band entry point in uneven parts of the last image */
    mb_projection p = mb_project(h * 5 + w + c + ck + k + s + cpt + (size_t)nchw, n * oh * ow, c, want);
    float *pscratch = malloc(kiln_dwconv_project_scratch_floats(eh, ew, c, oh, ow, k, s, 1) * sizeof(float));
    kiln_f32_conv_dwconv_project_bias_act(n, cin, h, w, in, isn, isc, ish, isw, c, pc, ck, ck, cs, cs, 1, 1, cpt, cpl,
                                          act_conv, eh, ew, oh, ow, k, k, s, s, 1, 1, pt, pt, pd, act, p.cout, p.packed,
                                          p.got, p.r, p.act, pscratch);
    snprintf(what, sizeof what, "conv_dwconv_project n%zu %zux%zux%zu %s ->%zu->%zu%s conv k%zu s%zu dw k%zu s%zu", n,
             h, w, cin, nchw ? "NCHW" : "NHWC", c, p.cout, p.r ? " +r" : "", ck, cs, k, s);
    check_bits(what, p.got, p.want, n * oh * ow * p.cout);
    size_t image = oh * ow * p.cout, plast = (n - 1) * image;
    for (size_t i = 0; i < image; i++) p.got[plast + i] = -1e30f;
    for (size_t part = 0; part < 3; part++) {
        size_t oy0 = oh * part * part / 9, oy1 = oh * (part + 1) * (part + 1) / 9;
        kiln_f32_conv_dwconv_project_band(cin, h, w, in + (n - 1) * isn, isc, ish, isw, c, pc, ck, ck, cs, cs, 1, 1, cpt,
                                          cpl, act_conv, eh, ew, oh, ow, k, k, s, s, 1, 1, pt, pt, pd, act, p.cout,
                                          p.packed, p.got + plast, p.r ? p.r + plast : NULL, p.act, oy0, oy1, pscratch);
    }
    snprintf(what, sizeof what, "conv_dwconv_project band, 3 parts, %zux%zux%zu ->%zu->%zu", h, w, cin, c, p.cout);
    check_bits(what, p.got + plast, p.want + plast, image);
    mb_projection_free(&p);
    free(pscratch);
    free(in), free(pc), free(pe), free(pd), free(conv), free(want), free(got), free(scratch);
}

void test_mbconv(void) {
    static const size_t cins[] = {3, 16, 24};
    static const size_t cs[] = {5, 17, 40, 96};
    static const size_t hws[][2] = {{1, 1}, {2, 3}, {7, 7}, {13, 11}};
    size_t combo = 0;
    for (size_t ii = 0; ii < 3; ii++)
        for (size_t ci = 0; ci < 4; ci++)
            for (size_t hi = 0; hi < 4; hi++)
                for (size_t k = 3; k <= 5; k += 2)
                    for (size_t s = 1; s <= 2; s++, combo++) {
                        /* "same" padding: symmetric for stride 1; for stride 2 TensorFlow's split on even sizes
                         * (one less on top/left); every fourth case pads past the taps' reach instead */
                        size_t pb = (k - 1) / 2, pt = s == 2 ? pb - 1 : pb, pl = pt, pr = pb;
                        if (combo % 4 == 3) pt = k, pb = 1, pl = 0, pr = k;
                        mbconv_case(1 + combo % 2, hws[hi][0], hws[hi][1], cins[ii], cs[ci], k, s, combo % 7 == 5 ? 2 : 1,
                                    pt, pl, pb, pr, mb_acts[combo % MB_NACTS], mb_acts[(combo + 2) % MB_NACTS]);
                    }
    /* expanded rows wide enough that a band is a few rows: several bands per image, rows kept between them */
    mbconv_case(2, 23, 180, 16, 130, 3, 1, 1, 1, 1, 1, 1, mb_acts[0], mb_acts[0]);
    mbconv_case(1, 29, 150, 24, 144, 5, 2, 1, 1, 1, 2, 2, mb_acts[0], mb_acts[1]);
    mbconv_case(2, 17, 200, 8, 120, 3, 2, 1, 0, 0, 1, 1, mb_acts[2], mb_acts[0]);
    mbconv_case(1, 31, 128, 16, 200, 5, 1, 1, 2, 2, 2, 2, mb_acts[0], mb_acts[3]);
    /* bottom pads wider than the taps' reach: the last output rows' taps all in the padding (no expanded row) */
    mbconv_case(1, 6, 7, 8, 20, 3, 1, 1, 1, 1, 4, 1, mb_acts[1], mb_acts[0]);
    mbconv_case(2, 9, 5, 5, 33, 3, 2, 2, 0, 1, 6, 2, mb_acts[0], mb_acts[2]);
    /* the stem: 3 (or 1, 4) channels, 3x3 (or 5x5) stride 2 (or 1) with symmetric or TensorFlow's "same" pads,
     * NCHW and NHWC */
    static const size_t stem_hws[][2] = {{1, 1}, {5, 4}, {16, 16}, {23, 31}};
    static const size_t stem_cins[] = {3, 1, 4};
    static const size_t stem_cs[] = {32, 17, 8, 40};
    for (size_t sc = 0; sc < 48; sc++) {
        size_t ck = sc % 5 == 4 ? 5 : 3, cstride = sc % 3 == 2 ? 1 : 2, tf = sc % 4 == 1, cp = (ck - 1) / 2;
        conv_dwconv_case(1 + sc % 2, stem_hws[sc % 4][0], stem_hws[sc % 4][1], stem_cins[sc % 3], (int)(sc / 3 % 2),
                         stem_cs[sc / 6 % 4], ck, cstride, tf ? cp - 1 : cp, tf ? cp - 1 : cp, cp, cp,
                         sc % 7 == 3 ? 5 : 3, 1 + sc / 24, mb_acts[sc % MB_NACTS], mb_acts[(sc + 1) % MB_NACTS]);
    }
    /* conv output rows wide enough for several bands */
    conv_dwconv_case(2, 70, 300, 3, 1, 32, 3, 2, 1, 1, 1, 1, 3, 1, mb_acts[0], mb_acts[0]);
    conv_dwconv_case(1, 64, 260, 3, 0, 24, 3, 2, 0, 0, 1, 1, 5, 2, mb_acts[2], mb_acts[1]);
    /* a 1x1 stride-1 first conv with bottom/right padding is the direct conv's too (its padding rows and columns
     * are bias and activation alone), reading NCHW */
    conv_dwconv_case(1, 9, 10, 3, 1, 20, 1, 1, 0, 0, 1, 1, 3, 1, mb_acts[1], mb_acts[0]);
    /* pads wider than the kernel: rows of the conv's output whose taps all fall in the padding */
    conv_dwconv_case(1, 6, 7, 2, 0, 16, 3, 2, 4, 4, 4, 4, 3, 1, mb_acts[3], mb_acts[1]);
}
