/* kiln_kernels_generic_math.h — the arithmetic half of the generic kernels (see kiln_kernels_generic.h, which
 * includes this after defining the strided iterator). Floats are computed in double and rounded once, which for
 * + - * / gives exactly float arithmetic's result; integers are widened to int64 and wrap when stored back. */
#ifndef KILN_KERNELS_GENERIC_MATH_H
#define KILN_KERNELS_GENERIC_MATH_H

/* ---- element access ---- */

KILN_INLINE int kiln_dtype_is_float(kiln_dtype t) { return t == KILN_F32 || t == KILN_F64; }

KILN_INLINE double kiln_get_f_(kiln_dtype t, const void *p, ptrdiff_t i) {
    return t == KILN_F32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

KILN_INLINE int64_t kiln_get_i_(kiln_dtype t, const void *p, ptrdiff_t i) {
    switch (t) {
    case KILN_I64: return ((const int64_t *)p)[i];
    case KILN_I32: return ((const int32_t *)p)[i];
    case KILN_I8: return ((const int8_t *)p)[i];
    case KILN_U8:
    case KILN_BOOL: return ((const uint8_t *)p)[i];
    default: return 0;
    }
}

KILN_INLINE void kiln_set_f_(kiln_dtype t, void *p, size_t i, double v) {
    if (t == KILN_F32) ((float *)p)[i] = (float)v;
    else ((double *)p)[i] = v;
}

/* Stores the low bits of v (two's-complement wrap). */
KILN_INLINE void kiln_set_i_(kiln_dtype t, void *p, size_t i, int64_t v) {
    uint64_t u = (uint64_t)v;
    switch (t) {
    case KILN_I64: ((int64_t *)p)[i] = v; break;
    case KILN_I32: ((int32_t *)p)[i] = (int32_t)(uint32_t)u; break;
    case KILN_I8: ((int8_t *)p)[i] = (int8_t)(uint8_t)u; break;
    case KILN_U8: ((uint8_t *)p)[i] = (uint8_t)u; break;
    case KILN_BOOL: ((uint8_t *)p)[i] = v != 0; break;
    default: break;
    }
}

/* A float converted to an integer type as Cast does: truncated toward zero, NaN to 0, saturated to the range. */
KILN_INLINE int64_t kiln_float_to_int_(kiln_dtype t, double v) {
    double lo, hi;
    switch (t) {
    case KILN_I32: lo = -2147483648.0, hi = 2147483647.0; break;
    case KILN_I8: lo = -128.0, hi = 127.0; break;
    case KILN_U8: lo = 0.0, hi = 255.0; break;
    case KILN_BOOL: return v != 0;
    default: lo = -9223372036854775808.0, hi = 9223372036854775807.0; break;
    }
    if (v != v) return 0;
    if (v <= lo) return t == KILN_I64 ? INT64_MIN : (int64_t)lo;
    if (v >= hi) return t == KILN_I64 ? INT64_MAX : (int64_t)hi;
    return (int64_t)v;
}

/* ---- elementwise ---- */

KILN_INLINE double kiln_binop_f_(kiln_binop op, double p, double q) {
    switch (op) {
    case KILN_BINOP_ADD: return p + q;
    case KILN_BINOP_SUB: return p - q;
    case KILN_BINOP_MUL: return p * q;
    case KILN_BINOP_DIV: return p / q;
    case KILN_BINOP_MIN: return p != p || q != q ? p + q : p < q ? p : q;
    case KILN_BINOP_MAX: return p != p || q != q ? p + q : p > q ? p : q;
    case KILN_BINOP_EQUAL: return p == q;
    }
    return 0;
}

KILN_INLINE int64_t kiln_binop_i_(kiln_binop op, int64_t p, int64_t q) {
    switch (op) {
    case KILN_BINOP_ADD: return (int64_t)((uint64_t)p + (uint64_t)q);
    case KILN_BINOP_SUB: return (int64_t)((uint64_t)p - (uint64_t)q);
    case KILN_BINOP_MUL: return (int64_t)((uint64_t)p * (uint64_t)q);
    case KILN_BINOP_DIV: return q == 0 ? 0 : q == -1 ? (int64_t)(0 - (uint64_t)p) : p / q;
    case KILN_BINOP_MIN: return p < q ? p : q;
    case KILN_BINOP_MAX: return p > q ? p : q;
    case KILN_BINOP_EQUAL: return p == q;
    }
    return 0;
}

/* out[o] (contiguous, `shape`) = a[offset_as(o)] OP b[offset_bs(o)], both operands of `type`; Equal writes
 * bools. out may equal a or b when that operand is contiguous and not broadcast. */
KILN_INLINE void kiln_binary(kiln_dtype type, kiln_binop op, kiln_dims shape, const void *a, kiln_strides as,
                             const void *b, kiln_strides bs, void *out) {
    kiln_dtype to = op == KILN_BINOP_EQUAL ? KILN_BOOL : type;
    if (kiln_dtype_is_float(type)) {
        KILN_EACH_(shape, {
            double r = kiln_binop_f_(op, kiln_get_f_(type, a, KILN_AT_(as)), kiln_get_f_(type, b, KILN_AT_(bs)));
            if (to == KILN_BOOL) kiln_set_i_(to, out, o, r != 0);
            else kiln_set_f_(to, out, o, r);
        });
    } else {
        KILN_EACH_(shape, {
            kiln_set_i_(to, out, o, kiln_binop_i_(op, kiln_get_i_(type, a, KILN_AT_(as)), kiln_get_i_(type, b, KILN_AT_(bs))));
        });
    }
}

/* base^n for integers: repeated squaring with wrapping products; n < 0 gives the truncated 1 / base^-n (0 for
 * 0^-n, where the interpreter reports an error). */
KILN_INLINE int64_t kiln_ipow_(int64_t base, int64_t n) {
    if (n < 0) return base == 1 ? 1 : base == -1 ? (n & 1 ? -1 : 1) : 0;
    uint64_t result = 1, square = (uint64_t)base;
    for (; n > 0; n >>= 1) {
        if (n & 1) result *= square;
        square *= square;
    }
    return (int64_t)result;
}

/* Pow: out (contiguous, of the base's type) = base ^ exponent, broadcast through strides. A float base takes the
 * exponent converted to its type; an integer base an integer exponent exactly, a float one through pow in double
 * (converted back as Cast converts). */
KILN_INLINE void kiln_pow(kiln_dtype type, kiln_dims shape, const void *base, kiln_strides bs,
                          kiln_dtype exponent_type, const void *exponent, kiln_strides es, void *out) {
    KILN_EACH_(shape, {
        ptrdiff_t i = KILN_AT_(bs), j = KILN_AT_(es);
        if (kiln_dtype_is_float(type)) {
            double e = kiln_dtype_is_float(exponent_type) ? kiln_get_f_(exponent_type, exponent, j)
                                                          : (double)kiln_get_i_(exponent_type, exponent, j);
            if (type == KILN_F32) e = (float)e;
            kiln_set_f_(type, out, o, pow(kiln_get_f_(type, base, i), e));
        } else if (kiln_dtype_is_float(exponent_type)) {
            double r = pow((double)kiln_get_i_(type, base, i), kiln_get_f_(exponent_type, exponent, j));
            kiln_set_i_(type, out, o, kiln_float_to_int_(type, r));
        } else {
            kiln_set_i_(type, out, o, kiln_ipow_(kiln_get_i_(type, base, i), kiln_get_i_(exponent_type, exponent, j)));
        }
    });
}

KILN_INLINE double kiln_unop_f_(kiln_unop op, double x, double a, double b) {
    switch (op) {
    case KILN_UNOP_RELU: return x < 0 ? 0 : x;
    case KILN_UNOP_CLIP: return x != x ? x : x < a ? (b < a ? b : a) : x > b ? b : x;
    case KILN_UNOP_SIGMOID: return 1 / (1 + exp(-x));
    case KILN_UNOP_HARDSIGMOID: return fmax(0, fmin(1, a * x + b));
    case KILN_UNOP_HARDSWISH: return x * fmax(0, fmin(1, x / 6 + 0.5));
    case KILN_UNOP_SWISH: return x / (1 + exp(-a * x));
    case KILN_UNOP_SQRT: return sqrt(x);
    case KILN_UNOP_EXP: return exp(x);
    case KILN_UNOP_TANH: return tanh(x);
    case KILN_UNOP_ERF: return erf(x);
    case KILN_UNOP_CEIL: return ceil(x);
    case KILN_UNOP_FLOOR: return floor(x);
    }
    return x;
}

/* out[i] = op(in[i]), i < count, with the operation's parameters a and b; integers take RELU and CLIP. out may
 * equal in. */
KILN_INLINE void kiln_unary(kiln_dtype type, kiln_unop op, double a, double b, size_t count, const void *in,
                            void *out) {
    for (size_t i = 0; i < count; i++) {
        if (kiln_dtype_is_float(type)) {
            kiln_set_f_(type, out, i, kiln_unop_f_(op, kiln_get_f_(type, in, (ptrdiff_t)i), a, b));
        } else {
            int64_t x = kiln_get_i_(type, in, (ptrdiff_t)i);
            int64_t lo = kiln_float_to_int_(KILN_I64, a), hi = kiln_float_to_int_(KILN_I64, b);
            int64_t r = op == KILN_UNOP_RELU ? (x < 0 ? 0 : x) : hi < lo ? hi : x < lo ? lo : x > hi ? hi : x;
            kiln_set_i_(type, out, i, r);
        }
    }
}

/* Cast of count elements: float to integer truncates toward zero (NaN 0, saturating); integer to integer keeps the
 * low bits; anything to bool is x != 0; to a float type rounds to nearest. */
KILN_INLINE void kiln_cast(kiln_dtype from, kiln_dtype to, size_t count, const void *in, void *out) {
    for (size_t i = 0; i < count; i++) {
        if (kiln_dtype_is_float(from)) {
            double v = kiln_get_f_(from, in, (ptrdiff_t)i);
            if (kiln_dtype_is_float(to)) kiln_set_f_(to, out, i, v);
            else kiln_set_i_(to, out, i, to == KILN_BOOL ? v != 0 : kiln_float_to_int_(to, v));
        } else {
            int64_t v = kiln_get_i_(from, in, (ptrdiff_t)i);
            if (to == KILN_F32) ((float *)out)[i] = (float)v; /* one rounding, not two through double */
            else if (to == KILN_F64) ((double *)out)[i] = (double)v;
            else kiln_set_i_(to, out, i, v);
        }
    }
}

/* ---- linear algebra and reductions (float32, row-major) ---- */

/* MatMul: for each index of the (broadcast) batch shape, out[m][n] (contiguous) = a[m][k] · b[k][n], the
 * matrices at the batch strides as and bs, with row strides lda and ldb. */
KILN_INLINE void kiln_f32_matmul(kiln_dims batch, size_t m, size_t k, size_t n, const float *a, kiln_strides as,
                                 size_t lda, const float *b, kiln_strides bs, size_t ldb, float *out) {
    KILN_EACH_(batch, {
        const float *x = a + KILN_AT_(as), *y = b + KILN_AT_(bs);
        float *z = out + o * m * n;
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < n; j++) z[i * n + j] = 0;
            for (size_t p = 0; p < k; p++) {
                float v = x[i * lda + p];
                for (size_t j = 0; j < n; j++) z[i * n + j] += v * y[p * ldb + j];
            }
        }
    });
}

/* Gemm: out[i][j] (contiguous m x n) = alpha · Σ_p A[i][p] B[p][j] + beta · C[i][j], each matrix through its own
 * strides (transposes swap them, a broadcast C has stride 0); c may be NULL. */
KILN_INLINE void kiln_f32_gemm_strided(size_t m, size_t k, size_t n, double alpha, const float *a, size_t a_m,
                                       size_t a_k, const float *b, size_t b_k, size_t b_n, double beta,
                                       const float *c, size_t c_m, size_t c_n, float *out) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float s = 0;
            for (size_t p = 0; p < k; p++) s += a[i * a_m + p * a_k] * b[p * b_k + j * b_n];
            out[i * n + j] = (float)(alpha * s + (c != NULL ? beta * c[i * c_m + j * c_n] : 0));
        }
}

/* Softmax over the middle axis of [outer][n][inner]; out may equal in. */
KILN_INLINE void kiln_f32_softmax_axis(size_t outer, size_t n, size_t inner, const float *in, float *out) {
    for (size_t o = 0; o < outer; o++)
        for (size_t q = 0; q < inner; q++) {
            const float *x = in + o * n * inner + q;
            float *y = out + o * n * inner + q;
            float mx = -INFINITY;
            for (size_t i = 0; i < n; i++) mx = x[i * inner] > mx ? x[i * inner] : mx;
            double sum = 0;
            for (size_t i = 0; i < n; i++) sum += (y[i * inner] = expf(x[i * inner] - mx));
            for (size_t i = 0; i < n; i++) y[i * inner] = (float)(y[i * inner] / sum);
        }
}

/* Mean over the axes whose output stride is 0: out (out_count elements) receives, for each element of `shape` in
 * row-major order, in[o] added at its offset under os, then the sums are scaled by out_count / elements. */
KILN_INLINE void kiln_f32_reduce_mean(kiln_dims shape, const float *in, kiln_strides os, size_t out_count,
                                      float *out) {
    size_t elements = 1;
    for (int d = 0; d < KILN_MAX_RANK; d++) elements *= shape.d[d];
    for (size_t i = 0; i < out_count; i++) out[i] = 0;
    KILN_EACH_(shape, { out[KILN_AT_(os)] += in[o]; });
    float scale = elements ? (float)((double)out_count / (double)elements) : 0.0f;
    for (size_t i = 0; i < out_count; i++) out[i] *= scale;
}

/* Per channel of [outer][c][inner]: out = in · scale[ch] + shift[ch] (ScaleShift; NHWC is inner = 1). out may
 * equal in. */
KILN_INLINE void kiln_f32_channel_affine(size_t outer, size_t c, size_t inner, const float *in, const float *scale,
                                         const float *shift, float *out) {
    for (size_t o = 0; o < outer; o++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t i = 0; i < inner; i++) {
                size_t at = (o * c + ch) * inner + i;
                out[at] = in[at] * scale[ch] + shift[ch];
            }
}

/* BatchNormalization (inference) with statistics computed at run time: per channel of [outer][c][inner],
 * out = scale (in − mean) / sqrt(var + epsilon) + bias. out may equal in. */
KILN_INLINE void kiln_f32_batchnorm(size_t outer, size_t c, size_t inner, const float *in, const float *scale,
                                    const float *bias, const float *mean, const float *var, double epsilon,
                                    float *out) {
    for (size_t o = 0; o < outer; o++)
        for (size_t ch = 0; ch < c; ch++) {
            float s = scale[ch] / sqrtf(var[ch] + (float)epsilon);
            for (size_t i = 0; i < inner; i++) {
                size_t at = (o * c + ch) * inner + i;
                out[at] = (in[at] - mean[ch]) * s + bias[ch];
            }
        }
}

#include "kiln_kernels_generic_pool.h"

#endif
