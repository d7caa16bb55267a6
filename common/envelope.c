/*
 * envelope.c - the change-event schema of a stream (built as JSON with
 * the record schema's JSON object embedded as is, so logicalType,
 * precision and scale survive into what `tidemark-producer schema`
 * prints; avro-c only parses it), and its events: encoded into a wire
 * framing (wireframe.h), decoded after the Avro binary validator
 * (avrobin.h) has checked them. Other versions of the schema:
 * envelope_writers.c.
 */
#include "errstr.h"
#include "envelope_priv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avrobin.h"
#include "avrodefault.h"
#include "avroenc.h"
#include "avsc.h"
#include "convert.h"
#include "wireframe.h"

#define ENCODE_BUF_KEEP (1 << 20) /* a larger write buffer is freed before the next event */

/* Field indexes of the event record, in schema order. */
enum { EV_OP, EV_ID, EV_SOURCE_TS, EV_RUN_ID, EV_FULL_SYNC, EV_PRODUCED_AT, EV_AFTER };
_Static_assert(EV_AFTER + 1 == ENVELOPE_FIELDS, "the event's fields");

/* ---- the event schema ------------------------------------------------- */

/* Whether field (a JSON field of a record) has a default that does not
 * fit its type fs, as schema.c judges the top level's (avrodefault.h). */
static int default_wrong(const json_t *field, avro_schema_t fs)
{
    const json_t *d = json_object_get(field, "default");
    if (!d || !avrodefault_type_plain(json_object_get(field, "type")))
        return 0;
    avroenc_t w = {0};
    char why[160];
    int rc = avrodefault_encode(fs, d, &w, why, sizeof(why));
    avroenc_free(&w);
    return rc != 0 && rc != AVRODEFAULT_NOT_WRITTEN;
}

/*
 * Deletes from type (a JSON type, s its Avro schema) every default, at
 * any depth, that does not fit its field's type: one counts as none (the
 * producer's and the worker's reading), and standard parsers (fastavro,
 * Java's Schema.Parser) refuse a whole schema for it. The Parsing
 * Canonical Form has no defaults, so the fingerprint stays the same.
 */
static void drop_unfit_defaults(json_t *type, avro_schema_t s)
{
    s = schema_avro_deref(s);
    if (!s)
        return;
    if (json_is_array(type) && is_avro_union(s)) {
        for (size_t i = 0; i < json_array_size(type); i++)
            drop_unfit_defaults(json_array_get(type, i), avro_schema_union_branch(s, (int)i));
        return;
    }
    if (!json_is_object(type))
        return; /* a name: its definition is walked where it stands */
    if (is_avro_record(s)) {
        json_t *fields = json_object_get(type, "fields");
        for (size_t i = 0; i < json_array_size(fields); i++) {
            json_t *f = json_array_get(fields, i);
            avro_schema_t fs = avro_schema_record_field_get_by_index(s, (int)i);
            if (!fs)
                continue;
            if (default_wrong(f, fs))
                json_object_del(f, "default");
            drop_unfit_defaults(json_object_get(f, "type"), fs);
        }
    } else if (is_avro_array(s)) {
        drop_unfit_defaults(json_object_get(type, "items"), avro_schema_array_items(s));
    } else if (is_avro_map(s)) {
        drop_unfit_defaults(json_object_get(type, "values"), avro_schema_map_values(s));
    }
}

static json_t *event_schema_json(const record_schema_t *rs)
{
    json_t *after = json_deep_copy(rs->json_doc);
    if (after)
        drop_unfit_defaults(after, rs->avro);
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
    int rc = -1;

    if (!compact) {
        errstr_set(errstr, errstr_size, "cannot serialize event schema");
        goto out;
    }
    if (avsc_fingerprint(doc, &es->fingerprint, errstr, errstr_size) != 0)
        goto out;
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

void envelope_schema_destroy(envelope_schema_t *es)
{
    if (!es)
        return;
    envelope_clear_writers(es);
    envelope_clear_ids(es);
    avroenc_free(&es->enc);
    if (es->value.iface)
        avro_value_decref(&es->value);
    if (es->iface)
        avro_value_iface_decref(es->iface);
    if (es->avro)
        avro_schema_decref(es->avro);
    free(es->json_text);
    free(es->at.after_at);
    free(es);
}

const record_schema_t *envelope_schema_record(const envelope_schema_t *es)
{
    return es->rs;
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

uint32_t envelope_schema_registry_id(const envelope_schema_t *es)
{
    return es->registry_id;
}

void envelope_schema_set_registry_id(envelope_schema_t *es, uint32_t id)
{
    es->registry_id = id;
}

char *envelope_schema_fullname(const envelope_schema_t *es)
{
    /* event_schema_json's name, in the record's namespace */
    char *out = malloc(strlen(es->rs->fullname) + sizeof("ChangeEvent"));
    if (out)
        sprintf(out, "%sChangeEvent", es->rs->fullname);
    return out;
}

/* ---- encode ----------------------------------------------------------- */

/* The framing's header: the Confluent wire format once es has a registry
 * id, else single-object encoding. */
static void write_header(envelope_schema_t *es)
{
    wire_schema_ref_t ref = {.framing = WIRE_SINGLE_OBJECT, .fingerprint = es->fingerprint};
    if (es->registry_id)
        ref = (wire_schema_ref_t){.framing = WIRE_CONFLUENT, .schema_id = es->registry_id};
    unsigned char header[WIRE_MAX_HEADER];
    avroenc_raw(&es->enc, header, wire_write_header(&ref, header));
}

/* The event's fields, in the order of event_schema_json(): Avro binary
 * has no names, only that order. */
static int write_event(envelope_schema_t *es, change_op_t op, const char *id, int64_t source_ts_ms,
                       const char *run_id, int full_sync, int64_t produced_at_ms,
                       const json_t *record, char *errstr, size_t errstr_size)
{
    avroenc_t *w = &es->enc;
    avroenc_long(w, op == CHANGE_OP_DELETE ? 1 : 0); /* enum Op { UPSERT, DELETE } */
    avroenc_bytes(w, id, strlen(id));
    avroenc_long(w, source_ts_ms);
    avroenc_bytes(w, run_id, strlen(run_id));
    avroenc_boolean(w, full_sync);
    avroenc_long(w, produced_at_ms);
    avroenc_long(w, op == CHANGE_OP_DELETE ? 0 : 1); /* union { null, <Name> } after */
    if (op == CHANGE_OP_UPSERT && convert_json_to_avro(es->rs, record, w, errstr, errstr_size) != 0)
        return -1;
    if (avroenc_failed(w)) {
        errstr_set(errstr, errstr_size, "encode: out of memory");
        return -1;
    }
    return 0;
}

int envelope_encode_view(envelope_schema_t *es, change_op_t op, const char *id,
                         int64_t source_ts_ms, const char *run_id, int full_sync,
                         int64_t produced_at_ms, const json_t *record, const void **buf_out,
                         size_t *len_out, char *errstr, size_t errstr_size)
{
    *buf_out = NULL;
    *len_out = 0;
    if (!id || !run_id || (op == CHANGE_OP_UPSERT && !record)) {
        errstr_set(errstr, errstr_size, "encode: %s is missing",
                   !id       ? "the id"
                   : !run_id ? "the run id"
                             : "the record");
        return -1;
    }
    if (es->enc.cap > ENCODE_BUF_KEEP) /* one huge event does not stay for ever */
        avroenc_free(&es->enc);
    avroenc_reset(&es->enc);
    write_header(es);
    if (write_event(es, op, id, source_ts_ms, run_id, full_sync, produced_at_ms, record, errstr,
                    errstr_size) != 0)
        return -1;
    *buf_out = es->enc.buf; /* es's until the next encode */
    *len_out = es->enc.len;
    return 0;
}

int envelope_encode(envelope_schema_t *es, change_op_t op, const char *id, int64_t source_ts_ms,
                    const char *run_id, int full_sync, int64_t produced_at_ms, const json_t *record,
                    void **buf_out, size_t *len_out, char *errstr, size_t errstr_size)
{
    const void *view;
    *buf_out = NULL;
    if (envelope_encode_view(es, op, id, source_ts_ms, run_id, full_sync, produced_at_ms, record,
                             &view, len_out, errstr, errstr_size) != 0)
        return -1;
    if (!(*buf_out = malloc(*len_out))) {
        *len_out = 0;
        errstr_set(errstr, errstr_size, "encode: out of memory");
        return -1;
    }
    memcpy(*buf_out, view, *len_out); /* now owned by the caller */
    return 0;
}

/* ---- decode ----------------------------------------------------------- */

/* The writer of an event by fingerprint fp: *w_out is NULL for es's own
 * schema, else an added writer. how names the event's reference. */
static int writer_for_fp(const envelope_schema_t *es, uint64_t fp, const char *how,
                         envelope_writer_t **w_out, char *errstr, size_t errstr_size)
{
    *w_out = NULL;
    if (fp == es->fingerprint)
        return 0;
    if (!(*w_out = envelope_find_writer(es, fp))) {
        errstr_set(errstr, errstr_size,
                   "decode: written with %s %016llx, not this stream's %016llx "
                   "nor a known version of it",
                   how, (unsigned long long)fp, (unsigned long long)es->fingerprint);
        return -1;
    }
    if ((*w_out)->error) {
        errstr_set(errstr, errstr_size,
                   "decode: written with %s %016llx, which cannot be read as this "
                   "stream's %016llx: %s",
                   how, (unsigned long long)fp, (unsigned long long)es->fingerprint,
                   (*w_out)->error);
        return -1;
    }
    return 0;
}

/* The writer of an event in the Confluent wire format, by its registry
 * id (envelope_ids.c), then by the fingerprint the id stands for. */
static int writer_for_id(const envelope_schema_t *es, uint32_t id, envelope_writer_t **w_out,
                         char *errstr, size_t errstr_size)
{
    const envelope_id_t *e = envelope_find_id(es, id);

    *w_out = NULL;
    if (!e) {
        errstr_set(errstr, errstr_size,
                   "decode: written with Schema Registry id %u (Confluent wire format), "
                   "which was not looked up",
                   (unsigned)id);
        return -1;
    }
    if (e->error) {
        errstr_set(errstr, errstr_size,
                   "decode: written with Schema Registry id %u (Confluent wire format), "
                   "which cannot be read: %s",
                   (unsigned)id, e->error);
        return -1;
    }
    char how[64];
    snprintf(how, sizeof(how), "Schema Registry id %u, fingerprint", (unsigned)id);
    return writer_for_fp(es, e->fingerprint, how, w_out, errstr, errstr_size);
}

/* The body of a framed event and its writer (writer_for_fp/_id). */
static int read_header(const envelope_schema_t *es, const void *buf, size_t len,
                       const unsigned char **body, size_t *body_len, envelope_writer_t **w_out,
                       char *errstr, size_t errstr_size)
{
    wire_schema_ref_t ref;
    char err[256];
    wire_status_t st = wire_decode(buf, len, &ref, body, body_len, err, sizeof(err));

    *w_out = NULL;
    if (st == WIRE_TRUNCATED) {
        errstr_set(errstr, errstr_size, "decode: truncated header: %s", err);
        return -1;
    }
    if (st != WIRE_OK) {
        errstr_set(errstr, errstr_size, "decode: %s", err); /* names the framings */
        return -1;
    }
    if (ref.framing == WIRE_CONFLUENT)
        return writer_for_id(es, ref.schema_id, w_out, errstr, errstr_size);
    return writer_for_fp(es, ref.fingerprint, "schema fingerprint", w_out, errstr, errstr_size);
}

/* Reads the body (header bytes into the message) into es->value, or
 * (written with w) through w's resolver into w->rvalue. */
static int read_body(envelope_schema_t *es, envelope_writer_t *w, const unsigned char *p,
                     size_t len, size_t header, char *errstr, size_t errstr_size)
{
    avrobin_cursor_t c;
    avro_value_t *target = w ? &w->resolved : &es->value;

    avrobin_cursor_init(&c, p, len);
    if (avrobin_skip_datum(&c, w ? w->wschema : es->avro) != 0) {
        errstr_set(errstr, errstr_size, "decode: %s at byte %zu", c.err,
                   header + avrobin_offset(&c));
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

/* The string field name of v into *out: 0, -1 out of memory, or -2 with
 * errstr when it holds a NUL byte. Avro strings may; C strings cannot, and
 * a copy cut at the NUL would name another record ("5\0junk" is not row
 * 5's) or another run. */
static int get_str(avro_value_t *v, const char *name, char **out, char *errstr, size_t errstr_size)
{
    const char *s = NULL;
    size_t size = 0, len;

    *out = NULL;
    if (avro_value_get_string(v, &s, &size) != 0 || !s)
        return -1;
    len = size ? size - 1 : 0;
    const char *nul = memchr(s, '\0', len);
    if (nul) {
        errstr_set(errstr, errstr_size,
                   "decode: the event's %s holds a NUL byte at byte %zu, which names nothing", name,
                   (size_t)(nul - s));
        return -2;
    }
    *out = strndup(s, len);
    return *out ? 0 : -1;
}

static const char *const event_fields[ENVELOPE_FIELDS] = {
    "op", "id", "source_ts", "run_id", "full_sync", "produced_at", "after"};

/* fa for values of value's schema: the event's fields found by name (the
 * first event of a schema, or one of another schema than the last). */
static void find_fields(fields_at_t *fa, avro_value_t *value)
{
    avro_schema_t schema = avro_value_get_schema(value);

    if (fa->event == schema && schema)
        return;
    for (int i = 0; i < ENVELOPE_FIELDS; i++)
        fa->field[i] = schema ? avro_schema_record_field_get_index(schema, event_fields[i]) : -1;
    fa->event = schema;
    fa->after = NULL; /* found again with its first record */
}

/* The after record's fields in branch (a record of rs's stream): fa's,
 * found again when its schema is another. NULL on ENOMEM. */
static const int *after_fields(fields_at_t *fa, const record_schema_t *rs, avro_value_t *branch)
{
    avro_schema_t schema = avro_value_get_schema(branch);

    if (fa->after_at && fa->after == schema && schema)
        return fa->after_at;
    free(fa->after_at);
    fa->after = schema;
    fa->after_at = convert_row_fields_at(rs, schema);
    return fa->after_at;
}

/* Copies value (just read: es's own, or a writer's rvalue) into a new
 * event. Fields are found by name, once per schema (fa): a writer's value
 * lacks what the writer did not have. */
static change_event_t *extract(envelope_schema_t *es, avro_value_t *value, fields_at_t *fa,
                               char *errstr, size_t errstr_size)
{
    avro_value_t v[ENVELOPE_FIELDS], branch;
    change_event_t *ev = calloc(1, sizeof(*ev));
    int op = 0, fs = 0, disc = 0;

    if (!ev)
        goto oom;
    find_fields(fa, value);
    for (int i = 0; i < ENVELOPE_FIELDS; i++)
        if (fa->field[i] < 0 || avro_value_get_by_index(value, (size_t)fa->field[i], &v[i], NULL)) {
            errstr_set(errstr, errstr_size,
                       "decode: the event has no "
                       "field '%s'",
                       event_fields[i]);
            change_event_destroy(ev);
            return NULL;
        }
    avro_value_get_enum(&v[EV_OP], &op);
    avro_value_get_long(&v[EV_SOURCE_TS], &ev->source_ts_ms);
    avro_value_get_boolean(&v[EV_FULL_SYNC], &fs);
    avro_value_get_long(&v[EV_PRODUCED_AT], &ev->produced_at_ms);
    ev->op = op == 1 ? CHANGE_OP_DELETE : CHANGE_OP_UPSERT;
    ev->full_sync = fs;
    int rc = get_str(&v[EV_ID], "id", &ev->id, errstr, errstr_size);
    if (rc == 0)
        rc = get_str(&v[EV_RUN_ID], "run_id", &ev->run_id, errstr, errstr_size);
    if (rc == -2) {
        change_event_destroy(ev);
        return NULL;
    }
    if (rc < 0)
        goto oom;
    avro_value_get_discriminant(&v[EV_AFTER], &disc);
    if (disc == 1) {
        avro_value_get_current_branch(&v[EV_AFTER], &branch);
        const int *at = after_fields(fa, es->rs, &branch);
        if (!at)
            goto oom;
        char err[512];
        ev->after = convert_avro_to_row_at(es->rs, &branch, at, err, sizeof(err));
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
    const unsigned char *body;
    size_t body_len;
    envelope_writer_t *w;

    if (!buf) {
        errstr_set(errstr, errstr_size, "decode: no payload (a tombstone?)");
        return NULL;
    }
    if (read_header(es, buf, len, &body, &body_len, &w, errstr, errstr_size) != 0 ||
        read_body(es, w, body, body_len, len - body_len, errstr, errstr_size) != 0)
        return NULL;
    return extract(es, w ? &w->rvalue : &es->value, w ? &w->at : &es->at, errstr, errstr_size);
}

/* ---- peek: what any version of any stream's event says ---------------- */

/* The body of buf in any framing and its schema reference, or NULL. */
static const unsigned char *framed_body(const void *buf, size_t len, wire_schema_ref_t *ref,
                                        size_t *body_len)
{
    const unsigned char *body;
    if (wire_decode(buf, len, ref, &body, body_len, NULL, 0) != WIRE_OK)
        return NULL;
    return body;
}

int envelope_peek_fingerprint(const void *buf, size_t len, uint64_t *fp)
{
    wire_schema_ref_t ref;
    size_t body_len;
    if (!framed_body(buf, len, &ref, &body_len) || ref.framing != WIRE_SINGLE_OBJECT)
        return -1;
    *fp = ref.fingerprint;
    return 0;
}

int envelope_peek(const void *buf, size_t len, change_op_t *op, int64_t *source_ts_ms)
{
    wire_schema_ref_t ref;
    size_t body_len;
    const unsigned char *body = framed_body(buf, len, &ref, &body_len);

    if (!body)
        return -1;
    /* Every version of every stream's event starts op, id, source_ts. */
    avrobin_cursor_t c;
    int64_t op_index, id_len, ts;
    avrobin_cursor_init(&c, body, body_len);
    if (avrobin_read_long(&c, &op_index) != 0 ||
        (op_index != CHANGE_OP_UPSERT && op_index != CHANGE_OP_DELETE) ||
        avrobin_read_long(&c, &id_len) != 0 || avrobin_skip(&c, id_len) != 0 ||
        avrobin_read_long(&c, &ts) != 0)
        return -1;
    *op = (change_op_t)op_index;
    *source_ts_ms = ts;
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
