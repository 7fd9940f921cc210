/*
 * kiln_runtime.h: the small C runtime compiled into every program Kiln emits, and called by `kiln run`,
 * so that both decode and preprocess inputs identically.
 *
 * Portable C11, libc and libm only. Every function that can fail on input data returns a kiln_status and,
 * when `err` is not NULL, writes a one-line message (no trailing newline) into err[0..errlen). Nothing here
 * aborts, exits or asserts on input data; all sizes read from files are checked before use.
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A buffer of this size holds any message the runtime writes (longer ones are truncated, never overrun). */
#define KILN_ERR_LEN 512
/* Tensors read from files may have at most this many dimensions. */
#define KILN_MAX_DIMS 8
/* Images may have at most this many pixels (8192 x 8192; 768 MiB as float RGB). */
#define KILN_MAX_IMAGE_PIXELS (1ull << 26)

typedef enum {
    KILN_OK = 0,
    KILN_ERR_IO = 1,          /* the file could not be opened or read */
    KILN_ERR_FORMAT = 2,      /* malformed or truncated data */
    KILN_ERR_UNSUPPORTED = 3, /* well-formed but outside what the runtime accepts (dtype, layout, ...) */
    KILN_ERR_SHAPE = 4,       /* the data does not have the expected shape */
    KILN_ERR_NOMEM = 5,       /* allocation failed, or a size does not fit in memory */
    KILN_ERR_ARGUMENT = 6     /* the caller passed an invalid argument */
} kiln_status;

/* A dense row-major float32 tensor owned by the runtime; release with kiln_tensor_free. */
typedef struct {
    float *data;
    size_t count; /* number of elements: the product of dims (1 for rank 0) */
    int rank;
    int64_t dims[KILN_MAX_DIMS];
} kiln_tensor;

/* An RGB image, interleaved (row-major, 3 samples per pixel), samples scaled to [0, 255] whatever the maxval. */
typedef struct {
    float *rgb;
    int64_t width;
    int64_t height;
} kiln_image;

/* How pixels p in [0, 255] become model inputs. */
typedef enum {
    KILN_NORM_IMAGENET = 0,  /* (p/255 - mean[c]) / std[c], torchvision's mean and std */
    KILN_NORM_INCEPTION = 1  /* (p - 127) / 128 */
} kiln_norm;

/* Memory layout of a preprocessed image tensor. */
typedef enum {
    KILN_LAYOUT_NCHW = 0, /* [1, 3, H, W] */
    KILN_LAYOUT_NHWC = 1  /* [1, H, W, 3] */
} kiln_layout;

/* ---- files ---- */

/* Reads a whole file (or pipe) of at most max_size bytes into a malloc'd buffer; free it with free(). Empty files
 * are allowed. A longer file or stream is KILN_ERR_SHAPE after reading max_size + 1 bytes, never more, so an
 * endless stream (/dev/zero) cannot exhaust memory; a directory is KILN_ERR_IO with its cause. */
kiln_status kiln_read_file(const char *path, size_t max_size, unsigned char **data, size_t *size,
                           char *err, size_t errlen);

/* ---- tensors ---- */

/* Decodes a .npy file: versions 1.0, 2.0, 3.0; dtype '<f4' (or '<f8', converted); C order only. */
kiln_status kiln_npy_decode(const unsigned char *buf, size_t len, kiln_tensor *out, char *err, size_t errlen);

/* Decodes a serialized ONNX TensorProto: FLOAT (or DOUBLE, converted) from raw_data, float_data or double_data. */
kiln_status kiln_tensorproto_decode(const unsigned char *buf, size_t len, kiln_tensor *out,
                                    char *err, size_t errlen);

/* Writes `data` as a version 1.0 .npy file of dtype '<f4' with the given shape (rank 0..KILN_MAX_DIMS). */
kiln_status kiln_npy_write(const char *path, const float *data, const int64_t *dims, int rank,
                           char *err, size_t errlen);

void kiln_tensor_free(kiln_tensor *t);

/* ---- tensors of any element type ---- */

/* Element types, as ONNX TensorProto.DataType codes. */
enum {
    KILN_TYPE_FLOAT = 1,
    KILN_TYPE_UINT8 = 2,
    KILN_TYPE_INT8 = 3,
    KILN_TYPE_INT32 = 6,
    KILN_TYPE_INT64 = 7,
    KILN_TYPE_BOOL = 9,
    KILN_TYPE_DOUBLE = 11
};

/* Bytes of one element of `type`, 0 for an unknown type. */
size_t kiln_type_size(int type);

/* Loads a tensor of element type `type` (not FLOAT: that is kiln_load_input's) from a .npy file of the matching
 * dtype ('<f8', '<i8', '<i4', '|i1', '|u1', '|b1') or a TensorProto .pb of the same data type with raw_data, into
 * out[0 .. count) (native byte order), checked against dims like kiln_load_input. */
kiln_status kiln_load_typed(const char *path, int type, const int64_t *dims, int rank, void *out, size_t count,
                            char *err, size_t errlen);

/* Writes count(dims) elements of `type` at data as a version 1.0 .npy file. */
kiln_status kiln_npy_write_typed(const char *path, int type, const void *data, const int64_t *dims, int rank,
                                 char *err, size_t errlen);

/* ---- images ---- */

/* Decodes a binary PPM (P6): comments allowed, maxval 1..65535 (16-bit big-endian samples above 255), at most
 * KILN_MAX_IMAGE_PIXELS pixels. */
kiln_status kiln_ppm_decode(const unsigned char *buf, size_t len, kiln_image *out, char *err, size_t errlen);

void kiln_image_free(kiln_image *img);

/* Resizes `img` to height x width and normalizes it into out[0 .. 3*height*width) in the given layout.
 * The resize is the one the reference inputs were made with (skimage.transform.resize, anti_aliasing=True,
 * order=1): a Gaussian prefilter of sigma = max(0, (scale - 1) / 2) per axis, truncated at 4 sigma, then
 * bilinear sampling at pixel centers, both mirroring at the borders. The aspect ratio is not kept. */
kiln_status kiln_preprocess(const kiln_image *img, int64_t height, int64_t width, kiln_norm norm,
                            kiln_layout layout, float *out, char *err, size_t errlen);

/* Parses "imagenet" or "inception"; returns 0 on success, -1 for any other name. */
int kiln_norm_from_name(const char *name, kiln_norm *out);

/* ---- the input loader ---- */

/* Loads one model input from `path` into out[0 .. product(dims)), checking it against the expected shape.
 * Dispatches on content (the .npy magic, a "P6" header) and then on extension (.pb, .npy, .ppm). Tensors must
 * have the expected dims (leading 1s may be missing or extra); images are preprocessed with `norm` and `layout`
 * to the expected [1,3,H,W] (NCHW) or [1,H,W,3] (NHWC) shape. Messages start with the path. */
kiln_status kiln_load_input(const char *path, const int64_t *dims, int rank, kiln_norm norm, kiln_layout layout,
                            float *out, size_t out_count, char *err, size_t errlen);

/* ---- results ---- */

/* Writes the indices of the k largest scores (k <= n), largest first; ties keep the lower index first and
 * NaNs rank below every number. Returns the number of indices written, min(k, n). */
size_t kiln_topk(const float *scores, size_t n, size_t k, size_t *indices);

/* out[i] = exp(in[i] - max) / sum_j exp(in[j] - max). `out` may equal `in`. */
void kiln_softmax(const float *in, float *out, size_t n);

/* 1 if every score is in [0, 1] and they sum to 1 within 1e-3 (already probabilities), else 0. */
int kiln_looks_like_probabilities(const float *scores, size_t n);

/* Prints the top k as lines "  1. Egyptian cat  (0.8123)". names may be NULL or shorter than n;
 * a missing name prints as "class 123". */
void kiln_print_topk(FILE *f, const float *scores, size_t n, size_t k, const char *const *names, size_t name_count);

/* Class-name files may be at most this long (ImageNet-21k's names take about 500 KiB). */
#define KILN_MAX_LABELS_BYTES (16u << 20)

/* Reads class names, one a line (a trailing '\r' is dropped). Free with kiln_labels_free. */
kiln_status kiln_labels_read(const char *path, char ***names, size_t *count, char *err, size_t errlen);
void kiln_labels_free(char **names, size_t count);

/* ---- timing ---- */

/* Milliseconds from an arbitrary fixed point, from a monotonic clock where the platform has one. */
double kiln_now_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_H */
