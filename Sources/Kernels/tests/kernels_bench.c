/* kernels_bench.c — times each kernel on EfficientNet-B0's layer shapes (224x224, batch 1, one thread), with the
 * shapes as literal constants as in generated code, and prints GFLOP/s (2 x multiply-adds per second) per layer and
 * the estimated total. Not a test. Built by scripts/bench-kernels.sh with -O3 -march=native. */
#include "kernels_bench.h"

static float *bufA, *bufB, *bufR, *bufG, *bufS;
#define BUF_FLOATS (112 * 112 * 96 + 64)
#ifndef BENCH_ACT /* -DBENCH_ACT=KILN_ACT_NONE times the convolutions without their SiLU */
#define BENCH_ACT KILN_ACT_SILU
#endif
static const kiln_act SILU = {BENCH_ACT, 0, 0}, NONE = {KILN_ACT_NONE, 0, 0}, SIG = {KILN_ACT_SIGMOID, 0, 0};

static float *gemm_w(size_t k, size_t n) {
    float *w = randv(k * n), *b = randv(n), *p = malloc(kiln_pack_gemm_f32_floats(k, n) * sizeof(float));
    kiln_pack_gemm_f32(k, n, w, 1, k, b, p);
    free(w), free(b);
    return p;
}

/* Each layer X(kind, id, count, args...) defines setup_id/run_id with literal shapes. */
#define LAYERS(X)                                                                                                  \
    X(STEM, stem, 1)                                                                                               \
    X(DW, b1_dw, 1, 112, 32, 3, 1) X(SE, b1_se, 1, 12544, 32, 8) X(PWG, b1_pj, 1, 12544, 32, 16, 0)                \
    X(PW, b2a_ex, 1, 12544, 16, 96) X(DW, b2a_dw, 1, 112, 96, 3, 2) X(SE, b2a_se, 1, 3136, 96, 4)                  \
    X(PWG, b2a_pj, 1, 3136, 96, 24, 0)                                                                             \
    X(PW, b2b_ex, 1, 3136, 24, 144) X(DW, b2b_dw, 1, 56, 144, 3, 1) X(SE, b2b_se, 1, 3136, 144, 6)                 \
    X(PWG, b2b_pj, 1, 3136, 144, 24, 1)                                                                            \
    X(PW, b3a_ex, 1, 3136, 24, 144) X(DW, b3a_dw, 1, 56, 144, 5, 2) X(SE, b3a_se, 1, 784, 144, 6)                  \
    X(PWG, b3a_pj, 1, 784, 144, 40, 0)                                                                             \
    X(PW, b3b_ex, 1, 784, 40, 240) X(DW, b3b_dw, 1, 28, 240, 5, 1) X(SE, b3b_se, 1, 784, 240, 10)                  \
    X(PWG, b3b_pj, 1, 784, 240, 40, 1)                                                                             \
    X(PW, b4a_ex, 1, 784, 40, 240) X(DW, b4a_dw, 1, 28, 240, 3, 2) X(SE, b4a_se, 1, 196, 240, 10)                  \
    X(PWG, b4a_pj, 1, 196, 240, 80, 0)                                                                             \
    X(PW, b4b_ex, 2, 196, 80, 480) X(DW, b4b_dw, 2, 14, 480, 3, 1) X(SE, b4b_se, 2, 196, 480, 20)                  \
    X(PWG, b4b_pj, 2, 196, 480, 80, 1)                                                                             \
    X(PW, b5a_ex, 1, 196, 80, 480) X(DW, b5a_dw, 1, 14, 480, 5, 1) X(SE, b5a_se, 1, 196, 480, 20)                  \
    X(PWG, b5a_pj, 1, 196, 480, 112, 0)                                                                            \
    X(PW, b5b_ex, 2, 196, 112, 672) X(DW, b5b_dw, 2, 14, 672, 5, 1) X(SE, b5b_se, 2, 196, 672, 28)                 \
    X(PWG, b5b_pj, 2, 196, 672, 112, 1)                                                                            \
    X(PW, b6a_ex, 1, 196, 112, 672) X(DW, b6a_dw, 1, 14, 672, 5, 2) X(SE, b6a_se, 1, 49, 672, 28)                  \
    X(PWG, b6a_pj, 1, 49, 672, 192, 0)                                                                             \
    X(PW, b6b_ex, 3, 49, 192, 1152) X(DW, b6b_dw, 3, 7, 1152, 5, 1) X(SE, b6b_se, 3, 49, 1152, 48)                 \
    X(PWG, b6b_pj, 3, 49, 1152, 192, 1)                                                                            \
    X(PW, b7_ex, 1, 49, 192, 1152) X(DW, b7_dw, 1, 7, 1152, 3, 1) X(SE, b7_se, 1, 49, 1152, 48)                    \
    X(PWG, b7_pj, 1, 49, 1152, 320, 0)                                                                             \
    X(PW, head, 1, 49, 320, 1280) X(GAP, gap, 1, 49, 1280) X(FC, fc, 1, 1280, 1000)

/* stem: 3x3 s2 conv, 3 -> 32, NCHW 224x224 input read directly, TF-"same" pads (0 top/left, 1 bottom/right) */
#define DEF_STEM(id, cnt)                                                                                          \
    static float *w_##id;                                                                                          \
    static void setup_##id(void) {                                                                                 \
        float *w = randv(32 * 27), *b = randv(32);                                                                 \
        w_##id = malloc(kiln_pack_conv_f32_floats(32, 3, 3, 3) * sizeof(float));                                   \
        kiln_pack_conv_f32(32, 3, 3, 3, w, b, w_##id);                                                             \
    }                                                                                                              \
    static void run_##id(void) {                                                                                   \
        kiln_f32_conv_direct_bias_act(1, 3, 224, 224, bufA, 3 * 224 * 224, 224 * 224, 224, 1, 32, 112, 112, 3, 3,  \
                                      2, 2, 1, 1, 0, 0, w_##id, bufB, SILU);                                       \
    }                                                                                                              \
    static const double macs_##id = 112.0 * 112 * 32 * 27;
#define DEF_DW(id, cnt, H, C, K, S)                                                                                \
    static float *w_##id;                                                                                          \
    static void setup_##id(void) {                                                                                 \
        float *w = randv(C * K * K), *b = randv(C);                                                                \
        w_##id = malloc(kiln_pack_dwconv_f32_floats(C, K, K) * sizeof(float));                                     \
        kiln_pack_dwconv_f32(C, K, K, w, b, w_##id);                                                               \
    }                                                                                                              \
    static void run_##id(void) {                                                                                   \
        kiln_f32_dwconv_bias_act(1, H, H, C, bufA, (H - 1) / S + 1, (H - 1) / S + 1, K, K, S, S, 1, 1, (K - 1) / 2, \
                                 (K - 1) / 2, w_##id, bufB, SILU);                                                 \
    }                                                                                                              \
    static const double macs_##id = (double)((H - 1) / S + 1) * ((H - 1) / S + 1) * C * K * K;
#define DEF_PW(id, cnt, P, K, N)                                                                                   \
    static float *w_##id;                                                                                          \
    static void setup_##id(void) { w_##id = gemm_w(K, N); }                                                        \
    static void run_##id(void) { kiln_f32_gemm_bias_act(P, K, N, bufA, K, w_##id, bufB, N, NULL, 0, SILU); }      \
    static const double macs_##id = (double)P * K * N;
#define DEF_PWG(id, cnt, P, K, N, RES)                                                                             \
    static float *w_##id;                                                                                          \
    static void setup_##id(void) { w_##id = gemm_w(K, N); }                                                        \
    static void run_##id(void) {                                                                                   \
        kiln_f32_gemm_gated_bias_act(1, P, K, N, bufA, K, bufG, w_##id, bufS, bufB, N, RES ? bufR : NULL, N, NONE); \
    }                                                                                                              \
    static const double macs_##id = (double)P * K * N;
#define DEF_SE(id, cnt, P, C, CR)                                                                                  \
    static float *w1_##id, *w2_##id;                                                                               \
    static void setup_##id(void) { w1_##id = gemm_w(C, CR), w2_##id = gemm_w(CR, C); }                             \
    static void run_##id(void) {                                                                                   \
        kiln_f32_se_gate_nhwc(1, P, C, CR, bufA, w1_##id, SILU, w2_##id, SIG, bufS, bufG);                         \
    }                                                                                                              \
    static const double macs_##id = (double)P * C + 2.0 * C * CR;
#define DEF_GAP(id, cnt, P, C)                                                                                     \
    static void setup_##id(void) {}                                                                                \
    static void run_##id(void) { kiln_f32_gavgpool_nhwc(1, P, C, bufA, bufB); }                                    \
    static const double macs_##id = (double)P * C;
#define DEF_FC(id, cnt, K, N)                                                                                      \
    static float *w_##id;                                                                                          \
    static void setup_##id(void) { w_##id = gemm_w(K, N); }                                                        \
    static void run_##id(void) { kiln_f32_gemm_bias_act(1, K, N, bufA, K, w_##id, bufB, N, NULL, 0, NONE); }      \
    static const double macs_##id = (double)K * N;

#define DEF(kind, id, ...) DEF_##kind(id, __VA_ARGS__)
LAYERS(DEF)

typedef struct {
    const char *kind, *name, *shape;
    int count;
    double macs;
    void (*setup)(void), (*run)(void);
} layer;
#define ENTRY(kind, id, cnt, ...) {#kind, #id, #__VA_ARGS__, cnt, macs_##id, setup_##id, run_##id},
static const layer layers[] = {LAYERS(ENTRY)};

/* seconds per call: best of 5 batches of enough calls for ~20 ms */
static double time_run(void (*run)(void)) {
    run();
    double t0 = now();
    int reps = 0;
    do run(), reps++;
    while (now() - t0 < 0.02);
    double best = 1e9;
    for (int trial = 0; trial < 5; trial++) {
        t0 = now();
        for (int i = 0; i < reps; i++) run();
        double t = (now() - t0) / reps;
        best = t < best ? t : best;
    }
    return best;
}

static float peak_sink;
static void peak_run(void) { /* 24 independent FMA chains: the core's FMA throughput */
    kiln_v acc[24], m = kiln_v_set1(0.999999f), a = kiln_v_set1(1e-6f);
    for (int i = 0; i < 24; i++) acc[i] = kiln_v_set1((float)i);
    for (int it = 0; it < 100000; it++)
        KILN_UNROLL for (int i = 0; i < 24; i++) acc[i] = kiln_v_fma(acc[i], m, a);
    float out[KILN_VW];
    kiln_v s = acc[0];
    for (int i = 1; i < 24; i++) s = kiln_v_add(s, acc[i]);
    kiln_v_store(out, s);
    peak_sink += out[0];
}

int main(void) {
    bufA = randv(BUF_FLOATS), bufB = randv(BUF_FLOATS), bufR = randv(BUF_FLOATS), bufG = randv(4096);
    bufS = malloc(kiln_pack_gemm_f32_floats(1280, 1280) * sizeof(float));
    double peak = 2.0 * 100000 * 24 * KILN_VW / time_run(peak_run) / 1e9;
    printf("kiln kernels bench [%s], EfficientNet-B0 224x224, batch 1, 1 thread\n", KILN_ISA_NAME);
    printf("FMA peak (24 chains): %.1f GFLOP/s\n\n", peak);
    printf("%-6s %-8s %-22s %5s %9s %9s %8s %6s\n", "kernel", "layer", "shape", "count", "MFLOP", "us", "GFLOP/s",
           "%peak");
    const char *kinds[] = {"STEM", "DW", "SE", "PW", "PWG", "GAP", "FC"};
    double total = 0, total_flop = 0, kind_t[7] = {0}, kind_f[7] = {0};
    for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
        const layer *l = &layers[i];
        l->setup();
        double t = time_run(l->run), flop = 2 * l->macs;
        printf("%-6s %-8s %-22s %5d %9.2f %9.1f %8.1f %5.0f%%\n", l->kind, l->name, l->shape, l->count, flop / 1e6,
               t * 1e6, flop / t / 1e9, 100 * flop / t / 1e9 / peak);
        total += l->count * t, total_flop += l->count * flop;
        for (int k = 0; k < 7; k++)
            if (!strcmp(kinds[k], l->kind)) kind_t[k] += l->count * t, kind_f[k] += l->count * flop;
    }
    printf("\nby kernel:\n");
    for (int k = 0; k < 7; k++)
        printf("  %-5s %8.1f us  %6.1f GFLOP/s  %4.1f%% of time\n", kinds[k], kind_t[k] * 1e6,
               kind_f[k] / kind_t[k] / 1e9, 100 * kind_t[k] / total);
    printf("estimated total (sum of layers, without reorders/softmax): %.2f ms for %.3f GFLOP (%.1f GFLOP/s)\n",
           total * 1e3, total_flop / 1e9, total_flop / total / 1e9);
    return peak_sink == 12345.0f;
}
