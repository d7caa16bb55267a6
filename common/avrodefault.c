/*
 * avrodefault.c - see avrodefault.h.
 */
#include "avrodefault.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "schema.h"

/* A default nested deeper than this is refused (a default is written by
 * hand; the bound keeps a hostile schema from exhausting the stack). */
#define DEFAULT_MAX_DEPTH 64

static int encode(avro_schema_t s, const json_t *d, avroenc_t *w, int depth, char *errstr,
                  size_t errstr_size);

static int wrong(const char *want, avro_schema_t s, char *errstr, size_t errstr_size)
{
    errstr_set(errstr, errstr_size, "the default is not %s (the type is %s)", want,
               avro_schema_type_name(s));
    return -1;
}

int avrodefault_bytes(const json_t *d, unsigned char **out, size_t *len)
{
    const unsigned char *p = (const unsigned char *)json_string_value(d);
    size_t n = json_string_length(d), o = 0;
    if (!p || !(*out = malloc(n + 1)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80) {
            (*out)[o++] = p[i];
        } else if ((p[i] & 0xfe) == 0xc2 && i + 1 < n) { /* U+0080-U+00FF */
            (*out)[o++] = (unsigned char)(((p[i] & 0x03) << 6) | (p[i + 1] & 0x3f));
            i++;
        } else {
            free(*out);
            *out = NULL;
            return -1;
        }
    }
    *len = o;
    return 0;
}

static int encode_bytes(avro_schema_t s, const json_t *d, avroenc_t *w, char *errstr,
                        size_t errstr_size)
{
    if (!json_is_string(d))
        return wrong("a string", s, errstr, errstr_size);
    unsigned char *b;
    size_t n;
    if (avrodefault_bytes(d, &b, &n) != 0) {
        errstr_set(errstr, errstr_size,
                   "the default has a character above U+00FF: bytes are written one "
                   "character (U+0000-U+00FF) a byte");
        return -1;
    }
    int rc = 0;
    if (is_avro_fixed(s) && (int64_t)n != avro_schema_fixed_size(s)) {
        errstr_set(errstr, errstr_size, "the default has %zu bytes, the fixed type %lld", n,
                   (long long)avro_schema_fixed_size(s));
        rc = -1;
    } else if (is_avro_fixed(s)) {
        avroenc_raw(w, b, n);
    } else {
        avroenc_bytes(w, b, n);
    }
    free(b);
    return rc;
}

static int encode_number(avro_schema_t s, const json_t *d, avroenc_t *w, char *errstr,
                         size_t errstr_size)
{
    if (is_avro_int32(s) || is_avro_int64(s)) {
        if (!json_is_integer(d))
            return wrong("an integer", s, errstr, errstr_size);
        json_int_t v = json_integer_value(d);
        if (is_avro_int32(s) && (v < INT32_MIN || v > INT32_MAX))
            return wrong("an integer within 32 bits", s, errstr, errstr_size);
        avroenc_long(w, (int64_t)v);
        return 0;
    }
    if (!json_is_number(d))
        return wrong("a number", s, errstr, errstr_size);
    double v = json_number_value(d);
    if (is_avro_float(s))
        avroenc_float(w, (float)v);
    else
        avroenc_double(w, v);
    return 0;
}

static int encode_enum(avro_schema_t s, const json_t *d, avroenc_t *w, char *errstr,
                       size_t errstr_size)
{
    if (!json_is_string(d))
        return wrong("a symbol", s, errstr, errstr_size);
    int i = avro_schema_enum_get_by_name(s, json_string_value(d));
    if (i < 0) {
        errstr_set(errstr, errstr_size, "the default '%s' is not a symbol of %s",
                   json_string_value(d), avro_schema_name(s));
        return -1;
    }
    avroenc_long(w, i);
    return 0;
}

static int encode_record(avro_schema_t s, const json_t *d, avroenc_t *w, int depth, char *errstr,
                         size_t errstr_size)
{
    if (!json_is_object(d))
        return wrong("an object", s, errstr, errstr_size);
    size_t n = avro_schema_record_size(s);
    for (size_t i = 0; i < n; i++) {
        const char *name = avro_schema_record_field_name(s, (int)i);
        const json_t *v = json_object_get(d, name);
        if (!v) {
            errstr_set(errstr, errstr_size, "the default of record %s has no field '%s'",
                       avro_schema_name(s), name);
            return -1;
        }
        if (encode(avro_schema_record_field_get_by_index(s, (int)i), v, w, depth + 1, errstr,
                   errstr_size) != 0)
            return -1;
    }
    return 0;
}

/* An array's or a map's default: one block of all its items, then the
 * empty block that ends it (none for an empty one but that end). */
static int encode_block(avro_schema_t s, const json_t *d, avroenc_t *w, int depth, char *errstr,
                        size_t errstr_size)
{
    int map = is_avro_map(s);
    if (map ? !json_is_object(d) : !json_is_array(d))
        return wrong(map ? "an object" : "an array", s, errstr, errstr_size);
    avro_schema_t items = map ? avro_schema_map_values(s) : avro_schema_array_items(s);
    size_t n = map ? json_object_size(d) : json_array_size(d);
    if (n > 0) {
        avroenc_long(w, (int64_t)n);
        if (map) {
            const char *key;
            const json_t *v;
            json_object_foreach((json_t *)d, key, v)
            {
                avroenc_bytes(w, key, strlen(key));
                if (encode(items, v, w, depth + 1, errstr, errstr_size) != 0)
                    return -1;
            }
        } else {
            for (size_t i = 0; i < n; i++)
                if (encode(items, json_array_get(d, i), w, depth + 1, errstr, errstr_size) != 0)
                    return -1;
        }
    }
    avroenc_long(w, 0);
    return 0;
}

static int encode(avro_schema_t s, const json_t *d, avroenc_t *w, int depth, char *errstr,
                  size_t errstr_size)
{
    s = schema_avro_deref(s);
    if (depth > DEFAULT_MAX_DEPTH) {
        errstr_set(errstr, errstr_size, "the default is nested deeper than %d", DEFAULT_MAX_DEPTH);
        return -1;
    }
    switch (avro_typeof(s)) {
    case AVRO_NULL:
        return json_is_null(d) ? 0 : wrong("null", s, errstr, errstr_size);
    case AVRO_BOOLEAN:
        if (!json_is_boolean(d))
            return wrong("true or false", s, errstr, errstr_size);
        avroenc_boolean(w, json_is_true(d));
        return 0;
    case AVRO_INT32:
    case AVRO_INT64:
    case AVRO_FLOAT:
    case AVRO_DOUBLE:
        return encode_number(s, d, w, errstr, errstr_size);
    case AVRO_STRING:
        if (!json_is_string(d))
            return wrong("a string", s, errstr, errstr_size);
        avroenc_bytes(w, json_string_value(d), json_string_length(d));
        return 0;
    case AVRO_BYTES:
    case AVRO_FIXED:
        return encode_bytes(s, d, w, errstr, errstr_size);
    case AVRO_ENUM:
        return encode_enum(s, d, w, errstr, errstr_size);
    case AVRO_RECORD:
        return encode_record(s, d, w, depth, errstr, errstr_size);
    case AVRO_ARRAY:
    case AVRO_MAP:
        return encode_block(s, d, w, depth, errstr, errstr_size);
    case AVRO_UNION: /* the specification: a value of the first branch */
        if (avro_schema_union_size(s) == 0)
            return wrong("possible", s, errstr, errstr_size);
        avroenc_long(w, 0);
        return encode(avro_schema_union_branch(s, 0), d, w, depth + 1, errstr, errstr_size);
    default:
        errstr_set(errstr, errstr_size, "a default of type %s is not supported",
                   avro_schema_type_name(s));
        return -1;
    }
}

int avrodefault_encode(avro_schema_t s, const json_t *dflt, avroenc_t *w, char *errstr,
                       size_t errstr_size)
{
    return encode(s, dflt, w, 0, errstr, errstr_size);
}
