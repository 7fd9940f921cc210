/* Image preprocessing: resize to the model's height x width, then normalize, into NCHW or NHWC.
 *
 * The resize reproduces the one the reference inputs in shared/models/NAME/test_data_set_1 were made with,
 * skimage.transform.resize(image / 255, (H, W), order=1, anti_aliasing=True), i.e. per axis with
 * scale = in / out:
 *   1. a Gaussian blur, sigma = max(0, (scale - 1) / 2), kernel exp(-x^2 / (2 sigma^2)) on x = -r..r with
 *      r = floor(4 sigma + 0.5), normalized to sum 1 (scipy.ndimage.gaussian_filter, mode 'mirror');
 *   2. linear interpolation at src = (i + 0.5) * scale - 0.5 (pixel centers; scipy.ndimage.zoom, grid_mode).
 * Out-of-range indices mirror without repeating the edge: -1 -> 1, n -> n - 2. Both steps are linear and
 * separable, so each axis becomes one precomputed table of weights, applied rows first, then columns. */
#include "kiln_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* For each output index o: weights w[o * stride + j] for input indices start[o] + j, j < len[o]. */
typedef struct {
    int64_t *start, *len;
    double *w;
    size_t stride;
} axis_weights;

static int64_t mirror(int64_t i, int64_t n) {
    if (n == 1) return 0;
    int64_t period = 2 * (n - 1);
    if (i < 0) i = -i;
    i %= period;
    return i < n ? i : period - i;
}

static void axis_weights_free(axis_weights *a) {
    free(a->start);
    free(a->len);
    free(a->w);
}

static int axis_weights_make(int64_t n, int64_t m, axis_weights *a) {
    memset(a, 0, sizeof *a);
    double scale = (double)n / (double)m, sigma = scale > 1 ? (scale - 1) / 2 : 0;
    int64_t r = sigma > 0 ? (int64_t)(4 * sigma + 0.5) : 0;
    /* Every folded index lies within 2r + 2 consecutive inputs, or within the whole axis. */
    a->stride = (size_t)(2 * r + 2 < n ? 2 * r + 2 : n);
    size_t table;
    double *gauss = malloc((size_t)(2 * r + 1) * sizeof *gauss), *dense = calloc((size_t)n, sizeof *dense);
    a->start = malloc((size_t)m * sizeof *a->start);
    a->len = malloc((size_t)m * sizeof *a->len);
    a->w = kiln_mul_size((size_t)m, a->stride, &table) && table <= SIZE_MAX / sizeof(double)
               ? malloc(table * sizeof(double)) : NULL;
    if (gauss == NULL || dense == NULL || a->start == NULL || a->len == NULL || a->w == NULL) {
        free(gauss);
        free(dense);
        axis_weights_free(a);
        return 0;
    }
    double sum = 0;
    for (int64_t k = -r; k <= r; k++) sum += gauss[k + r] = r == 0 ? 1.0 : exp(-0.5 * (double)(k * k) / (sigma * sigma));
    for (int64_t k = 0; k <= 2 * r; k++) gauss[k] /= sum;

    for (int64_t o = 0; o < m; o++) {
        double src = ((double)o + 0.5) * scale - 0.5, f = floor(src), t = src - f;
        int64_t lo = n, hi = -1;
        for (int tap = 0; tap < 2; tap++) {
            double wl = tap == 0 ? 1 - t : t;
            if (wl == 0) continue;
            int64_t center = mirror((int64_t)f + tap, n);
            for (int64_t k = -r; k <= r; k++) {
                int64_t i = mirror(center + k, n);
                dense[i] += wl * gauss[k + r];
                if (i < lo) lo = i;
                if (i > hi) hi = i;
            }
        }
        a->start[o] = lo;
        a->len[o] = hi - lo + 1;
        for (int64_t j = 0; j < a->len[o]; j++) {
            a->w[(size_t)o * a->stride + (size_t)j] = dense[lo + j];
            dense[lo + j] = 0;
        }
    }
    free(gauss);
    free(dense);
    return 1;
}

int kiln_norm_from_name(const char *name, kiln_norm *out) {
    if (name != NULL && strcmp(name, "imagenet") == 0) *out = KILN_NORM_IMAGENET;
    else if (name != NULL && strcmp(name, "inception") == 0) *out = KILN_NORM_INCEPTION;
    else return -1;
    return 0;
}

kiln_status kiln_preprocess(const kiln_image *img, int64_t height, int64_t width, kiln_norm norm,
                            kiln_layout layout, float *out, char *err, size_t errlen) {
    static const double mean[3] = {0.485, 0.456, 0.406}, stdev[3] = {0.229, 0.224, 0.225};
    const int64_t limit = (int64_t)1 << 24;
    if (img == NULL || img->rgb == NULL || img->width < 1 || img->height < 1 || img->width > limit ||
        img->height > limit || out == NULL)
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "preprocess: invalid image");
    if (height < 1 || width < 1 || height > limit || width > limit)
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "preprocess: invalid target size %lldx%lld",
                         (long long)height, (long long)width);
    if ((norm != KILN_NORM_IMAGENET && norm != KILN_NORM_INCEPTION) ||
        (layout != KILN_LAYOUT_NCHW && layout != KILN_LAYOUT_NHWC))
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "preprocess: invalid normalization or layout");

    size_t in_row = (size_t)img->width * 3, tmp_count;
    axis_weights wy, wx;
    if (!kiln_mul_size((size_t)height, in_row, &tmp_count) || tmp_count > SIZE_MAX / sizeof(double))
        return kiln_fail(err, errlen, KILN_ERR_NOMEM, "preprocess: image too large");
    double *tmp = malloc(tmp_count * sizeof *tmp);
    int have_y = axis_weights_make(img->height, height, &wy), have_x = axis_weights_make(img->width, width, &wx);
    if (tmp == NULL || !have_y || !have_x) {
        free(tmp);
        if (have_y) axis_weights_free(&wy);
        if (have_x) axis_weights_free(&wx);
        return kiln_fail(err, errlen, KILN_ERR_NOMEM, "preprocess: out of memory");
    }

    /* Rows: tmp[y] = sum_j wy[y][j] * image row (start + j). */
    for (int64_t y = 0; y < height; y++) {
        double *acc = tmp + (size_t)y * in_row;
        memset(acc, 0, in_row * sizeof *acc);
        for (int64_t j = 0; j < wy.len[y]; j++) {
            double w = wy.w[(size_t)y * wy.stride + (size_t)j];
            const float *row = img->rgb + (size_t)(wy.start[y] + j) * in_row;
            for (size_t k = 0; k < in_row; k++) acc[k] += w * row[k];
        }
    }
    /* Columns, then normalization, written in the requested layout. */
    size_t plane = (size_t)height * (size_t)width;
    for (int64_t y = 0; y < height; y++) {
        const double *acc = tmp + (size_t)y * in_row;
        for (int64_t x = 0; x < width; x++) {
            double v[3] = {0, 0, 0};
            for (int64_t j = 0; j < wx.len[x]; j++) {
                double w = wx.w[(size_t)x * wx.stride + (size_t)j];
                const double *px = acc + (size_t)(wx.start[x] + j) * 3;
                v[0] += w * px[0], v[1] += w * px[1], v[2] += w * px[2];
            }
            size_t pixel = (size_t)y * (size_t)width + (size_t)x;
            for (int c = 0; c < 3; c++) {
                double n = norm == KILN_NORM_IMAGENET ? (v[c] / 255.0 - mean[c]) / stdev[c] : (v[c] - 127.0) / 128.0;
                out[layout == KILN_LAYOUT_NCHW ? (size_t)c * plane + pixel : pixel * 3 + (size_t)c] = (float)n;
            }
        }
    }
    free(tmp);
    axis_weights_free(&wy);
    axis_weights_free(&wx);
    return KILN_OK;
}
