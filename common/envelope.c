/*
 * envelope.c - the change-event schema of a stream and its single-object
 * encoding (C3 01, CRC-64-AVRO fingerprint of the Parsing Canonical Form,
 * Avro binary).
 *
 * The event schema is built as JSON with the record schema's JSON object
 * embedded as is, so logicalType, precision and scale survive into what
 * `tidemark-producer schema` prints; avro-c only parses it.
 */
#include "errstr.h"
#include "envelope.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include <avro/resolver.h>

#define CRC64_AVRO_EMPTY 0xc15d213aa4d7a795ULL
#define SOE_MAGIC0       0xC3
#define SOE_MAGIC1       0x01
#define SOE_HEADER       10 /* magic (2) + fingerprint (8) */
#define MAX_DEPTH        64 /* nesting the decoder follows */

/* Field indexes of the event record, in schema order. */
enum { EV_OP, EV_ID, EV_SOURCE_TS, EV_RUN_ID, EV_FULL_SYNC, EV_PRODUCED_AT, EV_AFTER };

/* An earlier (or later) version of the event schema that events may have
 * been written with, resolved into this one. */
typedef struct writer {
    uint64_t fingerprint;
    char *error;           /* NULL, or why its events cannot be read */
    avro_schema_t wschema; /* the writer's event schema */
    avro_schema_t rschema; /* ours, less what the writer does not have */
    avro_value_iface_t *riface;
    avro_value_t rvalue; /* what a read fills: an rschema value */
    avro_value_iface_t *resolver;
    avro_value_t resolved; /* a wschema-shaped value writing into rvalue */
} writer_t;

struct envelope_schema {
    const record_schema_t *rs; /* borrowed */
    char *json_text;           /* pretty-printed event schema */
    avro_schema_t avro;
    avro_value_iface_t *iface;
    avro_value_t value; /* reused by encode and decode: not thread-safe */
    uint64_t fingerprint;
    writer_t *writers;
    size_t n_writers;
    int published; /* envelope_schema_set_published() */
};

/* ---- CRC-64-AVRO and Parsing Canonical Form -------------------------- */

uint64_t avro_crc64(const void *data, size_t len)
{
    uint64_t table[256], fp = CRC64_AVRO_EMPTY;
    const unsigned char *p = data;

    /* 2 KiB of work per call; fingerprints are computed once per schema,
     * and a static table would be global state. */
    for (int i = 0; i < 256; i++) {
        uint64_t f = (uint64_t)i;
        for (int j = 0; j < 8; j++)
            f = (f >> 1) ^ (CRC64_AVRO_EMPTY & (0 - (f & 1)));
        table[i] = f;
    }
    for (size_t i = 0; i < len; i++)
        fp = (fp >> 8) ^ table[(fp ^ p[i]) & 0xff];
    return fp;
}

static int is_primitive(const char *t)
{
    static const char *const prims[] = {"null",  "boolean", "int",   "long",
                                        "float", "double",  "bytes", "string"};
    for (size_t i = 0; i < sizeof(prims) / sizeof(prims[0]); i++)
        if (strcmp(t, prims[i]) == 0)
            return 1;
    return 0;
}

/* [FULLNAMES]: name qualified by the namespace in effect. */
static json_t *full_name(const char *name, const char *ns)
{
    if (strchr(name, '.') || !ns || !*ns)
        return json_string(name);
    json_t *j = json_sprintf("%s.%s", ns, name);
    return j;
}

static json_t *pcf(const json_t *s, const char *ns, int depth, char *errstr, size_t errstr_size);

/* Named types (record, enum, fixed): name first, then type, then their
 * own attribute, as [ORDER] says. */
static json_t *pcf_named(const json_t *s, const char *type, const char *ns, int depth, char *errstr,
                         size_t errstr_size)
{
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *own_ns = json_string_value(json_object_get(s, "namespace"));
    json_t *out = json_object(), *fn;

    if (!name) {
        errstr_set(errstr, errstr_size, "a %s without a name", type);
        json_decref(out);
        return NULL;
    }
    fn = full_name(name, own_ns ? own_ns : ns);
    json_object_set_new(out, "name", fn);
    json_object_set_new(out, "type", json_string(type));

    /* The namespace for names inside this one: its full name's. */
    char *inner = strdup(json_string_value(fn) ? json_string_value(fn) : "");
    char *dot = inner ? strrchr(inner, '.') : NULL;
    if (inner)
        *(dot ? dot : inner) = '\0';

    if (strcmp(type, "enum") == 0) {
        json_object_set(out, "symbols", json_object_get(s, "symbols"));
    } else if (strcmp(type, "fixed") == 0) {
        json_object_set(out, "size", json_object_get(s, "size"));
    } else {
        json_t *fields = json_array(), *f;
        size_t i;
        json_object_set_new(out, "fields", fields);
        json_array_foreach(json_object_get(s, "fields"), i, f)
        {
            json_t *cf = json_object();
            json_t *ft = pcf(json_object_get(f, "type"), inner, depth + 1, errstr, errstr_size);
            json_array_append_new(fields, cf);
            json_object_set(cf, "name", json_object_get(f, "name"));
            if (!ft) {
                free(inner);
                json_decref(out);
                return NULL;
            }
            json_object_set_new(cf, "type", ft);
        }
    }
    free(inner);
    return out;
}

static json_t *pcf_object(const json_t *s, const char *ns, int depth, char *errstr,
                          size_t errstr_size)
{
    const json_t *tj = json_object_get(s, "type");
    const char *type = json_string_value(tj);

    if (!tj) {
        errstr_set(errstr, errstr_size, "a schema object without \"type\"");
        return NULL;
    }
    if (!type || is_primitive(type)) /* [PRIMITIVES], or a nested type */
        return pcf(tj, ns, depth + 1, errstr, errstr_size);
    if (!strcmp(type, "record") || !strcmp(type, "error") || !strcmp(type, "enum") ||
        !strcmp(type, "fixed"))
        return pcf_named(s, !strcmp(type, "error") ? "record" : type, ns, depth, errstr,
                         errstr_size);
    int is_array = strcmp(type, "array") == 0;
    if (is_array || strcmp(type, "map") == 0) {
        const char *key = is_array ? "items" : "values";
        json_t *inner = pcf(json_object_get(s, key), ns, depth + 1, errstr, errstr_size);
        if (!inner)
            return NULL;
        return json_pack("{s:s, s:o}", "type", type, key, inner);
    }
    return pcf(tj, ns, depth + 1, errstr, errstr_size); /* {"type":"Name"} */
}

static json_t *pcf(const json_t *s, const char *ns, int depth, char *errstr, size_t errstr_size)
{
    if (depth > MAX_DEPTH) {
        errstr_set(errstr, errstr_size, "schema nested too deeply");
        return NULL;
    }
    if (json_is_string(s)) {
        const char *t = json_string_value(s);
        return is_primitive(t) ? json_string(t) : full_name(t, ns);
    }
    if (json_is_array(s)) {
        json_t *out = json_array(), *b;
        size_t i;
        json_array_foreach(s, i, b)
        {
            json_t *cb = pcf(b, ns, depth + 1, errstr, errstr_size);
            if (!cb) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, cb);
        }
        return out;
    }
    if (json_is_object(s))
        return pcf_object(s, ns, depth, errstr, errstr_size);
    errstr_set(errstr, errstr_size, "not an Avro schema: %s", s ? "a JSON scalar" : "missing");
    return NULL;
}

char *avro_canonical_form(const json_t *schema, char *errstr, size_t errstr_size)
{
    json_t *c = pcf(schema, NULL, 0, errstr, errstr_size);
    char *out;

    if (!c)
        return NULL;
    /* [WHITESPACE] and [STRINGS]: compact, UTF-8 as is, minimal escapes */
    out = json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(c);
    if (!out)
        errstr_set(errstr, errstr_size, "cannot serialize canonical form");
    return out;
}

/* ---- the event schema ------------------------------------------------- */

static json_t *event_schema_json(const record_schema_t *rs)
{
    json_t *after = json_deep_copy(rs->json_doc);
    json_t *doc = json_pack(
        "{s:s, s:s+, s:s, s:[{s:s, s:{s:s, s:s+, s:[s,s]}, s:s},"
        " {s:s, s:s, s:s}, {s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:s},"
        " {s:s, s:s, s:s}, {s:s, s:{s:s, s:s}, s:s},"
        " {s:s, s:[s,o], s:n, s:s}]}",
        "type", "record", "name", rs->name, "ChangeEvent", "doc",
        "A change of one record, published by tidemark-producer.", "fields", "name", "op", "type",
        "type", "enum", "name", rs->name, "ChangeOp", "symbols", "UPSERT", "DELETE", "doc",
        "UPSERT or DELETE.", "name", "id", "type", "string", "doc",
        "The record's id (an integer id in decimal).", "name", "source_ts", "type", "type", "long",
        "logicalType", "timestamp-millis", "doc",
        "The record's cursor value; for a delete, when it was deleted or "
        "detected.",
        "name", "run_id", "type", "string", "doc", "The producer run that published the event.",
        "name", "full_sync", "type", "boolean", "doc", "Whether the run was a full sync.", "name",
        "produced_at", "type", "type", "long", "logicalType", "timestamp-millis", "doc",
        "When the producer built the event.", "name", "after", "type", "null", after, "default",
        "doc", "The record after the change; null for a delete.");

    if (doc && rs->namespace) /* same namespace as the record */
        json_object_set_new(doc, "namespace", json_string(rs->namespace));
    return doc;
}

/* Keys in the order a reader expects: type, name, namespace, doc, fields. */
static void order_keys(json_t *doc)
{
    static const char *const keys[] = {"name", "namespace", "doc", "fields"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(doc, keys[i]);
        if (!v)
            continue;
        json_incref(v);
        json_object_del(doc, keys[i]);
        json_object_set_new(doc, keys[i], v);
    }
}

static int build_avro(envelope_schema_t *es, json_t *doc, char *errstr, size_t errstr_size)
{
    char *compact = json_dumps(doc, JSON_COMPACT);
    char *canon = avro_canonical_form(doc, errstr, errstr_size);
    int rc = -1;

    if (!compact || !canon) {
        if (!compact)
            errstr_set(errstr, errstr_size, "cannot serialize event schema");
        goto out;
    }
    es->fingerprint = avro_crc64(canon, strlen(canon));
    if (avro_schema_from_json_length(compact, strlen(compact), &es->avro)) {
        es->avro = NULL;
        errstr_set(errstr, errstr_size, "event schema: %s", avro_strerror());
        goto out;
    }
    es->iface = avro_generic_class_from_schema(es->avro);
    if (!es->iface || avro_generic_value_new(es->iface, &es->value) != 0) {
        errstr_set(errstr, errstr_size, "event schema: %s", avro_strerror());
        goto out;
    }
    rc = 0;
out:
    free(compact);
    free(canon);
    return rc;
}

envelope_schema_t *envelope_schema_new(const record_schema_t *rs, char *errstr, size_t errstr_size)
{
    envelope_schema_t *es = calloc(1, sizeof(*es));
    json_t *doc = NULL;

    if (!es) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    es->rs = rs;
    doc = event_schema_json(rs);
    if (!doc) {
        errstr_set(errstr, errstr_size, "cannot build the event schema");
        goto fail;
    }
    order_keys(doc);
    es->json_text = json_dumps(doc, JSON_INDENT(2));
    if (!es->json_text) {
        errstr_set(errstr, errstr_size, "cannot serialize event schema");
        goto fail;
    }
    if (build_avro(es, doc, errstr, errstr_size) != 0)
        goto fail;
    json_decref(doc);
    return es;
fail:
    json_decref(doc);
    envelope_schema_destroy(es);
    return NULL;
}

static void writer_clear(writer_t *w)
{
    if (w->resolved.iface)
        avro_value_decref(&w->resolved);
    if (w->resolver)
        avro_value_iface_decref(w->resolver);
    if (w->rvalue.iface)
        avro_value_decref(&w->rvalue);
    if (w->riface)
        avro_value_iface_decref(w->riface);
    if (w->rschema)
        avro_schema_decref(w->rschema);
    if (w->wschema)
        avro_schema_decref(w->wschema);
    free(w->error);
    memset(w, 0, sizeof(*w));
}

void envelope_schema_destroy(envelope_schema_t *es)
{
    if (!es)
        return;
    for (size_t i = 0; i < es->n_writers; i++)
        writer_clear(&es->writers[i]);
    free(es->writers);
    if (es->value.iface)
        avro_value_decref(&es->value);
    if (es->iface)
        avro_value_iface_decref(es->iface);
    if (es->avro)
        avro_schema_decref(es->avro);
    free(es->json_text);
    free(es);
}

const char *envelope_schema_json(const envelope_schema_t *es)
{
    return es->json_text;
}

uint64_t envelope_schema_fingerprint(const envelope_schema_t *es)
{
    return es->fingerprint;
}

int envelope_schema_published(const envelope_schema_t *es)
{
    return es->published;
}

void envelope_schema_set_published(envelope_schema_t *es)
{
    es->published = 1;
}

/* ---- encode ----------------------------------------------------------- */

static int fill_event(envelope_schema_t *es, change_op_t op, const char *id, int64_t source_ts_ms,
                      const char *run_id, int full_sync, int64_t produced_at_ms,
                      const json_t *record, char *errstr, size_t errstr_size)
{
    avro_value_t v[EV_AFTER + 1], branch;

    for (int i = 0; i <= EV_AFTER; i++)
        if (avro_value_get_by_index(&es->value, (size_t)i, &v[i], NULL))
            goto avro_err;
    if (avro_value_set_enum(&v[EV_OP], op == CHANGE_OP_DELETE ? 1 : 0) ||
        avro_value_set_string_len(&v[EV_ID], id, strlen(id) + 1) ||
        avro_value_set_long(&v[EV_SOURCE_TS], source_ts_ms) ||
        avro_value_set_string_len(&v[EV_RUN_ID], run_id, strlen(run_id) + 1) ||
        avro_value_set_boolean(&v[EV_FULL_SYNC], full_sync != 0) ||
        avro_value_set_long(&v[EV_PRODUCED_AT], produced_at_ms))
        goto avro_err;
    if (op == CHANGE_OP_DELETE) { /* a delete carries no record */
        if (avro_value_set_branch(&v[EV_AFTER], 0, &branch) || avro_value_set_null(&branch))
            goto avro_err;
        return 0;
    }
    if (avro_value_set_branch(&v[EV_AFTER], 1, &branch))
        goto avro_err;
    return convert_json_to_avro(es->rs, record, &branch, errstr, errstr_size);
avro_err:
    errstr_set(errstr, errstr_size, "encode: %s", avro_strerror());
    return -1;
}

int envelope_encode(envelope_schema_t *es, change_op_t op, const char *id, int64_t source_ts_ms,
                    const char *run_id, int full_sync, int64_t produced_at_ms, const json_t *record,
                    void **buf_out, size_t *len_out, char *errstr, size_t errstr_size)
{
    size_t size = 0;
    unsigned char *buf;

    *buf_out = NULL;
    *len_out = 0;
    if (!id || !run_id || (op == CHANGE_OP_UPSERT && !record)) {
        errstr_set(errstr, errstr_size, "encode: %s is missing",
                   !id       ? "the id"
                   : !run_id ? "the run id"
                             : "the record");
        return -1;
    }
    avro_value_reset(&es->value);
    if (fill_event(es, op, id, source_ts_ms, run_id, full_sync, produced_at_ms, record, errstr,
                   errstr_size) != 0)
        return -1;
    if (avro_value_sizeof(&es->value, &size) != 0) {
        errstr_set(errstr, errstr_size, "encode: %s", avro_strerror());
        return -1;
    }
    buf = malloc(SOE_HEADER + size);
    if (!buf) {
        errstr_set(errstr, errstr_size, "encode: out of memory");
        return -1;
    }
    buf[0] = SOE_MAGIC0;
    buf[1] = SOE_MAGIC1;
    for (int i = 0; i < 8; i++) /* little-endian, as the spec says */
        buf[2 + i] = (unsigned char)(es->fingerprint >> (8 * i));
    avro_writer_t w = avro_writer_memory((char *)buf + SOE_HEADER, (int64_t)size);
    int rc = w ? avro_value_write(w, &es->value) : -1;
    if (w)
        avro_writer_free(w);
    if (rc != 0) {
        errstr_set(errstr, errstr_size, "encode: %s", avro_strerror());
        free(buf);
        return -1;
    }
    *buf_out = buf; /* now owned by the caller */
    *len_out = SOE_HEADER + size;
    return 0;
}

/* ---- decode ----------------------------------------------------------- */

/*
 * A bounds-checking walk over Avro binary before avro-c reads it: avro-c
 * trusts lengths in the data (a corrupt length makes it allocate or read
 * past the end), so only data that passes here is handed to it.
 */
typedef struct {
    const unsigned char *p, *end;
    const unsigned char *at; /* start of the item last read, for errors */
    const char *err;
} cursor_t;

static int rd_long(cursor_t *c, int64_t *out)
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

static int skip_n(cursor_t *c, int64_t n)
{
    c->at = c->p;
    if (n < 0 || n > c->end - c->p) {
        c->err = n < 0 ? "negative length" : "truncated data";
        return -1;
    }
    c->p += n;
    return 0;
}

static int check_value(cursor_t *c, avro_schema_t s, int depth);

int envelope_peek(const void *buf, size_t len, change_op_t *op, int64_t *source_ts_ms)
{
    const unsigned char *p = buf;
    if (!buf || len < SOE_HEADER || p[0] != SOE_MAGIC0 || p[1] != SOE_MAGIC1)
        return -1;
    /* Every version of every stream's event starts op, id, source_ts. */
    cursor_t c = {p + SOE_HEADER, p + len, NULL, NULL};
    int64_t op_index, id_len, ts;
    if (rd_long(&c, &op_index) != 0 ||
        (op_index != CHANGE_OP_UPSERT && op_index != CHANGE_OP_DELETE) ||
        rd_long(&c, &id_len) != 0 || skip_n(&c, id_len) != 0 || rd_long(&c, &ts) != 0)
        return -1;
    *op = (change_op_t)op_index;
    *source_ts_ms = ts;
    return 0;
}

/* Arrays and maps: blocks of items, a negative count followed by the
 * block's byte size, a zero count at the end. */
static int check_blocks(cursor_t *c, avro_schema_t item, int is_map, int depth)
{
    int64_t n, bytes;

    for (;;) {
        if (rd_long(c, &n) != 0)
            return -1;
        if (n == 0)
            return 0;
        if (n < 0) {
            if (n == INT64_MIN || rd_long(c, &bytes) != 0) {
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
            int64_t klen;
            if (is_map && (rd_long(c, &klen) != 0 || skip_n(c, klen) != 0))
                return -1;
            if (check_value(c, item, depth + 1) != 0)
                return -1;
        }
    }
}

static int check_value(cursor_t *c, avro_schema_t s, int depth)
{
    int64_t n;

    while (is_avro_link(s))
        s = avro_schema_link_target(s);
    if (depth > MAX_DEPTH) {
        c->err = "nested too deeply";
        return -1;
    }
    switch (avro_typeof(s)) {
    case AVRO_NULL:
        return 0;
    case AVRO_BOOLEAN:
        if (skip_n(c, 1) != 0)
            return -1;
        if (c->p[-1] > 1) {
            c->err = "corrupt boolean";
            return -1;
        }
        return 0;
    case AVRO_INT32:
        if (rd_long(c, &n) != 0)
            return -1;
        if (n < INT32_MIN || n > INT32_MAX) {
            c->err = "int out of range";
            return -1;
        }
        return 0;
    case AVRO_INT64:
        return rd_long(c, &n);
    case AVRO_FLOAT:
        return skip_n(c, 4);
    case AVRO_DOUBLE:
        return skip_n(c, 8);
    case AVRO_STRING:
    case AVRO_BYTES:
        return rd_long(c, &n) != 0 ? -1 : skip_n(c, n);
    case AVRO_FIXED:
        return skip_n(c, avro_schema_fixed_size(s));
    case AVRO_ENUM:
        if (rd_long(c, &n) != 0)
            return -1;
        if (n < 0 || n >= avro_schema_enum_number_of_symbols(s)) {
            c->err = "enum index out of range";
            return -1;
        }
        return 0;
    case AVRO_UNION:
        if (rd_long(c, &n) != 0)
            return -1;
        if (n < 0 || (uint64_t)n >= avro_schema_union_size(s)) {
            c->err = "union branch out of range";
            return -1;
        }
        return check_value(c, avro_schema_union_branch(s, (int)n), depth + 1);
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

static writer_t *find_writer(const envelope_schema_t *es, uint64_t fp)
{
    for (size_t i = 0; i < es->n_writers; i++)
        if (es->writers[i].fingerprint == fp)
            return &es->writers[i];
    return NULL;
}

/* *w_out: NULL for es's own schema, else the writer of the event. */
static int read_header(const envelope_schema_t *es, const unsigned char *p, size_t len,
                       writer_t **w_out, char *errstr, size_t errstr_size)
{
    uint64_t fp = 0;

    *w_out = NULL;
    if (len < 2 || p[0] != SOE_MAGIC0 || p[1] != SOE_MAGIC1) {
        errstr_set(errstr, errstr_size,
                   "decode: not Avro single-object "
                   "encoding (the message does not start with C3 01)");
        return -1;
    }
    if (len < SOE_HEADER) {
        errstr_set(errstr, errstr_size, "decode: truncated header (%zu bytes)", len);
        return -1;
    }
    for (int i = 0; i < 8; i++)
        fp |= (uint64_t)p[2 + i] << (8 * i);
    if (fp == es->fingerprint)
        return 0;
    if (!(*w_out = find_writer(es, fp))) {
        errstr_set(errstr, errstr_size,
                   "decode: written with schema "
                   "fingerprint %016llx, not this stream's %016llx nor a "
                   "known version of it",
                   (unsigned long long)fp, (unsigned long long)es->fingerprint);
        return -1;
    }
    if ((*w_out)->error) {
        errstr_set(errstr, errstr_size,
                   "decode: written with schema "
                   "fingerprint %016llx, which cannot be read as this "
                   "stream's %016llx: %s",
                   (unsigned long long)fp, (unsigned long long)es->fingerprint, (*w_out)->error);
        return -1;
    }
    return 0;
}

/* Reads the body into es->value, or (written with w) through w's
 * resolver into w->rvalue. */
static int read_body(envelope_schema_t *es, writer_t *w, const unsigned char *p, size_t len,
                     char *errstr, size_t errstr_size)
{
    cursor_t c = {p, p + len, p, NULL};
    avro_value_t *target = w ? &w->resolved : &es->value;

    if (check_value(&c, w ? w->wschema : es->avro, 0) != 0) {
        errstr_set(errstr, errstr_size, "decode: %s at byte %zu", c.err,
                   SOE_HEADER + (size_t)(c.at - p));
        return -1;
    }
    if (c.p != c.end) {
        errstr_set(errstr, errstr_size, "decode: %zu bytes after the event", (size_t)(c.end - c.p));
        return -1;
    }
    avro_value_reset(target);
    avro_reader_t r = avro_reader_memory((const char *)p, (int64_t)len);
    int rc = r ? avro_value_read(r, target) : -1;
    if (r)
        avro_reader_free(r);
    if (rc != 0) {
        errstr_set(errstr, errstr_size, "decode: %s", avro_strerror());
        return -1;
    }
    return 0;
}

static char *get_str(avro_value_t *v)
{
    const char *s = NULL;
    size_t size = 0;

    if (avro_value_get_string(v, &s, &size) != 0 || !s)
        return NULL;
    return strndup(s, size ? size - 1 : 0);
}

/* Copies value (just read: es's own, or a writer's rvalue) into a new
 * event. Fields are found by name: a writer's value lacks what the
 * writer did not have. */
static change_event_t *extract(envelope_schema_t *es, avro_value_t *value, char *errstr,
                               size_t errstr_size)
{
    static const char *const names[EV_AFTER + 1] = {
        "op", "id", "source_ts", "run_id", "full_sync", "produced_at", "after"};
    avro_value_t v[EV_AFTER + 1], branch;
    change_event_t *ev = calloc(1, sizeof(*ev));
    int op = 0, fs = 0, disc = 0;

    if (!ev)
        goto oom;
    for (int i = 0; i <= EV_AFTER; i++)
        if (avro_value_get_by_name(value, names[i], &v[i], NULL)) {
            errstr_set(errstr, errstr_size,
                       "decode: the event has no "
                       "field '%s'",
                       names[i]);
            change_event_destroy(ev);
            return NULL;
        }
    avro_value_get_enum(&v[EV_OP], &op);
    avro_value_get_long(&v[EV_SOURCE_TS], &ev->source_ts_ms);
    avro_value_get_boolean(&v[EV_FULL_SYNC], &fs);
    avro_value_get_long(&v[EV_PRODUCED_AT], &ev->produced_at_ms);
    ev->op = op == 1 ? CHANGE_OP_DELETE : CHANGE_OP_UPSERT;
    ev->full_sync = fs;
    ev->id = get_str(&v[EV_ID]);
    ev->run_id = get_str(&v[EV_RUN_ID]);
    if (!ev->id || !ev->run_id)
        goto oom;
    avro_value_get_discriminant(&v[EV_AFTER], &disc);
    if (disc == 1) {
        avro_value_get_current_branch(&v[EV_AFTER], &branch);
        char err[512];
        ev->after = convert_avro_to_row(es->rs, &branch, err, sizeof(err));
        if (!ev->after) {
            errstr_set(errstr, errstr_size, "decode: %s", err);
            change_event_destroy(ev);
            return NULL;
        }
    } else if (ev->op == CHANGE_OP_UPSERT) {
        errstr_set(errstr, errstr_size, "decode: an UPSERT without a record");
        change_event_destroy(ev);
        return NULL;
    }
    return ev;
oom:
    errstr_set(errstr, errstr_size, "decode: out of memory");
    change_event_destroy(ev);
    return NULL;
}

change_event_t *envelope_decode(envelope_schema_t *es, const void *buf, size_t len, char *errstr,
                                size_t errstr_size)
{
    const unsigned char *p = buf;
    writer_t *w = NULL;

    if (!buf) {
        errstr_set(errstr, errstr_size, "decode: no payload (a tombstone?)");
        return NULL;
    }
    if (read_header(es, p, len, &w, errstr, errstr_size) != 0 ||
        read_body(es, w, p + SOE_HEADER, len - SOE_HEADER, errstr, errstr_size) != 0)
        return NULL;
    return extract(es, w ? &w->rvalue : &es->value, errstr, errstr_size);
}

int envelope_peek_fingerprint(const void *buf, size_t len, uint64_t *fp)
{
    const unsigned char *p = buf;

    if (!buf || len < SOE_HEADER || p[0] != SOE_MAGIC0 || p[1] != SOE_MAGIC1)
        return -1;
    *fp = 0;
    for (int i = 0; i < 8; i++)
        *fp |= (uint64_t)p[2 + i] << (8 * i);
    return 0;
}

int envelope_knows_writer(const envelope_schema_t *es, uint64_t fp)
{
    return fp == es->fingerprint || find_writer(es, fp) != NULL;
}

int avro_schema_text_fingerprint(const char *json_text, uint64_t *fp, char *errstr,
                                 size_t errstr_size)
{
    json_error_t jerr;
    json_t *doc = json_loads(json_text, JSON_DECODE_ANY, &jerr);
    char *canon;

    if (!doc) {
        errstr_set(errstr, errstr_size, "not JSON: line %d: %s", jerr.line, jerr.text);
        return -1;
    }
    canon = avro_canonical_form(doc, errstr, errstr_size);
    json_decref(doc);
    if (!canon)
        return -1;
    *fp = avro_crc64(canon, strlen(canon));
    free(canon);
    return 0;
}

/* ---- writer schemas: resolution --------------------------------------- */

/* The record schema object in the "after" field of an event schema. */
static json_t *after_record(json_t *event)
{
    json_t *fields = json_object_get(event, "fields"), *f, *b;
    size_t i, j;

    json_array_foreach(fields, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "name"))
                       ? json_string_value(json_object_get(f, "name"))
                       : "",
                   "after"))
            continue;
        json_t *t = json_object_get(f, "type");
        if (json_is_object(t))
            return t;
        json_array_foreach(t, j, b) if (json_is_object(b)) return b;
    }
    return NULL;
}

/* Every record definition of s, by its short name, into recs. */
static void collect_records(json_t *s, json_t *recs, int depth)
{
    json_t *v, *f;
    size_t i;
    const char *k;

    if (depth > MAX_DEPTH)
        return;
    if (json_is_array(s)) {
        json_array_foreach(s, i, v) collect_records(v, recs, depth + 1);
        return;
    }
    if (!json_is_object(s))
        return;
    const char *type = json_string_value(json_object_get(s, "type"));
    const char *name = json_string_value(json_object_get(s, "name"));
    if (type && (!strcmp(type, "record") || !strcmp(type, "error")) && name) {
        const char *dot = strrchr(name, '.');
        if (!json_object_get(recs, dot ? dot + 1 : name))
            json_object_set(recs, dot ? dot + 1 : name, s);
    }
    json_object_foreach(s, k, v)
    {
        if (!strcmp(k, "type") || !strcmp(k, "items") || !strcmp(k, "values"))
            collect_records(v, recs, depth + 1);
        else if (!strcmp(k, "fields"))
            json_array_foreach(v, i, f)
                collect_records(json_object_get(f, "type"), recs, depth + 1);
    }
}

static int has_field(const json_t *record, const char *name)
{
    json_t *f;
    size_t i;

    json_array_foreach(json_object_get(record, "fields"), i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n && !strcmp(n, name))
            return 1;
    }
    return 0;
}

/* Drops from every record of s (our schema, a copy) the fields that the
 * writer's record of that name does not have: avro-c 1.11 cannot fill a
 * reader field from a default, so the reader is cut to what the writer
 * wrote, and the row form fills the rest (defaults, or null). */
static void prune(json_t *s, const json_t *wrecs, int depth)
{
    json_t *v, *f;
    size_t i;
    const char *k;

    if (depth > MAX_DEPTH)
        return;
    if (json_is_array(s)) {
        json_array_foreach(s, i, v) prune(v, wrecs, depth + 1);
        return;
    }
    if (!json_is_object(s))
        return;
    const char *type = json_string_value(json_object_get(s, "type"));
    const char *name = json_string_value(json_object_get(s, "name"));
    json_t *fields = json_object_get(s, "fields");
    if (type && !strcmp(type, "record") && name && json_is_array(fields)) {
        const char *dot = strrchr(name, '.');
        json_t *w = json_object_get(wrecs, dot ? dot + 1 : name);
        for (i = json_array_size(fields); w && i-- > 0;) {
            const char *fn = json_string_value(json_object_get(json_array_get(fields, i), "name"));
            if (fn && !has_field(w, fn))
                json_array_remove(fields, i);
        }
    }
    json_object_foreach(s, k, v)
    {
        if (!strcmp(k, "type") || !strcmp(k, "items") || !strcmp(k, "values"))
            prune(v, wrecs, depth + 1);
        else if (!strcmp(k, "fields"))
            json_array_foreach(v, i, f) prune(json_object_get(f, "type"), wrecs, depth + 1);
    }
}

/* Whether a value written as w can be stored as r, field by field of
 * the stream's record: the same type (decimals: the same scale), or a
 * promotion Avro makes. Logical types count: avro-c sees only their base
 * type, and a timestamp-micros read as millis would be off by 1000. */
static int field_compatible(const schema_field_t *w, const schema_field_t *r)
{
    if (w->type == r->type)
        return w->type != FT_DECIMAL || w->scale == r->scale;
    switch (w->type) {
    case FT_INT:
        return r->type == FT_LONG || r->type == FT_FLOAT || r->type == FT_DOUBLE;
    case FT_LONG:
        return r->type == FT_FLOAT || r->type == FT_DOUBLE;
    case FT_FLOAT:
        return r->type == FT_DOUBLE;
    case FT_STRING:
        return r->type == FT_BYTES;
    case FT_BYTES:
        return r->type == FT_STRING;
    default:
        return 0;
    }
}

static const char *type_word(const schema_field_t *f, char *buf, size_t size)
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
                                        [FT_ENUM] = "enum",
                                        [FT_RECORD] = "record",
                                        [FT_ARRAY] = "array",
                                        [FT_MAP] = "map"};

    if (f->type == FT_DECIMAL) {
        snprintf(buf, size, "decimal(%d,%d)", f->precision, f->scale);
        return buf;
    }
    return (size_t)f->type < sizeof(names) / sizeof(names[0]) ? names[f->type] : "?";
}

/* The fields of our record against the writer's: each one the writer has
 * must be compatible; each one it lacks needs a default or null. */
static int check_fields(const record_schema_t *rs, json_t *wrec, char *errstr, size_t errstr_size)
{
    record_schema_t *wrs = NULL;
    char *text = json_dumps(wrec, JSON_COMPACT), err[512], b1[40], b2[40];
    int rc = -1;

    if (!text || record_schema_parse(text, &wrs, err, sizeof(err)) != 0) {
        errstr_set(errstr, errstr_size, "its record: %s", text ? err : "out of memory");
        goto out;
    }
    for (size_t i = 0; i < rs->n_fields; i++) {
        const schema_field_t *r = &rs->fields[i];
        const schema_field_t *w = record_schema_field(wrs, r->name);
        json_t *fj = json_array_get(json_object_get(rs->json_doc, "fields"), i);

        if (!w && !r->nullable && !json_object_get(fj, "default")) {
            errstr_set(errstr, errstr_size,
                       "field '%s' is not in it, and "
                       "ours has no default",
                       r->name);
            goto out;
        }
        if (w && !field_compatible(w, r)) {
            errstr_set(errstr, errstr_size,
                       "field '%s' was written as %s, "
                       "which cannot be read as %s",
                       r->name, type_word(w, b1, sizeof(b1)), type_word(r, b2, sizeof(b2)));
            goto out;
        }
    }
    rc = 0;
out:
    record_schema_destroy(wrs);
    free(text);
    return rc;
}

/* "ns.Name" of a named schema object, into buf. */
static const char *full_name_of(const json_t *s, char *buf, size_t size)
{
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *ns = json_string_value(json_object_get(s, "namespace"));

    if (!name)
        return "";
    if (strchr(name, '.') || !ns || !*ns)
        return name;
    snprintf(buf, size, "%s.%s", ns, name);
    return buf;
}

int envelope_same_record(const envelope_schema_t *es, const char *json_text)
{
    json_error_t jerr;
    json_t *doc = json_loads(json_text, 0, &jerr);
    json_t *rec = doc ? after_record(doc) : NULL;
    char b1[512], b2[512];
    int same = rec && !strcmp(full_name_of(rec, b1, sizeof(b1)),
                              full_name_of(es->rs->json_doc, b2, sizeof(b2)));

    json_decref(doc);
    return same;
}

/* Sets up w from the writer's schema document wdoc. -1 with errstr. */
static int writer_build(envelope_schema_t *es, writer_t *w, json_t *wdoc, char *errstr,
                        size_t errstr_size)
{
    json_t *rdoc = NULL, *wrecs = json_object(), *wrec = after_record(wdoc);
    char *wtext = json_dumps(wdoc, JSON_COMPACT), *rtext = NULL;
    json_error_t jerr;
    int rc = -1;

    if (!wtext || !wrecs) {
        errstr_set(errstr, errstr_size, "out of memory");
        goto out;
    }
    if (!wrec) {
        errstr_set(errstr, errstr_size,
                   "not a change-event schema (no record "
                   "in an \"after\" field)");
        goto out;
    }
    const char *wn = json_string_value(json_object_get(wrec, "name"));
    if (!wn || strcmp(strrchr(wn, '.') ? strrchr(wn, '.') + 1 : wn, es->rs->name)) {
        errstr_set(errstr, errstr_size,
                   "it is the schema of record '%s', "
                   "not '%s'",
                   wn ? wn : "?", es->rs->name);
        goto out;
    }
    if (check_fields(es->rs, wrec, errstr, errstr_size) != 0)
        goto out;
    if (avro_schema_from_json_length(wtext, strlen(wtext), &w->wschema)) {
        w->wschema = NULL;
        errstr_set(errstr, errstr_size, "%s", avro_strerror());
        goto out;
    }
    collect_records(wdoc, wrecs, 0);
    if (!(rdoc = json_loads(es->json_text, 0, &jerr))) {
        errstr_set(errstr, errstr_size, "out of memory");
        goto out;
    }
    prune(rdoc, wrecs, 0);
    if (!(rtext = json_dumps(rdoc, JSON_COMPACT)) ||
        avro_schema_from_json_length(rtext, strlen(rtext), &w->rschema)) {
        w->rschema = NULL;
        errstr_set(errstr, errstr_size, "%s", rtext ? avro_strerror() : "out of memory");
        goto out;
    }
    if (!(w->riface = avro_generic_class_from_schema(w->rschema)) ||
        avro_generic_value_new(w->riface, &w->rvalue) != 0) {
        errstr_set(errstr, errstr_size, "%s", avro_strerror());
        goto out;
    }
    if (!(w->resolver = avro_resolved_writer_new(w->wschema, w->rschema)) ||
        avro_resolved_writer_new_value(w->resolver, &w->resolved) != 0) {
        errstr_set(errstr, errstr_size, "%s", avro_strerror());
        goto out;
    }
    avro_resolved_writer_set_dest(&w->resolved, &w->rvalue);
    rc = 0;
out:
    json_decref(rdoc);
    json_decref(wrecs);
    free(wtext);
    free(rtext);
    return rc;
}

int envelope_add_writer(envelope_schema_t *es, const char *json_text, uint64_t *fp_out,
                        char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *wdoc = NULL;
    uint64_t fp = 0;
    char err[512] = "";
    writer_t *w, *grown;
    int rc;

    if (avro_schema_text_fingerprint(json_text, &fp, errstr, errstr_size) != 0)
        return -1; /* nothing to remember it by */
    if (fp_out)
        *fp_out = fp;
    if (fp == es->fingerprint || (w = find_writer(es, fp))) {
        w = fp == es->fingerprint ? NULL : find_writer(es, fp);
        if (w && w->error) {
            errstr_set(errstr, errstr_size, "%s", w->error);
            return -1;
        }
        return 0;
    }
    grown = realloc(es->writers, (es->n_writers + 1) * sizeof(*grown));
    if (!grown) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    es->writers = grown;
    w = &es->writers[es->n_writers];
    memset(w, 0, sizeof(*w));
    w->fingerprint = fp;
    wdoc = json_loads(json_text, 0, &jerr);
    rc = wdoc ? writer_build(es, w, wdoc, err, sizeof(err)) : -1;
    json_decref(wdoc);
    if (rc != 0) {
        /* remembered, so that its events fail with the reason */
        char *why = strdup(err[0] ? err : "cannot be parsed");
        writer_clear(w);
        w->fingerprint = fp;
        w->error = why;
        if (!why) {
            errstr_set(errstr, errstr_size, "out of memory");
            return -1;
        }
        es->n_writers++;
        errstr_set(errstr, errstr_size, "%s", why);
        return -1;
    }
    es->n_writers++;
    return 0;
}

void change_event_destroy(change_event_t *ev)
{
    if (!ev)
        return;
    free(ev->id);
    free(ev->run_id);
    json_decref(ev->after);
    free(ev);
}
