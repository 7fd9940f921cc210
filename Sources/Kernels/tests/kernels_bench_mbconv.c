/* kernels_bench_mbconv.c — the expand + depthwise fusion (kiln_kernels_mbconv.h) against the two kernels it fuses, on
 * EfficientNet-B0's MBConv shapes and a few of MobileNetV3's and B1's (224x224, batch 1, one thread, SiLU), shapes as literal constants as in generated
 * code. Interleaved rounds (unfused, fused, unfused, ...) of thread CPU time; prints the medians and the ratio
 * fused / unfused per shape; KernelCatalog.expandDepthwiseMinimumBytes is chosen from whole programs, where the
 * expanded tensor competes for the caches with everything else. Not a test.
 * Built by scripts/bench-kernels.sh. */
#include "kernels_bench.h"

#define ROUNDS 21
#define REPS 5
static const kiln_act SILU = {KILN_ACT_SILU, 0, 0};

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* SHAPE(id, H, CIN, C, K, S, PT): an H x H x CIN input expanded to C channels, then a KxK depthwise conv of stride S
 * with top/left pad PT (TensorFlow's "same" on even sizes for stride 2: one less than bottom/right). */
#define SHAPES(X)                                                                                                  \
    X(b2a_112x16_96_k3s2, 112, 16, 96, 3, 2, 0) X(b2b_56x24_144_k3s1, 56, 24, 144, 3, 1, 1)                        \
    X(b3a_56x24_144_k5s2, 56, 24, 144, 5, 2, 1) X(b3b_28x40_240_k5s1, 28, 40, 240, 5, 1, 2)                        \
    X(b4a_28x40_240_k3s2, 28, 40, 240, 3, 2, 0) X(b4b_14x80_480_k3s1, 14, 80, 480, 3, 1, 1)                        \
    X(b5a_14x80_480_k5s1, 14, 80, 480, 5, 1, 2) X(b6a_14x112_672_k5s2, 14, 112, 672, 5, 2, 1)                      \
    X(b5b_14x112_672_k5s1, 14, 112, 672, 5, 1, 2) X(b6b_7x192_1152_k5s1, 7, 192, 1152, 5, 1, 2)                     \
    X(b7_7x192_1152_k3s1, 7, 192, 1152, 3, 1, 1)                                                                   \
    /* MobileNetV3-Large's 56x56x72 blocks, EfficientNet-B1's (240x240) 30x30x240 stride-2 block */                \
    X(v3_56x24_72_k3s1, 56, 24, 72, 3, 1, 1) X(v3_56x24_72_k5s2, 56, 24, 72, 5, 2, 1)                              \
    X(b1_30x40_240_k3s2, 30, 40, 240, 3, 2, 0)

/* Each variant in a function of its own, as generated code has one function per node (a fused node's stages are
 * inlined into it: kernels_bench.h defines KILN_SPECIALIZED_CALLS as generated code does). */
#define DEF(id, H, CIN, C, K, S, PT)                                                                               \
    enum { id##_OH = (H + S - 1) / S };                                                                            \
    static __attribute__((noinline)) void id##_expand(const float *in, const float *pe, float *e) {                \
        kiln_f32_gemm_bias_act(H * H, CIN, C, in, CIN, pe, e, C, NULL, 0, SILU);                                   \
    }                                                                                                              \
    static __attribute__((noinline)) void id##_dw(const float *e, const float *pd, float *out) {                   \
        kiln_f32_dwconv_bias_act(1, H, H, C, e, id##_OH, id##_OH, K, K, S, S, 1, 1, PT, PT, pd, out, SILU);        \
    }                                                                                                              \
    static __attribute__((noinline)) void id##_fused(const float *in, const float *pe, const float *pd, float *out, \
                                                     float *sc) {                                                  \
        kiln_f32_expand_dwconv_bias_act(1, H, H, CIN, in, C, pe, SILU, id##_OH, id##_OH, K, K, S, S, 1, 1, PT, PT, \
                                        pd, out, SILU, sc);                                                        \
    }                                                                                                              \
    static void id(void) {                                                                                         \
        size_t oh = id##_OH;                                                                                       \
        float *in = randv(H * H * CIN), *pe = randv(kiln_pack_gemm_f32_floats(CIN, C));                            \
        float *pd = randv(kiln_pack_dwconv_f32_floats(C, K, K)), *e = randv((size_t)H * H * C);                    \
        float *out = randv(oh * oh * C), *sc = randv(kiln_expand_dwconv_scratch_floats(H, H, C, oh, K, S, 1));     \
        double unfused[ROUNDS], fused[ROUNDS];                                                                     \
        for (int r = 0; r < ROUNDS; r++) {                                                                         \
            double t0 = now();                                                                                     \
            for (int i = 0; i < REPS; i++) id##_expand(in, pe, e), id##_dw(e, pd, out);                            \
            double t1 = now();                                                                                     \
            for (int i = 0; i < REPS; i++) id##_fused(in, pe, pd, out, sc);                                        \
            double t2 = now();                                                                                     \
            unfused[r] = (t1 - t0) / REPS, fused[r] = (t2 - t1) / REPS;                                            \
        }                                                                                                          \
        qsort(unfused, ROUNDS, sizeof(double), by_value), qsort(fused, ROUNDS, sizeof(double), by_value);          \
        printf("%-22s %6zu KiB expanded  band %2zu rows  unfused %8.1f us  fused %8.1f us  fused/unfused %.3f\n", \
               #id, (size_t)H * H * C * 4 / 1024, kiln_expand_dwconv_band_rows(H, C, oh, K, S, 1),                 \
               unfused[ROUNDS / 2] * 1e6, fused[ROUNDS / 2] * 1e6, fused[ROUNDS / 2] / unfused[ROUNDS / 2]);        \
        free(in), free(pe), free(pd), free(e), free(out), free(sc);                                                \
    }
SHAPES(DEF)
#define CALL(id, ...) id();

/* PROJECT_SHAPES(id, H, CIN, C, K, S, PT, COUT, RES): as SHAPES, then the block's project 1x1 conv to COUT channels
 * (with the block's input added back if RES): EfficientNet-Lite0's blocks without squeeze-excite that fuse expand and
 * depthwise, and MobileNetV3's 56x56x72 one. The whole block fused against the expand + depthwise fusion followed by
 * the project GEMM. */
#define PROJECT_SHAPES(X)                                                                                          \
    X(p2_112x16_96_k3s2_24, 112, 16, 96, 3, 2, 0, 24, 0) X(p3_56x24_144_k3s1_24r, 56, 24, 144, 3, 1, 1, 24, 1)    \
    X(p4_56x24_144_k5s2_40, 56, 24, 144, 5, 2, 1, 40, 0) X(pv3_56x24_72_k3s1_24r, 56, 24, 72, 3, 1, 1, 24, 1)
#define DEFP(id, H, CIN, C, K, S, PT, COUT, RES)                                                                   \
    enum { id##_OH = (H + S - 1) / S };                                                                            \
    static __attribute__((noinline)) void id##_expand_dw(const float *in, const float *pe, const float *pd,        \
                                                         float *d, float *sc) {                                    \
        kiln_f32_expand_dwconv_bias_act(1, H, H, CIN, in, C, pe, SILU, id##_OH, id##_OH, K, K, S, S, 1, 1, PT, PT, \
                                        pd, d, SILU, sc);                                                          \
    }                                                                                                              \
    static __attribute__((noinline)) void id##_project(const float *d, const float *pp, float *out,                \
                                                       const float *r) {                                           \
        kiln_f32_gemm_bias_act(id##_OH * id##_OH, C, COUT, d, C, pp, out, COUT, RES ? r : NULL, COUT, NONE);       \
    }                                                                                                              \
    static __attribute__((noinline)) void id##_fused(const float *in, const float *pe, const float *pd,            \
                                                     const float *pp, float *out, const float *r, float *sc) {     \
        kiln_f32_expand_dwconv_project_bias_act(1, H, H, CIN, in, C, pe, SILU, id##_OH, id##_OH, K, K, S, S, 1, 1, \
                                                PT, PT, pd, SILU, COUT, pp, out, RES ? r : NULL, NONE, sc);        \
    }                                                                                                              \
    static void id(void) {                                                                                         \
        size_t oh = id##_OH;                                                                                       \
        float *in = randv(H * H * CIN), *pe = randv(kiln_pack_gemm_f32_floats(CIN, C));                            \
        float *pd = randv(kiln_pack_dwconv_f32_floats(C, K, K)), *pp = randv(kiln_pack_gemm_f32_floats(C, COUT));  \
        float *d = randv(oh * oh * C), *out = randv(oh * oh * COUT), *r = randv(oh * oh * COUT);                   \
        float *sc = randv(kiln_dwconv_project_scratch_floats(H, H, C, oh, oh, K, S, 1));                           \
        double unfused[ROUNDS], fused[ROUNDS];                                                                     \
        for (int round = 0; round < ROUNDS; round++) {                                                             \
            double t0 = now();                                                                                     \
            for (int i = 0; i < REPS; i++) id##_expand_dw(in, pe, pd, d, sc), id##_project(d, pp, out, r);         \
            double t1 = now();                                                                                     \
            for (int i = 0; i < REPS; i++) id##_fused(in, pe, pd, pp, out, r, sc);                                 \
            double t2 = now();                                                                                     \
            unfused[round] = (t1 - t0) / REPS, fused[round] = (t2 - t1) / REPS;                                    \
        }                                                                                                          \
        qsort(unfused, ROUNDS, sizeof(double), by_value), qsort(fused, ROUNDS, sizeof(double), by_value);          \
        printf("%-22s %6zu KiB depthwise output  apart %8.1f us  fused %8.1f us  fused/apart %.3f\n", #id,        \
               oh * oh * C * 4 / 1024, unfused[ROUNDS / 2] * 1e6, fused[ROUNDS / 2] * 1e6,                         \
               fused[ROUNDS / 2] / unfused[ROUNDS / 2]);                                                           \
        free(in), free(pe), free(pd), free(pp), free(d), free(out), free(r), free(sc);                             \
    }
static const kiln_act NONE = {KILN_ACT_NONE, 0, 0};
PROJECT_SHAPES(DEFP)

int main(void) {
    printf("expand 1x1 + depthwise, fused against unfused [%s], medians of %d interleaved rounds\n", KILN_ISA_NAME,
           ROUNDS);
    SHAPES(CALL)
    printf("expand 1x1 + depthwise + project 1x1, fused against expand + depthwise fused and the project GEMM\n");
    PROJECT_SHAPES(CALL)
    return 0;
}
