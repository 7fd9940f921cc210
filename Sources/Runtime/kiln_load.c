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

size_t kiln_type_size(int type) {
    switch (type) {
    case KILN_TYPE_DOUBLE:
    case KILN_TYPE_INT64: return 8;
    case KILN_TYPE_FLOAT:
    case KILN_TYPE_INT32: return 4;
    case KILN_TYPE_INT8:
    case KILN_TYPE_UINT8:
    case KILN_TYPE_BOOL: return 1;
    default: return 0;
    }
}

const char *kiln_npy_descr(int type) {
    switch (type) {
    case KILN_TYPE_FLOAT: return "<f4";
    case KILN_TYPE_DOUBLE: return "<f8";
    case KILN_TYPE_INT64: return "<i8";
    case KILN_TYPE_INT32: return "<i4";
    case KILN_TYPE_INT8: return "|i1";
    case KILN_TYPE_UINT8: return "|u1";
    case KILN_TYPE_BOOL: return "|b1";
    default: return NULL;
    }
}

/* Little-endian items of `item` bytes into native order. */
static void copy_le(void *out, const unsigned char *in, size_t count, size_t item) {
    unsigned char *o = out;
    for (size_t i = 0; i < count; i++) {
        if (item == 8) { uint64_t v = kiln_load_le64(in + 8 * i); memcpy(o + 8 * i, &v, 8); }
        else if (item == 4) { uint32_t v = kiln_load_le32(in + 4 * i); memcpy(o + 4 * i, &v, 4); }
        else o[i] = in[i];
    }
}

kiln_status kiln_load_typed(const char *path, int type, const int64_t *dims, int rank, void *out, size_t count,
                            char *err, size_t errlen) {
    char msg[KILN_ERR_LEN], want[128], got[128];
    size_t item = kiln_type_size(type), expected;
    const char *descr = kiln_npy_descr(type);
    if (path == NULL || dims == NULL || out == NULL || item == 0 || descr == NULL)
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "load_typed: bad argument");
    if (kiln_shape_count(dims, rank, "expected input", &expected, msg, sizeof msg) != KILN_OK || expected != count)
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "%s: invalid expected shape for the output buffer", path);
    unsigned char *buf;
    size_t len, bytes;
    /* The expected size is known: the data (at most 8 bytes an element, as int64) and a header allowance. */
    if (!kiln_mul_size(expected, 8, &bytes) || bytes > SIZE_MAX - HEADER_ALLOWANCE)
        return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "%s: the expected input is too large", path);
    kiln_status st = kiln_read_file(path, bytes + HEADER_ALLOWANCE, &buf, &len, err, errlen);
    if (st != KILN_OK) return st;
    int64_t fdims[KILN_MAX_DIMS];
    int frank = 0, ftype = 0;
    const unsigned char *data = NULL;
    size_t data_len = 0;
    input_kind kind = detect(path, buf, len);
    if (kind == KIND_NPY) {
        kiln_npy_info info;
        st = kiln_npy_header(buf, len, &info, msg, sizeof msg);
        if (st == KILN_OK && strcmp(info.descr, descr) != 0)
            st = kiln_fail(msg, sizeof msg, KILN_ERR_UNSUPPORTED, "dtype '%s' does not match the input's '%s'", info.descr, descr);
        size_t n;
        if (st == KILN_OK) st = kiln_npy_check_size(&info, item, &n, msg, sizeof msg);
        if (st == KILN_OK) memcpy(fdims, info.dims, sizeof fdims), frank = info.rank, ftype = type, data = info.data, data_len = info.data_len;
    } else if (kind == KIND_PB) {
        st = kiln_tensorproto_raw(buf, len, &ftype, fdims, &frank, &data, &data_len, msg, sizeof msg);
        if (st == KILN_OK && ftype != type)
            st = kiln_fail(msg, sizeof msg, KILN_ERR_UNSUPPORTED, "TensorProto data type %d does not match the input's %d", ftype, type);
    } else {
        st = kiln_fail(msg, sizeof msg, KILN_ERR_UNSUPPORTED, "a %s input must be a .npy or .pb tensor", descr);
    }
    if (st == KILN_OK && (!same_shape(fdims, frank, dims, rank) || data_len != count * item)) {
        kiln_format_dims(want, sizeof want, dims, rank);
        kiln_format_dims(got, sizeof got, fdims, frank);
        st = kiln_fail(msg, sizeof msg, KILN_ERR_SHAPE, "expected %s (%zu values), got %s with %zu bytes", want, count, got, data_len);
    }
    if (st == KILN_OK) copy_le(out, data, count, item);
    free(buf);
    return st == KILN_OK ? KILN_OK : kiln_fail(err, errlen, st, "%s: %s", path, msg);
}
