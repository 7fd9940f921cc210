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

kiln_status kiln_npy_header(const unsigned char *buf, size_t len, kiln_npy_info *info, char *err, size_t errlen) {
    memset(info, 0, sizeof *info);
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
    int64_t *dims = info->dims;
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

    if (descr == NULL) return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "structured dtypes are not supported (need float32 '<f4')");
    if (fortran)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "fortran_order arrays are not supported (save a C-order array)");
    if (too_many)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "rank %d is not supported (at most %d dimensions)", rank,
                         KILN_MAX_DIMS);
    size_t n = descr_len < sizeof info->descr - 1 ? descr_len : sizeof info->descr - 1;
    memcpy(info->descr, descr, n);
    info->rank = rank;
    info->data = buf + header_start + header_len;
    info->data_len = len - header_start - header_len;
    return KILN_OK;
}

/* Checks that the data holds exactly count(dims) items of `item` bytes; *count receives the count. */
kiln_status kiln_npy_check_size(const kiln_npy_info *info, size_t item, size_t *count, char *err, size_t errlen) {
    size_t need = SIZE_MAX;
    kiln_status st = kiln_shape_count(info->dims, info->rank, ".npy shape", count, err, errlen);
    if (st != KILN_OK) return st;
    if (!kiln_mul_size(*count, item, &need) || need != info->data_len) {
        char shape[96];
        kiln_format_dims(shape, sizeof shape, info->dims, info->rank);
        if (need == SIZE_MAX)
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "shape %s is too large for the file's %zu data bytes", shape,
                             info->data_len);
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "shape %s needs %zu data bytes but the file has %zu%s", shape,
                         need, info->data_len, need > info->data_len ? " (truncated?)" : "");
    }
    return KILN_OK;
}

kiln_status kiln_npy_decode(const unsigned char *buf, size_t len, kiln_tensor *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    kiln_npy_info info;
    kiln_status st = kiln_npy_header(buf, len, &info, err, errlen);
    if (st != KILN_OK) return st;
    size_t item, count;
    if (strcmp(info.descr, "<f4") == 0) item = 4;
    else if (strcmp(info.descr, "<f8") == 0) item = 8;
    else return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "dtype '%s' is not supported (need float32 '<f4', or '<f8')",
                          info.descr);
    st = kiln_npy_check_size(&info, item, &count, err, errlen);
    if (st != KILN_OK) return st;
    st = kiln_tensor_alloc(out, info.dims, info.rank, ".npy shape", err, errlen);
    if (st != KILN_OK) return st;
    for (size_t i = 0; i < out->count; i++)
        out->data[i] = item == 4 ? kiln_float_from_le(info.data + 4 * i) : (float)kiln_double_from_le(info.data + 8 * i);
    return KILN_OK;
}

kiln_status kiln_npy_write(const char *path, const float *data, const int64_t *dims, int rank,
                           char *err, size_t errlen) {
    return kiln_npy_write_typed(path, KILN_TYPE_FLOAT, data, dims, rank, err, errlen);
}

kiln_status kiln_npy_write_typed(const char *path, int type, const void *data, const int64_t *dims, int rank,
                                 char *err, size_t errlen) {
    size_t count, item = kiln_type_size(type);
    const char *descr = kiln_npy_descr(type);
    if (descr == NULL) return kiln_fail(err, errlen, KILN_ERR_ARGUMENT, "%s: element type %d cannot be written", path, type);
    kiln_status st = kiln_shape_count(dims, rank, path, &count, err, errlen);
    if (st != KILN_OK) return st;

    char header[320]; /* 8 dims of up to 20 characters fit with room to spare */
    int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
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
    const unsigned char *bytes = (const unsigned char *)data;
    for (size_t i = 0; ok && i < count;) {
        size_t m = 0;
        for (; i < count && m + item <= sizeof chunk; i++, m += item) { /* little-endian whatever the host's order */
            uint64_t bits = 0;
            if (item == 8) memcpy(&bits, bytes + i * 8, 8);
            else if (item == 4) { uint32_t b32; memcpy(&b32, bytes + i * 4, 4); bits = b32; }
            else bits = bytes[i];
            for (size_t b = 0; b < item; b++) chunk[m + b] = (unsigned char)(bits >> (8 * b));
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
