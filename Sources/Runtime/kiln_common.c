/* Errors, checked sizes, byte order, whole-file reads and the clock: what every other runtime file uses. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#endif

#include "kiln_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

kiln_status kiln_fail(char *err, size_t errlen, kiln_status status, const char *fmt, ...) {
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        /* Messages quote bytes from files; keep them on one printable line. */
        for (char *c = err; *c != '\0'; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    }
    return status;
}

int kiln_mul_size(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

kiln_status kiln_shape_count(const int64_t *dims, int rank, const char *what, size_t *count, char *err, size_t errlen) {
    if (rank < 0 || rank > KILN_MAX_DIMS)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "%s: rank %d is not supported (at most %d dimensions)",
                         what, rank, KILN_MAX_DIMS);
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "%s: negative dimension %lld", what, (long long)dims[i]);
        if ((uint64_t)dims[i] > SIZE_MAX || !kiln_mul_size(n, (size_t)dims[i], &n))
            return kiln_fail(err, errlen, KILN_ERR_NOMEM, "%s: shape is too large", what);
    }
    *count = n;
    return KILN_OK;
}

kiln_status kiln_tensor_alloc(kiln_tensor *t, const int64_t *dims, int rank, const char *what,
                              char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    size_t count = 0, bytes = 0;
    kiln_status st = kiln_shape_count(dims, rank, what, &count, err, errlen);
    if (st != KILN_OK) return st;
    if (!kiln_mul_size(count == 0 ? 1 : count, sizeof(float), &bytes))
        return kiln_fail(err, errlen, KILN_ERR_NOMEM, "%s: shape is too large", what);
    t->data = malloc(bytes);
    if (t->data == NULL)
        return kiln_fail(err, errlen, KILN_ERR_NOMEM, "%s: out of memory for %zu values", what, count);
    memcpy(t->dims, dims, (size_t)rank * sizeof dims[0]);
    t->rank = rank;
    t->count = count;
    return KILN_OK;
}

void kiln_tensor_free(kiln_tensor *t) {
    if (t == NULL) return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

void kiln_image_free(kiln_image *img) {
    if (img == NULL) return;
    free(img->rgb);
    memset(img, 0, sizeof *img);
}

void kiln_format_dims(char *buf, size_t len, const int64_t *dims, int rank) {
    if (len == 0) return;
    buf[0] = '\0';
    if (rank == 0) {
        snprintf(buf, len, "scalar");
        return;
    }
    size_t used = 0;
    for (int i = 0; i < rank && used < len; i++) {
        int n = snprintf(buf + used, len - used, i == 0 ? "%lld" : "x%lld", (long long)dims[i]);
        if (n < 0) return;
        used += (size_t)n;
    }
}

uint32_t kiln_load_le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t kiln_load_le64(const unsigned char *p) {
    return (uint64_t)kiln_load_le32(p) | (uint64_t)kiln_load_le32(p + 4) << 32;
}

float kiln_float_from_le(const unsigned char *p) {
    uint32_t bits = kiln_load_le32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

double kiln_double_from_le(const unsigned char *p) {
    uint64_t bits = kiln_load_le64(p);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

kiln_status kiln_read_upto(FILE *f, const char *path, unsigned char **buf, size_t *len, size_t upto,
                           char *err, size_t errlen) {
    /* Capacity grows geometrically up to `upto`, never past it: a stream is read no further than the caller
     * needs, so /dev/zero or a pipe that never ends costs `upto` bytes, not all memory. */
    while (*len < upto) {
        size_t cap = *len < (1u << 16) ? (1u << 16) : *len * 2;
        if (cap > upto || cap < *len) cap = upto;
        unsigned char *bigger = realloc(*buf, cap);
        if (bigger == NULL) return kiln_fail(err, errlen, KILN_ERR_NOMEM, "%s: out of memory reading the file", path);
        *buf = bigger;
        size_t want = cap - *len;
        errno = 0;
        size_t got = fread(*buf + *len, 1, want, f);
        *len += got;
        if (got < want) {
            if (ferror(f)) {
                const char *cause = errno != 0 ? strerror(errno) : "read error";
                return kiln_fail(err, errlen, KILN_ERR_IO, "%s: cannot read: %s", path, cause);
            }
            break; /* end of file */
        }
    }
    return KILN_OK;
}

kiln_status kiln_read_file(const char *path, size_t max_size, unsigned char **data, size_t *size,
                           char *err, size_t errlen) {
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return kiln_fail(err, errlen, KILN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0;
    kiln_status st = kiln_read_upto(f, path, &buf, &len, max_size == SIZE_MAX ? max_size : max_size + 1, err, errlen);
    fclose(f);
    if (st == KILN_OK && len > max_size)
        st = kiln_fail(err, errlen, KILN_ERR_SHAPE, "%s: longer than the %zu bytes expected of it", path, max_size);
    if (st != KILN_OK) {
        free(buf);
        return st;
    }
    if (buf == NULL && (buf = malloc(1)) == NULL)
        return kiln_fail(err, errlen, KILN_ERR_NOMEM, "%s: out of memory reading the file", path);
    *data = buf;
    *size = len;
    return KILN_OK;
}

double kiln_now_ms(void) {
#if defined(CLOCK_MONOTONIC)
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
#endif
#if defined(TIME_UTC)
    struct timespec now;
    if (timespec_get(&now, TIME_UTC) == TIME_UTC) return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
#endif
    return (double)clock() * 1e3 / CLOCKS_PER_SEC;
}
