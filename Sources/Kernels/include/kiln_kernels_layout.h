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

/* The expand + depthwise fusion (kiln_kernels_mbconv.h) computes the depthwise output in bands of output rows, with
 * the expanded rows a band reads in a scratch buffer of at most this many bytes. 384 KiB: under a third of a 1.25 MiB
 * (Ice Lake / Sapphire Rapids server) L2 and about 40% of a 1 MiB one (Skylake-SP), so the band's expanded rows, the
 * input rows its GEMM reads, the output band and both weights stay in L2 together; on MobileNet/EfficientNet shapes
 * an expanded row is 25-45 KB, so the scratch holds 9 to 14 expanded rows, and the rows a band's taps share with the
 * neighbouring bands (kept, not recomputed) are a small part of it. */
#define KILN_EXPAND_DW_SCRATCH_BYTES (384 * 1024)

/* Output rows per band of the expand + depthwise fusion for an expanded row of w x c floats, oh output rows and a
 * kh-tap, stride sh, dilation dh depthwise kernel: as many as keep the band's (rows - 1) * sh + (kh - 1) * dh + 1
 * expanded rows within KILN_EXPAND_DW_SCRATCH_BYTES, at least 1, at most oh. */
static inline size_t kiln_expand_dwconv_band_rows(size_t w, size_t c, size_t oh, size_t kh, size_t sh, size_t dh) {
    size_t row = w * c * sizeof(float), span = (kh - 1) * dh + 1;
    size_t fit = row ? KILN_EXPAND_DW_SCRATCH_BYTES / row : 0;
    size_t band = fit > span ? (fit - span) / sh + 1 : 1;
    return band < oh ? band : (oh ? oh : 1);
}

/* Floats of scratch one call of kiln_f32_expand_dwconv_band (any output rows of one h x w image) needs: one band's
 * expanded rows, never more than the image has. Each thread running bands at once needs its own. */
static inline size_t kiln_expand_dwconv_scratch_floats(size_t h, size_t w, size_t c, size_t oh, size_t kh, size_t sh,
                                                       size_t dh) {
    size_t rows = (kiln_expand_dwconv_band_rows(w, c, oh, kh, sh, dh) - 1) * sh + (kh - 1) * dh + 1;
    return (rows < h ? rows : h) * w * c;
}

/* With the block's project conv fused too (kiln_dw_sink_): one output row of the depthwise conv (ow x c floats, in L1)
 * after the band's rows, from a multiple of KILN_PANEL floats. */
static inline size_t kiln_dwconv_project_row_offset(size_t h, size_t w, size_t c, size_t oh, size_t kh, size_t sh,
                                                    size_t dh) {
    return (kiln_expand_dwconv_scratch_floats(h, w, c, oh, kh, sh, dh) + KILN_PANEL - 1) / KILN_PANEL * KILN_PANEL;
}
static inline size_t kiln_dwconv_project_scratch_floats(size_t h, size_t w, size_t c, size_t oh, size_t ow, size_t kh,
                                                        size_t sh, size_t dh) {
    return kiln_dwconv_project_row_offset(h, w, c, oh, kh, sh, dh) + ow * c;
}

#endif
