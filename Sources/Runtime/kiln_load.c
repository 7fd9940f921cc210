/* The input loader shared by `kiln run` and emitted programs: one file in, one checked float32 tensor out. */
#include "kiln_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum { KIND_NPY, KIND_PB, KIND_PPM, KIND_UNKNOWN } input_kind;

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m) return 0;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return 0;
    }
    return 1;
}

/* Content first (only .npy and PPM have magic bytes), then the extension. */
static input_kind detect(const char *path, const unsigned char *buf, size_t len) {
    if (len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0) return KIND_NPY;
    if (len >= 2 && buf[0] == 'P' && buf[1] >= '1' && buf[1] <= '7') return KIND_PPM;
    if (has_suffix(path, ".npy")) return KIND_NPY;
    if (has_suffix(path, ".ppm") || has_suffix(path, ".pnm")) return KIND_PPM;
    if (has_suffix(path, ".pb")) return KIND_PB;
    return KIND_UNKNOWN;
}

/* Equal shapes up to leading 1s: 3x224x224 data fits a 1x3x224x224 input (the memory layout is the same). */
static int same_shape(const int64_t *a, int ra, const int64_t *b, int rb) {
    while (ra > 0 && a[0] == 1 && ra > rb) a++, ra--;
    while (rb > 0 && b[0] == 1 && rb > ra) b++, rb--;
    return ra == rb && memcmp(a, b, (size_t)ra * sizeof *a) == 0;
}

static kiln_status load_image(const char *path, const unsigned char *buf, size_t len, const int64_t *dims, int rank,
                              kiln_norm norm, kiln_layout layout, float *out, char *err, size_t errlen) {
    char msg[KILN_ERR_LEN], want[128];
    kiln_format_dims(want, sizeof want, dims, rank);
    /* [1,3,H,W] or [3,H,W] for NCHW; [1,H,W,3] or [H,W,3] for NHWC. */
    const int64_t *hw = rank == 4 && dims[0] == 1 ? dims + 1 : rank == 3 ? dims : NULL;
    int nchw = layout == KILN_LAYOUT_NCHW;
    if (hw == NULL || (nchw ? hw[0] : hw[2]) != 3)
        return kiln_fail(err, errlen, KILN_ERR_SHAPE, "%s: an image can only feed a %s input, but the model input is %s",
                         path, nchw ? "1x3xHxW (NCHW)" : "1xHxWx3 (NHWC)", want);
    kiln_image img;
    kiln_status st = kiln_ppm_decode(buf, len, &img, msg, sizeof msg);
    if (st == KILN_OK) st = kiln_preprocess(&img, nchw ? hw[1] : hw[0], nchw ? hw[2] : hw[1], norm, layout, out,
                                            msg, sizeof msg);
    kiln_image_free(&img);
    return st == KILN_OK ? KILN_OK : kiln_fail(err, errlen, st, "%s: %s", path, msg);
}

/* Longest header or metadata accepted before the data: a .npy header dict, a TensorProto's dims and name, a PPM
 * header with comments. Real ones take a few hundred bytes. */
#define HEADER_ALLOWANCE 65536

/* The most bytes an input of `count` values may take in `kind`, for reading no further than that: .npy holds at
 * most float64 data after its header; a TensorProto at most unpacked doubles (a tag and 8 bytes a value); a PPM
 * says its own size in its header (0 if the header does not parse: the prefix then shows the error). */
static size_t input_limit(input_kind kind, size_t count, const unsigned char *prefix, size_t len) {
    size_t data;
    if (kind == KIND_PPM) {
        size_t extent = kiln_ppm_extent(prefix, len);
        return extent != 0 ? extent : len;
    }
    if (!kiln_mul_size(count, kind == KIND_NPY ? 8 : 9, &data) || data > SIZE_MAX - HEADER_ALLOWANCE) return SIZE_MAX - 1;
    return data + HEADER_ALLOWANCE;
}

kiln_status kiln_load_input(const char *path, const int64_t *dims, int rank, kiln_norm norm, kiln_layout layout,
                            float *out, size_t out_count, char *err, size_t errlen) {
    char msg[KILN_ERR_LEN], want[128];
    size_t count;
    if (path == NULL || dims == NULL || out == NULL)
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "load_input: missing argument");
    if (kiln_shape_count(dims, rank, "expected input", &count, msg, sizeof msg) != KILN_OK || count != out_count)
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "%s: invalid expected shape for the output buffer", path);
    kiln_format_dims(want, sizeof want, dims, rank);

    /* The expected size is known before the data is read: first the header, then no more than the format and the
     * expected shape allow. A stream that goes on (/dev/zero, a pipe) is an error, not a buffer that grows. */
    FILE *f = fopen(path, "rb");
    if (f == NULL) return kiln_fail(err, errlen, KILN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0, limit = 0;
    input_kind kind = KIND_UNKNOWN;
    kiln_status st = kiln_read_upto(f, path, &buf, &len, HEADER_ALLOWANCE, err, errlen);
    if (st == KILN_OK && len == 0) st = kiln_fail(err, errlen, KILN_ERR_FORMAT, "%s: empty file", path);
    if (st == KILN_OK) {
        kind = detect(path, buf, len);
        if (kind == KIND_UNKNOWN)
            st = kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED,
                           "%s: unrecognized input format (expected .npy, .pb TensorProto or .ppm image)", path);
    }
    if (st == KILN_OK) {
        limit = input_limit(kind, count, buf, len);
        /* One byte past the limit tells a file that is too long; a PPM's trailing bytes are ignored, not read. */
        st = kiln_read_upto(f, path, &buf, &len, kind == KIND_PPM ? limit : limit + 1, err, errlen);
    }
    fclose(f);
    if (st == KILN_OK && kind != KIND_PPM && len > limit)
        st = kiln_fail(err, errlen, KILN_ERR_SHAPE, "%s: longer than a %s input of %s float32 can be (more than %zu bytes)",
                       path, kind == KIND_NPY ? ".npy" : "TensorProto", want, limit);
    if (st != KILN_OK || kind == KIND_PPM) {
        if (st == KILN_OK) st = load_image(path, buf, len, dims, rank, norm, layout, out, err, errlen);
        free(buf);
        return st;
    }

    kiln_tensor t;
    st = kind == KIND_NPY ? kiln_npy_decode(buf, len, &t, msg, sizeof msg)
                          : kiln_tensorproto_decode(buf, len, &t, msg, sizeof msg);
    free(buf);
    if (st != KILN_OK) return kiln_fail(err, errlen, st, "%s: %s", path, msg);
    if (!same_shape(t.dims, t.rank, dims, rank)) {
        char got[128];
        kiln_format_dims(got, sizeof got, t.dims, t.rank);
        kiln_tensor_free(&t);
        return kiln_fail(err, errlen, KILN_ERR_SHAPE, "%s: expected %s float32 (%zu values), got %s", path, want, count, got);
    }
    memcpy(out, t.data, count * sizeof *out);
    kiln_tensor_free(&t);
    return KILN_OK;
}
