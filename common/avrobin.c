/*
 * avrobin.c - see avrobin.h.
 */
#include "avrobin.h"

#include <string.h>
#include "schema.h"

void avrobin_cursor_init(avrobin_cursor_t *c, const void *buf, size_t len)
{
    const unsigned char *p = buf;

    c->start = p;
    c->p = p;
    c->end = p ? p + len : p;
    c->at = p;
    c->err = NULL;
}

size_t avrobin_offset(const avrobin_cursor_t *c)
{
    return (size_t)(c->at - c->start);
}

int avrobin_read_long(avrobin_cursor_t *c, int64_t *out)
{
    uint64_t v = 0;

    c->at = c->p;
    for (int shift = 0; shift < 64; shift += 7) {
        if (c->p >= c->end) {
            c->err = "truncated data";
            return -1;
        }
        unsigned char b = *c->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1); /* zigzag */
            return 0;
        }
    }
    c->err = "corrupt varint";
    return -1;
}

int avrobin_skip(avrobin_cursor_t *c, int64_t n)
{
    c->at = c->p;
    if (n < 0 || n > c->end - c->p) {
        c->err = n < 0 ? "negative length" : "truncated data";
        return -1;
    }
    c->p += n;
    return 0;
}

static int check_value(avrobin_cursor_t *c, avro_schema_t s, int depth);

/* A map's key: a string without a NUL. avro-c keeps map keys as C
 * strings, so "a\0x" and "a\0y" would both become "a": one member lost
 * and the other renamed, with no word. */
static int check_map_key(avrobin_cursor_t *c)
{
    int64_t len;
    if (avrobin_read_long(c, &len) != 0)
        return -1;
    if (len > 0 && len <= c->end - c->p && memchr(c->p, '\0', (size_t)len)) {
        c->err = "a map key holds a NUL byte";
        return -1;
    }
    return avrobin_skip(c, len);
}

/* Arrays and maps: blocks of items, a negative count followed by the
 * block's byte size, a zero count at the end. */
static int check_blocks(avrobin_cursor_t *c, avro_schema_t item, int is_map, int depth)
{
    for (;;) {
        int64_t n;
        if (avrobin_read_long(c, &n) != 0)
            return -1;
        if (n == 0)
            return 0;
        if (n < 0) {
            int64_t bytes;
            if (n == INT64_MIN || avrobin_read_long(c, &bytes) != 0) {
                c->err = c->err ? c->err : "corrupt block count";
                return -1;
            }
            n = -n;
        }
        if (n > c->end - c->p) { /* every item takes a byte, but null */
            c->err = "block count larger than the data";
            return -1;
        }
        for (int64_t i = 0; i < n; i++) {
            if (is_map && check_map_key(c) != 0)
                return -1;
            if (check_value(c, item, depth + 1) != 0)
                return -1;
        }
    }
}

/* A varint that must lie in [lo, hi): an int, an enum index, a branch. */
static int check_index(avrobin_cursor_t *c, int64_t lo, int64_t hi, const char *what)
{
    int64_t n;

    if (avrobin_read_long(c, &n) != 0)
        return -1;
    if (n < lo || n >= hi) {
        c->err = what;
        return -1;
    }
    return 0;
}

static int check_union(avrobin_cursor_t *c, avro_schema_t s, int depth)
{
    int64_t n;

    if (avrobin_read_long(c, &n) != 0)
        return -1;
    if (n < 0 || (uint64_t)n >= avro_schema_union_size(s)) {
        c->err = "union branch out of range";
        return -1;
    }
    return check_value(c, avro_schema_union_branch(s, (int)n), depth + 1);
}

static int check_value(avrobin_cursor_t *c, avro_schema_t s, int depth)
{
    int64_t n;

    s = schema_avro_deref(s);
    if (depth > AVROBIN_MAX_DEPTH) {
        c->err = "nested too deeply";
        return -1;
    }
    switch (avro_typeof(s)) {
    case AVRO_NULL:
        return 0;
    case AVRO_BOOLEAN:
        if (avrobin_skip(c, 1) != 0)
            return -1;
        if (c->p[-1] > 1) {
            c->err = "corrupt boolean";
            return -1;
        }
        return 0;
    case AVRO_INT32:
        return check_index(c, INT32_MIN, (int64_t)INT32_MAX + 1, "int out of range");
    case AVRO_INT64:
        return avrobin_read_long(c, &n);
    case AVRO_FLOAT:
        return avrobin_skip(c, 4);
    case AVRO_DOUBLE:
        return avrobin_skip(c, 8);
    case AVRO_STRING:
    case AVRO_BYTES:
        return avrobin_read_long(c, &n) != 0 ? -1 : avrobin_skip(c, n);
    case AVRO_FIXED:
        return avrobin_skip(c, avro_schema_fixed_size(s));
    case AVRO_ENUM:
        return check_index(c, 0, avro_schema_enum_number_of_symbols(s), "enum index out of range");
    case AVRO_UNION:
        return check_union(c, s, depth);
    case AVRO_RECORD:
        for (size_t i = 0; i < avro_schema_record_size(s); i++)
            if (check_value(c, avro_schema_record_field_get_by_index(s, (int)i), depth + 1) != 0)
                return -1;
        return 0;
    case AVRO_ARRAY:
        return check_blocks(c, avro_schema_array_items(s), 0, depth);
    case AVRO_MAP:
        return check_blocks(c, avro_schema_map_values(s), 1, depth);
    default:
        c->err = "unsupported type in schema";
        return -1;
    }
}

int avrobin_skip_datum(avrobin_cursor_t *c, avro_schema_t s)
{
    return check_value(c, s, 0);
}
