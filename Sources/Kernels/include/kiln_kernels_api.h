/* kiln_kernels_api.h — callable (non-inline) entry points to the kernels of kiln_kernels.h, as built into the
 * SwiftPM target KilnKernels (used by Kiln's tests, and by anything that wants to call a kernel from Swift), plus
 * the packing functions. The ISA is whatever the compiler targets when building kiln_kernels_api.c (generic under
 * a plain SwiftPM build); kilnc_isa() names it. Arguments mean exactly what the inline kernel of the same name
 * (without the "c") documents. */
#ifndef KILN_KERNELS_API_H
#define KILN_KERNELS_API_H

#include <stddef.h>

#include "kiln_kernels_layout.h"
#include "kiln_pack.h"

const char *kilnc_isa(void);

void kilnc_f32_act(size_t n, const float *in, float *out, kiln_act act);
void kilnc_f32_gemm_bias_act(size_t p, size_t k, size_t n, const float *a, size_t lda, const float *packed, float *c,
                             size_t ldc, const float *r, size_t ldr, kiln_act act);
void kilnc_f32_gemm_gated_bias_act(size_t images, size_t hw, size_t k, size_t n, const float *a, size_t lda,
                                   const float *gate, const float *packed, float *scratch, float *c, size_t ldc,
                                   const float *r, size_t ldr, kiln_act act);
void kilnc_f32_dwconv_bias_act(size_t n, size_t h, size_t w, size_t c, const float *in, size_t oh, size_t ow,
                               size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt,
                               size_t pl, const float *packed, float *out, kiln_act act);
void kilnc_f32_expand_dwconv_bias_act(size_t n, size_t h, size_t w, size_t cin, const float *in, size_t c,
                                      const float *packed_expand, kiln_act act_expand, size_t oh, size_t ow, size_t kh,
                                      size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                      const float *packed, float *out, kiln_act act, float *scratch);
void kilnc_f32_conv_direct_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in, size_t isn,
                                    size_t isc, size_t ish, size_t isw, size_t cout, size_t oh, size_t ow, size_t kh,
                                    size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                    const float *packed, float *out, kiln_act act);
void kilnc_f32_conv_generic_bias_act(size_t n, size_t cin, size_t h, size_t w, const float *in, size_t isn,
                                     size_t isc, size_t ish, size_t isw, size_t cout, size_t oh, size_t ow, size_t kh,
                                     size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                     size_t groups, const float *weight, const float *bias, float *out, kiln_act act);
void kilnc_f32_gavgpool_nhwc(size_t n, size_t hw, size_t c, const float *in, float *out);
void kilnc_f32_se_gate_nhwc(size_t n, size_t hw, size_t c, size_t cr, const float *in, const float *packed1,
                            kiln_act act1, const float *packed2, kiln_act gate_act, float *scratch, float *gate);
void kilnc_f32_channel_scale_nhwc(size_t n, size_t hw, size_t c, const float *in, const float *gate, float *out);
void kilnc_f32_add_act(size_t count, const float *a, const float *b, float *out, kiln_act act);
void kilnc_f32_softmax(size_t rows, size_t n, const float *in, float *out);
/* kiln_copy_strided with its shape and strides as arrays of KILN_MAX_RANK (6) dimensions. */
void kilnc_copy_strided(size_t size, const size_t shape[6], const void *in, size_t in_at, const ptrdiff_t is[6], void *out,
                        size_t out_at, const ptrdiff_t os[6]);
void kilnc_f32_nchw_to_nhwc(size_t n, size_t c, size_t hw, const float *in, float *out);
void kilnc_f32_nhwc_to_nchw(size_t n, size_t c, size_t hw, const float *in, float *out);

#endif
