/* kernels_test_generic.c — the generic kernels (kiln_kernels_generic.h) against naive references written with
 * explicit coordinates, over odd shapes, broadcasts, negative strides and every element type. */
#include "kernels_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static kiln_dims dims6(size_t a, size_t b, size_t c, size_t d, size_t e, size_t f) {
    return (kiln_dims){{a, b, c, d, e, f}};
}
static kiln_strides strides6(ptrdiff_t a, ptrdiff_t b, ptrdiff_t c, ptrdiff_t d, ptrdiff_t e, ptrdiff_t f) {
    return (kiln_strides){{a, b, c, d, e, f}};
}

/* Transpose, Slice with a negative step, Expand, and Concat as windows of the output. */
static void test_copy(void) {
    enum { A = 3, B = 5, C = 7 };
    float x[A * B * C], y[A * B * C];
    for (int i = 0; i < A * B * C; i++) x[i] = (float)i;
    /* y[c][a][b] = x[a][b][c] (perm [2, 0, 1]) */
    kiln_copy_strided(4, dims6(1, 1, 1, C, A, B), x, 0, strides6(0, 0, 0, 1, B * C, C), y, 0, strides6(0, 0, 0, A * B, B, 1));
    for (int c = 0; c < C; c++)
        for (int a = 0; a < A; a++)
            for (int b = 0; b < B; b++) check("copy transpose", (size_t)(c * A + a) * B + b, y[(c * A + a) * B + b], x[(a * B + b) * C + c], 0);
    /* x[:, 4:0:-2, 1:6:3] as doubles: shape [3, 2, 2] */
    double xd[A * B * C], yd[12];
    for (int i = 0; i < A * B * C; i++) xd[i] = i * 0.5;
    kiln_copy_strided(8, dims6(1, 1, 1, A, 2, 2), xd, 4 * C + 1, strides6(0, 0, 0, B * C, -2 * C, 3), yd, 0, strides6(0, 0, 0, 4, 2, 1));
    for (int a = 0; a < A; a++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) check("copy slice", (size_t)(a * 4 + i * 2 + j), (float)yd[a * 4 + i * 2 + j], xd[(a * B + 4 - 2 * i) * C + 1 + 3 * j], 0);
    /* expand int8 [3, 1] to [2, 3, 4] */
    int8_t e[3] = {-7, 0, 9}, ey[24];
    kiln_copy_strided(1, dims6(1, 1, 1, 2, 3, 4), e, 0, strides6(0, 0, 0, 0, 1, 0), ey, 0, strides6(0, 0, 0, 12, 4, 1));
    for (int i = 0; i < 24; i++) check("copy expand", (size_t)i, ey[i], e[(i / 4) % 3], 0);
    /* concat [2, 3] and [2, 4] along axis 1 into [2, 7] */
    int64_t p[6] = {1, 2, 3, 4, 5, 6}, q[8] = {10, 11, 12, 13, 14, 15, 16, 17}, pq[14];
    kiln_copy_strided(8, dims6(1, 1, 1, 1, 2, 3), p, 0, strides6(0, 0, 0, 0, 3, 1), pq, 0, strides6(0, 0, 0, 0, 7, 1));
    kiln_copy_strided(8, dims6(1, 1, 1, 1, 2, 4), q, 0, strides6(0, 0, 0, 0, 4, 1), pq, 3, strides6(0, 0, 0, 0, 7, 1));
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 7; c++) check("copy concat", (size_t)(r * 7 + c), (float)pq[r * 7 + c], c < 3 ? p[r * 3 + c] : q[r * 4 + c - 3], 0);
}

/* The window coordinate a pad mode reads, written from the ONNX definition. */
static long pad_ref(long k, long m, kiln_pad_mode mode) {
    if (k >= 0 && k < m) return k;
    switch (mode) {
    case KILN_PAD_CONSTANT: return -1;
    case KILN_PAD_EDGE: return k < 0 ? 0 : m - 1;
    case KILN_PAD_REFLECT: return k < 0 ? -k : 2 * (m - 1) - k;
    case KILN_PAD_WRAP: return k < 0 ? k + m : k - m;
    }
    return -1;
}

static void test_pad(void) {
    enum { H = 4, W = 5 };
    float x[2 * H * W], y[2 * 9 * 10], value = 42.5f;
    for (int i = 0; i < 2 * H * W; i++) x[i] = frand();
    for (int mode = 0; mode < 4; mode++) {
        /* pads [0, 2, 3] before and [0, 3, 2] after; the constant mode also crops one column in front */
        size_t crop = mode == KILN_PAD_CONSTANT, before_w = mode == KILN_PAD_CONSTANT ? 0 : 3, m = W - crop;
        size_t oh = H + 5, ow = m + before_w + 2;
        kiln_pad(4, (kiln_pad_mode)mode, dims6(1, 1, 1, 2, oh, ow), x, crop, strides6(0, 0, 0, H * W, W, 1),
                 dims6(1, 1, 1, 2, H, m), dims6(0, 0, 0, 0, 2, before_w), &value, y);
        for (size_t n = 0; n < 2; n++)
            for (size_t r = 0; r < oh; r++)
                for (size_t c = 0; c < ow; c++) {
                    long ry = pad_ref((long)r - 2, H, (kiln_pad_mode)mode), cx = pad_ref((long)c - (long)before_w, (long)m, (kiln_pad_mode)mode);
                    double want = ry < 0 || cx < 0 ? value : x[(n * H + (size_t)ry) * W + crop + (size_t)cx];
                    check("pad", mode * 1000 + (n * oh + r) * ow + c, y[(n * oh + r) * ow + c], want, 0);
                }
    }
}

static void test_gather_where(void) {
    double x[3 * 4 * 2], y[3 * 5 * 2];
    for (int i = 0; i < 24; i++) x[i] = i + 0.25;
    int64_t i64[5] = {3, -1, 0, 7, -4};
    int32_t i32[5] = {1, 2, -2, -5, 0};
    for (int t = 0; t < 2; t++) {
        kiln_gather(8, 3, 4, 2, x, t ? KILN_I32 : KILN_I64, t ? (const void *)i32 : (const void *)i64, 5, y);
        for (int o = 0; o < 3; o++)
            for (int j = 0; j < 5; j++) {
                long i = t ? i32[j] : i64[j];
                i = i < 0 ? i + 4 : i;
                for (int k = 0; k < 2; k++)
                    check("gather", (size_t)((o * 5 + j) * 2 + k), (float)y[(o * 5 + j) * 2 + k], i < 0 || i >= 4 ? 0 : x[(o * 4 + i) * 2 + k], 0);
            }
    }
    /* where: cond [2, 1, 3], x [4, 1], y scalar -> [2, 4, 3] of int32 */
    uint8_t cond[6] = {1, 0, 1, 0, 0, 1};
    int32_t a[4] = {-1, 2, -3, 4}, b = 99, out[24];
    kiln_where(4, dims6(1, 1, 1, 2, 4, 3), cond, strides6(0, 0, 0, 3, 0, 1), a, strides6(0, 0, 0, 0, 1, 0), &b,
               strides6(0, 0, 0, 0, 0, 0), out);
    for (int i = 0; i < 24; i++) check("where", (size_t)i, (float)out[i], cond[(i / 12) * 3 + i % 3] ? a[(i / 3) % 4] : b, 0);
}

/* An exact integer wrapped to the type's range, as two's complement does. */
static double wrap_ref(double w, kiln_dtype t) {
    if (t == KILN_I64) return w;
    double span = t == KILN_I32 ? 4294967296.0 : 256.0, r = fmod(w, span);
    if (r < 0) r += span;
    return t != KILN_U8 && r >= span / 2 ? r - span : r;
}

/* Every operation over [2, 1, 5] and [3, 1] broadcast to [2, 3, 5], in each element type. */
static void test_binary(void) {
    static const kiln_dtype types[] = {KILN_F32, KILN_F64, KILN_I64, KILN_I32, KILN_I8, KILN_U8};
    for (size_t t = 0; t < 6; t++)
        for (int op = KILN_BINOP_ADD; op <= KILN_BINOP_EQUAL; op++) {
            kiln_dtype type = types[t];
            double av[10], bv[3];
            unsigned char a[80], b[24], out[240];
            for (int i = 0; i < 10; i++) av[i] = kiln_dtype_is_float(type) ? frand() * 100 : floor(frand() * 120);
            for (int i = 0; i < 3; i++) bv[i] = i == 1 ? av[2] : kiln_dtype_is_float(type) ? frand() * 10 : floor(frand() * 9);
            if (type == KILN_U8) {
                for (int i = 0; i < 10; i++) av[i] = fabs(av[i]);
                for (int i = 0; i < 3; i++) bv[i] = fabs(bv[i]);
            }
            for (int i = 0; i < 10; i++) kiln_dtype_is_float(type) ? kiln_set_f_(type, a, (size_t)i, av[i]) : kiln_set_i_(type, a, (size_t)i, (int64_t)av[i]);
            for (int i = 0; i < 3; i++) kiln_dtype_is_float(type) ? kiln_set_f_(type, b, (size_t)i, bv[i]) : kiln_set_i_(type, b, (size_t)i, (int64_t)bv[i]);
            kiln_binary(type, (kiln_binop)op, dims6(1, 1, 1, 2, 3, 5), a, strides6(0, 0, 0, 5, 0, 1), b,
                        strides6(0, 0, 0, 0, 1, 0), out);
            for (int n = 0; n < 2; n++)
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 5; c++) {
                        size_t o = (size_t)((n * 3 + r) * 5 + c);
                        double p = kiln_dtype_is_float(type) ? kiln_get_f_(type, a, n * 5 + c) : (double)kiln_get_i_(type, a, n * 5 + c);
                        double q = kiln_dtype_is_float(type) ? kiln_get_f_(type, b, r) : (double)kiln_get_i_(type, b, r);
                        double want = op == KILN_BINOP_ADD ? p + q : op == KILN_BINOP_SUB ? p - q : op == KILN_BINOP_MUL ? p * q
                                    : op == KILN_BINOP_DIV ? (q == 0 && !kiln_dtype_is_float(type) ? 0 : kiln_dtype_is_float(type) ? p / q : trunc(p / q))
                                    : op == KILN_BINOP_MIN ? fmin(p, q) : op == KILN_BINOP_MAX ? fmax(p, q) : p == q;
                        double got = op == KILN_BINOP_EQUAL ? out[o]
                                   : kiln_dtype_is_float(type) ? kiln_get_f_(type, out, (ptrdiff_t)o)
                                                               : (double)kiln_get_i_(type, out, (ptrdiff_t)o);
                        if (op != KILN_BINOP_EQUAL && !kiln_dtype_is_float(type)) want = wrap_ref(want, type);
                        check("binary", t * 100000 + (size_t)op * 1000 + o, (float)got, want, type == KILN_F32 ? fabs(p) + fabs(q) : 0);
                    }
        }
}

static void test_pow_unary_cast(void) {
    /* float base, int32 exponent; int64 base and exponent; int32 base, float exponent */
    float fb[6] = {1.5f, -2, 0.5f, 3, -1, 0};
    int32_t fe[3] = {2, -1, 3};
    float fo[6];
    kiln_pow(KILN_F32, dims6(1, 1, 1, 1, 2, 3), fb, strides6(0, 0, 0, 0, 3, 1), KILN_I32, fe, strides6(0, 0, 0, 0, 0, 1), fo);
    for (int i = 0; i < 6; i++) check("pow f32^i32", (size_t)i, fo[i], pow(fb[i], fe[i % 3]), 0);
    int64_t ib[5] = {3, -2, 7, 1, -1}, ie[5] = {5, 3, 0, -4, -3}, io[5];
    kiln_pow(KILN_I64, dims6(1, 1, 1, 1, 1, 5), ib, strides6(0, 0, 0, 0, 0, 1), KILN_I64, ie, strides6(0, 0, 0, 0, 0, 1), io);
    static const double iw[5] = {243, -8, 1, 1, -1};
    for (int i = 0; i < 5; i++) check("pow i64", (size_t)i, (float)io[i], iw[i], 0);
    int32_t jb[3] = {4, 9, 2}, jo[3];
    float je = 0.5f;
    kiln_pow(KILN_I32, dims6(1, 1, 1, 1, 1, 3), jb, strides6(0, 0, 0, 0, 0, 1), KILN_F32, &je, strides6(0, 0, 0, 0, 0, 0), jo);
    for (int i = 0; i < 3; i++) check("pow i32^f32", (size_t)i, (float)jo[i], trunc(sqrt(jb[i])), 0);

    /* every unary operation in float32 and float64 */
    double x[7] = {-3.5, -1, -0.25, 0, 0.3, 2.5, 4};
    for (int op = KILN_UNOP_RELU; op <= KILN_UNOP_FLOOR; op++) {
        float xf[7], yf[7];
        double yd[7];
        for (int i = 0; i < 7; i++) xf[i] = (float)fabs(x[i]) * (op == KILN_UNOP_SQRT ? 1 : x[i] < 0 ? -1 : 1);
        kiln_unary(KILN_F32, (kiln_unop)op, 0.2, 0.7, 7, xf, yf);
        kiln_unary(KILN_F64, (kiln_unop)op, 0.2, 0.7, 7, op == KILN_UNOP_SQRT ? (const double[]){3.5, 1, .25, 0, .3, 2.5, 4} : x, yd);
        for (int i = 0; i < 7; i++) {
            double v = xf[i], a = 0.2, b = 0.7, s = 1 / (1 + exp(-v));
            double want = op == KILN_UNOP_RELU ? fmax(v, 0) : op == KILN_UNOP_CLIP ? fmin(fmax(v, a), b)
                        : op == KILN_UNOP_SIGMOID ? s : op == KILN_UNOP_HARDSIGMOID ? fmax(0, fmin(1, a * v + b))
                        : op == KILN_UNOP_HARDSWISH ? v * fmax(0, fmin(1, v / 6 + 0.5)) : op == KILN_UNOP_SWISH ? v / (1 + exp(-a * v))
                        : op == KILN_UNOP_SQRT ? sqrt(v) : op == KILN_UNOP_EXP ? exp(v) : op == KILN_UNOP_TANH ? tanh(v)
                        : op == KILN_UNOP_ERF ? erf(v) : op == KILN_UNOP_CEIL ? ceil(v) : floor(v);
            check("unary f32", (size_t)(op * 10 + i), yf[i], want, 0);
            check("unary f64", (size_t)(op * 10 + i), (float)yd[i], want, 0);
        }
    }
    int8_t ci[5] = {-128, -5, 0, 5, 127}, co[5];
    kiln_unary(KILN_I8, KILN_UNOP_CLIP, -3, INFINITY, 5, ci, co);
    for (int i = 0; i < 5; i++) check("clip i8", (size_t)i, co[i], ci[i] < -3 ? -3 : ci[i], 0);

    /* casts: float to int truncates and saturates, NaN is 0; int to int wraps; to bool is x != 0 */
    float cf[6] = {-2.7f, 2.7f, 1e10f, -1e10f, NAN, 0.0f};
    int32_t c32[6];
    uint8_t cu[6], cb[6];
    kiln_cast(KILN_F32, KILN_I32, 6, cf, c32);
    kiln_cast(KILN_F32, KILN_U8, 6, cf, cu);
    kiln_cast(KILN_F32, KILN_BOOL, 6, cf, cb);
    static const double w32[6] = {-2, 2, 2147483647.0, -2147483648.0, 0, 0}, wu[6] = {0, 2, 255, 0, 0, 0}, wb[6] = {1, 1, 1, 1, 1, 0};
    for (int i = 0; i < 6; i++) {
        check("cast f32->i32", (size_t)i, (float)c32[i], w32[i], 0);
        check("cast f32->u8", (size_t)i, cu[i], wu[i], 0);
        check("cast f32->bool", (size_t)i, cb[i], wb[i], 0);
    }
    int64_t big[3] = {300, -1, 16777217};
    int8_t b8[3];
    float bf[3];
    kiln_cast(KILN_I64, KILN_I8, 3, big, b8);
    kiln_cast(KILN_I64, KILN_F32, 3, big, bf);
    for (int i = 0; i < 3; i++) check("cast i64->i8", (size_t)i, b8[i], i == 0 ? 44 : i == 1 ? -1 : 1, 0);
    for (int i = 0; i < 3; i++) check("cast i64->f32", (size_t)i, bf[i], (double)(float)big[i], 0);
}

static void test_linear(void) {
    /* batched MatMul: A [2, 1, 3, 4] x B [3, 4, 5] -> [2, 3, 3, 5] */
    float *a = randv(2 * 12, 1), *b = randv(3 * 20, 1), out[2 * 3 * 15];
    kiln_f32_matmul(dims6(1, 1, 1, 1, 2, 3), 3, 4, 5, a, strides6(0, 0, 0, 0, 12, 0), 4, b, strides6(0, 0, 0, 0, 0, 20), 5, out);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 5; c++) {
                    double s = 0, as = 0;
                    for (int k = 0; k < 4; k++) s += (double)a[i * 12 + r * 4 + k] * b[j * 20 + k * 5 + c], as += fabs(a[i * 12 + r * 4 + k] * b[j * 20 + k * 5 + c]);
                    check("matmul", (size_t)(((i * 3 + j) * 3 + r) * 5 + c), out[((i * 3 + j) * 3 + r) * 5 + c], s, as);
                }
    /* Gemm with transA, transB and C [3, 1]: A stored [K=4][M=3], B stored [N=5][K=4] */
    float *c = randv(3, 1), g[15];
    kiln_f32_gemm_strided(3, 4, 5, 0.5, a, 1, 3, b, 1, 4, 2.0, c, 1, 0, g);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 5; j++) {
            double s = 0, as = 0;
            for (int k = 0; k < 4; k++) s += (double)a[k * 3 + i] * b[j * 4 + k], as += fabs(a[k * 3 + i] * b[j * 4 + k]);
            check("gemm strided", (size_t)(i * 5 + j), g[i * 5 + j], 0.5 * s + 2 * c[i], as + 2);
        }
    /* softmax over the middle axis of [3][7][5] */
    float *x = randv(105, 8), y[105];
    kiln_f32_softmax_axis(3, 7, 5, x, y);
    for (int o = 0; o < 3; o++)
        for (int q = 0; q < 5; q++) {
            double sum = 0;
            for (int i = 0; i < 7; i++) sum += exp(x[(o * 7 + i) * 5 + q]);
            for (int i = 0; i < 7; i++) check("softmax axis", (size_t)((o * 7 + i) * 5 + q), y[(o * 7 + i) * 5 + q], exp(x[(o * 7 + i) * 5 + q]) / sum, 0);
        }
    /* mean of [2, 3, 4, 5] over axes 1 and 3 -> [2, 1, 4, 1] */
    float *r = randv(120, 1), m[8];
    kiln_f32_reduce_mean(dims6(1, 1, 2, 3, 4, 5), r, strides6(0, 0, 4, 0, 1, 0), 8, m);
    for (int n = 0; n < 2; n++)
        for (int h = 0; h < 4; h++) {
            double s = 0, as = 0;
            for (int ch = 0; ch < 3; ch++)
                for (int w = 0; w < 5; w++) s += r[((n * 3 + ch) * 4 + h) * 5 + w], as += fabs(r[((n * 3 + ch) * 4 + h) * 5 + w]);
            check("reduce mean", (size_t)(n * 4 + h), m[n * 4 + h], s / 15, as / 15);
        }
    /* per-channel affine maps of [2][3][5] */
    float *scale = randv(3, 1), *shift = randv(3, 1), *mean = randv(3, 1), *var = randv(3, 1), z[30], bn[30];
    for (int i = 0; i < 3; i++) var[i] = fabsf(var[i]);
    kiln_f32_channel_affine(2, 3, 5, x, scale, shift, z);
    kiln_f32_batchnorm(2, 3, 5, x, scale, shift, mean, var, 1e-3, bn);
    for (int i = 0; i < 30; i++) {
        int ch = (i / 5) % 3;
        check("channel affine", (size_t)i, z[i], (double)x[i] * scale[ch] + shift[ch], fabs(x[i] * scale[ch]));
        double want = scale[ch] * (x[i] - mean[ch]) / sqrt(var[ch] + 1e-3) + shift[ch];
        check("batchnorm", (size_t)i, bn[i], want, fabs(want) + 10 * fabs(x[i]));
    }
    free(a), free(b), free(c), free(x), free(r), free(scale), free(shift), free(mean), free(var);
}

/* Pools over 2 planes of 7 x 6 with a 3 x 2 window, strides 2 x 1, dilation 1 x 2, pads 1, 0 (top, left) and
 * 2, 1 (bottom, right), counted with and without the pads. */
static void test_pools(void) {
    enum { H = 7, W = 6, KH = 3, KW = 2, SH = 2, SW = 1, DH = 1, DW = 2, PT = 1, PL = 0, PB = 2, PR = 1 };
    enum { OH = (H + PT + PB - (KH - 1) * DH - 1) / SH + 1, OW = (W + PL + PR - (KW - 1) * DW - 1) / SW + 1 };
    float *x = randv(2 * H * W, 1), mx[2 * OH * OW], av[2 * OH * OW], ap[2 * OH * OW];
    kiln_f32_maxpool_nchw(2, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, x, mx);
    kiln_f32_avgpool_nchw(2, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, 0, x, av);
    kiln_f32_avgpool_nchw(2, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, 1, x, ap);
    for (int p = 0; p < 2; p++)
        for (int y = 0; y < OH; y++)
            for (int z = 0; z < OW; z++) {
                double best = -INFINITY, sum = 0;
                int inside = 0, padded = 0;
                for (int ky = 0; ky < KH; ky++)
                    for (int kx = 0; kx < KW; kx++) {
                        int iy = y * SH + ky * DH - PT, ix = z * SW + kx * DW - PL;
                        padded += iy < H + PB && ix < W + PR;
                        if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
                        best = fmax(best, x[(p * H + iy) * W + ix]), sum += x[(p * H + iy) * W + ix], inside++;
                    }
                size_t o = (size_t)((p * OH + y) * OW + z);
                check("maxpool", o, mx[o], best, 0);
                check("avgpool", o, av[o], sum / inside, 2);
                check("avgpool pads", o, ap[o], sum / padded, 2);
            }
    free(x);
}

void test_generic(void) {
    test_copy();
    test_pad();
    test_gather_where();
    test_binary();
    test_pow_unary_cast();
    test_linear();
    test_pools();
}
