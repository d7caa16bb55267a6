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

/* int within 32 bits; float within a float's range (1e40 would be
 * written as infinity). */
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
    if (is_avro_float(s) && !avroenc_float_fits(v))
        return wrong("a number within a float's range", s, errstr, errstr_size);
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

/* A union's default: a value of the first branch it fits (the
 * specification since Avro 1.12; before, of the first branch only, which
 * the first fitting branch includes), that branch's index first. */
static int encode_union(avro_schema_t s, const json_t *d, avroenc_t *w, int depth, char *errstr,
                        size_t errstr_size)
{
    size_t n = avro_schema_union_size(s);
    int unwritten = 0; /* a branch of a kind not written: it might fit that one */
    for (size_t i = 0; i < n; i++) {
        avroenc_t branch = {0};
        int rc =
            encode(avro_schema_union_branch(s, (int)i), d, &branch, depth + 1, errstr, errstr_size);
        if (rc == 0 && !avroenc_failed(&branch)) {
            avroenc_long(w, (int64_t)i);
            avroenc_raw(w, branch.buf, branch.len);
        } else if (rc == 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            rc = -1;
            i = n; /* no other branch would fare better */
        }
        avroenc_free(&branch);
        if (rc == 0)
            return 0;
        unwritten |= rc == AVRODEFAULT_NOT_WRITTEN;
    }
    if (unwritten) {
        errstr_set(errstr, errstr_size,
                   "the default fits no branch of the union that defaults are written for");
        return AVRODEFAULT_NOT_WRITTEN;
    }
    errstr_set(errstr, errstr_size, "the default fits no branch of the union");
    return -1;
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
    case AVRO_ENUM:
        return encode_enum(s, d, w, errstr, errstr_size);
    case AVRO_UNION:
        return encode_union(s, d, w, depth, errstr, errstr_size);
    default:
        errstr_set(errstr, errstr_size,
                   "a default of type %s is not written (only null, boolean, int, long, float, "
                   "double, string and enum defaults are)",
                   is_avro_fixed(s)    ? "fixed"
                   : is_avro_record(s) ? "record"
                                       : avro_schema_type_name(s));
        return AVRODEFAULT_NOT_WRITTEN;
    }
}

int avrodefault_encode(avro_schema_t s, const json_t *dflt, avroenc_t *w, char *errstr,
                       size_t errstr_size)
{
    return encode(s, dflt, w, 0, errstr, errstr_size);
}

int avrodefault_type_plain(const json_t *type)
{
    if (json_is_array(type)) { /* a union: every branch */
        for (size_t i = 0; i < json_array_size(type); i++)
            if (!avrodefault_type_plain(json_array_get(type, i)))
                return 0;
        return 1;
    }
    return !json_is_object(type) || !json_object_get(type, "logicalType");
}
