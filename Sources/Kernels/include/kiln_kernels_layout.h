/* kiln_kernels_layout.h — activation descriptors and packed-weight sizes, shared by the kernels (any ISA) and the
 * packing functions. Plain C11, no intrinsics: the packed layouts do not depend on the target ISA, so weights
 * packed by Kiln (a generic build) feed AVX-512, AVX2 and generic kernels alike. */
#ifndef KILN_KERNELS_LAYOUT_H
#define KILN_KERNELS_LAYOUT_H

#include <stddef.h>

/* Output channels are packed in panels of this many floats (a multiple of every ISA's vector width). */
#define KILN_PANEL 16

typedef enum {
    KILN_ACT_NONE = 0,
    KILN_ACT_RELU,        /* max(x, 0) */
    KILN_ACT_RELU6,       /* min(max(x, 0), 6) */
    KILN_ACT_SILU,        /* x * sigmoid(x) (Swish) */
    KILN_ACT_HARDSWISH,   /* x * min(max(x + 3, 0), 6) / 6 */
    KILN_ACT_SIGMOID,     /* 1 / (1 + exp(-x)) */
    KILN_ACT_HARDSIGMOID, /* max(0, min(1, a*x + b)) (ONNX HardSigmoid alpha = a, beta = b) */
    KILN_ACT_CLIP,        /* min(max(x, a), b) (ONNX Clip min = a, max = b) */
} kiln_act_kind;

/* An activation with its two parameters (used by HARDSIGMOID and CLIP only). Generated code passes compound
 * literals such as (kiln_act){KILN_ACT_SILU, 0, 0}; after inlining, the switch on the kind folds away. */
typedef struct {
    kiln_act_kind kind;
    float a, b;
} kiln_act;

static inline size_t kiln_panels(size_t n) { return (n + KILN_PANEL - 1) / KILN_PANEL; }

/* Floats in a packed GEMM / 1x1-conv weight (kiln_pack_gemm_f32): per panel of 16 output columns,
 * 16 biases then K rows of 16 weights. */
static inline size_t kiln_gemm_packed_floats(size_t k, size_t n) { return kiln_panels(n) * KILN_PANEL * (k + 1); }

/* Floats in a packed depthwise weight (kiln_pack_dwconv_f32): Cpad = C rounded up to 16; Cpad biases, then for each
 * tap (ky, kx) in row-major order Cpad weights. */
static inline size_t kiln_dwconv_packed_floats(size_t c, size_t kh, size_t kw) {
    return kiln_panels(c) * KILN_PANEL * (1 + kh * kw);
}

/* Floats in a packed direct-conv weight (kiln_pack_conv_f32): per panel of 16 output channels, 16 biases then
 * [kh][kw][cin][16] weights. */
static inline size_t kiln_conv_packed_floats(size_t cout, size_t cin, size_t kh, size_t kw) {
    return kiln_panels(cout) * KILN_PANEL * (1 + kh * kw * cin);
}

#endif
