/* Instantiates the inline kernels of kiln_kernels.h as callable functions (see include/kiln_kernels_api.h). */
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__) && defined(__FMA__)
#define KILN_TARGET_AVX512
#elif defined(__AVX2__) && defined(__FMA__)
#define KILN_TARGET_AVX2
#endif
#include "kiln_kernels.h"
#include "kiln_kernels_api.h"

const char *kilnc_isa(void) { return KILN_ISA_NAME; }

void kilnc_f32_act(size_t n, const float *in, float *out, kiln_act act) { kiln_f32_act(n, in, out, act); }

void kilnc_f32_gemm_bias_act(size_t p, size_t k, size_t n, const float *a, size_t lda, const float *packed, float *c,
                             size_t ldc, const float *r, size_t ldr, kiln_act act) {
    kiln_f32_gemm_bias_act(p, k, n, a, lda, packed, c, ldc, r, ldr, act);
}

void kilnc_f32_gemm_gated_bias_act(size_t images, size_t hw, size_t k, size_t n, const float *a, size_t lda,
                                   const float *gate, const float *packed, float *scratch, float *c, size_t ldc,
                                   const float *r, size_t ldr, kiln_act act) {
    kiln_f32_gemm_gated_bias_act(images, hw, k, n, a, lda, gate, packed, scratch, c, ldc, r, ldr, act);
}

void kilnc_f32_dwconv_bias_act(size_t n, size_t h, size_t w, size_t c, const float *in, size_t oh, size_t ow,
                               size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt,
                               size_t pl, const float *packed, float *out, kiln_act act) {
    kiln_f32_dwconv_bias_act(n, h, w, c, in, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, packed, out, act);
}

void kilnc_f32_expand_dwconv_bias_act(size_t n, size_t h, size_t w, size_t cin, const float *in, size_t c,
                                      const float *packed_expand, kiln_act act_expand, size_t oh, size_t ow, size_t kh,
                                      size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                      const float *packed, float *out, kiln_act act, float *scratch) {
    kiln_f32_expand_dwconv_bias_act(n, h, w, cin, in, c, packed_expand, act_expand, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl,
                                    packed, out, act, scratch);
}

void kilnc_f32_conv_direct_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in, size_t isn,
                                    size_t isc, size_t ish, size_t isw, size_t cout, size_t oh, size_t ow, size_t kh,
                                    size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                    const float *packed, float *out, kiln_act act) {
    kiln_f32_conv_direct_bias_act(n, cin, h, w, in, isn, isc, ish, isw, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl,
                                  packed, out, act);
}

void kilnc_f32_conv_generic_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in, size_t isn,
                                     size_t isc, size_t ish, size_t isw, size_t cout, size_t oh, size_t ow, size_t kh,
                                     size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                     size_t groups, const float *weight, const float *bias, float *out, kiln_act act) {
    kiln_f32_conv_generic_bias_act(n, cin, h, w, in, isn, isc, ish, isw, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl,
                                   groups, weight, bias, out, act);
}

void kilnc_f32_gavgpool_nhwc(size_t n, size_t hw, size_t c, const float *in, float *out) {
    kiln_f32_gavgpool_nhwc(n, hw, c, in, out);
}

void kilnc_f32_se_gate_nhwc(size_t n, size_t hw, size_t c, size_t cr, const float *in, const float *packed1,
                            kiln_act act1, const float *packed2, kiln_act gate_act, float *scratch, float *gate) {
    kiln_f32_se_gate_nhwc(n, hw, c, cr, in, packed1, act1, packed2, gate_act, scratch, gate);
}

void kilnc_f32_channel_scale_nhwc(size_t n, size_t hw, size_t c, const float *in, const float *gate, float *out) {
    kiln_f32_channel_scale_nhwc(n, hw, c, in, gate, out);
}

void kilnc_f32_add_act(size_t count, const float *a, const float *b, float *out, kiln_act act) {
    kiln_f32_add_act(count, a, b, out, act);
}

void kilnc_f32_softmax(size_t rows, size_t n, const float *in, float *out) { kiln_f32_softmax(rows, n, in, out); }

void kilnc_copy_strided(size_t size, const size_t shape[6], const void *in, size_t in_at, const ptrdiff_t is[6], void *out,
                        size_t out_at, const ptrdiff_t os[6]) {
    kiln_dims dims;
    kiln_strides in_strides, out_strides;
    for (int d = 0; d < KILN_MAX_RANK; d++) dims.d[d] = shape[d], in_strides.s[d] = is[d], out_strides.s[d] = os[d];
    kiln_copy_strided(size, dims, in, in_at, in_strides, out, out_at, out_strides);
}

void kilnc_f32_nchw_to_nhwc(size_t n, size_t c, size_t hw, const float *in, float *out) {
    kiln_f32_nchw_to_nhwc(n, c, hw, in, out);
}

void kilnc_f32_nhwc_to_nchw(size_t n, size_t c, size_t hw, const float *in, float *out) {
    kiln_f32_nhwc_to_nchw(n, c, hw, in, out);
}
