/* kernels_test_parallel.c — every kiln_*_part wrapper of kiln_kernels_parallel.h, run by 2 to 5 threads at once,
 * gives exactly the bytes of the plain kernel (one part), on shapes whose splits leave ragged last parts and empty
 * parts (more parts than rows or panels); and the wrappers without a barrier, each part run alone, write every
 * output element exactly once (two parts storing the same values would pass the first check and still race). The
 * threads here are plain pthreads meeting at a POSIX barrier, which is all kiln_sync needs to be: this tests the
 * wrappers' ranges and phases, not the program's pool (the compiled models are run at 1, 2 and 3 threads by the Swift
 * tests for that). */
#define _POSIX_C_SOURCE 200809L
#include "kernels_test.h"

#include "kiln_pack.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kiln_pool {
    pthread_barrier_t barrier;
};

void kiln_sync(const kiln_task *t) {
    if (t->parts > 1) pthread_barrier_wait(&t->pool->barrier);
}

/* One kernel call, as a closure over the case's buffers: `run` calls one kiln_*_part with the task. */
typedef struct parallel_case parallel_case;
struct parallel_case {
    void (*run)(const kiln_task *t, const parallel_case *c);
    void (*plain)(const parallel_case *c); /* the same computation by the plain kernel */
    size_t P, K, N, images, h, w, ch, oh, ow, kh, kw, sh, pt, pl, cr;
    kiln_act act;
    const float *a, *packed, *packed2, *packed3, *gate, *r;
    float *scratch, *out;
    size_t part_scratch; /* floats of private scratch each part after the first needs */
};

typedef struct {
    kiln_task task;
    const parallel_case *c;
} part_arg;

static void *part_main(void *arg) {
    part_arg *p = arg;
    p->c->run(&p->task, p->c);
    return NULL;
}

/* Runs c on `parts` threads at once; parts after the first get a private scratch of c->part_scratch floats, as the
 * program's pool gives them. */
static void run_parts(const parallel_case *c, size_t parts) {
    struct kiln_pool pool;
    pthread_barrier_init(&pool.barrier, NULL, (unsigned)parts);
    pthread_t threads[8];
    part_arg args[8];
    for (size_t i = 0; i < parts; i++) {
        float *scratch = i > 0 && c->part_scratch ? malloc(c->part_scratch * sizeof(float)) : NULL;
        args[i] = (part_arg){{NULL, NULL, i, parts, &pool, scratch}, c};
        if (i > 0) pthread_create(&threads[i], NULL, part_main, &args[i]);
    }
    part_main(&args[0]);
    for (size_t i = 1; i < parts; i++) pthread_join(threads[i], NULL);
    for (size_t i = 1; i < parts; i++) free(args[i].task.scratch);
    pthread_barrier_destroy(&pool.barrier);
}

/* Runs c with the plain kernel, then 1..5 parts, and checks that each wrote the same `count` floats of c->out. The
 * output starts as garbage each time, so an element no part writes shows. */
static void expect_same_bits(const char *what, parallel_case *c, size_t count) {
    float *first = malloc(count * sizeof(float));
    for (size_t i = 0; i < count; i++) c->out[i] = 1e30f;
    c->plain(c);
    memcpy(first, c->out, count * sizeof(float));
    for (size_t parts = 1; parts <= 5; parts++) {
        for (size_t i = 0; i < count; i++) c->out[i] = -1e30f;
        run_parts(c, parts);
        checks++;
        if (memcmp(first, c->out, count * sizeof(float)) != 0 && ++failures <= 20)
            fprintf(stderr, "FAIL %s: %zu parts differ from the plain kernel (P %zu K %zu N %zu h %zu w %zu c %zu)\n", what, parts,
                    c->P, c->K, c->N, c->h, c->w, c->ch);
    }
    free(first);
}

/* Runs each part of c alone (for wrappers without a kiln_sync: the barrier lets one thread through) and checks that
 * every one of the `count` floats of c->out is written by exactly one part. Parts that write the same values twice
 * give the same bits above, but race when they run at once (ThreadSanitizer saw two parts store the same chunk). */
static void expect_parts_disjoint(const char *what, parallel_case *c, size_t count) {
    unsigned char *writers = malloc(count);
    const uint32_t unwritten = 0x7fc0dead; /* a NaN no kernel computes */
    for (size_t parts = 2; parts <= 5; parts++) {
        memset(writers, 0, count);
        for (size_t part = 0; part < parts; part++) {
            for (size_t i = 0; i < count; i++) memcpy(&c->out[i], &unwritten, sizeof unwritten);
            struct kiln_pool pool;
            pthread_barrier_init(&pool.barrier, NULL, 1);
            part_arg arg = {{NULL, NULL, part, parts, &pool, NULL}, c};
            part_main(&arg);
            pthread_barrier_destroy(&pool.barrier);
            for (size_t i = 0; i < count; i++) writers[i] += memcmp(&c->out[i], &unwritten, sizeof unwritten) != 0;
        }
        size_t bad = 0;
        for (size_t i = 0; i < count; i++) bad += writers[i] != 1;
        checks++;
        if (bad && ++failures <= 20)
            fprintf(stderr, "FAIL %s: %zu of %zu floats written by no part or by more than one, %zu parts (P %zu K %zu N %zu)\n",
                    what, bad, count, parts, c->P, c->K, c->N);
    }
    free(writers);
}

/* Both checks, for the wrappers without a kiln_sync or a private scratch. */
static void expect_split(const char *what, parallel_case *c, size_t count) {
    expect_same_bits(what, c, count);
    expect_parts_disjoint(what, c, count);
}

static void plain_gemm(const parallel_case *c) {
    kiln_f32_gemm_bias_act(c->P, c->K, c->N, c->a, c->K, c->packed, c->out, c->N, c->r, c->N, c->act);
}
static void plain_gated(const parallel_case *c) {
    kiln_f32_gemm_gated_bias_act(c->images, c->P, c->K, c->N, c->a, c->K, c->gate, c->packed, c->scratch, c->out, c->N,
                                 c->r, c->N, c->act);
}
static void plain_dwconv(const parallel_case *c) {
    kiln_f32_dwconv_bias_act(c->images, c->h, c->w, c->ch, c->a, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt,
                             c->pl, c->packed, c->out, c->act);
}
static void plain_direct(const parallel_case *c) {
    kiln_f32_conv_direct_bias_act(c->images, c->K, c->h, c->w, c->a, c->K * c->h * c->w, c->h * c->w, c->w, 1, c->N,
                                  c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, c->packed, c->out, c->act);
}
static void plain_generic(const parallel_case *c) {
    kiln_f32_conv_generic_bias_act(c->images, c->K, c->h, c->w, c->a, c->h * c->w * c->K, 1, c->w * c->K, c->K, c->N,
                                   c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, 2, c->packed,
                                   c->packed2, c->out, c->act);
}
static void plain_gavgpool(const parallel_case *c) { kiln_f32_gavgpool_nhwc(c->images, c->P, c->ch, c->a, c->out); }
static void plain_se_gate(const parallel_case *c) {
    kiln_f32_se_gate_nhwc(c->images, c->P, c->ch, c->cr, c->a, c->packed, c->act, c->packed2,
                          (kiln_act){KILN_ACT_SIGMOID, 0, 0}, c->scratch, c->out);
}
static void plain_channel_scale(const parallel_case *c) {
    kiln_f32_channel_scale_nhwc(c->images, c->P, c->ch, c->a, c->gate, c->out);
}
static void plain_add(const parallel_case *c) { kiln_f32_add_act(c->P, c->a, c->r, c->out, c->act); }
static void plain_act(const parallel_case *c) { kiln_f32_act(c->P, c->a, c->out, c->act); }
static void plain_softmax(const parallel_case *c) { kiln_f32_softmax(c->P, c->N, c->a, c->out); }
static void plain_to_nhwc(const parallel_case *c) { kiln_f32_nchw_to_nhwc(c->images, c->ch, c->P, c->a, c->out); }
static void plain_to_nchw(const parallel_case *c) { kiln_f32_nhwc_to_nchw(c->images, c->ch, c->P, c->a, c->out); }
static void plain_copy(const parallel_case *c) {
    kiln_copy_strided(sizeof(float), (kiln_dims){{1, 1, 1, c->ch, c->h, c->w}}, c->a, 3,
                      (kiln_strides){{0, 0, 0, 1, (ptrdiff_t)(c->w * c->ch), (ptrdiff_t)c->ch}}, c->out, 0,
                      (kiln_strides){{0, 0, 0, (ptrdiff_t)(c->h * c->w), (ptrdiff_t)c->w, 1}});
}

/* The expand + depthwise fusion: K input channels expanded to ch, then the depthwise conv (packed2 is its weight). */
static void plain_expand_dw(const parallel_case *c) {
    kiln_f32_expand_dwconv_bias_act(c->images, c->h, c->w, c->K, c->a, c->ch, c->packed, (kiln_act){KILN_ACT_SILU, 0, 0},
                                    c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, c->packed2, c->out,
                                    c->act, c->scratch);
}
static void run_expand_dw(const kiln_task *t, const parallel_case *c) {
    kiln_f32_expand_dwconv_bias_act_part(t, c->images, c->h, c->w, c->K, c->a, c->ch, c->packed,
                                         (kiln_act){KILN_ACT_SILU, 0, 0}, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1,
                                         c->pt, c->pl, c->packed2, c->out, c->act, c->scratch);
}

/* The stem fusion: a 3x3 stride-2 conv (pads 1) of K NCHW channels, 2h x 2h, to ch channels h x h (packed3), then
 * the depthwise conv. */
static void plain_conv_dw(const parallel_case *c) {
    size_t hh = 2 * c->h;
    kiln_f32_conv_dwconv_bias_act(c->images, c->K, hh, hh, c->a, c->K * hh * hh, hh * hh, hh, 1, c->ch, c->packed3, 3, 3,
                                  2, 2, 1, 1, 1, 1, (kiln_act){KILN_ACT_HARDSWISH, 0, 0}, c->h, c->w, c->oh, c->ow, c->kh,
                                  c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, c->packed2, c->out, c->act, c->scratch);
}
static void run_conv_dw(const kiln_task *t, const parallel_case *c) {
    size_t hh = 2 * c->h;
    kiln_f32_conv_dwconv_bias_act_part(t, c->images, c->K, hh, hh, c->a, c->K * hh * hh, hh * hh, hh, 1, c->ch,
                                       c->packed3, 3, 3, 2, 2, 1, 1, 1, 1, (kiln_act){KILN_ACT_HARDSWISH, 0, 0}, c->h,
                                       c->w, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, c->packed2,
                                       c->out, c->act, c->scratch);
}

/* The whole block: the expand + depthwise fusion with the project conv to N channels (packed3) and residual r. */
static void plain_expand_dw_project(const parallel_case *c) {
    kiln_f32_expand_dwconv_project_bias_act(c->images, c->h, c->w, c->K, c->a, c->ch, c->packed,
                                            (kiln_act){KILN_ACT_SILU, 0, 0}, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1,
                                            1, c->pt, c->pl, c->packed2, c->act, c->N, c->packed3, c->out, c->r,
                                            (kiln_act){KILN_ACT_NONE, 0, 0}, c->scratch);
}
static void run_expand_dw_project(const kiln_task *t, const parallel_case *c) {
    kiln_f32_expand_dwconv_project_bias_act_part(t, c->images, c->h, c->w, c->K, c->a, c->ch, c->packed,
                                                 (kiln_act){KILN_ACT_SILU, 0, 0}, c->oh, c->ow, c->kh, c->kw, c->sh,
                                                 c->sh, 1, 1, c->pt, c->pl, c->packed2, c->act, c->N, c->packed3, c->out,
                                                 c->r, (kiln_act){KILN_ACT_NONE, 0, 0}, c->scratch);
}

/* The stem fusion with the first block's project conv to N channels (packed, as the expand weight is unused). */
static void plain_conv_dw_project(const parallel_case *c) {
    size_t hh = 2 * c->h;
    kiln_f32_conv_dwconv_project_bias_act(c->images, c->K, hh, hh, c->a, c->K * hh * hh, hh * hh, hh, 1, c->ch,
                                          c->packed3, 3, 3, 2, 2, 1, 1, 1, 1, (kiln_act){KILN_ACT_HARDSWISH, 0, 0}, c->h,
                                          c->w, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, c->packed2,
                                          c->act, c->N, c->packed, c->out, c->r, (kiln_act){KILN_ACT_RELU6, 0, 0},
                                          c->scratch);
}
static void run_conv_dw_project(const kiln_task *t, const parallel_case *c) {
    size_t hh = 2 * c->h;
    kiln_f32_conv_dwconv_project_bias_act_part(t, c->images, c->K, hh, hh, c->a, c->K * hh * hh, hh * hh, hh, 1, c->ch,
                                               c->packed3, 3, 3, 2, 2, 1, 1, 1, 1, (kiln_act){KILN_ACT_HARDSWISH, 0, 0},
                                               c->h, c->w, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl,
                                               c->packed2, c->act, c->N, c->packed, c->out, c->r,
                                               (kiln_act){KILN_ACT_RELU6, 0, 0}, c->scratch);
}

static void run_gemm(const kiln_task *t, const parallel_case *c) {
    kiln_f32_gemm_bias_act_part(t, c->P, c->K, c->N, c->a, c->K, c->packed, c->out, c->N, c->r, c->N, c->act);
}
static void run_gated(const kiln_task *t, const parallel_case *c) {
    kiln_f32_gemm_gated_bias_act_part(t, c->images, c->P, c->K, c->N, c->a, c->K, c->gate, c->packed, c->scratch,
                                      c->out, c->N, c->r, c->N, c->act);
}
static void run_dwconv(const kiln_task *t, const parallel_case *c) {
    kiln_f32_dwconv_bias_act_part(t, c->images, c->h, c->w, c->ch, c->a, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1,
                                  1, c->pt, c->pl, c->packed, c->out, c->act);
}
static void run_direct(const kiln_task *t, const parallel_case *c) { /* NCHW input */
    kiln_f32_conv_direct_bias_act_part(t, c->images, c->K, c->h, c->w, c->a, c->K * c->h * c->w, c->h * c->w, c->w, 1,
                                       c->N, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, c->packed,
                                       c->out, c->act);
}
static void run_generic(const kiln_task *t, const parallel_case *c) { /* NHWC input, 2 groups */
    kiln_f32_conv_generic_bias_act_part(t, c->images, c->K, c->h, c->w, c->a, c->h * c->w * c->K, 1, c->w * c->K,
                                        c->K, c->N, c->oh, c->ow, c->kh, c->kw, c->sh, c->sh, 1, 1, c->pt, c->pl, 2,
                                        c->packed, c->packed2, c->out, c->act);
}
static void run_gavgpool(const kiln_task *t, const parallel_case *c) {
    kiln_f32_gavgpool_nhwc_part(t, c->images, c->P, c->ch, c->a, c->out);
}
static void run_se_gate(const kiln_task *t, const parallel_case *c) {
    kiln_f32_se_gate_nhwc_part(t, c->images, c->P, c->ch, c->cr, c->a, c->packed, c->act, c->packed2,
                               (kiln_act){KILN_ACT_SIGMOID, 0, 0}, c->scratch, c->out);
}
static void run_channel_scale(const kiln_task *t, const parallel_case *c) {
    kiln_f32_channel_scale_nhwc_part(t, c->images, c->P, c->ch, c->a, c->gate, c->out);
}
static void run_add(const kiln_task *t, const parallel_case *c) {
    kiln_f32_add_act_part(t, c->P, c->a, c->r, c->out, c->act);
}
static void run_act(const kiln_task *t, const parallel_case *c) { kiln_f32_act_part(t, c->P, c->a, c->out, c->act); }
static void run_softmax(const kiln_task *t, const parallel_case *c) {
    kiln_f32_softmax_part(t, c->P, c->N, c->a, c->out);
}
static void run_to_nhwc(const kiln_task *t, const parallel_case *c) {
    kiln_f32_nchw_to_nhwc_part(t, c->images, c->ch, c->P, c->a, c->out);
}
static void run_to_nchw(const kiln_task *t, const parallel_case *c) {
    kiln_f32_nhwc_to_nchw_part(t, c->images, c->ch, c->P, c->a, c->out);
}

static void run_copy(const kiln_task *t, const parallel_case *c) { /* a transpose: [h][w][ch] -> [ch][h][w] */
    kiln_copy_strided_part(t, sizeof(float), (kiln_dims){{1, 1, 1, c->ch, c->h, c->w}}, c->a, 3,
                           (kiln_strides){{0, 0, 0, 1, (ptrdiff_t)(c->w * c->ch), (ptrdiff_t)c->ch}}, c->out, 0,
                           (kiln_strides){{0, 0, 0, (ptrdiff_t)(c->h * c->w), (ptrdiff_t)c->w, 1}});
}

static void test_parallel_gemms(void) {
    static const size_t Ps[] = {1, 13, 49, 196, 203};
    static const size_t Ns[] = {5, 33, 192};
    for (size_t pi = 0; pi < sizeof Ps / sizeof *Ps; pi++)
        for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++) {
            size_t P = Ps[pi], K = 37, N = Ns[ni], images = 2;
            float *w = randv(K * N, 0.3f), *bias = randv(N, 0.5f), *packed = malloc(kiln_pack_gemm_f32_floats(K, N) * sizeof(float));
            kiln_pack_gemm_f32(K, N, w, N, 1, bias, packed);
            float *a = randv(images * P * K, 1), *r = randv(images * P * N, 1), *gate = randv(images * K, 1);
            float *out = malloc(images * P * N * sizeof(float)), *scratch = malloc(kiln_pack_gemm_f32_floats(K, N) * sizeof(float));
            parallel_case c = {.run = run_gemm, .plain = plain_gemm, .P = P, .K = K, .N = N, .images = images, .act = {KILN_ACT_SILU, 0, 0},
                               .a = a, .packed = packed, .r = (pi + ni) % 2 ? r : NULL, .gate = gate, .scratch = scratch,
                               .out = out};
            expect_split("gemm_part", &c, P * N);
            c.run = run_gated, c.plain = plain_gated;
            expect_same_bits("gemm_gated_part", &c, images * P * N);
            free(w), free(bias), free(packed), free(a), free(r), free(gate), free(out), free(scratch);
        }
}

static void test_parallel_convs(void) {
    /* depthwise: 3x3 stride 1 and 5x5 stride 2 with asymmetric "same" padding, two images, ragged channels; the
     * 5x5 on 20-wide rows of 120 channels, so that each part runs one channel vector at a time down its rows
     * (kiln_dwconv_channel_outer_); stride 1 with too few output rows to share (4 and 14 of two images: by channel
     * vectors from 2 and 4 parts on, the ragged last vector included). h=w, k, stride, pt, pl, channels: */
    static const size_t shapes[][6] = {{13, 3, 1, 1, 1, 37},  {13, 5, 2, 1, 2, 37}, {4, 3, 2, 0, 0, 37},
                                       {20, 5, 1, 2, 2, 120}, {7, 5, 1, 2, 2, 72},  {2, 3, 1, 1, 1, 37}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        size_t h = shapes[s][0], k = shapes[s][1], sh = shapes[s][2], pt = shapes[s][3], pl = shapes[s][4];
        size_t c = shapes[s][5], n = 2;
        size_t oh = (h + 2 * pt - k) / sh + 1, ow = (h + 2 * pl - k) / sh + 1;
        float *in = randv(n * h * h * c, 1), *w = randv(c * k * k, 0.3f), *bias = randv(c, 0.2f);
        float *packed = malloc(kiln_pack_dwconv_f32_floats(c, k, k) * sizeof(float));
        kiln_pack_dwconv_f32(c, k, k, w, bias, packed);
        float *out = malloc(n * oh * ow * c * sizeof(float));
        parallel_case dw = {.run = run_dwconv, .plain = plain_dwconv, .images = n, .h = h, .w = h, .ch = c, .oh = oh, .ow = ow, .kh = k,
                            .kw = k, .sh = sh, .pt = pt, .pl = pl, .act = {KILN_ACT_RELU6, 0, 0}, .a = in,
                            .packed = packed, .out = out};
        expect_split("dwconv_part", &dw, n * oh * ow * c);

        /* the same depthwise conv after a 1x1 expand from 5 channels, fused, with several bands per part */
        size_t cin = 5;
        float *ex = randv(n * h * h * cin, 1), *we = randv(cin * c, 0.4f), *pe = malloc(kiln_pack_gemm_f32_floats(cin, c) * sizeof(float));
        kiln_pack_gemm_f32(cin, c, we, c, 1, bias, pe);
        size_t floats = kiln_expand_dwconv_scratch_floats(h, h, c, oh, k, sh, 1);
        float *band = malloc(floats * sizeof(float));
        parallel_case fused = dw;
        fused.run = run_expand_dw, fused.plain = plain_expand_dw, fused.K = cin, fused.a = ex, fused.packed = pe;
        fused.packed2 = packed, fused.scratch = band, fused.part_scratch = floats;
        expect_same_bits("expand_dwconv_part", &fused, n * oh * ow * c);

        /* ... and the block's project conv to 24 channels with a residual, fused too */
        size_t cp = 24, pfloats = kiln_dwconv_project_scratch_floats(h, h, c, oh, ow, k, sh, 1);
        float *wp = randv(c * cp, 0.3f), *pp = malloc(kiln_pack_gemm_f32_floats(c, cp) * sizeof(float));
        kiln_pack_gemm_f32(c, cp, wp, cp, 1, NULL, pp);
        float *res = randv(n * oh * ow * cp, 1), *pout = malloc(n * oh * ow * cp * sizeof(float));
        float *pband = malloc(pfloats * sizeof(float));
        parallel_case block = fused;
        block.run = run_expand_dw_project, block.plain = plain_expand_dw_project, block.N = cp, block.packed3 = pp;
        block.r = res, block.out = pout, block.scratch = pband, block.part_scratch = pfloats;
        expect_same_bits("expand_dwconv_project_part", &block, n * oh * ow * cp);
        free(ex), free(we), free(pe), free(band);

        /* the same depthwise conv after the stem's 3x3 stride-2 conv of 3 NCHW channels, fused */
        float *img = randv(n * 3 * 4 * h * h, 1), *wc = randv(c * 3 * 9, 0.4f);
        float *pc = malloc(kiln_pack_conv_f32_floats(c, 3, 3, 3) * sizeof(float));
        kiln_pack_conv_f32(c, 3, 3, 3, wc, bias, pc);
        band = malloc(floats * sizeof(float));
        parallel_case stem = dw;
        stem.run = run_conv_dw, stem.plain = plain_conv_dw, stem.K = 3, stem.a = img, stem.packed3 = pc;
        stem.packed2 = packed, stem.scratch = band, stem.part_scratch = floats;
        expect_same_bits("conv_dwconv_part", &stem, n * oh * ow * c);

        /* ... and the first block's project conv, without a residual */
        parallel_case first = stem;
        first.run = run_conv_dw_project, first.plain = plain_conv_dw_project, first.N = cp, first.packed = pp;
        first.r = NULL, first.out = pout, first.scratch = pband, first.part_scratch = pfloats;
        expect_same_bits("conv_dwconv_project_part", &first, n * oh * ow * cp);
        free(wp), free(pp), free(res), free(pout), free(pband);
        free(img), free(wc), free(pc), free(band);
        free(w), free(packed), free(out);

        /* the direct conv (4 NCHW input channels, 20 outputs) and the generic one (NHWC, 2 groups) */
        cin = 4;
        size_t cout = 20;
        float *wd = randv(cout * cin * k * k, 0.3f), *pd = malloc(kiln_pack_conv_f32_floats(cout, cin, k, k) * sizeof(float));
        kiln_pack_conv_f32(cout, cin, k, k, wd, bias, pd);
        float *o2 = malloc(n * oh * ow * cout * sizeof(float));
        parallel_case direct = {.run = run_direct, .plain = plain_direct, .images = n, .K = cin, .N = cout, .h = h, .w = h, .oh = oh, .ow = ow,
                                .kh = k, .kw = k, .sh = sh, .pt = pt, .pl = pl, .act = {KILN_ACT_SILU, 0, 0}, .a = in,
                                .packed = pd, .out = o2};
        expect_split("conv_direct_part", &direct, n * oh * ow * cout);
        parallel_case generic = direct;
        generic.run = run_generic, generic.plain = plain_generic;
        generic.packed = wd; /* OIHW with cin / 2 inputs per group: the first half of wd */
        generic.packed2 = bias;
        expect_split("conv_generic_part", &generic, n * oh * ow * cout);
        free(in), free(bias), free(wd), free(pd), free(o2);
    }
}

static void test_parallel_misc(void) {
    size_t n = 2, hw = 49, c = 37, cr = 5;
    float *in = randv(n * hw * c, 1), *gate = randv(n * c, 1), *r = randv(n * hw * c, 1), *out = malloc(n * hw * c * sizeof(float));
    float *w1 = randv(c * cr, 0.3f), *b1 = randv(cr, 0.1f), *w2 = randv(cr * c, 0.3f), *b2 = randv(c, 0.1f);
    float *p1 = malloc(kiln_pack_gemm_f32_floats(c, cr) * sizeof(float)), *p2 = malloc(kiln_pack_gemm_f32_floats(cr, c) * sizeof(float));
    float *scratch = malloc(cr * sizeof(float));
    kiln_pack_gemm_f32(c, cr, w1, cr, 1, b1, p1);
    kiln_pack_gemm_f32(cr, c, w2, c, 1, b2, p2);
    parallel_case m = {.images = n, .P = hw, .ch = c, .cr = cr, .N = c, .act = {KILN_ACT_SILU, 0, 0}, .a = in, .r = r,
                       .gate = gate, .packed = p1, .packed2 = p2, .scratch = scratch, .out = out};
    m.run = run_gavgpool, m.plain = plain_gavgpool, expect_split("gavgpool_part", &m, n * c);
    m.run = run_se_gate, m.plain = plain_se_gate, expect_same_bits("se_gate_part", &m, n * c);
    m.run = run_channel_scale, m.plain = plain_channel_scale, expect_split("channel_scale_part", &m, n * hw * c);
    m.run = run_to_nhwc, m.plain = plain_to_nhwc, expect_split("nchw_to_nhwc_part", &m, n * hw * c);
    m.run = run_to_nchw, m.plain = plain_to_nchw, expect_split("nhwc_to_nchw_part", &m, n * hw * c);
    m.h = 7, m.w = 6, m.ch = 3; /* 3 rows to split over up to 5 parts */
    m.run = run_copy, m.plain = plain_copy, expect_split("copy_strided_part", &m, 7 * 6 * 3);
    m.ch = c;
    m.P = n * hw * c;
    m.run = run_add, m.plain = plain_add, expect_split("add_act_part", &m, n * hw * c);
    m.run = run_act, m.plain = plain_act, expect_split("act_part", &m, n * hw * c);
    m.P = n * hw, m.N = c;
    m.run = run_softmax, m.plain = plain_softmax, expect_split("softmax_part", &m, n * hw * c);
    free(in), free(gate), free(r), free(out), free(w1), free(b1), free(w2), free(b2), free(p1), free(p2), free(scratch);

    /* A gate whose FCs are split across the parts (c x cr >= KILN_SE_SPLIT_WEIGHTS), with remainder panels. */
    size_t bc = 333, bcr = 41, bhw = 5;
    float *bin = randv(n * bhw * bc, 1), *bw1 = randv(bc * bcr, 0.1f), *bb1 = randv(bcr, 0.1f);
    float *bw2 = randv(bcr * bc, 0.1f), *bb2 = randv(bc, 0.1f), *bs = malloc(bcr * sizeof(float));
    float *bp1 = malloc(kiln_pack_gemm_f32_floats(bc, bcr) * sizeof(float)), *bout = malloc(n * bc * sizeof(float));
    float *bp2 = malloc(kiln_pack_gemm_f32_floats(bcr, bc) * sizeof(float));
    kiln_pack_gemm_f32(bc, bcr, bw1, bcr, 1, bb1, bp1);
    kiln_pack_gemm_f32(bcr, bc, bw2, bc, 1, bb2, bp2);
    parallel_case big = {.run = run_se_gate, .plain = plain_se_gate, .images = n, .P = bhw, .ch = bc, .cr = bcr, .N = bc,
                         .act = {KILN_ACT_SILU, 0, 0}, .a = bin, .packed = bp1, .packed2 = bp2, .scratch = bs, .out = bout};
    _Static_assert(333 * 41 >= KILN_SE_SPLIT_WEIGHTS, "the split path of the gate");
    expect_same_bits("se_gate_part with split FCs", &big, n * bc);
    free(bin), free(bw1), free(bb1), free(bw2), free(bb2), free(bs), free(bp1), free(bout), free(bp2);
}

void test_parallel(void) {
    test_parallel_gemms();
    test_parallel_convs();
    test_parallel_misc();
}
