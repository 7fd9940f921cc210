/* kiln_pack.h — weight packing for kiln_kernels.h. Plain, ISA-independent C functions, called by Kiln (from
 * Swift) when it writes a model's weight blob, and by tests. Each writes exactly kiln_pack_*_floats(...) floats
 * into a caller buffer (no alignment requirement), zero-padding the columns past the real channel count. */
#ifndef KILN_PACK_H
#define KILN_PACK_H

#include <stddef.h>

/* Floats written by the packers below (same values as kiln_*_packed_floats in kiln_kernels_layout.h). */
size_t kiln_pack_gemm_f32_floats(size_t k, size_t n);
size_t kiln_pack_dwconv_f32_floats(size_t c, size_t kh, size_t kw);
size_t kiln_pack_conv_f32_floats(size_t cout, size_t cin, size_t kh, size_t kw);

/* GEMM / 1x1 conv weight W[k][n] (k < K inputs, n < N outputs), read as w[kk * stride_k + nn * stride_n]:
 *   ONNX Conv 1x1 weight [Cout][Cin][1][1]: stride_k = 1, stride_n = Cin;
 *   ONNX Gemm B [K][N]: stride_k = N, stride_n = 1 (transB = 1, B [N][K]: stride_k = 1, stride_n = K).
 * bias: N floats or NULL (zeros). Layout: per panel of 16 outputs, 16 biases then K x 16 weights. */
void kiln_pack_gemm_f32(size_t k, size_t n, const float *w, size_t stride_k, size_t stride_n, const float *bias,
                        float *packed);

/* Depthwise weight in ONNX layout [C][1][KH][KW], bias C floats or NULL. Layout: Cpad = C rounded up to 16;
 * Cpad biases, then for each tap (ky, kx) Cpad weights. */
void kiln_pack_dwconv_f32(size_t c, size_t kh, size_t kw, const float *w, const float *bias, float *packed);

/* Direct-conv weight in ONNX layout [Cout][Cin][KH][KW] (groups = 1), bias Cout floats or NULL. Layout: per panel
 * of 16 output channels, 16 biases then [KH][KW][Cin][16] weights. */
void kiln_pack_conv_f32(size_t cout, size_t cin, size_t kh, size_t kw, const float *w, const float *bias,
                        float *packed);

#endif
