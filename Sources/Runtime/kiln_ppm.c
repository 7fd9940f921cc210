/* Binary PPM (P6): "P6", width, height, maxval as ASCII decimals separated by whitespace or '#' comments, one
 * whitespace byte, then height * width RGB triples of 1 byte (maxval <= 255) or 2 big-endian bytes. Bytes after
 * the raster are ignored (the format allows several images in one file). */
#include "kiln_internal.h"

#include <stdlib.h>
#include <string.h>

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips whitespace and comments, then reads a decimal no larger than `max`. 1 on success, 0 if missing or
 * malformed, -1 if larger than max. */
static int read_header_number(const unsigned char **p, const unsigned char *end, uint32_t max, uint32_t *out) {
    for (;;) {
        while (*p < end && is_space(**p)) (*p)++;
        if (*p < end && **p == '#') {
            while (*p < end && **p != '\n' && **p != '\r') (*p)++;
            continue;
        }
        break;
    }
    if (*p >= end || **p < '0' || **p > '9') return 0;
    uint64_t v = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        v = v * 10 + (uint64_t)(*(*p)++ - '0');
        if (v > max) return -1;
    }
    *out = (uint32_t)v;
    return 1;
}

typedef struct {
    size_t width, height, maxval, bytes_per, samples, offset; /* offset: where the raster starts */
} ppm_header;

static kiln_status parse_header(const unsigned char *buf, size_t len, ppm_header *h, char *err, size_t errlen) {
    if (len == 0) return kiln_fail(err, errlen, KILN_ERR_FORMAT, "empty file");
    if (len < 2 || buf[0] != 'P' || buf[1] != '6') {
        if (len >= 2 && buf[0] == 'P' && buf[1] >= '1' && buf[1] <= '7')
            return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "P%c images are not supported (need binary RGB PPM, P6)",
                             buf[1]);
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "not a PPM image (no P6 magic)");
    }
    const unsigned char *p = buf + 2, *end = buf + len;
    if (p < end && !is_space(*p) && *p != '#') return kiln_fail(err, errlen, KILN_ERR_FORMAT, "not a PPM image (bad magic)");
    const char *names[3] = {"width", "height", "maxval"};
    const uint32_t limits[3] = {1u << 24, 1u << 24, 65535};
    uint32_t v[3];
    for (int i = 0; i < 3; i++) {
        int r = read_header_number(&p, end, limits[i], &v[i]);
        if (r == 0) return kiln_fail(err, errlen, KILN_ERR_FORMAT, "PPM header: missing or malformed %s", names[i]);
        if (r < 0 || v[i] == 0)
            return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "PPM header: %s out of range (1..%u)", names[i],
                             (unsigned)limits[i]);
    }
    if (p >= end || !is_space(*p))
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "PPM header: no whitespace after maxval");
    h->width = v[0];
    h->height = v[1];
    h->maxval = v[2];
    h->bytes_per = h->maxval > 255 ? 2 : 1;
    h->offset = (size_t)(p + 1 - buf);
    /* width and height are at most 2^24 each, so the products below fit in 64 bits. */
    if ((uint64_t)h->width * h->height > KILN_MAX_IMAGE_PIXELS)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "PPM image %zux%zu has more than %llu pixels", h->width,
                         h->height, (unsigned long long)KILN_MAX_IMAGE_PIXELS);
    h->samples = h->width * h->height * 3;
    return KILN_OK;
}

size_t kiln_ppm_extent(const unsigned char *buf, size_t len) {
    ppm_header h;
    if (parse_header(buf, len, &h, NULL, 0) != KILN_OK) return 0;
    return h.offset + h.samples * h.bytes_per;
}

kiln_status kiln_ppm_decode(const unsigned char *buf, size_t len, kiln_image *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    ppm_header h;
    kiln_status st = parse_header(buf, len, &h, err, errlen);
    if (st != KILN_OK) return st;
    const unsigned char *p = buf + h.offset;
    size_t need = h.samples * h.bytes_per;
    if (len - h.offset < need)
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "PPM %zux%zu needs %zu bytes of pixels, file has %zu (truncated)",
                         h.width, h.height, need, len - h.offset);
    if ((out->rgb = malloc(h.samples * sizeof(float))) == NULL)
        return kiln_fail(err, errlen, KILN_ERR_NOMEM, "PPM image %zux%zu: out of memory", h.width, h.height);
    const float scale = 255.0f / (float)h.maxval;
    for (size_t i = 0; i < h.samples; i++) {
        unsigned s = h.bytes_per == 1 ? p[i] : (unsigned)p[2 * i] << 8 | p[2 * i + 1];
        if (s > h.maxval) s = (unsigned)h.maxval; /* out-of-range samples are clamped rather than rejected */
        out->rgb[i] = h.maxval == 255 ? (float)s : (float)s * scale;
    }
    out->width = (int64_t)h.width;
    out->height = (int64_t)h.height;
    return KILN_OK;
}
