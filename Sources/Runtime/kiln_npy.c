/* .npy read and write.
 *
 * File layout: "\x93NUMPY", major, minor, header length (uint16 LE for 1.x, uint32 LE for 2.x and 3.x), then a
 * Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), } padded with
 * spaces and a newline, then the raw C-order data. The dict is parsed as a small literal grammar (strings, words,
 * integer tuples, nested brackets), not by searching for substrings, so key order and spacing do not matter. */
#include "kiln_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *p, *end;
} cursor;

static void skip_space(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int accept(cursor *c, char ch) {
    skip_space(c);
    if (c->p < c->end && *c->p == (unsigned char)ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string; *s and *n receive its contents (escapes are kept verbatim: dtype strings have none). */
static int parse_string(cursor *c, const unsigned char **s, size_t *n) {
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return 0;
    unsigned char quote = *c->p++;
    const unsigned char *start = c->p;
    while (c->p < c->end && *c->p != quote) c->p += (*c->p == '\\' && c->p + 1 < c->end) ? 2 : 1;
    if (c->p >= c->end) return 0;
    *s = start;
    *n = (size_t)(c->p - start);
    c->p++;
    return 1;
}

/* A bare word or number, e.g. True, False, None, 12 (up to a delimiter). */
static int parse_word(cursor *c, const unsigned char **s, size_t *n) {
    skip_space(c);
    const unsigned char *start = c->p;
    while (c->p < c->end && *c->p != '\0' && strchr(",:)]} \t\r\n{([", *c->p) == NULL) c->p++;
    *s = start;
    *n = (size_t)(c->p - start);
    return *n > 0;
}

/* Any value, for keys the runtime does not use. Depth-limited so hostile headers cannot recurse deeply. */
static int skip_value(cursor *c, int depth) {
    const unsigned char *s;
    size_t n;
    skip_space(c);
    if (depth > 16 || c->p >= c->end) return 0;
    char open = (char)*c->p, close = open == '(' ? ')' : open == '[' ? ']' : open == '{' ? '}' : 0;
    if (open == '\'' || open == '"') return parse_string(c, &s, &n);
    if (close == 0) return parse_word(c, &s, &n);
    c->p++;
    for (;;) {
        if (accept(c, close)) return 1;
        if (!skip_value(c, depth + 1)) return 0;
        if (close == '}' && (!accept(c, ':') || !skip_value(c, depth + 1))) return 0;
        if (!accept(c, ',') && !accept(c, close)) return 0;
        if (c->p[-1] == (unsigned char)close) return 1;
    }
}

/* A tuple (or list) of non-negative integers: (), (5,), (1, 3, 224, 224). Python 2 'L' suffixes are accepted. */
static int parse_shape(cursor *c, int64_t *dims, int *rank, int *too_many) {
    char close = accept(c, '(') ? ')' : accept(c, '[') ? ']' : 0;
    if (close == 0) return 0;
    *rank = 0;
    *too_many = 0;
    for (;;) {
        if (accept(c, close)) return 1;
        skip_space(c);
        if (c->p >= c->end || *c->p < '0' || *c->p > '9') return 0;
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            int digit = *c->p++ - '0';
            if (v > (INT64_MAX - digit) / 10) return 0;
            v = v * 10 + digit;
        }
        if (c->p < c->end && (*c->p == 'L' || *c->p == 'l')) c->p++;
        if (*rank < KILN_MAX_DIMS) dims[*rank] = v;
        else *too_many = 1;
        (*rank)++;
        if (!accept(c, ',') && !accept(c, close)) return 0;
        if (c->p[-1] == (unsigned char)close) return 1;
    }
}

static int equals(const unsigned char *s, size_t n, const char *lit) {
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

kiln_status kiln_npy_decode(const unsigned char *buf, size_t len, kiln_tensor *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (len == 0) return kiln_fail(err, errlen, KILN_ERR_FORMAT, "empty file");
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "not a .npy file (bad magic)");
    int major = buf[6];
    size_t header_len, header_start;
    if (major == 1) {
        header_len = (size_t)buf[8] | (size_t)buf[9] << 8;
        header_start = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return kiln_fail(err, errlen, KILN_ERR_FORMAT, "truncated .npy header");
        header_len = kiln_load_le32(buf + 8);
        header_start = 12;
    } else {
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, ".npy format version %d.%d is not supported", major,
                         buf[7]);
    }
    if (header_len > len - header_start)
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "truncated .npy header (%zu bytes declared, %zu present)",
                         header_len, len - header_start);

    cursor c = {buf + header_start, buf + header_start + header_len};
    const unsigned char *descr = NULL;
    size_t descr_len = 0;
    int have_descr = 0, have_order = 0, have_shape = 0, fortran = 0, too_many = 0, rank = 0;
    int64_t dims[KILN_MAX_DIMS] = {0};
    if (!accept(&c, '{')) return kiln_fail(err, errlen, KILN_ERR_FORMAT, ".npy header is not a dict");
    while (!accept(&c, '}')) {
        const unsigned char *key, *word;
        size_t key_len, word_len;
        if (!parse_string(&c, &key, &key_len) || !accept(&c, ':'))
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "malformed .npy header dict");
        int ok;
        if (equals(key, key_len, "descr")) {
            have_descr = 1;
            skip_space(&c);
            if (c.p < c.end && (*c.p == '\'' || *c.p == '"')) ok = parse_string(&c, &descr, &descr_len);
            else ok = skip_value(&c, 0); /* a structured dtype: reported below */
        } else if (equals(key, key_len, "fortran_order")) {
            have_order = 1;
            ok = parse_word(&c, &word, &word_len) && (equals(word, word_len, "True") || equals(word, word_len, "False"));
            fortran = ok && equals(word, word_len, "True");
        } else if (equals(key, key_len, "shape")) {
            have_shape = 1;
            ok = parse_shape(&c, dims, &rank, &too_many);
        } else {
            ok = skip_value(&c, 0);
        }
        if (!ok) return kiln_fail(err, errlen, KILN_ERR_FORMAT, "malformed value for '%.*s' in .npy header",
                                  (int)(key_len > 40 ? 40 : key_len), (const char *)key);
        if (!accept(&c, ',') && !(skip_space(&c), c.p < c.end && *c.p == '}'))
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "malformed .npy header dict");
    }
    if (!have_descr || !have_order || !have_shape)
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, ".npy header lacks '%s'",
                         !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");

    size_t item;
    if (descr != NULL && equals(descr, descr_len, "<f4")) item = 4;
    else if (descr != NULL && equals(descr, descr_len, "<f8")) item = 8;
    else if (descr != NULL)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "dtype '%.*s' is not supported (need float32 '<f4', or '<f8')",
                         (int)(descr_len > 20 ? 20 : descr_len), (const char *)descr);
    else return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "structured dtypes are not supported (need float32 '<f4')");
    if (fortran)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "fortran_order arrays are not supported (save a C-order array)");
    if (too_many)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "rank %d is not supported (at most %d dimensions)", rank,
                         KILN_MAX_DIMS);

    size_t count, need = SIZE_MAX, data_len = len - header_start - header_len;
    kiln_status st = kiln_shape_count(dims, rank, ".npy shape", &count, err, errlen);
    if (st != KILN_OK) return st;
    if (!kiln_mul_size(count, item, &need) || need != data_len) {
        char shape[96];
        kiln_format_dims(shape, sizeof shape, dims, rank);
        if (need == SIZE_MAX)
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "shape %s is too large for the file's %zu data bytes", shape, data_len);
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "shape %s needs %zu data bytes but the file has %zu%s", shape,
                         need, data_len, need > data_len ? " (truncated?)" : "");
    }
    st = kiln_tensor_alloc(out, dims, rank, ".npy shape", err, errlen);
    if (st != KILN_OK) return st;
    const unsigned char *d = buf + header_start + header_len;
    for (size_t i = 0; i < out->count; i++)
        out->data[i] = item == 4 ? kiln_float_from_le(d + 4 * i) : (float)kiln_double_from_le(d + 8 * i);
    return KILN_OK;
}

kiln_status kiln_npy_write(const char *path, const float *data, const int64_t *dims, int rank,
                           char *err, size_t errlen) {
    size_t count;
    kiln_status st = kiln_shape_count(dims, rank, path, &count, err, errlen);
    if (st != KILN_OK) return st;

    char header[320]; /* 8 dims of up to 20 characters fit with room to spare */
    int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < rank; i++)
        n += snprintf(header + n, sizeof header - (size_t)n, i == 0 ? "%lld" : ", %lld", (long long)dims[i]);
    n += snprintf(header + n, sizeof header - (size_t)n, rank == 1 ? ",), }" : "), }");
    /* Pad with spaces so that magic + length + header + '\n' is a multiple of 64, as numpy does. */
    while ((10 + n + 1) % 64 != 0) header[n++] = ' ';
    header[n++] = '\n';

    FILE *f = fopen(path, "wb");
    if (f == NULL) return kiln_fail(err, errlen, KILN_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(n & 0xff), (unsigned char)(n >> 8)};
    int ok = fwrite(prefix, 1, 10, f) == 10 && fwrite(header, 1, (size_t)n, f) == (size_t)n;
    unsigned char chunk[4096];
    for (size_t i = 0; ok && i < count;) {
        size_t m = 0;
        for (; i < count && m < sizeof chunk; i++, m += 4) {
            uint32_t bits;
            memcpy(&bits, &data[i], sizeof bits);
            for (int b = 0; b < 4; b++) chunk[m + (size_t)b] = (unsigned char)(bits >> (8 * b));
        }
        ok = fwrite(chunk, 1, m, f) == m;
    }
    int cause = ok ? 0 : errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        cause = errno;
    }
    return ok ? KILN_OK : kiln_fail(err, errlen, KILN_ERR_IO, "%s: cannot write: %s", path, cause ? strerror(cause) : "write error");
}
