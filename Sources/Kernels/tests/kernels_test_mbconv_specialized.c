/* kernels_test_mbconv_specialized.c — the expand + depthwise fusion as generated code compiles it: with
 * KILN_SPECIALIZED_CALLS defined, so that its two stages are inlined, and every shape a literal constant, so that the
 * GEMM on each image row is specialized for w rows. kernels_test_mbconv.c checks the out-of-line form (run-time shapes,
 * many of them); this file checks a few constant shapes against the two kernels apart through a whole expanded
 * tensor, bit for bit: EfficientNet-B0's 56x56 stride-1 block (rows of 56: four 14-row tiles), a 7-wide map (the GEMM's
 * 7-row tile on AVX-512), rows of 15 and 30 (remainder tiles), stride 2 with TensorFlow's asymmetric "same" pads, two
 * images, and the band entry point over split output rows. Also the stem's conv + depthwise fusion with constant
 * shapes: EfficientNet-B0's stem geometry on a 64x64 NCHW image (3x3 stride 2, 32 channels, then depthwise 3x3). And
 * the whole block with its project conv: EfficientNet-Lite0's 56x56x144 block (24 channels and the residual out), and
 * the stem with the first block's project conv (32 -> 16). */
#define KILN_SPECIALIZED_CALLS 1
#include "kernels_test.h"

#include "kiln_pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MB_CONST(name, n, h, w, cin, c, k, s, pt, pl, oh, ow): name_fused (the fused kernel), name_band (its band entry
 * point on output rows [oy0, oy1) of the last image) and name_apart (the GEMM, then the depthwise conv), each with
 * every shape a constant. */
#define MB_CONST(name, n, h, w, cin, c, k, s, pt, pl, oh, ow)                                                        \
    enum { name##_n = n, name##_h = h, name##_w = w, name##_cin = cin, name##_c = c, name##_k = k, name##_s = s,    \
           name##_oh = oh, name##_ow = ow };                                                                         \
    static void name##_fused(const float *in, const float *pe, const float *pd, float *out, float *scratch) {      \
        kiln_f32_expand_dwconv_bias_act(n, h, w, cin, in, c, pe, (kiln_act){KILN_ACT_SILU, 0, 0}, oh, ow, k, k, s, s, \
                                        1, 1, pt, pl, pd, out, (kiln_act){KILN_ACT_SILU, 0, 0}, scratch);           \
    }                                                                                                              \
    static void name##_band(const float *in, const float *pe, const float *pd, float *out, float *scratch,         \
                            size_t oy0, size_t oy1) {                                                              \
        kiln_f32_expand_dwconv_band(h, w, cin, in + (n - 1) * h * w * cin, c, pe, (kiln_act){KILN_ACT_RELU6, 0, 0}, \
                                    oh, ow, k, k, s, s, 1, 1, pt, pl, pd, out + (n - 1) * oh * ow * c,              \
                                    (kiln_act){KILN_ACT_HARDSWISH, 0, 0}, oy0, oy1, scratch);                       \
    }                                                                                                              \
    static void name##_apart(const float *in, const float *pe, const float *pd, float *expanded, float *out,       \
                             kiln_act act_expand, kiln_act act) {                                                  \
        kiln_f32_gemm_bias_act(n * h * w, cin, c, in, cin, pe, expanded, c, NULL, 0, act_expand);                  \
        kiln_f32_dwconv_bias_act(n, h, w, c, expanded, oh, ow, k, k, s, s, 1, 1, pt, pl, pd, out, act);            \
    }

MB_CONST(b0_56x56, 1, 56, 56, 24, 144, 3, 1, 1, 1, 56, 56)
MB_CONST(map_7x7, 2, 7, 7, 40, 52, 5, 1, 2, 2, 7, 7)
MB_CONST(rows_15, 1, 15, 15, 16, 40, 3, 1, 1, 1, 15, 15)
MB_CONST(rows_30_s2_same, 2, 30, 30, 24, 72, 5, 2, 1, 1, 15, 15)

#define MB_RUN(name)                                                                                               \
    mb_check(#name, name##_n, name##_h, name##_w, name##_cin, name##_c, name##_k, name##_s, name##_oh, name##_ow,   \
             name##_fused, name##_band, name##_apart)

typedef void (*mb_fused_fn)(const float *, const float *, const float *, float *, float *);
typedef void (*mb_band_fn)(const float *, const float *, const float *, float *, float *, size_t, size_t);
typedef void (*mb_apart_fn)(const float *, const float *, const float *, float *, float *, kiln_act, kiln_act);

static void mb_check(const char *name, size_t n, size_t h, size_t w, size_t cin, size_t c, size_t k, size_t s,
                     size_t oh, size_t ow, mb_fused_fn fused, mb_band_fn band, mb_apart_fn apart) {
    float *in = randv(n * h * w * cin, 1), *pe, *pd;
    mb_packed_weights(cin, c, k, &pe, &pd);
    size_t out_floats = n * oh * ow * c, image = oh * ow * c;
    float *expanded = malloc(n * h * w * c * sizeof(float)), *want = malloc(out_floats * sizeof(float));
    float *got = malloc(out_floats * sizeof(float));
    float *scratch = malloc(kiln_expand_dwconv_scratch_floats(h, w, c, oh, k, s, 1) * sizeof(float));
    char what[120];

    apart(in, pe, pd, expanded, want, (kiln_act){KILN_ACT_SILU, 0, 0}, (kiln_act){KILN_ACT_SILU, 0, 0});
    for (size_t i = 0; i < out_floats; i++) got[i] = -1e30f;
    fused(in, pe, pd, got, scratch);
    snprintf(what, sizeof what, "expand_dwconv specialized %s", name);
    check_bits(what, got, want, out_floats);

    /* the band entry point (other activations) on the last image's rows in three uneven parts */
    apart(in, pe, pd, expanded, want, (kiln_act){KILN_ACT_RELU6, 0, 0}, (kiln_act){KILN_ACT_HARDSWISH, 0, 0});
    for (size_t i = 0; i < out_floats; i++) got[i] = -1e30f;
    size_t cut1 = oh / 3, cut2 = oh - oh / 4;
    band(in, pe, pd, got, scratch, 0, cut1);
    band(in, pe, pd, got, scratch, cut1, cut2);
    band(in, pe, pd, got, scratch, cut2, oh);
    snprintf(what, sizeof what, "expand_dwconv band specialized %s", name);
    check_bits(what, got + (n - 1) * image, want + (n - 1) * image, image);

    free(in), free(pe), free(pd);
    free(expanded), free(want), free(got), free(scratch);
}

/* The stem fusion with every shape a literal, against the direct conv then the depthwise conv (both also constant):
 * 3 x 64 x 64 NCHW -> 32 x 32 x 32 (3x3 stride 2, pads 1) -> depthwise 3x3 stride 1, pads 1; and the band entry
 * point on two uneven parts. */
static void stem_check(void) {
    enum { H = 64, C = 32, E = 32 };
    float *in = randv(3 * H * H, 1), *wt = randv(C * 3 * 9, 0.5f), *b = randv(C, 1), *pe, *pd;
    float *pc = malloc(kiln_pack_conv_f32_floats(C, 3, 3, 3) * sizeof(float));
    kiln_pack_conv_f32(C, 3, 3, 3, wt, b, pc);
    mb_packed_weights(1, C, 3, &pe, &pd);
    float *conv = malloc(E * E * C * sizeof(float)), *want = malloc(E * E * C * sizeof(float));
    float *got = malloc(E * E * C * sizeof(float));
    float *scratch = malloc(kiln_expand_dwconv_scratch_floats(E, E, C, E, 3, 1, 1) * sizeof(float));
    const kiln_act silu = {KILN_ACT_SILU, 0, 0};
    kiln_f32_conv_direct_bias_act(1, 3, H, H, in, 3 * H * H, H * H, H, 1, C, E, E, 3, 3, 2, 2, 1, 1, 1, 1, pc, conv, silu);
    kiln_f32_dwconv_bias_act(1, E, E, C, conv, E, E, 3, 3, 1, 1, 1, 1, 1, 1, pd, want, silu);
    for (size_t i = 0; i < E * E * C; i++) got[i] = -1e30f;
    kiln_f32_conv_dwconv_bias_act(1, 3, H, H, in, 3 * H * H, H * H, H, 1, C, pc, 3, 3, 2, 2, 1, 1, 1, 1, silu, E, E, E,
                                  E, 3, 3, 1, 1, 1, 1, 1, 1, pd, got, silu, scratch);
    check_bits("conv_dwconv specialized stem", got, want, E * E * C);
    for (size_t i = 0; i < E * E * C; i++) got[i] = -1e30f;
    for (size_t part = 0; part < 2; part++)
        kiln_f32_conv_dwconv_band(3, H, H, in, H * H, H, 1, C, pc, 3, 3, 2, 2, 1, 1, 1, 1, silu, E, E, E, E, 3, 3, 1, 1,
                                  1, 1, 1, 1, pd, got, silu, part ? 11 : 0, part ? E : 11, scratch);
    check_bits("conv_dwconv band specialized stem", got, want, E * E * C);
    free(in), free(wt), free(b), free(pe), free(pd), free(pc), free(conv), free(want), free(got), free(scratch);
}

/* Lite0's third block with every shape a literal: 24 -> 144 (ReLU6), depthwise 3x3 (ReLU6), project -> 24 plus the
 * block's input, fused, against the expand + depthwise fusion then the project GEMM (both constant too); and the band
 * entry point on three uneven parts. Then the stem of stem_check with the project conv 32 -> 16, no residual. */
/* (the two kernels apart in functions of their own, as in a program: one function inlining both took a stack frame
 * of megabytes at -O0 under AddressSanitizer, scripts/sanitize.sh, and overflowed the stack) */
static void __attribute__((noinline)) lite0_expand_dw(const float *in, const float *pe, const float *pd, float *d,
                                                      float *scratch) {
    const kiln_act relu6 = {KILN_ACT_RELU6, 0, 0};
    kiln_f32_expand_dwconv_bias_act(1, 56, 56, 24, in, 144, pe, relu6, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, pd, d, relu6,
                                    scratch);
}
static void __attribute__((noinline)) lite0_project(const float *in, const float *pp, const float *d, float *out) {
    kiln_f32_gemm_bias_act(56 * 56, 144, 24, d, 144, pp, out, 24, in, 24, (kiln_act){KILN_ACT_NONE, 0, 0});
}
static void lite0_apart(const float *in, const float *pe, const float *pd, const float *pp, float *d, float *out,
                        float *scratch) {
    lite0_expand_dw(in, pe, pd, d, scratch);
    lite0_project(in, pp, d, out);
}
static void __attribute__((noinline)) lite0_fused(const float *in, const float *pe, const float *pd, const float *pp,
                                                  float *out, float *scratch) {
    const kiln_act relu6 = {KILN_ACT_RELU6, 0, 0};
    kiln_f32_expand_dwconv_project_bias_act(1, 56, 56, 24, in, 144, pe, relu6, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, pd,
                                            relu6, 24, pp, out, in, (kiln_act){KILN_ACT_NONE, 0, 0}, scratch);
}
static void __attribute__((noinline)) lite0_band(const float *in, const float *pe, const float *pd, const float *pp,
                                                 float *out, float *scratch, size_t oy0, size_t oy1) {
    const kiln_act relu6 = {KILN_ACT_RELU6, 0, 0};
    kiln_f32_expand_dwconv_project_band(56, 56, 24, in, 144, pe, relu6, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, pd, relu6, 24,
                                        pp, out, in, (kiln_act){KILN_ACT_NONE, 0, 0}, oy0, oy1, scratch);
}

static float *project_weight(size_t k, size_t n) {
    float *w = randv(n * k, 0.3f), *b = randv(n, 1), *packed = malloc(kiln_pack_gemm_f32_floats(k, n) * sizeof(float));
    kiln_pack_gemm_f32(k, n, w, 1, k, b, packed);
    free(w), free(b);
    return packed;
}

static void project_check(void) {
    enum { H = 56, CIN = 24, C = 144 };
    float *in = randv(H * H * CIN, 1), *pe, *pd, *pp = project_weight(C, CIN);
    mb_packed_weights(CIN, C, 3, &pe, &pd);
    float *d = malloc(H * H * C * sizeof(float)), *want = malloc(H * H * CIN * sizeof(float));
    float *got = malloc(H * H * CIN * sizeof(float));
    float *scratch = malloc(kiln_dwconv_project_scratch_floats(H, H, C, H, H, 3, 1, 1) * sizeof(float));
    lite0_apart(in, pe, pd, pp, d, want, scratch);
    for (size_t i = 0; i < H * H * CIN; i++) got[i] = -1e30f;
    lite0_fused(in, pe, pd, pp, got, scratch);
    check_bits("expand_dwconv_project specialized lite0 56x56x144", got, want, H * H * CIN);
    for (size_t i = 0; i < H * H * CIN; i++) got[i] = -1e30f;
    lite0_band(in, pe, pd, pp, got, scratch, 0, 19), lite0_band(in, pe, pd, pp, got, scratch, 19, 20);
    lite0_band(in, pe, pd, pp, got, scratch, 20, H);
    check_bits("expand_dwconv_project band specialized lite0 56x56x144", got, want, H * H * CIN);
    free(in), free(pe), free(pd), free(pp), free(d), free(want), free(got), free(scratch);
}

/* The stem, its depthwise conv and the project conv 32 -> 16, each form in a function of its own (see lite0_apart):
 * a 3 x 64 x 64 NCHW image, 32 channels at 32 x 32, projected to 16. */
enum { PS_H = 64, PS_C = 32, PS_E = 32, PS_CO = 16 };
static void __attribute__((noinline)) stem_conv_dw(const float *img, const float *pc, const float *pd, float *dw,
                                                   float *scratch) {
    const kiln_act silu = {KILN_ACT_SILU, 0, 0};
    kiln_f32_conv_dwconv_bias_act(1, 3, PS_H, PS_H, img, 3 * PS_H * PS_H, PS_H * PS_H, PS_H, 1, PS_C, pc, 3, 3, 2, 2,
                                  1, 1, 1, 1, silu, PS_E, PS_E, PS_E, PS_E, 3, 3, 1, 1, 1, 1, 1, 1, pd, dw, silu,
                                  scratch);
}
static void __attribute__((noinline)) stem_project(const float *dw, const float *pp, float *out) {
    kiln_f32_gemm_bias_act(PS_E * PS_E, PS_C, PS_CO, dw, PS_C, pp, out, PS_CO, NULL, 0,
                           (kiln_act){KILN_ACT_NONE, 0, 0});
}
static void __attribute__((noinline)) stem_fused(const float *img, const float *pc, const float *pd, const float *pp,
                                                 float *out, float *scratch) {
    const kiln_act silu = {KILN_ACT_SILU, 0, 0};
    kiln_f32_conv_dwconv_project_bias_act(1, 3, PS_H, PS_H, img, 3 * PS_H * PS_H, PS_H * PS_H, PS_H, 1, PS_C, pc, 3,
                                          3, 2, 2, 1, 1, 1, 1, silu, PS_E, PS_E, PS_E, PS_E, 3, 3, 1, 1, 1, 1, 1, 1, pd,
                                          silu, PS_CO, pp, out, NULL, (kiln_act){KILN_ACT_NONE, 0, 0}, scratch);
}

static void stem_project_check(void) {
    float *img = randv(3 * PS_H * PS_H, 1), *wt = randv(PS_C * 3 * 9, 0.5f), *b = randv(PS_C, 1), *pe, *pd;
    float *pc = malloc(kiln_pack_conv_f32_floats(PS_C, 3, 3, 3) * sizeof(float));
    kiln_pack_conv_f32(PS_C, 3, 3, 3, wt, b, pc);
    mb_packed_weights(1, PS_C, 3, &pe, &pd);
    float *pp = project_weight(PS_C, PS_CO);
    float *dw = malloc(PS_E * PS_E * PS_C * sizeof(float)), *pwant = malloc(PS_E * PS_E * PS_CO * sizeof(float));
    float *pgot = malloc(PS_E * PS_E * PS_CO * sizeof(float));
    float *pscratch = malloc(kiln_dwconv_project_scratch_floats(PS_E, PS_E, PS_C, PS_E, PS_E, 3, 1, 1) * 4);
    stem_conv_dw(img, pc, pd, dw, pscratch);
    stem_project(dw, pp, pwant);
    for (size_t i = 0; i < PS_E * PS_E * PS_CO; i++) pgot[i] = -1e30f;
    stem_fused(img, pc, pd, pp, pgot, pscratch);
    check_bits("conv_dwconv_project specialized stem", pgot, pwant, PS_E * PS_E * PS_CO);
    free(img), free(wt), free(b), free(pc), free(pe), free(pd), free(pp), free(dw), free(pwant), free(pgot);
    free(pscratch);
}

void test_mbconv_specialized(void) {
    project_check();
    stem_project_check();
    MB_RUN(b0_56x56);
    MB_RUN(map_7x7);
    MB_RUN(rows_15);
    MB_RUN(rows_30_s2_same);
    stem_check();
}
