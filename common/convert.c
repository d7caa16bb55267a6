/*
 * convert.c - source JSON record -> Avro binary of its record schema,
 * written field by field as the schema orders them (avroenc.h); the other
 * direction is in convert_row.c, decimals in decimal.c, dates, times and
 * uuids in convert_logical.c.
 *
 * Top-level fields are converted by their schema_field_t (which knows the
 * logical types); values nested inside records, arrays and maps by the
 * logical type of their JSON type (convert_nested.c follows it down), else
 * by their Avro type.
 */
#include "errstr.h"
#include "convert.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert_priv.h"
#include "isotime.h"
#include "jsonnum.h"

#define DECIMAL_BUF 512 /* bytes of an unscaled decimal: ~1200 digits */

int conv_fail(const conv_ctx_t *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    errstr_set(c->errstr, c->errstr_size, "field '%s': %s", c->path, msg);
    return -1;
}

int conv_avro_fail(const conv_ctx_t *c)
{
    return conv_fail(c, "avro: %s", avro_strerror());
}

static const char *json_kind(const json_t *v)
{
    if (!v)
        return "missing";
    if (jsonnum_is(v))
        return jsonnum_is_integer(v) ? "an integer" : "a real number";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

int conv_expected(const conv_ctx_t *c, const char *what, const json_t *v)
{
    if (!v)
        return conv_fail(c, "missing (expected %s)", what);
    return conv_fail(c, "expected %s, got %s", what, json_kind(v));
}

/* ---- base64 (bytes in source JSON and in nested row-form values) ---- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(int ch)
{
    const char *p = ch ? strchr(b64chars, ch) : NULL;
    return p ? (int)(p - b64chars) : -1;
}

/* Standard alphabet, '=' padding optional. out holds len*3/4+3 bytes. */
static int base64_decode(const char *in, size_t len, unsigned char *out, size_t *out_len)
{
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;

    while (len > 0 && in[len - 1] == '=')
        len--;
    for (size_t i = 0; i < len; i++) {
        int v = b64val((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (bits >= 6) /* a lone sextet is not a whole byte */
        return -1;
    *out_len = o;
    return 0;
}

json_t *conv_base64_json(const unsigned char *in, size_t len)
{
    char *s = malloc((len + 2) / 3 * 4 + 1);
    size_t o = 0;

    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        s[o++] = b64chars[(v >> 18) & 63];
        s[o++] = b64chars[(v >> 12) & 63];
        s[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
        s[o++] = i + 2 < len ? b64chars[v & 63] : '=';
    }
    s[o] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

/* ---- JSON -> Avro, one value ---------------------------------------- */

/* The JSON number syntax of string v's whole text (a NUL inside ends
 * no number). */
static jsonnum_syntax_t string_syntax(const json_t *v)
{
    const char *s = json_string_value(v);
    return strlen(s) == json_string_length(v) ? jsonnum_syntax(s) : JSONNUM_NOT;
}

/* An integer from a JSON integer or a string holding one as JSON spells
 * it ("42", "-7"; not "+7", "007" or "0x1A": digits read some other way
 * than the source meant). A JSON number kept as text is an integer too
 * large for int64 (the reader makes every other integer a json_integer)
 * or not an integer at all. */
static int get_integer(const conv_ctx_t *c, const json_t *v, int64_t lo, int64_t hi,
                       const char *what, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
    } else if (jsonnum_is_integer(v)) {
        return conv_fail(c, "%.*s%s is out of range for %s", UTF8_SHOWN(jsonnum_text(v)), what);
    } else if (jsonnum_is_string(v)) {
        const char *s = json_string_value(v);
        if (string_syntax(v) != JSONNUM_INTEGER)
            return conv_fail(c, "'%.*s%s' is not an integer", UTF8_SHOWN(s));
        errno = 0;
        long long ll = strtoll(s, NULL, 10);
        if (errno == ERANGE)
            return conv_fail(c, "'%.*s%s' is out of range for %s", UTF8_SHOWN(s), what);
        *out = ll;
    } else {
        return conv_expected(c, "an integer", v);
    }
    if (*out < lo || *out > hi)
        return conv_fail(c, "%" PRId64 " is out of range for %s", *out, what);
    return 0;
}

/* Whether a number's text has a digit other than 0 before its exponent:
 * one strtod made 0 of went below the smallest double. */
static int mantissa_nonzero(const char *t)
{
    for (; *t && *t != 'e' && *t != 'E'; t++)
        if (*t >= '1' && *t <= '9')
            return 1;
    return 0;
}

/* The double of a number's text that JSON's grammar checked, or -1 when it
 * lies past a double's range either way: infinite, or not zero and read
 * as zero. Below the normal range, where strtod says ERANGE and yet gives
 * a subnormal, it is that value (as PostgreSQL's float8in takes it). */
static int text_to_double(const char *t, double *out)
{
    *out = strtod(t, NULL);
    return isfinite(*out) && (*out != 0 || !mantissa_nonzero(t)) ? 0 : -1;
}

/* A double from a JSON number (exactly as strtod reads its text, when the
 * reader kept it) or a string holding one as JSON spells it: strtod alone
 * would also read "0x1A", "inf", "nan", "+1" and ".5". A number past a
 * double's range, above or below (1e-400 is not 0), is refused. */
static int get_number(const conv_ctx_t *c, const json_t *v, const char *what, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (jsonnum_is(v)) { /* the reader checked its grammar */
        if (text_to_double(jsonnum_text(v), out) == 0)
            return 0;
        return conv_fail(c, "%.*s%s is out of range for %s", UTF8_SHOWN(jsonnum_text(v)), what);
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (string_syntax(v) == JSONNUM_NOT)
            return conv_fail(c, "'%.*s%s' is not a finite number", UTF8_SHOWN(s));
        if (text_to_double(s, out) == 0)
            return 0;
        return conv_fail(c, "'%.*s%s' is out of range for %s", UTF8_SHOWN(s), what);
    }
    return conv_expected(c, "a number", v);
}

static int set_string(const conv_ctx_t *c, const json_t *v)
{
    if (!jsonnum_is_string(v))
        return conv_expected(c, "a string", v);
    avroenc_bytes(c->w, json_string_value(v), json_string_length(v));
    return 0;
}

static int decode_b64(const conv_ctx_t *c, const json_t *v, unsigned char **buf, size_t *len)
{
    if (!jsonnum_is_string(v))
        return conv_expected(c, "a base64 string", v);
    size_t slen = json_string_length(v);
    *buf = malloc(slen * 3 / 4 + 3);
    if (!*buf)
        return conv_fail(c, "out of memory");
    if (base64_decode(json_string_value(v), slen, *buf, len) != 0) {
        free(*buf);
        *buf = NULL;
        return conv_fail(c, "not valid base64");
    }
    return 0;
}

static int set_bytes(const conv_ctx_t *c, const json_t *v)
{
    unsigned char *buf;
    size_t len;

    if (decode_b64(c, v, &buf, &len) != 0)
        return -1;
    avroenc_bytes(c->w, buf, len);
    free(buf);
    return 0;
}

static int set_fixed(const conv_ctx_t *c, avro_schema_t s, const json_t *v)
{
    unsigned char *buf;
    size_t len;
    int64_t want = avro_schema_fixed_size(s);

    if (decode_b64(c, v, &buf, &len) != 0)
        return -1;
    if ((int64_t)len != want) {
        free(buf);
        return conv_fail(c, "%zu bytes, the fixed type has %" PRId64, len, want);
    }
    avroenc_raw(c->w, buf, len); /* no length: the schema has it */
    free(buf);
    return 0;
}

static int set_enum(const conv_ctx_t *c, avro_schema_t s, const json_t *v)
{
    if (!jsonnum_is_string(v))
        return conv_expected(c, "an enum symbol", v);
    int idx = avro_schema_enum_get_by_name(s, json_string_value(v));
    if (idx < 0)
        return conv_fail(c, "'%.*s%s' is not a symbol of enum %s", UTF8_SHOWN(json_string_value(v)),
                         avro_schema_name(s));
    avroenc_long(c->w, idx);
    return 0;
}

static int set_decimal(const conv_ctx_t *c, const schema_field_t *f, const json_t *v)
{
    char text[512], err[512];
    unsigned char buf[DECIMAL_BUF];
    size_t len;

    if (jsonnum_is(v)) {
        /* A JSON number as the source wrote it: every digit counts, an
         * exponent only moves the point. A value that fits is at most
         * precision digits, a sign, a point and a leading "0." long. */
        size_t fit = (size_t)f->precision + 5;
        if (jsonnum_to_plain(jsonnum_text(v), text, fit < sizeof(text) ? fit : sizeof(text)))
            return conv_fail(c, "%.40s%s does not fit decimal(%d,%d)", jsonnum_text(v),
                             strlen(jsonnum_text(v)) > 40 ? "..." : "", f->precision, f->scale);
    } else if (json_is_string(v)) {
        size_t n = json_string_length(v);
        if (n >= sizeof(text))
            return conv_fail(c, "decimal string too long");
        memcpy(text, json_string_value(v), n + 1); /* not snprintf: once per record */
    } else if (json_is_integer(v)) {
        jsonnum_int_text(json_integer_value(v), text);
    } else if (json_is_real(v)) {
        /* A double is exact only if its text at the scale reads back as
         * the same double: 12.345 at scale 2 does not. */
        double d = json_real_value(v);
        snprintf(text, sizeof(text), "%.*f", f->scale, d);
        if (!isfinite(d) || strtod(text, NULL) != d) {
            char shown[40];
            for (int prec = 15; prec <= 17; prec++) { /* shortest exact */
                snprintf(shown, sizeof(shown), "%.*g", prec, d);
                if (strtod(shown, NULL) == d)
                    break;
            }
            return conv_fail(c, "%s has more than %d decimal places", shown, f->scale);
        }
    } else {
        return conv_expected(c, "a decimal string or number", v);
    }
    if (decimal_from_text(text, f->precision, f->scale, buf, sizeof(buf), &len, err, sizeof(err)) !=
        0)
        return conv_fail(c, "%s", err);
    avroenc_bytes(c->w, buf, len);
    return 0;
}

static int set_generic(const conv_ctx_t *c, avro_schema_t s, const json_t *v);

/* The context of a child: "path.name" (name) or "path[idx]" (!name). */
int conv_sub_ctx(conv_ctx_t *sub, char *buf, const conv_ctx_t *c, const char *name, size_t idx)
{
    *sub = *c;
    if (name)
        snprintf(buf, CONV_PATH_SIZE, "%s.%s", c->path, name);
    else
        snprintf(buf, CONV_PATH_SIZE, "%s[%zu]", c->path, idx);
    sub->path = buf;
    sub->depth = c->depth + 1;
    if (sub->depth > CONV_MAX_DEPTH)
        return conv_fail(c, "nested more than %d levels deep", CONV_MAX_DEPTH);
    return 0;
}

static int set_record(const conv_ctx_t *c, avro_schema_t s, const json_t *v)
{
    if (!json_is_object(v))
        return conv_expected(c, "an object", v);
    size_t n = avro_schema_record_size(s);
    for (size_t i = 0; i < n; i++) {
        const char *name = avro_schema_record_field_name(s, (int)i);
        char path[CONV_PATH_SIZE];
        conv_ctx_t sc;
        if (conv_sub_ctx(&sc, path, c, name, 0) != 0)
            return -1;
        sc.type = conv_type_field(c, name);
        if (set_generic(&sc, avro_schema_record_field_get_by_index(s, (int)i),
                        json_object_get(v, name)) != 0)
            return -1;
    }
    return 0;
}

/* An array or a map is written as one block: its count (when not empty),
 * its items, and the empty block that ends it. */
static int set_array(const conv_ctx_t *c, avro_schema_t s, const json_t *v)
{
    size_t i;
    json_t *item;

    if (!json_is_array(v))
        return conv_expected(c, "an array", v);
    const json_t *member = conv_type_member(c);
    avro_schema_t items = avro_schema_array_items(s);
    if (json_array_size(v))
        avroenc_long(c->w, (int64_t)json_array_size(v));
    json_array_foreach(v, i, item)
    {
        char path[CONV_PATH_SIZE];
        conv_ctx_t sc;
        if (conv_sub_ctx(&sc, path, c, NULL, i) != 0)
            return -1;
        sc.type = member;
        if (set_generic(&sc, items, item) != 0)
            return -1;
    }
    avroenc_long(c->w, 0);
    return 0;
}

static int set_map(const conv_ctx_t *c, avro_schema_t s, const json_t *v)
{
    const char *key;
    json_t *item;

    if (!json_is_object(v))
        return conv_expected(c, "an object", v);
    const json_t *member = conv_type_member(c);
    avro_schema_t values = avro_schema_map_values(s);
    if (json_object_size(v))
        avroenc_long(c->w, (int64_t)json_object_size(v));
    json_object_foreach((json_t *)v, key, item)
    {
        char path[CONV_PATH_SIZE];
        conv_ctx_t sc;
        if (conv_sub_ctx(&sc, path, c, key, 0) != 0)
            return -1;
        sc.type = member;
        avroenc_bytes(c->w, key, strlen(key));
        if (set_generic(&sc, values, item) != 0)
            return -1;
    }
    avroenc_long(c->w, 0);
    return 0;
}

static int null_branch(avro_schema_t un)
{
    for (size_t i = 0; i < avro_schema_union_size(un); i++)
        if (is_avro_null(avro_schema_union_branch(un, (int)i)))
            return (int)i;
    return -1;
}

/*
 * Whether branch s (its JSON type in bc) takes v as v's own JSON type
 * says: a string a string-like branch (string, bytes, fixed, enum, or a
 * logical type read from a string: a timestamp, a date, a time), an
 * integer an int or long, a real a float or double (a decimal either), an
 * object a record or map. Not the coercions the branch also allows (a
 * numeric string to a number, an integer to a double).
 */
static int branch_is_exact(const conv_ctx_t *bc, avro_schema_t s, const json_t *v)
{
    schema_field_t lf;
    int is_string = jsonnum_is_string(v), is_int = json_is_integer(v) || jsonnum_is_integer(v);
    int is_real = json_is_real(v) || (jsonnum_is(v) && !is_int);

    s = schema_avro_deref(s);
    switch (avro_typeof(s)) {
    case AVRO_STRING:
    case AVRO_ENUM:
        return is_string;
    case AVRO_BYTES:
    case AVRO_FIXED: /* a decimal is also sent as a number */
        return is_string || ((is_int || is_real) && conv_type_logical(bc, s, &lf));
    case AVRO_INT32:
    case AVRO_INT64:
        return is_int || (is_string && conv_type_logical(bc, s, &lf));
    case AVRO_FLOAT:
    case AVRO_DOUBLE:
        return is_real;
    case AVRO_BOOLEAN:
        return json_is_boolean(v);
    case AVRO_RECORD:
    case AVRO_MAP:
        return json_is_object(v);
    case AVRO_ARRAY:
        return json_is_array(v);
    default:
        return 0;
    }
}

/*
 * null (or missing) goes to the null branch. Anything else goes to the
 * first branch of its own JSON type that takes it (branch_is_exact), and
 * only when none does to the first other branch that takes it: with
 * ["long", "double", "string"], "01234" is that string, not the long
 * 1234, and 9007199254740993 a long, not a double. What a branch that did
 * not take v wrote before it failed is taken back.
 */
static int set_union(const conv_ctx_t *c, avro_schema_t un, const json_t *v)
{
    int nb = null_branch(un), n = (int)avro_schema_union_size(un), others = n - (nb >= 0);

    if (!v || json_is_null(v)) {
        if (nb < 0)
            return conv_fail(c, "is %s but the union has no null", json_kind(v));
        avroenc_long(c->w, nb); /* null itself is no bytes */
        return 0;
    }
    char scratch[8];
    conv_ctx_t quiet = *c;
    if (others > 1) { /* trial and error: keep only our own message */
        quiet.errstr = scratch;
        quiet.errstr_size = sizeof(scratch);
    }
    size_t start = c->w->len;
    for (int pass = others > 1 ? 0 : 1; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            if (i == nb)
                continue;
            avro_schema_t b = avro_schema_union_branch(un, i);
            quiet.type = conv_type_branch(c, (size_t)i);
            if (others > 1 && branch_is_exact(&quiet, b, v) != (pass == 0))
                continue; /* pass 0: the exact ones; pass 1: the others */
            c->w->len = start;
            avroenc_long(c->w, i);
            if (set_generic(&quiet, b, v) == 0)
                return 0;
        }
    }
    c->w->len = start;
    return others > 1 ? conv_fail(c, "%s matches no branch of the union", json_kind(v)) : -1;
}

static int set_scalar(const conv_ctx_t *c, avro_type_t t, const json_t *v)
{
    int64_t i;
    double d;

    switch (t) {
    case AVRO_INT32:
        if (get_integer(c, v, INT32_MIN, INT32_MAX, "int", &i) != 0)
            return -1;
        avroenc_long(c->w, i);
        break;
    case AVRO_INT64:
        if (get_integer(c, v, INT64_MIN, INT64_MAX, "long", &i) != 0)
            return -1;
        avroenc_long(c->w, i);
        break;
    case AVRO_FLOAT:
        if (get_number(c, v, "float", &d) != 0)
            return -1;
        /* 3.4028235e38 is FLT_MAX, as Java writes it; a number that is
         * not 0 and that a float holds only as 0 is past it too */
        if (!avroenc_float_fits(d) || (d != 0 && (float)d == 0))
            return conv_fail(c, "%g is out of range for float", d);
        avroenc_float(c->w, (float)d);
        break;
    case AVRO_DOUBLE:
        if (get_number(c, v, "double", &d) != 0)
            return -1;
        avroenc_double(c->w, d);
        break;
    case AVRO_BOOLEAN:
        if (!json_is_boolean(v))
            return conv_expected(c, "true or false", v);
        avroenc_boolean(c->w, json_is_true(v));
        break;
    default:
        return conv_fail(c, "unsupported Avro type");
    }
    return 0;
}

static int set_logical(const conv_ctx_t *c, const schema_field_t *f, avro_schema_t s,
                       const json_t *v);

/* Nested values: by their logical type when the JSON type has one, else
 * by Avro type. A named type used again by name is a link to it. */
static int set_generic(const conv_ctx_t *c, avro_schema_t s, const json_t *v)
{
    schema_field_t lf;

    s = schema_avro_deref(s);
    if (conv_type_logical(c, s, &lf))
        return set_logical(c, &lf, s, v);

    avro_type_t t = avro_typeof(s);
    switch (t) {
    case AVRO_NULL:
        if (v && !json_is_null(v))
            return conv_expected(c, "null", v);
        return 0; /* no bytes */
    case AVRO_STRING:
        return set_string(c, v);
    case AVRO_BYTES:
        return set_bytes(c, v);
    case AVRO_FIXED:
        return set_fixed(c, s, v);
    case AVRO_ENUM:
        return set_enum(c, s, v);
    case AVRO_RECORD:
        return set_record(c, s, v);
    case AVRO_ARRAY:
        return set_array(c, s, v);
    case AVRO_MAP:
        return set_map(c, s, v);
    case AVRO_UNION:
        return set_union(c, s, v);
    default:
        return set_scalar(c, t, v);
    }
}

/* A top-level field: its schema_field_t knows the logical type, the
 * Avro schemas and the null branch. */
static int set_field(const conv_ctx_t *c, const schema_field_t *f, const json_t *v)
{
    if (!v && f->default_avro) { /* left out: the schema's default */
        avroenc_raw(c->w, f->default_avro, f->default_len);
        return 0;
    }
    if (!v || json_is_null(v)) {
        if (f->nullable) {
            avroenc_long(c->w, f->null_branch); /* null itself is no bytes */
            return 0;
        }
        if (v)
            return conv_fail(c, "is null but the field is not nullable");
        if (f->default_unfit[0])
            return conv_fail(c,
                             "missing (the field is not nullable, and its default cannot be "
                             "written: %s)",
                             f->default_unfit);
        return conv_fail(c, "missing (the field is not nullable)");
    }
    if (f->nullable)
        avroenc_long(c->w, 1 - f->null_branch);
    return set_logical(c, f, f->value_avro, v);
}

/* A value of field type f (Avro schema s): its logical type's conversion,
 * or by Avro type. */
static int set_logical(const conv_ctx_t *c, const schema_field_t *f, avro_schema_t s,
                       const json_t *v)
{
    switch (f->type) {
    /* A record's primitive fields straight to their writer: classified
     * with the schema, they take no look at the Avro schema per value. */
    case FT_STRING:
        return set_string(c, v);
    case FT_INT:
        return set_scalar(c, AVRO_INT32, v);
    case FT_LONG:
        return set_scalar(c, AVRO_INT64, v);
    case FT_FLOAT:
        return set_scalar(c, AVRO_FLOAT, v);
    case FT_DOUBLE:
        return set_scalar(c, AVRO_DOUBLE, v);
    case FT_BOOLEAN:
        return set_scalar(c, AVRO_BOOLEAN, v);
    case FT_TIMESTAMP_MILLIS:
        return conv_set_timestamp(c, v, 0, f->epoch_unit);
    case FT_TIMESTAMP_MICROS:
        return conv_set_timestamp(c, v, 1, f->epoch_unit);
    case FT_DATE:
        return conv_set_date(c, v);
    case FT_DECIMAL:
        return set_decimal(c, f, v);
    case FT_UUID:
        return conv_set_uuid(c, v);
    case FT_TIME_MILLIS:
    case FT_TIME_MICROS:
        return conv_set_time(c, v, f->type == FT_TIME_MICROS);
    case FT_LOCAL_TS_MILLIS:
    case FT_LOCAL_TS_MICROS:
        if (conv_check_no_offset(c, v) != 0)
            return -1;
        return conv_set_timestamp(c, v, f->type == FT_LOCAL_TS_MICROS, f->epoch_unit);
    case FT_ENUM: /* no logical type to look for: straight to its symbols */
        return set_enum(c, schema_avro_deref(s), v);
    default:
        return set_generic(c, s, v);
    }
}

/* A record with more members is searched by hash alone. */
#define CONV_MEMBERS_MAX 64

typedef struct {
    const char *key;
    const json_t *value;
} conv_member_t;

/* obj's members in order, into m; their count, or 0 when there are more
 * than CONV_MEMBERS_MAX. */
static size_t list_members(const json_t *obj, conv_member_t m[CONV_MEMBERS_MAX])
{
    size_t n = 0;
    if (json_object_size(obj) > CONV_MEMBERS_MAX)
        return 0;
    for (void *it = json_object_iter((json_t *)obj); it && n < CONV_MEMBERS_MAX;
         it = json_object_iter_next((json_t *)obj, it)) {
        m[n].key = json_object_iter_key(it);
        m[n++].value = json_object_iter_value(it);
    }
    return n;
}

/* How many members find_member() compares before it asks the hash. */
#define CONV_FIND_AHEAD 4

/*
 * The member named name, or NULL: compared with the members of m from
 * *next on (wrapping around), CONV_FIND_AHEAD of them at most, and
 * *next moved past the one found; past those, looked up by hash. An API
 * mostly writes a record's members in one order, often the schema's, so
 * this is one comparison a field where json_object_get() hashes the name
 * (9% of the producer's instructions when every field was looked up so),
 * and never more than a few comparisons and one hash when the orders
 * differ or the field is absent.
 */
static const json_t *find_member(const json_t *obj, const conv_member_t *m, size_t n, size_t *next,
                                 const char *name)
{
    size_t j = *next;
    for (size_t k = 0; k < n && k < CONV_FIND_AHEAD; k++, j++) {
        if (j >= n)
            j = 0;
        if (strcmp(m[j].key, name) == 0) {
            *next = j + 1;
            return m[j].value;
        }
    }
    return json_object_get(obj, name);
}

int convert_json_to_avro(const record_schema_t *rs, const json_t *obj, avroenc_t *out, char *errstr,
                         size_t errstr_size)
{
    if (!json_is_object(obj)) {
        errstr_set(errstr, errstr_size, "the record is %s, not a JSON object", json_kind(obj));
        return -1;
    }
    conv_member_t m[CONV_MEMBERS_MAX];
    size_t n = list_members(obj, m), next = 0;
    for (size_t i = 0; i < rs->n_fields; i++) {
        const schema_field_t *f = &rs->fields[i];
        conv_ctx_t c = {f->name, 0, errstr, errstr_size, f->type_resolved, rs->json_doc, out};
        const json_t *v = find_member(obj, m, n, &next, f->name);
        if (set_field(&c, f, v) != 0)
            return -1;
    }
    /* the writer's failure is sticky: checked once, for the whole datum */
    if (avroenc_failed(out)) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}
