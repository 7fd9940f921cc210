/* kernels_test.c — every kernel of kiln_kernels.h against a naive double-precision reference, over odd sizes and
 * every remainder case (the generic kernels in kernels_test_generic.c). Built once per target ISA (-DKILN_TARGET_AVX512 / -DKILN_TARGET_AVX2 / neither) by
 * scripts/test-kernels.sh. Tolerance: |got - ref| <= 1e-5 * (|ref| + sum of |terms|), which allows for float
 * accumulation in any order. Prints one line per failure (the first 20) and a summary; exits 1 on failure. */
#include "kernels_test.h"

#include "kiln_pack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

long checks, failures;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

float frand(void) { /* uniform in [-1, 1) */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng >> 40) & 0xffffff) / 8388608.0f - 1.0f;
}
float *randv(size_t n, float scale) {
    float *p = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = scale * frand();
    return p;
}
void check(const char *what, size_t index, float got, double ref, double scale) {
    checks++;
    double err = fabs((double)got - ref), tol = 1e-5 * (fabs(ref) + scale) + 1e-30;
    if (!(err <= tol)) {
        if (++failures <= 20) fprintf(stderr, "FAIL %s [%zu]: got %.9g want %.9g (err %.3g, tol %.3g)\n", what,
                                      index, (double)got, ref, err, tol);
    }
}

static double ref_act(double x, kiln_act a) {
    switch (a.kind) {
    case KILN_ACT_NONE: return x;
    case KILN_ACT_RELU: return x > 0 ? x : 0;
    case KILN_ACT_RELU6: return x < 0 ? 0 : x > 6 ? 6 : x;
    case KILN_ACT_SILU: return x / (1 + exp(-x));
    case KILN_ACT_HARDSWISH: return x * fmin(fmax(x + 3, 0), 6) / 6;
    case KILN_ACT_SIGMOID: return 1 / (1 + exp(-x));
    case KILN_ACT_HARDSIGMOID: return fmax(0, fmin(1, a.a * x + a.b));
    case KILN_ACT_CLIP: return fmin(fmax(x, a.a), a.b);
    }
    return x;
}
/* error scale for act applied to a sum with abs-sum s: slopes are at most 1.5 (hardswish) */
static const kiln_act acts[] = {
    {KILN_ACT_NONE, 0, 0},    {KILN_ACT_RELU, 0, 0},        {KILN_ACT_RELU6, 0, 0},       {KILN_ACT_SILU, 0, 0},
    {KILN_ACT_HARDSWISH, 0, 0}, {KILN_ACT_SIGMOID, 0, 0}, {KILN_ACT_HARDSIGMOID, 0.2f, 0.5f}, {KILN_ACT_CLIP, -0.5f, 0.7f},
};
#define NACTS (sizeof acts / sizeof acts[0])

static void test_act(void) {
    size_t n = 1001;
    float *x = randv(n, 12), *y = malloc(n * sizeof(float));
    x[0] = -100, x[1] = 100, x[2] = -88, x[3] = 0, x[4] = -3, x[5] = 3, x[6] = -1e-3f;
    for (size_t a = 0; a < NACTS; a++) {
        for (size_t len = 1; len <= n; len += len < 40 ? 1 : 320) {
            kiln_f32_act(len, x, y, acts[a]);
            for (size_t i = 0; i < len; i++) {
                double r = ref_act(x[i], acts[a]);
                /* sigmoid of very negative x: the kernel flushes below exp(-87) */
                check("act", a * 10000 + i, y[i], r, fabs(r) < 1e-37 ? 1e-32 : 0);
            }
        }
    }
    free(x), free(y);
}

/* Sigmoid and SiLU closer than the harness's tolerance: every 1/512 over [-20, 20], within 6e-7 of the exact value
 * relative with AVX-512 and AVX2 (over every float in [-20, 20]: 4.4e-7 and 4.9e-7, at |x| = 16-19 where log2(e)'s
 * rounding times |y| dominates), 1.5e-6 in portable C (1.1e-6); at the edges +-inf and 1e30 saturate (to within an ulp of 1), and SiLU
 * of NaN is NaN (the sigmoid of NaN is not specified: the clamp turns it into a number). */
#if defined(KILN_TARGET_AVX512) || defined(KILN_TARGET_AVX2)
#define SIGMOID_TOLERANCE 6e-7
#else
#define SIGMOID_TOLERANCE 1.5e-6
#endif
static void test_sigmoid_precision(void) {
    size_t n = 20481;
    float *x = malloc((n + 4) * sizeof(float)), *y = malloc((n + 4) * sizeof(float));
    for (size_t i = 0; i < n; i++) x[i] = -20.0f + (float)i / 512.0f;
    x[n] = INFINITY, x[n + 1] = -INFINITY, x[n + 2] = 1e30f, x[n + 3] = NAN;
    const kiln_act kinds[] = {{KILN_ACT_SIGMOID, 0, 0}, {KILN_ACT_SILU, 0, 0}};
    for (size_t a = 0; a < 2; a++) {
        kiln_f32_act(n + 4, x, y, kinds[a]);
        for (size_t i = 0; i < n; i++) {
            double r = ref_act(x[i], kinds[a]);
            checks++;
            if (!(fabs(y[i] - r) <= SIGMOID_TOLERANCE * fabs(r)) && ++failures <= 20)
                fprintf(stderr, "FAIL %s precision at x = %.9g: got %.9g want %.9g (rel %.3g)\n",
                        a ? "silu" : "sigmoid", (double)x[i], (double)y[i], r, fabs(y[i] - r) / fabs(r));
        }
        int ok = a ? y[n] == INFINITY && fabs(y[n + 2] / 1e30 - 1) <= 1.2e-7 && isnan(y[n + 3])
                   : y[n] >= 1 - 1.2e-7 && y[n] <= 1 && y[n + 1] >= 0 && y[n + 1] < 1e-37f && y[n + 2] >= 1 - 1.2e-7;
        checks++;
        if (!ok && ++failures <= 20)
            fprintf(stderr, "FAIL %s at +inf, -inf, 1e30, NaN: got %.9g %.9g %.9g %.9g\n", a ? "silu" : "sigmoid",
                    (double)y[n], (double)y[n + 1], (double)y[n + 2], (double)y[n + 3]);
    }
    free(x), free(y);
}

/* A GEMM call whose row count the kernel may see as a compile-time constant (see gemm_const_p below). */
typedef void (*gemm_fn)(size_t k, size_t n, const float *a, size_t lda, const float *packed, float *c, size_t ldc,
                        const float *r, kiln_act act);
typedef void (*gemm_gated_fn)(size_t k, size_t n, const float *a, const float *gate, const float *packed,
                              float *scratch, float *c, const float *r, kiln_act act);

/* One GEMM case against the double reference; run is NULL for a call with P as a variable. */
static void gemm_case(size_t combo, size_t P, size_t K, size_t N, gemm_fn run) {
    size_t lda = K + combo % 3, ldc = N + combo % 2;
    kiln_act act = acts[combo % NACTS];
    int residual = combo % 3; /* 0 none, 1 separate, 2 in place */
    float *a = randv(P * lda, 1), *w = randv(N * K, 1), *bias = randv(N, 1);
    float *packed = malloc(kiln_pack_gemm_f32_floats(K, N) * sizeof(float));
    kiln_pack_gemm_f32(K, N, w, 1, K, combo % 5 ? bias : NULL, packed); /* ONNX [N][K] */
    float *c = randv(P * ldc, 1), *res = randv(P * ldc, 1), *c0 = malloc(P * ldc * sizeof(float));
    if (residual == 2) memcpy(c, res, P * ldc * sizeof(float));
    memcpy(c0, c, P * ldc * sizeof(float));
    const float *r = residual ? (residual == 2 ? c : res) : NULL;
    if (run) run(K, N, a, lda, packed, c, ldc, r, act);
    else kiln_f32_gemm_bias_act(P, K, N, a, lda, packed, c, ldc, r, ldc, act);
    for (size_t p = 0; p < P; p++) {
        for (size_t n = 0; n < ldc; n++) {
            if (n >= N) { /* padding columns untouched */
                check("gemm pad", p * ldc + n, c[p * ldc + n], c0[p * ldc + n], 0);
                continue;
            }
            double s = combo % 5 ? bias[n] : 0, as = fabs(s);
            for (size_t k = 0; k < K; k++)
                s += (double)a[p * lda + k] * w[n * K + k], as += fabs((double)a[p * lda + k] * w[n * K + k]);
            double ref = ref_act(s, act);
            if (residual) ref += res[p * ldc + n];
            check("gemm", combo * 100000 + p * ldc + n, c[p * ldc + n], ref, 1.5 * as + 1);
        }
    }
    free(a), free(w), free(bias), free(packed), free(c), free(res), free(c0);
}

static void gemm_gated_case(size_t s, size_t HW, size_t K, size_t N, gemm_gated_fn run) {
    size_t images = run ? 1 : 2;
    float *a = randv(images * HW * K, 1), *g = randv(images * K, 1), *w = randv(K * N, 1), *bias = randv(N, 1);
    float *packed = malloc(kiln_pack_gemm_f32_floats(K, N) * sizeof(float));
    float *scratch = malloc(kiln_pack_gemm_f32_floats(K, N) * sizeof(float));
    kiln_pack_gemm_f32(K, N, w, N, 1, bias, packed); /* Gemm B [K][N] */
    float *c = malloc(images * HW * N * sizeof(float)), *res = randv(images * HW * N, 1);
    kiln_act act = acts[s % NACTS];
    const float *r = s % 2 ? res : NULL;
    if (run) run(K, N, a, g, packed, scratch, c, r, act);
    else kiln_f32_gemm_gated_bias_act(images, HW, K, N, a, K, g, packed, scratch, c, N, r, N, act);
    for (size_t b = 0; b < images; b++)
        for (size_t p = 0; p < HW; p++)
            for (size_t n = 0; n < N; n++) {
                double sum = bias[n], as = fabs(sum);
                for (size_t k = 0; k < K; k++) {
                    double t = (double)a[(b * HW + p) * K + k] * g[b * K + k] * w[k * N + n];
                    sum += t, as += fabs(t);
                }
                double ref = ref_act(sum, act) + (r ? res[(b * HW + p) * N + n] : 0);
                check("gemm gated", s * 100000 + (b * HW + p) * N + n, c[(b * HW + p) * N + n], ref, 1.5 * as + 1);
            }
    free(a), free(g), free(w), free(bias), free(packed), free(scratch), free(c), free(res);
}

/* P as a literal, as in generated code: the kernels choose tile shapes by constant P (AVX-512: 7 x 64 tiles when
 * they leave fewer rows over than 14 x 32: P = 49 exactly, 27 with 6 rows over), which a variable P never
 * reaches. */
#define GEMM_CONST_P(P)                                                                                            \
    static void gemm_p##P(size_t k, size_t n, const float *a, size_t lda, const float *packed, float *c,           \
                          size_t ldc, const float *r, kiln_act act) {                                              \
        kiln_f32_gemm_bias_act(P, k, n, a, lda, packed, c, ldc, r, ldc, act);                                      \
    }
GEMM_CONST_P(27) GEMM_CONST_P(49)
static void gemm_gated_p27(size_t k, size_t n, const float *a, const float *gate, const float *packed, float *scratch,
                           float *c, const float *r, kiln_act act) {
    kiln_f32_gemm_gated_bias_act(1, 27, k, n, a, k, gate, packed, scratch, c, n, r, n, act);
}

static void test_gemm(void) {
    static const size_t Ps[] = {1, 2, 3, 4, 5, 7, 8, 13, 14, 15, 16, 27, 29, 45};
    static const size_t Ks[] = {1, 3, 16, 37};
    static const size_t Ns[] = {1, 5, 8, 15, 16, 17, 24, 31, 32, 33, 40, 48, 50, 100}; /* 24, 40: MBConv projects */
    static const struct {
        size_t p;
        gemm_fn run;
    } constant[] = {{27, gemm_p27}, {49, gemm_p49}};
    size_t combo = 0;
    for (size_t pi = 0; pi < sizeof Ps / sizeof *Ps; pi++)
        for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++)
            for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++, combo++) gemm_case(combo, Ps[pi], Ks[ki], Ns[ni], NULL);
    for (size_t pi = 0; pi < sizeof constant / sizeof *constant; pi++)
        for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++)
            for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++, combo++)
                gemm_case(combo, constant[pi].p, Ks[ki], Ns[ni], constant[pi].run);
}

static void test_gemm_gated(void) {
    /* {HW, K, N}: the gate scales A where hw*K is smaller than the packed weight (the first seven: the last two have
     * more panels than one group, with the weight larger than A, panels outer), the weight otherwise (the rest;
     * {31, 1, 16} and {32, 1, 16} are either side of the boundary, 32 = the packed weight's floats) */
    static const size_t shapes[][3] = {{1, 1, 1},   {7, 5, 17},    {30, 16, 33}, {15, 40, 16}, {49, 24, 40},
                                       {5, 20, 100}, {13, 30, 130}, {31, 1, 16},  {32, 1, 16},  {40, 8, 16},
                                       {64, 12, 20}, {100, 33, 50}, {203, 37, 33}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        gemm_gated_case(s, shapes[s][0], shapes[s][1], shapes[s][2], NULL);
    static const size_t kns[][2] = {{5, 17}, {24, 100}, {37, 66}, {3, 8}};
    for (size_t j = 0; j < sizeof kns / sizeof *kns; j++)
        gemm_gated_case(100 + j, 27, kns[j][0], kns[j][1], gemm_gated_p27);
}

/* naive conv over strided input; weight ONNX [cout][cin/groups][kh][kw]; output NHWC */
static void ref_conv(size_t n, size_t cin, size_t h, size_t w, const float *in, size_t isn, size_t isc, size_t ish,
                     size_t isw, size_t cout, size_t oh, size_t ow, size_t kh, size_t kw, size_t sh, size_t sw,
                     size_t dh, size_t dw, size_t pt, size_t pl, size_t groups, const float *wt, const float *bias,
                     double *out, double *scale) {
    size_t cig = cin / groups, cog = cout / groups;
    for (size_t b = 0; b < n; b++)
        for (size_t oy = 0; oy < oh; oy++)
            for (size_t ox = 0; ox < ow; ox++)
                for (size_t co = 0; co < cout; co++) {
                    double s = bias ? bias[co] : 0, as = fabs(s);
                    for (size_t ci = 0; ci < cig; ci++)
                        for (size_t ky = 0; ky < kh; ky++)
                            for (size_t kx = 0; kx < kw; kx++) {
                                long iy = (long)(oy * sh + ky * dh) - (long)pt, ix = (long)(ox * sw + kx * dw) - (long)pl;
                                if (iy < 0 || ix < 0 || iy >= (long)h || ix >= (long)w) continue;
                                double t = (double)in[b * isn + ((co / cog) * cig + ci) * isc + (size_t)iy * ish +
                                                      (size_t)ix * isw] *
                                           wt[((co * cig + ci) * kh + ky) * kw + kx];
                                s += t, as += fabs(t);
                            }
                    size_t o = ((b * oh + oy) * ow + ox) * cout + co;
                    out[o] = s, scale[o] = as;
                }
}

/* a depthwise call with every shape a literal, as in generated code (see DW_CONST) */
typedef void (*dw_fn)(const float *in, const float *packed, float *out, kiln_act act);

/* one conv case through the depthwise, direct or generic kernel (kind 0, 1, 2); a depthwise case calls run if it
 * is not NULL (its literal shapes must be the case's) */
static void conv_case(dw_fn run, int kind, size_t n, size_t cin, size_t h, size_t w, int nchw, size_t cout,
                      size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                      size_t pb, size_t pr, size_t groups, kiln_act act, int with_bias) {
    if (h + pt + pb < (kh - 1) * dh + 1 || w + pl + pr < (kw - 1) * dw + 1) return;
    size_t oh = (h + pt + pb - (kh - 1) * dh - 1) / sh + 1, ow = (w + pl + pr - (kw - 1) * dw - 1) / sw + 1;
    size_t isn = cin * h * w, isc = nchw ? h * w : 1, ish = nchw ? w : w * cin, isw = nchw ? 1 : cin;
    float *in = randv(n * cin * h * w, 1), *wt = randv(cout * (cin / groups) * kh * kw, 1), *bias = randv(cout, 1);
    float *out = malloc(n * oh * ow * cout * sizeof(float));
    double *ref = malloc(n * oh * ow * cout * sizeof(double)), *scale = malloc(n * oh * ow * cout * sizeof(double));
    const float *bp = with_bias ? bias : NULL;
    ref_conv(n, cin, h, w, in, isn, isc, ish, isw, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, groups, wt, bp, ref,
             scale);
    float *packed = NULL;
    const char *name = kind == 0 ? "dwconv" : kind == 1 ? "conv direct" : "conv generic";
    if (kind == 0) {
        packed = malloc(kiln_pack_dwconv_f32_floats(cin, kh, kw) * sizeof(float));
        kiln_pack_dwconv_f32(cin, kh, kw, wt, bp, packed);
        if (run) run(in, packed, out, act);
        else kiln_f32_dwconv_bias_act(n, h, w, cin, in, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act);
    } else if (kind == 1) {
        packed = malloc(kiln_pack_conv_f32_floats(cout, cin, kh, kw) * sizeof(float));
        kiln_pack_conv_f32(cout, cin, kh, kw, wt, bp, packed);
        kiln_f32_conv_direct_bias_act(n, cin, h, w, in, isn, isc, ish, isw, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt,
                                      pl, packed, out, act);
    } else {
        kiln_f32_conv_generic_bias_act(n, cin, h, w, in, isn, isc, ish, isw, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt,
                                       pl, groups, wt, bp, out, act);
    }
    for (size_t i = 0; i < n * oh * ow * cout; i++) check(name, i, out[i], ref_act(ref[i], act), 1.5 * scale[i] + 1);
    free(in), free(wt), free(bias), free(out), free(ref), free(scale), free(packed);
}

/* Rows at most KILN_DW_NARROW wide with constant shapes take the depthwise kernel's unrolled narrow-row path, whose
 * per-pixel tap clipping only exists with literal shapes: 7x7 and 14x14-like maps, strides, dilation, asymmetric
 * pads, channel remainders, a row of exactly 16. */
#define DW_CONST(name, n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl)                                           \
    static void name(const float *in, const float *packed, float *out, kiln_act act) {                             \
        kiln_f32_dwconv_bias_act(n, h, w, c, in, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act);         \
    }
DW_CONST(dw_7x7_k5, 2, 7, 7, 35, 7, 7, 5, 5, 1, 1, 1, 1, 2, 2)
DW_CONST(dw_14_s2_same, 1, 14, 14, 48, 7, 7, 3, 3, 2, 2, 1, 1, 0, 0)
DW_CONST(dw_11x16_k5_s2, 1, 11, 16, 16, 6, 8, 5, 5, 2, 2, 1, 1, 2, 2)
DW_CONST(dw_6x13_dil2, 1, 6, 13, 17, 6, 13, 3, 3, 1, 1, 2, 2, 2, 2)
DW_CONST(dw_16x16, 1, 16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1)
/* 5x5 on rows wider than KILN_DW_NARROW, kh input rows past 32 KiB, the whole input within L2: one channel vector
 * at a time down the rows (kiln_dwconv_channel_outer_), with a channel remainder for AVX-512 and AVX2 (124); stride
 * 1 and 2 */
DW_CONST(dw_20x20_c124_k5, 2, 20, 20, 124, 20, 20, 5, 5, 1, 1, 1, 1, 2, 2)
DW_CONST(dw_40x40_c72_k5_s2, 1, 40, 40, 72, 20, 20, 5, 5, 2, 2, 1, 1, 1, 1)

static void test_dwconv_constant(void) {
    conv_case(dw_7x7_k5, 0, 2, 35, 7, 7, 0, 35, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 35, acts[3], 1);
    conv_case(dw_14_s2_same, 0, 1, 48, 14, 14, 0, 48, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 48, acts[3], 1);
    conv_case(dw_11x16_k5_s2, 0, 1, 16, 11, 16, 0, 16, 5, 5, 2, 2, 1, 1, 2, 2, 2, 1, 16, acts[4], 1);
    conv_case(dw_6x13_dil2, 0, 1, 17, 6, 13, 0, 17, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 17, acts[2], 0);
    conv_case(dw_16x16, 0, 1, 32, 16, 16, 0, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32, acts[5], 1);
    conv_case(dw_20x20_c124_k5, 0, 2, 124, 20, 20, 0, 124, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 124, acts[3], 1);
    conv_case(dw_40x40_c72_k5_s2, 0, 1, 72, 40, 40, 0, 72, 5, 5, 2, 2, 1, 1, 1, 1, 2, 2, 72, acts[1], 1);
}

static void test_convs(void) {
    static const size_t cs[] = {1, 3, 8, 16, 17, 32, 35};
    static const size_t ks[][2] = {{3, 3}, {5, 5}, {1, 1}, {3, 5}, {7, 7}};
    static const size_t hws[][2] = {{1, 1}, {2, 3}, {5, 5}, {9, 7}, {12, 13}};
    size_t combo = 0;
    for (size_t ci = 0; ci < 7; ci++)
        for (size_t ki = 0; ki < 5; ki++)
            for (size_t hi = 0; hi < 5; hi++)
                for (size_t s = 1; s <= 2; s++, combo++) {
                    size_t c = cs[ci], kh = ks[ki][0], kw = ks[ki][1], d = combo % 7 == 3 ? 2 : 1;
                    size_t pt = combo % 3, pl = (combo / 3) % 3, pb = (combo / 2) % 3, pr = combo % 2 * 2;
                    kiln_act act = acts[combo % NACTS];
                    conv_case(NULL, 0, 1 + combo % 2, c, hws[hi][0], hws[hi][1], 0, c, kh, kw, s,
                              s + (combo % 5 == 1), d, d, pt, pl, pb, pr, c, act, combo % 4 != 0);
                }
    /* wide rows with many channels: the interior is split into several column strips (KILN_DW_STRIP_BYTES) */
    conv_case(NULL, 0, 1, 70, 6, 41, 0, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 70, acts[3], 1);
    conv_case(NULL, 0, 1, 100, 7, 45, 0, 100, 5, 5, 2, 2, 1, 1, 2, 2, 2, 1, 100, acts[4], 1);
    /* small images with many channels (most pixels are border pixels), and pads wider than the kernel reach */
    conv_case(NULL, 0, 1, 144, 7, 9, 0, 144, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 144, acts[1], 1);
    conv_case(NULL, 0, 2, 48, 4, 3, 0, 48, 5, 5, 2, 2, 1, 1, 4, 1, 3, 4, 48, acts[2], 1);
    /* couts: one partial panel, one whole, two (AVX-512 blocks two panels) with the second partial, two whole, and
     * two whole plus a partial one left over */
    static const size_t cins[] = {1, 3, 4}, couts[] = {5, 16, 20, 32, 33};
    combo = 0;
    for (size_t ci = 0; ci < 3; ci++)
        for (size_t co = 0; co < 5; co++)
            for (size_t hi = 0; hi < 5; hi++)
                for (size_t s = 1; s <= 2; s++, combo++) {
                    size_t kh = combo % 4 == 0 ? 1 : 3, kw = combo % 6 == 1 ? 5 : kh, d = combo % 5 == 2 ? 2 : 1;
                    conv_case(NULL, 1, 1 + combo % 2, cins[ci], hws[hi][0] + 2, hws[hi][1] + 3, (int)(combo % 2),
                              couts[co], kh, kw, s, s, d, d, combo % 2, combo % 3, (combo + 1) % 2, combo % 2, 1,
                              acts[combo % NACTS], combo % 3 != 0);
                }
    static const size_t gs[][3] = {{4, 6, 1}, {4, 6, 2}, {6, 9, 3}, {5, 5, 5}, {8, 4, 4}};
    for (size_t g = 0; g < 5; g++)
        for (size_t s = 1; s <= 2; s++)
            conv_case(NULL, 2, 2, gs[g][0], 6, 7, (int)(g % 2), gs[g][1], 3, 2, s, 3 - s, 1 + g % 2, 1, 1, 0, 2, 1,
                      gs[g][2], acts[(g + s) % NACTS], g != 1);
}

static void test_misc(void) {
    static const size_t cs[] = {1, 5, 16, 17, 64, 70};
    for (size_t ci = 0; ci < 6; ci++) {
        size_t n = 2, hw = 7 + ci, c = cs[ci], cr = (c + 3) / 4;
        float *in = randv(n * hw * c, 1), *pool = malloc(n * c * sizeof(float));
        kiln_f32_gavgpool_nhwc(n, hw, c, in, pool);
        double *mean = malloc(n * c * sizeof(double));
        for (size_t b = 0; b < n; b++)
            for (size_t ch = 0; ch < c; ch++) {
                double s = 0, as = 0;
                for (size_t p = 0; p < hw; p++) s += in[(b * hw + p) * c + ch], as += fabs(in[(b * hw + p) * c + ch]);
                mean[b * c + ch] = s / hw;
                check("gavgpool", b * c + ch, pool[b * c + ch], s / hw, as / hw);
            }
        /* SE gate: reduce c -> cr with SiLU, expand cr -> c with sigmoid or hardsigmoid */
        float *w1 = randv(cr * c, 1), *b1 = randv(cr, 1), *w2 = randv(c * cr, 1), *b2 = randv(c, 1);
        float *p1 = malloc(kiln_pack_gemm_f32_floats(c, cr) * sizeof(float));
        float *p2 = malloc(kiln_pack_gemm_f32_floats(cr, c) * sizeof(float));
        kiln_pack_gemm_f32(c, cr, w1, 1, c, b1, p1);
        kiln_pack_gemm_f32(cr, c, w2, 1, cr, b2, p2);
        kiln_act gact = ci % 2 ? (kiln_act){KILN_ACT_HARDSIGMOID, 0.2f, 0.5f} : (kiln_act){KILN_ACT_SIGMOID, 0, 0};
        float *scratch = malloc(cr * sizeof(float)), *gate = malloc(n * c * sizeof(float));
        kiln_f32_se_gate_nhwc(n, hw, c, cr, in, p1, (kiln_act){KILN_ACT_SILU, 0, 0}, p2, gact, scratch, gate);
        for (size_t b = 0; b < n; b++) {
            double hid[32];
            for (size_t r = 0; r < cr; r++) {
                double s = b1[r];
                for (size_t ch = 0; ch < c; ch++) s += mean[b * c + ch] * w1[r * c + ch];
                hid[r] = s / (1 + exp(-s));
            }
            for (size_t ch = 0; ch < c; ch++) {
                double s = b2[ch], as = fabs(s);
                for (size_t r = 0; r < cr; r++) s += hid[r] * w2[ch * cr + r], as += fabs(hid[r] * w2[ch * cr + r]);
                check("se gate", b * c + ch, gate[b * c + ch], ref_act(s, gact), 10 * as + 1);
            }
        }
        /* channel scale, in place */
        float *x = malloc(n * hw * c * sizeof(float));
        memcpy(x, in, n * hw * c * sizeof(float));
        kiln_f32_channel_scale_nhwc(n, hw, c, x, gate, x);
        for (size_t i = 0; i < n * hw * c; i++)
            check("channel scale", i, x[i], (double)in[i] * gate[(i / (hw * c)) * c + i % c], 0);
        /* add + act */
        kiln_f32_add_act(n * hw * c, in, x, x, acts[ci % NACTS]);
        for (size_t i = 0; i < n * hw * c; i++)
            check("add", i, x[i], ref_act((double)in[i] + (double)in[i] * gate[(i / (hw * c)) * c + i % c], acts[ci % NACTS]),
                  3 * fabs(in[i]));
        /* softmax over rows of c */
        float *sm = randv(n * hw * c, 20), *so = malloc(n * hw * c * sizeof(float));
        kiln_f32_softmax(n * hw, c, sm, so);
        for (size_t r = 0; r < n * hw; r++) {
            double mx = -1e30, sum = 0;
            for (size_t i = 0; i < c; i++) mx = fmax(mx, sm[r * c + i]);
            for (size_t i = 0; i < c; i++) sum += exp(sm[r * c + i] - mx);
            for (size_t i = 0; i < c; i++) {
                double want = exp(sm[r * c + i] - mx) / sum;
                check("softmax", r * c + i, so[r * c + i], want, want < 1e-37 ? 1e-32 : 0);
            }
        }
        /* reorders, round trip and values */
        float *t = malloc(n * hw * c * sizeof(float)), *u = malloc(n * hw * c * sizeof(float));
        kiln_f32_nchw_to_nhwc(n, c, hw, in, t);
        kiln_f32_nhwc_to_nchw(n, c, hw, t, u);
        for (size_t b = 0; b < n; b++)
            for (size_t ch = 0; ch < c; ch++)
                for (size_t p = 0; p < hw; p++) {
                    check("nchw->nhwc", p, t[(b * hw + p) * c + ch], in[(b * c + ch) * hw + p], 0);
                    check("nhwc->nchw", p, u[(b * c + ch) * hw + p], in[(b * c + ch) * hw + p], 0);
                }
        free(in), free(pool), free(mean), free(w1), free(b1), free(w2), free(b2), free(p1), free(p2), free(scratch);
        free(gate), free(x), free(sm), free(so), free(t), free(u);
    }
}

int main(void) {
    test_act();
    test_sigmoid_precision();
    test_gemm();
    test_gemm_gated();
    test_convs();
    test_dwconv_constant();
    test_misc();
    test_generic();
    test_parallel();
    test_mbconv();
    test_mbconv_specialized();
    printf("kiln kernels [%s]: %ld checks, %ld failures\n", KILN_ISA_NAME, checks, failures);
    return failures ? 1 : 0;
}
