/* A serialized ONNX TensorProto, decoded with a minimal protobuf wire-format reader (no libprotobuf-c, so that
 * emitted programs depend on libc only).
 *
 * Fields used: dims = 1 (int64, packed or not), data_type = 2, float_data = 4 (packed or not), raw_data = 9
 * (little-endian), double_data = 10 (packed or not), and external_data = 13 / data_location = 14 only to report
 * that external data is unsupported. Every other field is skipped by its wire type; groups are rejected. The
 * message is scanned twice: once to learn the shape and where the values are, once to copy them out. */
#include "kiln_internal.h"

#include <string.h>

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_GROUP_START = 3, WIRE_GROUP_END = 4, WIRE_FIXED32 = 5 };
enum { TYPE_FLOAT = 1, TYPE_DOUBLE = 11 };

typedef struct {
    int64_t dims[KILN_MAX_DIMS];
    int rank;
    uint64_t data_type;
    const unsigned char *raw;
    size_t raw_len;
    int have_raw, external;
    size_t floats, doubles; /* values seen in float_data / double_data */
    const unsigned char *packed_doubles; /* the last packed double_data field: little-endian doubles */
    size_t packed_doubles_len;
    float *dst;             /* second pass: where float_data or double_data values go (converted to float) */
    size_t dst_count;
} scan_state;

/* Returns 1 and advances *p on success, 0 if the varint runs past end, -1 if it does not fit in 64 bits. */
static int read_varint(const unsigned char **p, const unsigned char *end, uint64_t *v) {
    *v = 0;
    for (int i = 0; i < 10; i++) {
        if (*p >= end) return 0;
        unsigned char b = *(*p)++;
        if (i == 9 && b > 1) return -1;
        *v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) return 1;
    }
    return -1;
}

static kiln_status varint_error(int r, const char *what, char *err, size_t errlen) {
    return kiln_fail(err, errlen, KILN_ERR_FORMAT, r == 0 ? "TensorProto: truncated %s" : "TensorProto: %s overflows 64 bits",
                     what);
}

static kiln_status add_dim(scan_state *s, uint64_t v, char *err, size_t errlen) {
    if ((int64_t)v < 0)
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: negative dimension %lld", (long long)(int64_t)v);
    if (s->rank >= KILN_MAX_DIMS)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "TensorProto: more than %d dimensions", KILN_MAX_DIMS);
    s->dims[s->rank++] = (int64_t)v;
    return KILN_OK;
}

/* A float_data or double_data value: counted on the first pass, stored on the second. */
static void add_value(scan_state *s, size_t *seen, double v) {
    if (s->dst != NULL && *seen < s->dst_count) s->dst[*seen] = (float)v;
    (*seen)++;
}

static kiln_status scan(const unsigned char *p, const unsigned char *end, scan_state *s, char *err, size_t errlen) {
    while (p < end) {
        uint64_t key, v = 0;
        int r = read_varint(&p, end, &key);
        if (r != 1) return varint_error(r, "field key", err, errlen);
        uint64_t field = key >> 3;
        int wire = (int)(key & 7);
        if (field == 0 || field > 536870911u)
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: invalid field number %llu", (unsigned long long)field);
        const unsigned char *body = p; /* fixed-size or length-delimited payload */
        size_t body_len = 0;
        switch (wire) {
        case WIRE_VARINT:
            r = read_varint(&p, end, &v);
            if (r != 1) return varint_error(r, "varint", err, errlen);
            break;
        case WIRE_FIXED64:
        case WIRE_FIXED32:
            body_len = wire == WIRE_FIXED64 ? 8 : 4;
            if ((size_t)(end - p) < body_len)
                return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: truncated field %llu", (unsigned long long)field);
            p += body_len;
            break;
        case WIRE_LEN:
            r = read_varint(&p, end, &v);
            if (r != 1) return varint_error(r, "length", err, errlen);
            if (v > (uint64_t)(end - p))
                return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: field %llu claims %llu bytes but only %zu remain",
                                 (unsigned long long)field, (unsigned long long)v, (size_t)(end - p));
            body = p;
            body_len = (size_t)v;
            p += body_len;
            break;
        case WIRE_GROUP_START:
        case WIRE_GROUP_END:
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: field %llu uses protobuf groups, which are not supported",
                             (unsigned long long)field);
        default:
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: invalid wire type %d", wire);
        }

        const unsigned char *q = body, *qend = body + body_len;
        kiln_status st = KILN_OK;
        int wrong_wire = 0;
        switch (field) {
        case 1: /* dims */
            if (wire == WIRE_VARINT) st = add_dim(s, v, err, errlen);
            else if (wire == WIRE_LEN)
                while (st == KILN_OK && q < qend) {
                    r = read_varint(&q, qend, &v);
                    st = r != 1 ? varint_error(r, "packed dims", err, errlen) : add_dim(s, v, err, errlen);
                }
            else wrong_wire = 1;
            break;
        case 2: /* data_type */
            if (wire == WIRE_VARINT) s->data_type = v;
            else wrong_wire = 1;
            break;
        case 4: /* float_data */
            if (wire == WIRE_FIXED32 || (wire == WIRE_LEN && body_len % 4 == 0))
                for (; q < qend; q += 4) add_value(s, &s->floats, kiln_float_from_le(q));
            else wrong_wire = 1;
            break;
        case 10: /* double_data */
            if (wire == WIRE_FIXED64 || (wire == WIRE_LEN && body_len % 8 == 0))
                for (; q < qend; q += 8) add_value(s, &s->doubles, kiln_double_from_le(q));
            else wrong_wire = 1;
            if (wire == WIRE_LEN) s->packed_doubles = body, s->packed_doubles_len = body_len;
            break;
        case 9: /* raw_data: the last occurrence wins, as for any singular protobuf field */
            if (wire == WIRE_LEN) s->raw = body, s->raw_len = body_len, s->have_raw = 1;
            else wrong_wire = 1;
            break;
        case 13: /* external_data */
            s->external = 1;
            break;
        case 14: /* data_location */
            if (wire == WIRE_VARINT && v == 1) s->external = 1;
            break;
        default:
            break;
        }
        if (st != KILN_OK) return st;
        if (wrong_wire)
            return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: field %llu has the wrong wire type %d (or a bad length)",
                             (unsigned long long)field, wire);
    }
    return KILN_OK;
}

static const char *type_name(uint64_t t) {
    static const char *const names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
                                        "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
                                        "COMPLEX128", "BFLOAT16"};
    return t < sizeof names / sizeof names[0] ? names[t] : "an unknown type";
}

/* The first pass over a whole message: its fields into s, external data refused. */
static kiln_status scan_message(const unsigned char *buf, size_t len, scan_state *s, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    if (len == 0) return kiln_fail(err, errlen, KILN_ERR_FORMAT, "empty file");
    kiln_status st = scan(buf, buf + len, s, err, errlen);
    if (st != KILN_OK) return st;
    if (s->external)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "TensorProto: external data is not supported");
    return KILN_OK;
}

kiln_status kiln_tensorproto_decode(const unsigned char *buf, size_t len, kiln_tensor *out,
                                    char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    scan_state s;
    kiln_status st = scan_message(buf, len, &s, err, errlen);
    if (st != KILN_OK) return st;
    if (s.data_type != TYPE_FLOAT && s.data_type != TYPE_DOUBLE)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "TensorProto: data_type %llu (%s) is not supported (need FLOAT)",
                         (unsigned long long)s.data_type, type_name(s.data_type));
    size_t count;
    st = kiln_shape_count(s.dims, s.rank, "TensorProto", &count, err, errlen);
    if (st != KILN_OK) return st;

    /* Check the values present against the shape before allocating, so dims cannot request a huge buffer. */
    int is_float = s.data_type == TYPE_FLOAT;
    size_t item = is_float ? 4 : 8, typed = is_float ? s.floats : s.doubles, other = is_float ? s.doubles : s.floats;
    size_t present = s.have_raw ? s.raw_len / item : typed;
    char shape[96];
    kiln_format_dims(shape, sizeof shape, s.dims, s.rank);
    if (other != 0 || (s.have_raw && typed != 0))
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: values stored in more than one data field");
    if (s.have_raw && s.raw_len % item != 0)
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: raw_data length %zu is not a multiple of %zu",
                         s.raw_len, item);
    if (present != count)
        return kiln_fail(err, errlen, KILN_ERR_FORMAT, "TensorProto: shape %s needs %zu values, found %zu in %s", shape,
                         count, present, s.have_raw ? "raw_data" : is_float ? "float_data" : "double_data");
    st = kiln_tensor_alloc(out, s.dims, s.rank, "TensorProto", err, errlen);
    if (st != KILN_OK) return st;
    if (s.have_raw) {
        for (size_t i = 0; i < count; i++)
            out->data[i] = is_float ? kiln_float_from_le(s.raw + 4 * i) : (float)kiln_double_from_le(s.raw + 8 * i);
        return KILN_OK;
    }
    s.floats = s.doubles = 0;
    s.dst = out->data;
    s.dst_count = out->count;
    s.rank = 0;
    return scan(buf, buf + len, &s, err, errlen); /* cannot fail now: the first pass accepted the same bytes */
}

kiln_status kiln_tensorproto_raw(const unsigned char *buf, size_t len, int *type, int64_t *dims, int *rank,
                                 const unsigned char **raw, size_t *raw_len, char *err, size_t errlen) {
    scan_state s;
    kiln_status st = scan_message(buf, len, &s, err, errlen);
    if (st != KILN_OK) return st;
    if (!s.have_raw && s.data_type == TYPE_DOUBLE && s.packed_doubles_len == s.doubles * 8) {
        /* one packed double_data field holds the same bytes raw_data would */
        s.raw = s.packed_doubles, s.raw_len = s.packed_doubles_len, s.have_raw = 1;
    }
    if (!s.have_raw)
        return kiln_fail(err, errlen, KILN_ERR_UNSUPPORTED, "TensorProto: %s values must be in raw_data",
                         type_name(s.data_type));
    *type = s.data_type > 1000 ? 0 : (int)s.data_type;
    memcpy(dims, s.dims, sizeof s.dims);
    *rank = s.rank;
    *raw = s.raw;
    *raw_len = s.raw_len;
    return KILN_OK;
}
