/* kiln_kernels_generic_pool.h — 2-D pooling over NCHW planes (float32), the generic kernels' last part (included
 * by kiln_kernels_generic_math.h). Each of `planes` (N·C) input planes is h x w; each output plane oh x ow. Window
 * (ky, kx) of output (y, x) reads input row y·sh + ky·dh − pt and column x·sw + kx·dw − pl. */
#ifndef KILN_KERNELS_GENERIC_POOL_H
#define KILN_KERNELS_GENERIC_POOL_H

/* MaxPool: the maximum over the taps inside the input (padding never wins). */
KILN_INLINE void kiln_f32_maxpool_nchw(size_t planes, size_t h, size_t w, size_t oh, size_t ow, size_t kh, size_t kw,
                                       size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl,
                                       const float *in, float *out) {
    for (size_t p = 0; p < planes; p++)
        for (size_t y = 0; y < oh; y++)
            for (size_t x = 0; x < ow; x++) {
                float m = -INFINITY;
                for (size_t ky = 0; ky < kh; ky++)
                    for (size_t kx = 0; kx < kw; kx++) {
                        ptrdiff_t iy = (ptrdiff_t)(y * sh + ky * dh) - (ptrdiff_t)pt;
                        ptrdiff_t ix = (ptrdiff_t)(x * sw + kx * dw) - (ptrdiff_t)pl;
                        if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)h || ix >= (ptrdiff_t)w) continue;
                        float v = in[(p * h + (size_t)iy) * w + (size_t)ix];
                        m = v > m ? v : m; /* as the interpreter: a NaN tap never wins */
                    }
                out[(p * oh + y) * ow + x] = m;
            }
}

/* AveragePool: the mean over the taps inside the input, or with include_pad over the taps inside the padded input
 * (pb, pr: the bottom and right pads; taps beyond them, which only ceil-mode windows reach, never count). */
KILN_INLINE void kiln_f32_avgpool_nchw(size_t planes, size_t h, size_t w, size_t oh, size_t ow, size_t kh, size_t kw,
                                       size_t sh, size_t sw, size_t dh, size_t dw, size_t pt, size_t pl, size_t pb,
                                       size_t pr, size_t include_pad, const float *in, float *out) {
    for (size_t p = 0; p < planes; p++)
        for (size_t y = 0; y < oh; y++)
            for (size_t x = 0; x < ow; x++) {
                float s = 0;
                size_t inside = 0, padded = 0;
                for (size_t ky = 0; ky < kh; ky++)
                    for (size_t kx = 0; kx < kw; kx++) {
                        ptrdiff_t iy = (ptrdiff_t)(y * sh + ky * dh) - (ptrdiff_t)pt;
                        ptrdiff_t ix = (ptrdiff_t)(x * sw + kx * dw) - (ptrdiff_t)pl;
                        if (iy < (ptrdiff_t)(h + pb) && ix < (ptrdiff_t)(w + pr)) padded++;
                        if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)h || ix >= (ptrdiff_t)w) continue;
                        s += in[(p * h + (size_t)iy) * w + (size_t)ix];
                        inside++;
                    }
                size_t count = include_pad ? padded : inside;
                out[(p * oh + y) * ow + x] = count ? s / (float)count : 0.0f;
            }
}

#endif
