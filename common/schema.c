/*
 * schema.c - load a stream's record schema (.avsc): the avro-c schema for
 * encoding, plus what avro-c 1.11 does not know (logical types, decimal
 * precision and scale), read from the JSON document ourselves.
 */
#include "schema.h"
#include "avrodefault.h"
#include "avroenc.h"
#include "errstr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_NUMERIC_MAX_PRECISION 1000 /* PostgreSQL's numeric limit */

avro_schema_t schema_avro_deref(avro_schema_t s)
{
    while (s && is_avro_link(s))
        s = avro_schema_link_target(s);
    return s;
}

/* The branch of a ["null", T] union that is not null, and whether the
 * union is exactly that shape. */
static int nullable_branch(avro_schema_t un, int *branch_out)
{
    if (avro_schema_union_size(un) != 2)
        return -1;
    for (int i = 0; i < 2; i++) {
        avro_schema_t b = avro_schema_union_branch(un, i);
        avro_schema_t o = avro_schema_union_branch(un, 1 - i);
        if (is_avro_null(b) && !is_avro_null(o) && !is_avro_union(o)) {
            *branch_out = 1 - i;
            return 0;
        }
    }
    return -1;
}

static int json_int_member(const json_t *obj, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return 0; /* absent */
    if (!json_is_integer(v))
        return -1;
    json_int_t i = json_integer_value(v);
    if (i < 0 || i > SQL_NUMERIC_MAX_PRECISION)
        return -1;
    *out = (int)i;
    return 1;
}

static int classify_decimal(schema_field_t *f, avro_schema_t base, const json_t *tj, char *errstr,
                            size_t errstr_size)
{
    if (!is_avro_bytes(base)) {
        errstr_set(errstr, errstr_size, "field '%s': decimal is supported on bytes only", f->name);
        return -1;
    }
    f->type = FT_DECIMAL;
    int rc = json_int_member(tj, "precision", &f->precision);
    if (rc == 0) {
        errstr_set(errstr, errstr_size, "field '%s': decimal without precision", f->name);
        return -1;
    }
    if (rc < 0 || f->precision < 1) {
        errstr_set(errstr, errstr_size,
                   "field '%s': decimal precision must be an integer "
                   "from 1 to %d",
                   f->name, SQL_NUMERIC_MAX_PRECISION);
        return -1;
    }
    f->scale = 0;
    rc = json_int_member(tj, "scale", &f->scale);
    if (rc < 0 || f->scale > f->precision) {
        errstr_set(errstr, errstr_size,
                   "field '%s': decimal scale must be an integer from 0 to "
                   "the precision (%d)",
                   f->name, f->precision);
        return -1;
    }
    return 0;
}

/* A logical type on a base type, per the JSON of the field's type. An
 * unknown logical type means the base type, as the Avro spec says. */
static int classify_logical(schema_field_t *f, avro_schema_t base, const json_t *tj, char *errstr,
                            size_t errstr_size)
{
    const char *lt =
        json_is_object(tj) ? json_string_value(json_object_get(tj, "logicalType")) : NULL;
    if (!lt)
        return 0;
    if (strcmp(lt, "decimal") == 0)
        return classify_decimal(f, base, tj, errstr, errstr_size);

    static const struct {
        const char *name;
        avro_type_t base;
        field_type_t ft;
    } map[] = {
        {"timestamp-millis", AVRO_INT64, FT_TIMESTAMP_MILLIS},
        {"timestamp-micros", AVRO_INT64, FT_TIMESTAMP_MICROS},
        {"date", AVRO_INT32, FT_DATE},
        {"uuid", AVRO_STRING, FT_UUID},
        {"time-millis", AVRO_INT32, FT_TIME_MILLIS},
        {"time-micros", AVRO_INT64, FT_TIME_MICROS},
        {"local-timestamp-millis", AVRO_INT64, FT_LOCAL_TS_MILLIS},
        {"local-timestamp-micros", AVRO_INT64, FT_LOCAL_TS_MICROS},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(lt, map[i].name) != 0)
            continue;
        if (avro_typeof(base) != map[i].base) {
            errstr_set(errstr, errstr_size, "field '%s': %s must be on %s", f->name, lt,
                       map[i].base == AVRO_INT64   ? "long"
                       : map[i].base == AVRO_INT32 ? "int"
                                                   : "string");
            return -1;
        }
        f->type = map[i].ft;
        return 0;
    }
    return 0;
}

int schema_nested_logical(const json_t *tj, avro_schema_t base, schema_field_t *f)
{
    char err[8];

    *f = (schema_field_t){.name = "", .type = FT_RECORD}; /* FT_RECORD: not a logical type */
    return classify_logical(f, base, tj, err, sizeof(err)) == 0 && f->type != FT_RECORD;
}

static int classify_base(schema_field_t *f, avro_schema_t base, char *errstr, size_t errstr_size)
{
    switch (avro_typeof(base)) {
    case AVRO_STRING:
        f->type = FT_STRING;
        return 0;
    case AVRO_INT32:
        f->type = FT_INT;
        return 0;
    case AVRO_INT64:
        f->type = FT_LONG;
        return 0;
    case AVRO_FLOAT:
        f->type = FT_FLOAT;
        return 0;
    case AVRO_DOUBLE:
        f->type = FT_DOUBLE;
        return 0;
    case AVRO_BOOLEAN:
        f->type = FT_BOOLEAN;
        return 0;
    case AVRO_BYTES:
        f->type = FT_BYTES;
        return 0;
    case AVRO_ENUM:
        f->type = FT_ENUM;
        return 0;
    case AVRO_RECORD:
        f->type = FT_RECORD;
        return 0;
    case AVRO_ARRAY:
        f->type = FT_ARRAY;
        return 0;
    case AVRO_MAP:
        f->type = FT_MAP;
        return 0;
    case AVRO_NULL:
        errstr_set(errstr, errstr_size,
                   "field '%s': a field of type null "
                   "carries no data",
                   f->name);
        return -1;
    case AVRO_UNION:
        errstr_set(errstr, errstr_size,
                   "field '%s': only unions of the form "
                   "[\"null\", T] are supported",
                   f->name);
        return -1;
    default: /* fixed: its name would be the type's own name */
        errstr_set(errstr, errstr_size, "field '%s': type %s is not supported", f->name,
                   is_avro_fixed(base) ? "fixed" : avro_schema_type_name(base));
        return -1;
    }
}

/* Fills f from the field's avro schema (its shape, named references
 * resolved by avro-c) and its JSON (logical types). */
static int classify_field(schema_field_t *f, avro_schema_t fs, json_t *ftype, char *errstr,
                          size_t errstr_size)
{
    avro_schema_t base = schema_avro_deref(fs);
    json_t *tj = ftype;

    f->value_avro = fs;
    if (is_avro_union(base)) {
        int b;
        if (nullable_branch(base, &b) != 0) {
            errstr_set(errstr, errstr_size,
                       "field '%s': only unions of the "
                       "form [\"null\", T] are supported",
                       f->name);
            return -1;
        }
        f->nullable = 1;
        f->null_branch = 1 - b;
        f->value_avro = avro_schema_union_branch(base, b);
        tj = json_array_get(ftype, (size_t)b);
        base = schema_avro_deref(f->value_avro);
    }
    f->type_json = tj;
    if (classify_base(f, base, errstr, errstr_size) != 0)
        return -1;
    return classify_logical(f, base, tj, errstr, errstr_size);
}

/* f's default (dflt, NULL: none) as Avro binary of fs; one that does not
 * fit is left out, with why. -1 only when out of memory. */
static int load_default(schema_field_t *f, avro_schema_t fs, const json_t *ftype,
                        const json_t *dflt)
{
    if (!dflt)
        return 0;
    if (!avrodefault_type_plain(ftype)) {
        snprintf(f->default_unfit, sizeof(f->default_unfit),
                 "the default of a logical type is not written");
        return 0;
    }
    avroenc_t w = {0};
    char why[sizeof(f->default_unfit)];
    int rc = avrodefault_encode(fs, dflt, &w, why, sizeof(why));
    if (rc != 0) {
        avroenc_free(&w);
        snprintf(f->default_unfit, sizeof(f->default_unfit), "%s", why);
        f->default_wrong = rc != AVRODEFAULT_NOT_WRITTEN;
        return 0;
    }
    if (avroenc_failed(&w)) {
        avroenc_free(&w);
        return -1;
    }
    f->default_avro = w.buf; /* taken over */
    f->default_len = w.len;
    return 0;
}

#define NAMED_MAX_DEPTH 64

static const char *short_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot ? dot + 1 : name;
}

/* The definition (an object with "name") of the named type name in node. */
static const json_t *find_named(const json_t *node, const char *name, int depth)
{
    if (depth > NAMED_MAX_DEPTH)
        return NULL;
    if (json_is_object(node)) {
        const char *n = json_string_value(json_object_get(node, "name"));
        const char *t = json_string_value(json_object_get(node, "type"));
        if (n && t && (!strcmp(t, "record") || !strcmp(t, "fixed") || !strcmp(t, "enum")) &&
            !strcmp(short_name(n), name))
            return node;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)node, key, v)
        {
            const json_t *hit = find_named(v, name, depth + 1);
            if (hit)
                return hit;
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            const json_t *hit = find_named(v, name, depth + 1);
            if (hit)
                return hit;
        }
    }
    return NULL;
}

const json_t *schema_resolve_type(const json_t *doc, const json_t *type)
{
    if (!json_is_string(type) || !doc)
        return type;
    return find_named(doc, short_name(json_string_value(type)), 0);
}

static int split_names(record_schema_t *rs, const json_t *doc, char *errstr, size_t errstr_size)
{
    const char *name = json_string_value(json_object_get(doc, "name"));
    const char *ns = json_string_value(json_object_get(doc, "namespace"));
    const char *dot = name ? strrchr(name, '.') : NULL;

    if (!name || !*name) {
        errstr_set(errstr, errstr_size, "the record has no name");
        return -1;
    }
    if (dot) { /* a full name wins over "namespace" */
        rs->namespace = strndup(name, (size_t)(dot - name));
        rs->name = strdup(dot + 1);
        rs->fullname = strdup(name);
    } else {
        rs->name = strdup(name);
        if (ns && *ns) {
            rs->namespace = strdup(ns);
            rs->fullname = malloc(strlen(ns) + strlen(name) + 2);
            if (rs->fullname)
                sprintf(rs->fullname, "%s.%s", ns, name);
        } else {
            rs->fullname = strdup(name);
        }
    }
    if (!rs->name || !rs->fullname || (dot && !rs->namespace) ||
        (!dot && ns && *ns && !rs->namespace)) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

static int load_fields(record_schema_t *rs, char *errstr, size_t errstr_size)
{
    json_t *fields = json_object_get(rs->json_doc, "fields");
    size_t n = json_array_size(fields);

    if (n != avro_schema_record_size(rs->avro)) {
        errstr_set(errstr, errstr_size, "fields do not match the Avro schema");
        return -1;
    }
    rs->fields = calloc(n ? n : 1, sizeof(*rs->fields));
    if (!rs->fields) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *fj = json_array_get(fields, i);
        schema_field_t *f = &rs->fields[i];

        f->name = strdup(avro_schema_record_field_name(rs->avro, (int)i));
        rs->n_fields = i + 1; /* so that destroy frees f->name */
        if (!f->name) {
            errstr_set(errstr, errstr_size, "out of memory");
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(rs->fields[j].name, f->name) == 0) {
                errstr_set(errstr, errstr_size, "field '%s' is declared twice", f->name);
                return -1;
            }
        }
        avro_schema_t fs = avro_schema_record_field_get_by_index(rs->avro, (int)i);
        if (classify_field(f, fs, json_object_get(fj, "type"), errstr, errstr_size) != 0)
            return -1;
        f->type_resolved = schema_resolve_type(rs->json_doc, f->type_json);
        if (load_default(f, fs, json_object_get(fj, "type"), json_object_get(fj, "default")) != 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* Parses without the error prefix; the callers add "schema: " or the
 * file's path. */
static record_schema_t *parse(const char *json_text, char *errstr, size_t errstr_size)
{
    record_schema_t *rs = calloc(1, sizeof(*rs));

    if (!rs) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    json_error_t jerr;
    rs->json_doc = json_loads(json_text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!rs->json_doc) {
        errstr_set(errstr, errstr_size, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
        goto fail;
    }
    const char *type = json_string_value(json_object_get(rs->json_doc, "type"));
    if (!json_is_object(rs->json_doc) || !type || strcmp(type, "record")) {
        errstr_set(errstr, errstr_size,
                   "not an Avro record schema "
                   "(expected an object with \"type\": \"record\")");
        goto fail;
    }
    if (split_names(rs, rs->json_doc, errstr, errstr_size) != 0)
        goto fail;
    if (avro_schema_from_json_length(json_text, strlen(json_text), &rs->avro) != 0) {
        rs->avro = NULL;
        errstr_set(errstr, errstr_size, "%s", avro_strerror());
        goto fail;
    }
    if (load_fields(rs, errstr, errstr_size) != 0)
        goto fail;
    return rs;
fail:
    record_schema_destroy(rs);
    return NULL;
}

/* Puts prefix in front of what errstr says. */
static void prefix_err(char *errstr, size_t errstr_size, const char *prefix)
{
    if (!errstr || errstr_size == 0)
        return;
    char *tmp = strdup(errstr);
    if (!tmp)
        return;
    errstr_set(errstr, errstr_size, "%s: %s", prefix, tmp);
    free(tmp);
}

int record_schema_parse(const char *json_text, record_schema_t **out, char *errstr,
                        size_t errstr_size)
{
    *out = parse(json_text, errstr, errstr_size);
    if (!*out) {
        prefix_err(errstr, errstr_size, "schema");
        return -1;
    }
    return 0;
}

static char *read_file(const char *path, char *errstr, size_t errstr_size)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (!fp) {
        errstr_set(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap = cap * 2 + 8192);
            if (!nb) {
                errstr_set(errstr, errstr_size, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, fp);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(fp)) {
        errstr_set(errstr, errstr_size, "%s: read error", path);
        goto fail;
    }
    if (memchr(buf, '\0', len)) {
        errstr_set(errstr, errstr_size, "%s: contains a NUL byte", path);
        goto fail;
    }
    buf[len] = '\0';
    fclose(fp);
    return buf;
fail:
    free(buf);
    fclose(fp);
    return NULL;
}

int record_schema_load(const char *path, record_schema_t **out, char *errstr, size_t errstr_size)
{
    char *text = read_file(path, errstr, errstr_size);

    *out = NULL;
    if (!text)
        return -1;
    *out = parse(text, errstr, errstr_size);
    free(text);
    if (!*out) {
        prefix_err(errstr, errstr_size, path);
        return -1;
    }
    return 0;
}

void record_schema_destroy(record_schema_t *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n_fields; i++) {
        free(rs->fields[i].name);
        free(rs->fields[i].default_avro);
    }
    free(rs->fields);
    if (rs->avro)
        avro_schema_decref(rs->avro);
    json_decref(rs->json_doc);
    free(rs->name);
    free(rs->fullname);
    free(rs->namespace);
    free(rs);
}

int record_schema_field_index(const record_schema_t *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_fields; i++)
        if (strcmp(rs->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

const schema_field_t *record_schema_field(const record_schema_t *rs, const char *name)
{
    int i = record_schema_field_index(rs, name);
    return i < 0 ? NULL : &rs->fields[i];
}

const char *schema_field_sql_type(const schema_field_t *f, char *buf, size_t size)
{
    switch (f->type) {
    case FT_STRING:
        return "text";
    case FT_INT:
        return "integer";
    case FT_LONG:
        return "bigint";
    case FT_FLOAT:
        return "real";
    case FT_DOUBLE:
        return "double precision";
    case FT_BOOLEAN:
        return "boolean";
    case FT_BYTES:
        return "bytea";
    case FT_TIMESTAMP_MILLIS:
    case FT_TIMESTAMP_MICROS:
        return "timestamptz";
    case FT_DATE:
        return "date";
    case FT_UUID:
        return "uuid";
    case FT_TIME_MILLIS:
    case FT_TIME_MICROS:
        return "time";
    case FT_LOCAL_TS_MILLIS:
    case FT_LOCAL_TS_MICROS:
        return "timestamp";
    case FT_DECIMAL:
        if (!buf || size == 0)
            return "numeric";
        snprintf(buf, size, "numeric(%d,%d)", f->precision, f->scale);
        return buf;
    case FT_ENUM:
        return "text";
    case FT_RECORD:
    case FT_ARRAY:
    case FT_MAP:
        return "jsonb";
    }
    return "text";
}

const char *schema_field_avro_type(const schema_field_t *f, char *buf, size_t size)
{
    static const char *const names[] = {[FT_STRING] = "string",
                                        [FT_INT] = "int",
                                        [FT_LONG] = "long",
                                        [FT_FLOAT] = "float",
                                        [FT_DOUBLE] = "double",
                                        [FT_BOOLEAN] = "boolean",
                                        [FT_BYTES] = "bytes",
                                        [FT_TIMESTAMP_MILLIS] = "timestamp-millis",
                                        [FT_TIMESTAMP_MICROS] = "timestamp-micros",
                                        [FT_DATE] = "date",
                                        [FT_DECIMAL] = "decimal",
                                        [FT_UUID] = "uuid",
                                        [FT_TIME_MILLIS] = "time-millis",
                                        [FT_TIME_MICROS] = "time-micros",
                                        [FT_LOCAL_TS_MILLIS] = "local-timestamp-millis",
                                        [FT_LOCAL_TS_MICROS] = "local-timestamp-micros",
                                        [FT_ENUM] = "enum",
                                        [FT_RECORD] = "record",
                                        [FT_ARRAY] = "array",
                                        [FT_MAP] = "map"};

    if (f->type == FT_DECIMAL && buf && size > 0) {
        snprintf(buf, size, "decimal(%d,%d)", f->precision, f->scale);
        return buf;
    }
    if ((size_t)f->type < sizeof(names) / sizeof(names[0]) && names[f->type])
        return names[f->type];
    return "?";
}
