/* kiln_kernels_generic.h — straightforward generic kernels: every operator the reference interpreter runs, over
 * every element type it handles, so that no model fails to compile for want of a kernel. Included by
 * kiln_kernels.h.
 *
 * They are plain C loops, not tuned: the fast kernels of the other headers run the networks Kiln is for, these
 * run whatever else a graph holds (shape arithmetic left at run time, broadcasting arithmetic, data movement).
 * Conventions:
 * - tensors are row-major ("NCHW" for 4-D) and addressed through a shape and element strides of at most
 *   KILN_MAX_RANK dimensions, right-aligned: unused leading dimensions have extent 1. A broadcast dimension has
 *   stride 0, a reversed one (Slice with a negative step) a negative stride;
 * - element types are kiln_dtype values (ONNX's TensorProto codes); data pointers are `void *`;
 * - kernels whose outputs are written contiguously say so; outputs must not overlap inputs unless a kernel says
 *   it allows it;
 * - arguments are constants in generated code, so after inlining the switches on type and operation fold away.
 * Integer arithmetic wraps (two's complement) and never traps: x / 0 is 0 and INT_MIN / -1 is INT_MIN, where the
 * reference interpreter reports an error instead. */
#ifndef KILN_KERNELS_GENERIC_H
#define KILN_KERNELS_GENERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define KILN_MAX_RANK 6

/* Extents, outermost first, right-aligned (unused leading extents are 1). */
typedef struct {
    size_t d[KILN_MAX_RANK];
} kiln_dims;

/* Element strides for a kiln_dims shape; 0 broadcasts, negative walks backwards. */
typedef struct {
    ptrdiff_t s[KILN_MAX_RANK];
} kiln_strides;

/* Element types: ONNX TensorProto.DataType codes. Bools are one byte, 0 or 1. */
typedef enum {
    KILN_F32 = 1,
    KILN_U8 = 2,
    KILN_I8 = 3,
    KILN_I32 = 6,
    KILN_I64 = 7,
    KILN_BOOL = 9,
    KILN_F64 = 11,
} kiln_dtype;

typedef enum {
    KILN_BINOP_ADD,
    KILN_BINOP_SUB,
    KILN_BINOP_MUL,
    KILN_BINOP_DIV,
    KILN_BINOP_MIN, /* NaN if either is NaN */
    KILN_BINOP_MAX,
    KILN_BINOP_EQUAL, /* writes bools */
} kiln_binop;

typedef enum {
    KILN_UNOP_RELU,
    KILN_UNOP_CLIP,        /* min(max(x, a), b) */
    KILN_UNOP_SIGMOID,
    KILN_UNOP_HARDSIGMOID, /* max(0, min(1, a x + b)) */
    KILN_UNOP_HARDSWISH,
    KILN_UNOP_SWISH,       /* x sigmoid(a x) */
    KILN_UNOP_SQRT,
    KILN_UNOP_EXP,
    KILN_UNOP_TANH,
    KILN_UNOP_ERF,
    KILN_UNOP_CEIL,
    KILN_UNOP_FLOOR,
} kiln_unop;

typedef enum { KILN_PAD_CONSTANT, KILN_PAD_REFLECT, KILN_PAD_EDGE, KILN_PAD_WRAP } kiln_pad_mode;

/* Runs the statements given after `shape` once per element of the 6-D `shape` in row-major order; inside, `o` is the element's row-major index
 * and KILN_AT_(st) its offset under strides st. */
#define KILN_EACH_(shape, ...)                                                                                  \
    do {                                                                                                         \
        size_t o = 0;                                                                                            \
        for (size_t i0 = 0; i0 < (shape).d[0]; i0++)                                                             \
            for (size_t i1 = 0; i1 < (shape).d[1]; i1++)                                                         \
                for (size_t i2 = 0; i2 < (shape).d[2]; i2++)                                                     \
                    for (size_t i3 = 0; i3 < (shape).d[3]; i3++)                                                 \
                        for (size_t i4 = 0; i4 < (shape).d[4]; i4++)                                             \
                            for (size_t i5 = 0; i5 < (shape).d[5]; i5++, o++) { __VA_ARGS__ }                         \
        (void)o;                                                                                                 \
    } while (0)
#define KILN_AT_(st)                                                                                             \
    ((ptrdiff_t)i0 * (st).s[0] + (ptrdiff_t)i1 * (st).s[1] + (ptrdiff_t)i2 * (st).s[2] +                        \
     (ptrdiff_t)i3 * (st).s[3] + (ptrdiff_t)i4 * (st).s[4] + (ptrdiff_t)i5 * (st).s[5])

/* Bytes of one element. */
KILN_INLINE size_t kiln_dtype_size(kiln_dtype t) {
    return t == KILN_F64 || t == KILN_I64 ? 8 : t == KILN_F32 || t == KILN_I32 ? 4 : 1;
}

/* ---- data movement (any element type: `size` bytes an element) ---- */

/* Copies element i of `shape` from in[in_at + offset_is(i)] to out[out_at + offset_os(i)]: reshapes (one
 * contiguous run), Transpose (permuted input strides), Slice (strided window), Expand (0 strides), Concat (one
 * call per input, into its window of the output). */
KILN_INLINE void kiln_copy_strided(size_t size, kiln_dims shape, const void *in, size_t in_at, kiln_strides is,
                                   void *out, size_t out_at, kiln_strides os) {
    const unsigned char *x = (const unsigned char *)in + in_at * size;
    unsigned char *y = (unsigned char *)out + out_at * size;
    if (is.s[5] == 1 && os.s[5] == 1) { /* contiguous rows (a reshape, a slice of whole images): one memcpy a row */
        const size_t row = shape.d[5] * size;
        shape.d[5] = 1;
        KILN_EACH_(shape, { memcpy(y + KILN_AT_(os) * (ptrdiff_t)size, x + KILN_AT_(is) * (ptrdiff_t)size, row); });
        return;
    }
    KILN_EACH_(shape, { memcpy(y + KILN_AT_(os) * (ptrdiff_t)size, x + KILN_AT_(is) * (ptrdiff_t)size, size); });
}

/* The window coordinate output coordinate k reads along an axis of window length m, or -1 for the constant. */
KILN_INLINE ptrdiff_t kiln_pad_coord_(ptrdiff_t k, ptrdiff_t m, kiln_pad_mode mode) {
    if (k >= 0 && k < m) return k;
    if (m <= 0) return -1;
    switch (mode) {
    case KILN_PAD_CONSTANT: return -1;
    case KILN_PAD_EDGE: return k < 0 ? 0 : m - 1;
    case KILN_PAD_WRAP: return ((k % m) + m) % m;
    case KILN_PAD_REFLECT:
        if (m == 1) return 0;
        while (k < 0 || k >= m) k = k < 0 ? -k : 2 * (m - 1) - k; /* pads < m fold once; more fold again */
        return k;
    }
    return -1;
}

/* Pad: out (contiguous, `shape`) from the window of `window` elements at in[in_at] with strides `is`, padded by
 * `before` elements in front on each axis; the constant mode writes *value (one element) outside the window. */
KILN_INLINE void kiln_pad(size_t size, kiln_pad_mode mode, kiln_dims shape, const void *in, size_t in_at,
                          kiln_strides is, kiln_dims window, kiln_dims before, const void *value, void *out) {
    const unsigned char *x = (const unsigned char *)in + in_at * size;
    unsigned char *y = (unsigned char *)out;
    KILN_EACH_(shape, {
        const size_t at[KILN_MAX_RANK] = {i0, i1, i2, i3, i4, i5};
        ptrdiff_t offset = 0;
        for (int d = 0; d < KILN_MAX_RANK; d++) {
            ptrdiff_t c = kiln_pad_coord_((ptrdiff_t)at[d] - (ptrdiff_t)before.d[d], (ptrdiff_t)window.d[d], mode);
            if (c < 0) {
                offset = -1;
                break;
            }
            offset += c * is.s[d];
        }
        memcpy(y + o * size, offset < 0 ? value : (const void *)(x + offset * (ptrdiff_t)size), size);
    });
}

/* Gather along an axis: in is [outer][axis][inner] elements, indices (int32 or int64, `count` of them, negative
 * ones counting from the end) pick along the axis; out is [outer][count][inner]. An index outside [-axis, axis)
 * writes zeros (the interpreter reports it as an error). */
KILN_INLINE void kiln_gather(size_t size, size_t outer, size_t axis, size_t inner, const void *in,
                             kiln_dtype index_type, const void *indices, size_t count, void *out) {
    const unsigned char *x = (const unsigned char *)in;
    unsigned char *y = (unsigned char *)out;
    size_t block = inner * size;
    for (size_t o = 0; o < outer; o++)
        for (size_t j = 0; j < count; j++) {
            int64_t i = index_type == KILN_I32 ? (int64_t)((const int32_t *)indices)[j] : ((const int64_t *)indices)[j];
            if (i < 0) i += (int64_t)axis;
            unsigned char *dst = y + (o * count + j) * block;
            if (i < 0 || i >= (int64_t)axis) memset(dst, 0, block);
            else memcpy(dst, x + (o * axis + (size_t)i) * block, block);
        }
}

/* Where: out[i] (contiguous) = cond[i] ? x[i] : y[i], each operand through its own (broadcast) strides. */
KILN_INLINE void kiln_where(size_t size, kiln_dims shape, const void *cond, kiln_strides cs, const void *x,
                            kiln_strides xs, const void *y, kiln_strides ys, void *out) {
    const unsigned char *c = (const unsigned char *)cond, *a = (const unsigned char *)x, *b = (const unsigned char *)y;
    unsigned char *z = (unsigned char *)out;
    KILN_EACH_(shape, {
        const unsigned char *src = c[KILN_AT_(cs)] ? a + KILN_AT_(xs) * (ptrdiff_t)size : b + KILN_AT_(ys) * (ptrdiff_t)size;
        memcpy(z + o * size, src, size);
    });
}

#include "kiln_kernels_generic_math.h"

#undef KILN_EACH_
#undef KILN_AT_

#endif
