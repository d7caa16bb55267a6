/*
 * convert_row.c - Avro value -> the JSON "row form" of convert.h, which
 * PostgreSQL's jsonb_populate_record() turns into the columns (README "PostgreSQL").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "avrodefault.h"
#include "convert.h"
#include "convert_priv.h"
#include "isotime.h"
#include "jsonnum.h"

static json_t *get_generic(const conv_ctx_t *c, avro_value_t *v);
static json_t *get_logical(const conv_ctx_t *c, const schema_field_t *f, avro_value_t *v);

static json_t *null_fail(const conv_ctx_t *c, const char *what)
{
    conv_fail(c, "%s", what);
    return NULL;
}

static json_t *get_string(const conv_ctx_t *c, avro_value_t *v)
{
    const char *s;
    size_t size;

    if (avro_value_get_string(v, &s, &size) != 0)
        return conv_avro_fail(c), NULL;
    /* Inside a jsonb value such a string would read as a number kept as
     * text (get_real); PostgreSQL refuses it there anyway. */
    if (c->depth > 0 && size > 1 && s && s[0] == '\0')
        return null_fail(c, "a string inside a jsonb value starts with U+0000 (22P05: "
                            "unsupported Unicode escape sequence)");
    json_t *j = json_stringn(s ? s : "", size ? size - 1 : 0);
    return j ? j : null_fail(c, "string is not valid UTF-8");
}

/* NaN and the infinities have no JSON number: they go as the strings
 * PostgreSQL's real and double precision read ("NaN", "Infinity",
 * "-Infinity"), which jsonb_populate_record() hands to the column's input
 * function; inside a jsonb column they stay strings. A top-level value is
 * a json_real, whose every digit its real or double precision column
 * reads back to the same value. Inside a record, array or map (a jsonb
 * value, numeric: it keeps whatever digits it is given) it is a number
 * kept as text, its shortest text: a float 0.1 widened to a double and
 * written in full would read 0.10000000149011612 there. */
static json_t *get_real(const conv_ctx_t *c, double d, int is_float)
{
    json_t *j;
    char text[JSONNUM_REAL_TEXT_SIZE];

    if (isnan(d))
        j = json_string("NaN");
    else if (isinf(d))
        j = json_string(d > 0 ? "Infinity" : "-Infinity");
    else if (c->depth > 0)
        j = jsonnum_make(text, jsonnum_real_text(d, is_float, text));
    else
        j = json_real(d);
    return j ? j : null_fail(c, "out of memory");
}

/* A record or (is_map) a map, as a JSON object. */
static json_t *get_record(const conv_ctx_t *c, avro_value_t *v, int is_map)
{
    size_t n;
    json_t *obj = json_object();
    const json_t *member = is_map ? conv_type_member(c) : NULL;

    avro_value_get_size(v, &n);
    for (size_t i = 0; obj && i < n; i++) {
        avro_value_t child;
        const char *name;
        char path[CONV_PATH_SIZE];
        conv_ctx_t sc;
        json_t *jv = NULL;
        if (avro_value_get_by_index(v, i, &child, &name) == 0 &&
            conv_sub_ctx(&sc, path, c, name, 0) == 0) {
            sc.type = is_map ? member : conv_type_field(c, name);
            jv = get_generic(&sc, &child);
        }
        if (!jv || json_object_set_new(obj, name, jv) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj ? obj : null_fail(c, "out of memory");
}

static json_t *get_array(const conv_ctx_t *c, avro_value_t *v)
{
    size_t n;
    json_t *arr = json_array();
    const json_t *member = conv_type_member(c);

    avro_value_get_size(v, &n);
    for (size_t i = 0; arr && i < n; i++) {
        avro_value_t child;
        char path[CONV_PATH_SIZE];
        conv_ctx_t sc;
        json_t *jv = NULL;
        if (avro_value_get_by_index(v, i, &child, NULL) == 0 &&
            conv_sub_ctx(&sc, path, c, NULL, i) == 0) {
            sc.type = member;
            jv = get_generic(&sc, &child);
        }
        if (!jv || json_array_append_new(arr, jv) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr ? arr : null_fail(c, "out of memory");
}

static json_t *get_blob(const conv_ctx_t *c, avro_value_t *v, int fixed)
{
    const void *p;
    size_t size;
    int rc = fixed ? avro_value_get_fixed(v, &p, &size) : avro_value_get_bytes(v, &p, &size);
    if (rc != 0)
        return conv_avro_fail(c), NULL;
    return conv_base64_json(p, size);
}

static json_t *get_generic(const conv_ctx_t *c, avro_value_t *v)
{
    int32_t i32;
    int64_t i64;
    float f;
    double d;
    int b;
    avro_value_t branch;
    schema_field_t lf;

    if (conv_type_logical(c, avro_value_get_schema(v), &lf))
        return get_logical(c, &lf, v);
    switch (avro_value_get_type(v)) {
    case AVRO_NULL:
        return json_null();
    case AVRO_BOOLEAN:
        return avro_value_get_boolean(v, &b) ? NULL : json_boolean(b);
    case AVRO_INT32:
        return avro_value_get_int(v, &i32) ? NULL : json_integer(i32);
    case AVRO_INT64:
        return avro_value_get_long(v, &i64) ? NULL : json_integer(i64);
    case AVRO_FLOAT:
        return avro_value_get_float(v, &f) ? NULL : get_real(c, f, 1);
    case AVRO_DOUBLE:
        return avro_value_get_double(v, &d) ? NULL : get_real(c, d, 0);
    case AVRO_STRING:
        return get_string(c, v);
    case AVRO_BYTES:
        return get_blob(c, v, 0);
    case AVRO_FIXED:
        return get_blob(c, v, 1);
    case AVRO_ENUM:
        if (avro_value_get_enum(v, &b) != 0)
            return NULL;
        const char *sym = avro_schema_enum_get(avro_value_get_schema(v), b);
        return sym ? json_string(sym) : null_fail(c, "bad enum index");
    case AVRO_RECORD:
        return get_record(c, v, 0);
    case AVRO_MAP:
        return get_record(c, v, 1);
    case AVRO_ARRAY:
        return get_array(c, v);
    case AVRO_UNION: {
        conv_ctx_t bc = *c;
        if (avro_value_get_discriminant(v, &b) != 0 ||
            avro_value_get_current_branch(v, &branch) != 0)
            return conv_avro_fail(c), NULL;
        bc.type = b >= 0 ? conv_type_branch(c, (size_t)b) : NULL;
        return get_generic(&bc, &branch);
    }
    default:
        return null_fail(c, "unsupported Avro type");
    }
}

static json_t *timestamp_json(int64_t val, int micros)
{
    char buf[ISOTIME_BUFSIZE + 8];

    if (!micros) {
        isotime_format(val, buf, sizeof(buf));
        return json_string(buf);
    }
    int64_t ms = val / 1000 - (val % 1000 < 0); /* floor */
    int rest = (int)(val % 1000);               /* not val - ms * 1000: overflows near INT64_MIN */
    if (rest < 0)
        rest += 1000;
    isotime_format(ms, buf, ISOTIME_BUFSIZE);
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == 'Z') /* "...sss" + "uuu" + "Z" */
        snprintf(buf + n - 1, sizeof(buf) - (n - 1), "%03dZ", rest);
    return json_string(buf);
}

/* A local timestamp: the timestamp's text without its "Z". */
static json_t *local_timestamp_json(int64_t val, int micros)
{
    json_t *j = timestamp_json(val, micros);
    size_t n = j ? json_string_length(j) : 0;

    if (n > 0 && json_string_value(j)[n - 1] == 'Z' &&
        json_string_setn(j, json_string_value(j), n - 1) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *get_timestamp(const conv_ctx_t *c, avro_value_t *v, int micros, int local)
{
    int64_t val;

    if (avro_value_get_long(v, &val) != 0)
        return conv_avro_fail(c), NULL;
    return local ? local_timestamp_json(val, micros) : timestamp_json(val, micros);
}

static json_t *get_time(const conv_ctx_t *c, avro_value_t *v, int micros)
{
    int32_t ms;
    int64_t us;

    if (micros ? avro_value_get_long(v, &us) != 0 : avro_value_get_int(v, &ms) != 0)
        return conv_avro_fail(c), NULL;
    return conv_time_json(c, micros ? us : ms, micros);
}

static json_t *get_uuid(const conv_ctx_t *c, avro_value_t *v)
{
    const char *s;
    size_t size;

    if (avro_value_get_string(v, &s, &size) != 0)
        return conv_avro_fail(c), NULL;
    return conv_uuid_json(c, s ? s : "", size ? size - 1 : 0);
}

static json_t *get_decimal(const conv_ctx_t *c, const schema_field_t *f, avro_value_t *v)
{
    const void *p;
    size_t size;

    if (avro_value_get_bytes(v, &p, &size) != 0)
        return conv_avro_fail(c), NULL;
    /* A value the column cannot hold is refused before it is converted:
     * from its size alone when it is far too long (hostile input must not
     * cost quadratic time), else from its exact digits. */
    if (decimal_digits_min(p, size) > (size_t)f->precision)
        return conv_fail(c,
                         "a %zu-byte unscaled value has more than %d "
                         "digits: it does not fit decimal(%d,%d)",
                         size, f->precision, f->precision, f->scale),
               NULL;
    size_t cap = size * 3 + (size_t)f->scale + 4;
    char *text = malloc(cap);
    int rc = text ? decimal_to_text(p, size, f->scale, text, cap) : -1;
    if (rc != 0) {
        free(text);
        return null_fail(c,
                         rc == -2 ? "past PostgreSQL's numeric limits" : "cannot format decimal");
    }
    size_t nd = 0;
    int lead = 1;
    for (const char *q = text; *q; q++) {
        if (*q < '0' || *q > '9' || (lead && *q == '0'))
            continue;
        lead = 0;
        nd++;
    }
    if (nd > (size_t)f->precision) {
        conv_fail(c, "%zu digits do not fit decimal(%d,%d)", nd, f->precision, f->scale);
        free(text);
        return NULL;
    }
    json_t *j = json_string(text);
    free(text);
    return j;
}

static json_t *get_bytea(const conv_ctx_t *c, avro_value_t *v)
{
    const unsigned char *p;
    size_t size;
    static const char hex[] = "0123456789abcdef";

    if (avro_value_get_bytes(v, (const void **)&p, &size) != 0)
        return conv_avro_fail(c), NULL;
    char *s = malloc(size * 2 + 3);
    if (!s)
        return null_fail(c, "out of memory");
    s[0] = '\\'; /* PostgreSQL's bytea hex format: \x0a0b */
    s[1] = 'x';
    for (size_t i = 0; i < size; i++) {
        s[2 + 2 * i] = hex[p[i] >> 4];
        s[3 + 2 * i] = hex[p[i] & 15];
    }
    s[2 + 2 * size] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *get_field(const conv_ctx_t *c, const schema_field_t *f, avro_value_t *v)
{
    avro_value_t target = *v;

    if (avro_value_get_type(v) == AVRO_UNION) {
        if (avro_value_get_current_branch(v, &target) != 0)
            return conv_avro_fail(c), NULL;
        if (avro_value_get_type(&target) == AVRO_NULL)
            return json_null();
    }
    return get_logical(c, f, &target);
}

/* A value of field type f: its logical type's row form, or by Avro type. */
static json_t *get_logical(const conv_ctx_t *c, const schema_field_t *f, avro_value_t *v)
{
    avro_value_t target = *v;
    int32_t days;
    char buf[ISOTIME_BUFSIZE];

    switch (f->type) {
    case FT_TIMESTAMP_MILLIS:
    case FT_TIMESTAMP_MICROS:
    case FT_LOCAL_TS_MILLIS:
    case FT_LOCAL_TS_MICROS:
        return get_timestamp(c, &target,
                             f->type == FT_TIMESTAMP_MICROS || f->type == FT_LOCAL_TS_MICROS,
                             f->type == FT_LOCAL_TS_MILLIS || f->type == FT_LOCAL_TS_MICROS);
    case FT_TIME_MILLIS:
    case FT_TIME_MICROS:
        return get_time(c, &target, f->type == FT_TIME_MICROS);
    case FT_UUID:
        return get_uuid(c, &target);
    case FT_DATE:
        if (avro_value_get_int(&target, &days) != 0)
            return conv_avro_fail(c), NULL;
        isotime_format_date(isotime_days_to_ms(days), buf, sizeof(buf));
        return json_string(buf);
    case FT_DECIMAL:
        return get_decimal(c, f, &target);
    case FT_BYTES:
        return get_bytea(c, &target);
    default:
        return get_generic(c, &target);
    }
}

/*
 * Each real inside v (a nested default, as the schema's JSON parser read
 * it) replaced by its shortest text, as get_real() writes the reals of a
 * nested value: jansson would dump 0.1 as 0.10000000000000001, and jsonb
 * keeps every digit, so one column would hold one number two ways. 0, or
 * -1 out of memory.
 */
static int reals_as_text(json_t *v);

/* m, a member of a nested default: its shortest text if it is a real
 * (into *out, a new reference), else NULL with the reals inside it
 * rewritten. 0, or -1 out of memory. */
static int member_as_text(json_t *m, json_t **out)
{
    char text[JSONNUM_REAL_TEXT_SIZE];

    *out = NULL;
    if (!json_is_real(m) || !isfinite(json_real_value(m)))
        return reals_as_text(m);
    *out = jsonnum_make(text, jsonnum_real_text(json_real_value(m), 0, text));
    return *out ? 0 : -1;
}

static int reals_as_text(json_t *v)
{
    const char *key;
    json_t *m, *t;
    size_t i;
    void *tmp;

    if (json_is_object(v)) {
        json_object_foreach_safe(v, tmp, key, m)
        {
            if (member_as_text(m, &t) != 0 || (t && json_object_set_new(v, key, t) != 0))
                return -1;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m)
        {
            if (member_as_text(m, &t) != 0 || (t && json_array_set_new(v, i, t) != 0))
                return -1;
        }
    }
    return 0;
}

/* The row form of field i when the writer of the event did not have it:
 * its schema default, or null. */
static json_t *default_field(const conv_ctx_t *c, const record_schema_t *rs, size_t i)
{
    const schema_field_t *f = &rs->fields[i];
    json_t *fj = json_array_get(json_object_get(rs->json_doc, "fields"), i);
    json_t *d = json_object_get(fj, "default");
    char buf[ISOTIME_BUFSIZE];

    /* a default that does not fit its type (the producer writes none
     * either: avrodefault.h) counts as none */
    if (!d || json_is_null(d) || f->default_wrong) {
        if (f->nullable) /* null even without a declared default */
            return json_null();
        if (f->default_wrong) {
            conv_fail(c, "not in the writer's schema, and its default does not fit: %s",
                      f->default_unfit);
            return NULL;
        }
        return null_fail(c, "not in the writer's schema, and no default");
    }
    switch (f->type) {
    case FT_TIMESTAMP_MILLIS:
    case FT_TIMESTAMP_MICROS:
        if (!json_is_integer(d))
            break;
        return timestamp_json(json_integer_value(d), f->type == FT_TIMESTAMP_MICROS);
    case FT_LOCAL_TS_MILLIS:
    case FT_LOCAL_TS_MICROS:
        if (!json_is_integer(d))
            break;
        return local_timestamp_json(json_integer_value(d), f->type == FT_LOCAL_TS_MICROS);
    case FT_TIME_MILLIS:
    case FT_TIME_MICROS:
        if (!json_is_integer(d))
            break;
        return conv_time_json(c, json_integer_value(d), f->type == FT_TIME_MICROS);
    case FT_UUID:
        if (!json_is_string(d))
            break;
        return conv_uuid_json(c, json_string_value(d), json_string_length(d));
    case FT_DATE:
        if (!json_is_integer(d))
            break;
        isotime_format_date(isotime_days_to_ms((int32_t)json_integer_value(d)), buf, sizeof(buf));
        return json_string(buf);
    case FT_BYTES:
    case FT_DECIMAL: {
        unsigned char *b;
        size_t n;
        json_t *j = NULL;
        if (avrodefault_bytes(d, &b, &n) != 0)
            break;
        if (f->type == FT_DECIMAL) {
            size_t cap = n * 3 + (size_t)f->scale + 4;
            char *text = malloc(cap);
            if (text && decimal_to_text(b, n, f->scale, text, cap) == 0)
                j = json_string(text);
            free(text);
        } else {
            static const char hex[] = "0123456789abcdef";
            char *h = malloc(n * 2 + 3);
            if (h) {
                h[0] = '\\';
                h[1] = 'x';
                for (size_t k = 0; k < n; k++) {
                    h[2 + 2 * k] = hex[b[k] >> 4];
                    h[3 + 2 * k] = hex[b[k] & 15];
                }
                h[2 + 2 * n] = '\0';
                j = json_string(h);
            }
            free(h);
        }
        free(b);
        return j ? j : null_fail(c, "bad default");
    }
    case FT_RECORD:
    case FT_ARRAY:
    case FT_MAP: {
        json_t *j = json_deep_copy(d);
        if (j && reals_as_text(j) == 0)
            return j;
        json_decref(j);
        return null_fail(c, "out of memory");
    }
    case FT_FLOAT: /* as the producer writes it: the double read, then a float */
    case FT_DOUBLE:
        if (!json_is_number(d))
            break;
        return get_real(
            c, f->type == FT_FLOAT ? (double)(float)json_number_value(d) : json_number_value(d),
            f->type == FT_FLOAT);
    default:
        return json_deep_copy(d); /* numbers, strings, symbols */
    }
    return null_fail(c, "bad default");
}

int *convert_row_fields_at(const record_schema_t *rs, avro_schema_t in_schema)
{
    int *at = malloc((rs->n_fields ? rs->n_fields : 1) * sizeof(*at));

    for (size_t i = 0; at && i < rs->n_fields; i++)
        at[i] =
            in_schema ? avro_schema_record_field_get_index(in_schema, rs->fields[i].name) : (int)i;
    return at;
}

json_t *convert_avro_to_row_at(const record_schema_t *rs, avro_value_t *in, const int *at,
                               char *errstr, size_t errstr_size)
{
    avro_schema_t in_schema = at ? NULL : avro_value_get_schema(in);
    json_t *row = json_object();

    if (errstr && errstr_size)
        errstr[0] = '\0'; /* so that a silent failure below is noticed */
    if (!row) {
        if (errstr && errstr_size)
            errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < rs->n_fields; i++) {
        const schema_field_t *f = &rs->fields[i];
        conv_ctx_t c = {f->name, 0, errstr, errstr_size, f->type_resolved, rs->json_doc, NULL};
        avro_value_t child;
        json_t *jv = NULL;
        /* by name: a value resolved from an older writer may lack fields */
        int fi = at          ? at[i]
                 : in_schema ? avro_schema_record_field_get_index(in_schema, f->name)
                             : (int)i;
        if (fi < 0)
            jv = default_field(&c, rs, i);
        else if (avro_value_get_by_index(in, (size_t)fi, &child, NULL) != 0)
            conv_avro_fail(&c);
        else
            jv = get_field(&c, f, &child);
        if (!jv || json_object_set_new(row, f->name, jv) != 0) {
            if (errstr && errstr_size && !*errstr)
                conv_fail(&c, "cannot convert");
            json_decref(row);
            return NULL;
        }
    }
    return row;
}

json_t *convert_avro_to_row(const record_schema_t *rs, avro_value_t *in, char *errstr,
                            size_t errstr_size)
{
    return convert_avro_to_row_at(rs, in, NULL, errstr, errstr_size);
}
