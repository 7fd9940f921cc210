/* Weight packing: see include/kiln_pack.h for the layouts. */
#include "kiln_pack.h"
#include "kiln_kernels_layout.h"

#include <string.h>

size_t kiln_pack_gemm_f32_floats(size_t k, size_t n) { return kiln_gemm_packed_floats(k, n); }
size_t kiln_pack_dwconv_f32_floats(size_t c, size_t kh, size_t kw) { return kiln_dwconv_packed_floats(c, kh, kw); }
size_t kiln_pack_conv_f32_floats(size_t cout, size_t cin, size_t kh, size_t kw) {
    return kiln_conv_packed_floats(cout, cin, kh, kw);
}

void kiln_pack_gemm_f32(size_t k, size_t n, const float *w, size_t stride_k, size_t stride_n, const float *bias,
                        float *packed) {
    memset(packed, 0, kiln_gemm_packed_floats(k, n) * sizeof(float));
    for (size_t j = 0; j < kiln_panels(n); j++) {
        float *p = packed + j * KILN_PANEL * (k + 1);
        for (size_t c = 0; c < KILN_PANEL && j * KILN_PANEL + c < n; c++) {
            size_t nn = j * KILN_PANEL + c;
            p[c] = bias ? bias[nn] : 0.0f;
            for (size_t kk = 0; kk < k; kk++) p[KILN_PANEL * (kk + 1) + c] = w[kk * stride_k + nn * stride_n];
        }
    }
}

void kiln_pack_dwconv_f32(size_t c, size_t kh, size_t kw, const float *w, const float *bias, float *packed) {
    size_t cpad = kiln_panels(c) * KILN_PANEL;
    memset(packed, 0, kiln_dwconv_packed_floats(c, kh, kw) * sizeof(float));
    for (size_t ch = 0; ch < c; ch++) {
        packed[ch] = bias ? bias[ch] : 0.0f;
        for (size_t t = 0; t < kh * kw; t++) packed[cpad * (1 + t) + ch] = w[ch * kh * kw + t];
    }
}

void kiln_pack_conv_f32(size_t cout, size_t cin, size_t kh, size_t kw, const float *w, const float *bias,
                        float *packed) {
    size_t taps = kh * kw, pstride = KILN_PANEL * (1 + taps * cin);
    memset(packed, 0, kiln_conv_packed_floats(cout, cin, kh, kw) * sizeof(float));
    for (size_t co = 0; co < cout; co++) {
        float *p = packed + (co / KILN_PANEL) * pstride;
        size_t lane = co % KILN_PANEL;
        p[lane] = bias ? bias[co] : 0.0f;
        for (size_t ci = 0; ci < cin; ci++)
            for (size_t t = 0; t < taps; t++) p[KILN_PANEL * (1 + t * cin + ci) + lane] = w[(co * cin + ci) * taps + t];
    }
}
