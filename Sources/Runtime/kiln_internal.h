/* Helpers shared by the runtime's .c files; not part of the public interface. */
#ifndef KILN_INTERNAL_H
#define KILN_INTERNAL_H

#include "kiln_runtime.h"

#include <stdarg.h>

/* Formats a message into err (if any; control characters become '?') and returns `status`, so failures read
 * `return kiln_fail(...)`. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
kiln_status kiln_fail(char *err, size_t errlen, kiln_status status, const char *fmt, ...);

/* *out = a * b; returns 0 if that overflowed size_t. */
int kiln_mul_size(size_t a, size_t b, size_t *out);

/* Checks dims (each >= 0, rank <= KILN_MAX_DIMS) and computes their product with overflow checks.
 * `what` names the source in messages. */
kiln_status kiln_shape_count(const int64_t *dims, int rank, const char *what, size_t *count, char *err, size_t errlen);

/* kiln_shape_count, then allocates t->data (at least one element, so empty tensors are not NULL). Decoders call
 * it only after checking the count against the bytes present, so a header cannot request a huge allocation. */
kiln_status kiln_tensor_alloc(kiln_tensor *t, const int64_t *dims, int rank, const char *what,
                              char *err, size_t errlen);

/* Appends bytes from `f` to the malloc'd *buf (which may start NULL) until *len reaches `upto` or the stream ends;
 * the buffer never grows past `upto`. Read errors name their cause ("Is a directory"). */
kiln_status kiln_read_upto(FILE *f, const char *path, unsigned char **buf, size_t *len, size_t upto,
                           char *err, size_t errlen);

/* The bytes a PPM's header and raster take (trailing bytes are ignored), or 0 when `buf` does not start with a
 * valid P6 header. For reading no more of a file than the image needs. */
size_t kiln_ppm_extent(const unsigned char *buf, size_t len);

/* Splits class names out of a file's bytes, one a line (see kiln_labels_read); KILN_ERR_NOMEM is its only failure. */
kiln_status kiln_labels_parse(const unsigned char *buf, size_t len, char ***names, size_t *count);

/* Writes dims as "1x3x224x224" ("scalar" for rank 0) into buf. */
void kiln_format_dims(char *buf, size_t len, const int64_t *dims, int rank);

/* Little-endian loads from possibly unaligned bytes, independent of the host's byte order. */
uint32_t kiln_load_le32(const unsigned char *p);
uint64_t kiln_load_le64(const unsigned char *p);
float kiln_float_from_le(const unsigned char *p);
double kiln_double_from_le(const unsigned char *p);

/* A .npy header: the dtype string, the shape, and where the data starts. */
typedef struct {
    char descr[16];
    int rank;
    int64_t dims[KILN_MAX_DIMS];
    const unsigned char *data;
    size_t data_len;
} kiln_npy_info;

/* Parses the header of the .npy file in buf (C order only). */
kiln_status kiln_npy_header(const unsigned char *buf, size_t len, kiln_npy_info *info, char *err, size_t errlen);

/* Checks that a .npy file's data holds exactly its shape's count of `item`-byte items. */
kiln_status kiln_npy_check_size(const kiln_npy_info *info, size_t item, size_t *count, char *err, size_t errlen);

/* The .npy dtype string of an element type ("<f4", "|b1", ...), NULL for an unknown type. */
const char *kiln_npy_descr(int type);

/* The raw_data of a serialized TensorProto, with its data type and shape (raw_data, or for DOUBLE one packed
 * double_data field; other typed fields are an error here). */
kiln_status kiln_tensorproto_raw(const unsigned char *buf, size_t len, int *type, int64_t *dims, int *rank,
                                 const unsigned char **raw, size_t *raw_len, char *err, size_t errlen);

#endif /* KILN_INTERNAL_H */
