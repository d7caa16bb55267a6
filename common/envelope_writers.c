/*
 * envelope_writers.c - schema evolution of the change event (envelope.h):
 * the other versions of a stream's event schema that its events may have
 * been written with, each checked field by field against ours and, when
 * its events can be read, resolved into ours by avro-c's resolved writer.
 *
 * avro-c 1.11 cannot fill a reader field from a default and does not know
 * logical types, so a writer is checked here (field_compatible) and our
 * schema is cut to the fields the writer has (prune): the row form fills
 * the rest (defaults, or null). Nor does it resolve an enum by symbol: it
 * hands the writer's index on as the reader's. So our enums take the
 * writer's symbols (adopt_symbols), and a value's index names the symbol
 * it was written as.
 */
#include "errstr.h"
#include "envelope_priv.h"

#include "avsc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro/resolver.h>

#define MAX_DEPTH 64 /* nesting of schema JSON followed */

static void writer_clear(envelope_writer_t *w)
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
    free(w->at.after_at);
    memset(w, 0, sizeof(*w));
}

void envelope_clear_writers(envelope_schema_t *es)
{
    for (size_t i = 0; i < es->n_writers; i++)
        writer_clear(&es->writers[i]);
    free(es->writers);
    es->writers = NULL;
    es->n_writers = 0;
}

envelope_writer_t *envelope_find_writer(const envelope_schema_t *es, uint64_t fp)
{
    for (size_t i = 0; i < es->n_writers; i++)
        if (es->writers[i].fingerprint == fp)
            return &es->writers[i];
    return NULL;
}

int envelope_knows_writer(const envelope_schema_t *es, uint64_t fp)
{
    return fp == es->fingerprint || envelope_find_writer(es, fp) != NULL;
}

/* ---- the schema JSON ---------------------------------------------------- */

static const char *short_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

static int is_record(const json_t *s)
{
    const char *type = json_string_value(json_object_get(s, "type"));
    return type && (!strcmp(type, "record") || !strcmp(type, "error"));
}

/* The record schema object in the "after" field of an event schema. */
static json_t *after_record(json_t *event)
{
    json_t *f;
    size_t i;

    json_array_foreach(json_object_get(event, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!name || strcmp(name, "after") != 0)
            continue;
        json_t *t = json_object_get(f, "type"), *b;
        if (json_is_object(t))
            return t;
        size_t j;
        json_array_foreach(t, j, b) if (json_is_object(b)) return b;
    }
    return NULL;
}

static int is_enum(const json_t *s)
{
    const char *type = json_string_value(json_object_get(s, "type"));
    return type && !strcmp(type, "enum");
}

/* Calls visit on every record and enum in s with its full name ("ns.Name":
 * its own dotted name, or its namespace, or the one it inherits from the
 * named type around it), before what is inside it (a visit may change
 * that), down to MAX_DEPTH. */
typedef void (*named_visit_fn)(json_t *s, const char *full, void *ctx);

static void walk_named(json_t *s, const char *ns, named_visit_fn visit, void *ctx, int depth)
{
    if (depth > MAX_DEPTH)
        return;
    if (json_is_array(s)) {
        size_t i;
        json_t *v;
        json_array_foreach(s, i, v) walk_named(v, ns, visit, ctx, depth + 1);
        return;
    }
    if (!json_is_object(s))
        return;
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *own = json_string_value(json_object_get(s, "namespace"));
    char full[1040], inner[512];
    if (name && (is_record(s) || is_enum(s))) {
        const char *dot = strrchr(name, '.');
        const char *space = dot ? NULL : own ? own : ns;
        if (dot)
            snprintf(inner, sizeof(inner), "%.*s", (int)(dot - name), name);
        else
            snprintf(inner, sizeof(inner), "%s", space ? space : "");
        snprintf(full, sizeof(full), "%s%s%s", dot ? "" : inner, !dot && inner[0] ? "." : "", name);
        ns = inner;
        visit(s, full, ctx);
    }
    const char *k;
    json_t *v;
    json_object_foreach(s, k, v)
    {
        if (!strcmp(k, "type") || !strcmp(k, "items") || !strcmp(k, "values")) {
            walk_named(v, ns, visit, ctx, depth + 1);
        } else if (!strcmp(k, "fields")) {
            size_t i;
            json_t *f;
            json_array_foreach(v, i, f)
                walk_named(json_object_get(f, "type"), ns, visit, ctx, depth + 1);
        }
    }
}

/* The writer's records or enums: by full name, and by short name where
 * that is one type's alone (JSON null where two share it). */
typedef struct {
    json_t *by_full, *by_short;
} writer_named_t;

/* Into wn, a named type of the writer's (the first of a name wins). */
static void collect_named(writer_named_t *wn, json_t *s, const char *full)
{
    const char *brief = short_name(full);
    json_t *seen = json_object_get(wn->by_short, brief);

    if (json_object_get(wn->by_full, full))
        return;
    json_object_set(wn->by_full, full, s);
    json_object_set_new(wn->by_short, brief, seen ? json_null() : json_incref(s));
}

/* The writer's type of ours named full: of the same full name; failing
 * that, of the same short name when the writer has one such type alone (a
 * namespace renamed), never one of two (na.Level and nb.Level). */
static json_t *writer_named(const writer_named_t *wn, const char *full)
{
    json_t *w = json_object_get(wn->by_full, full);
    return w ? w : json_object_get(wn->by_short, short_name(full));
}

/* Visit: an enum definition of the writer's. */
static void collect_enum(json_t *s, const char *full, void *ctx)
{
    if (is_enum(s))
        collect_named(ctx, s, full);
}

/* Visit: a record definition of the writer's. */
static void collect_record(json_t *s, const char *full, void *ctx)
{
    if (is_record(s))
        collect_named(ctx, s, full);
}

/* What adopt_symbols() works with: the writer's enums, the name of our
 * event's op enum, and the first enum it cannot adopt. */
typedef struct {
    writer_named_t writer;
    const char *op_enum;
    char err[256];
} enum_adopt_t;

static int has_symbol(const json_t *symbols, const char *sym)
{
    size_t i;
    json_t *v;

    json_array_foreach(symbols, i,
                       v) if (json_is_string(v) && !strcmp(json_string_value(v), sym)) return 1;
    return 0;
}

/*
 * Visit: an enum of ours that the writer also has takes the writer's
 * symbols, in the writer's order, so that the index avro-c hands on names
 * the symbol written (read with our order, a symbol added before the
 * others shifted every old value: bronze read as basic, gold as silver).
 * The writer's enum is writer_named()'s. A written
 * symbol that ours lacks is refused (our enum's default is not applied:
 * avro-c cannot), and so is an op enum other than ours: the op is read by
 * its index.
 */
static void adopt_symbols(json_t *s, const char *full, void *ctx)
{
    enum_adopt_t *a = ctx;
    const char *name = full;
    json_t *w = is_enum(s) ? writer_named(&a->writer, full) : NULL;
    json_t *ws = json_object_get(w, "symbols"), *ours = json_object_get(s, "symbols"), *v;
    size_t i;

    if (!json_is_array(ws) || !json_is_array(ours) || a->err[0])
        return;
    if (!strcmp(short_name(name), a->op_enum) && !json_equal(ws, ours)) {
        snprintf(a->err, sizeof(a->err), "its enum %s is not ours (UPSERT, DELETE)", name);
        return;
    }
    json_array_foreach(ws, i, v) if (!json_is_string(v) || !has_symbol(ours, json_string_value(v)))
    {
        snprintf(a->err, sizeof(a->err), "enum %s has symbol '%s', which ours lacks", name,
                 json_is_string(v) ? json_string_value(v) : "?");
        return;
    }
    json_object_set(s, "symbols", ws);
    json_object_del(s, "default"); /* ours; it may not be among the writer's */
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

/* Visit: drops from a record of ours the fields that the writer's record
 * (writer_named(), in ctx) does not have. Matched by short name alone, a
 * writer with two records of one short name (na.Address, nb.Address) had
 * the second read through the first's fields, and every field of it the
 * first lacks was dropped from every event, without a word. */
static void prune_record(json_t *s, const char *full, void *ctx)
{
    json_t *fields = json_object_get(s, "fields");
    if (!is_record(s) || !json_is_array(fields))
        return;
    json_t *w = writer_named(ctx, full);
    for (size_t i = json_array_size(fields); w && i-- > 0;) {
        const char *fn = json_string_value(json_object_get(json_array_get(fields, i), "name"));
        if (fn && !has_field(w, fn))
            json_array_remove(fields, i);
    }
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

/* ---- field by field ------------------------------------------------------ */

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
            errstr_set(errstr, errstr_size, "field '%s' is not in it, and ours has no default",
                       r->name);
            goto out;
        }
        if (w && !field_compatible(w, r)) {
            errstr_set(errstr, errstr_size,
                       "field '%s' was written as %s, which cannot be read as %s", r->name,
                       schema_field_avro_type(w, b1, sizeof(b1)),
                       schema_field_avro_type(r, b2, sizeof(b2)));
            goto out;
        }
    }
    rc = 0;
out:
    record_schema_destroy(wrs);
    free(text);
    return rc;
}

/* Whether the writer's event schema wdoc can be read as ours: its record
 * is ours (by name) and field by field compatible. 0, or -1 with errstr. */
static int check_writer(const envelope_schema_t *es, json_t *wdoc, char *errstr, size_t errstr_size)
{
    json_t *wrec = after_record(wdoc);

    if (!wrec) {
        errstr_set(errstr, errstr_size,
                   "not a change-event schema (no record in an \"after\" field)");
        return -1;
    }
    const char *wn = json_string_value(json_object_get(wrec, "name"));
    if (!wn || strcmp(short_name(wn), es->rs->name)) {
        errstr_set(errstr, errstr_size, "it is the schema of record '%s', not '%s'", wn ? wn : "?",
                   es->rs->name);
        return -1;
    }
    return check_fields(es->rs, wrec, errstr, errstr_size);
}

/* Whether types a and b, parts of schemas with one Parsing Canonical Form
 * (so of one shape), give each logical type inside them alike: a
 * timestamp-millis array's items read as micros are as wrong as a field's
 * (nested values are kept in jsonb). A decimal's precision may differ: it
 * only bounds the values. */
static int same_logical_types(const json_t *a, const json_t *b)
{
    static const char *const attrs[] = {"logicalType", "scale"};
    static const char *const parts[] = {"type", "items", "values", "fields"};
    size_t i;
    const json_t *x;

    if (json_is_array(a)) {
        json_array_foreach(a, i, x) if (!same_logical_types(x, json_array_get(b, i))) return 0;
        return 1;
    }
    /* "int" and {"type": "int", "logicalType": "date"}: one shape */
    for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        const json_t *va = json_object_get(a, attrs[i]), *vb = json_object_get(b, attrs[i]);
        if ((va || vb) && !json_equal(va, vb))
            return 0;
    }
    if (!json_is_object(a) || !json_is_object(b))
        return 1; /* a name or a primitive: the canonical form compared it */
    for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (!same_logical_types(json_object_get(a, parts[i]), json_object_get(b, parts[i])))
            return 0;
    return 1;
}

/* The first field of our record whose type's logical types, somewhere
 * inside it, wrec's field gives otherwise, or NULL. */
static const char *nested_difference(const envelope_schema_t *es, json_t *wrec)
{
    const json_t *ours = json_object_get(es->rs->json_doc, "fields");
    const json_t *theirs = json_object_get(wrec, "fields"), *f;
    size_t i;

    json_array_foreach(ours, i, f)
    {
        const json_t *w = json_array_get(theirs, i);
        if (!same_logical_types(json_object_get(f, "type"), json_object_get(w, "type")))
            return json_string_value(json_object_get(f, "name"));
    }
    return NULL;
}

int envelope_same_meaning(const envelope_schema_t *es, const char *json_text, char *errstr,
                          size_t errstr_size)
{
    json_error_t jerr;
    json_t *doc = json_loads(json_text, 0, &jerr);

    if (!doc) {
        errstr_set(errstr, errstr_size, "not JSON: %s", jerr.text);
        return -1;
    }
    /* one fingerprint: the same primitive types, so no promotion passes */
    int rc = check_writer(es, doc, errstr, errstr_size);
    const char *field = rc == 0 ? nested_difference(es, after_record(doc)) : NULL;
    if (field) {
        errstr_set(errstr, errstr_size,
                   "field '%s' holds a logical type (or a decimal scale) that differs inside it",
                   field);
        rc = -1;
    }
    json_decref(doc);
    return rc;
}

/* ---- resolution ---------------------------------------------------------- */

/* Our event schema cut to what the writer wdoc has, as avro-c parses it. */
static int reader_schema(const envelope_schema_t *es, json_t *wdoc, avro_schema_t *out,
                         char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    writer_named_t wrecs = {json_object(), json_object()};
    json_t *rdoc = json_loads(es->json_text, 0, &jerr);
    char *rtext = NULL, op_enum[256];
    enum_adopt_t adopt = {{json_object(), json_object()}, op_enum, ""};
    int rc = -1;

    *out = NULL;
    if (!wrecs.by_full || !wrecs.by_short || !rdoc || !adopt.writer.by_full ||
        !adopt.writer.by_short) {
        errstr_set(errstr, errstr_size, "out of memory");
        goto done;
    }
    walk_named(wdoc, NULL, collect_record, &wrecs, 0);
    walk_named(rdoc, NULL, prune_record, &wrecs, 0);
    snprintf(op_enum, sizeof(op_enum), "%sChangeOp", es->rs->name);
    walk_named(wdoc, NULL, collect_enum, &adopt.writer, 0);
    walk_named(rdoc, NULL, adopt_symbols, &adopt, 0);
    if (adopt.err[0]) {
        errstr_set(errstr, errstr_size, "%s", adopt.err);
        goto done;
    }
    if (!(rtext = json_dumps(rdoc, JSON_COMPACT)) ||
        avro_schema_from_json_length(rtext, strlen(rtext), out)) {
        *out = NULL;
        errstr_set(errstr, errstr_size, "%s", rtext ? avro_strerror() : "out of memory");
        goto done;
    }
    rc = 0;
done:
    json_decref(rdoc);
    json_decref(wrecs.by_full);
    json_decref(wrecs.by_short);
    json_decref(adopt.writer.by_full);
    json_decref(adopt.writer.by_short);
    free(rtext);
    return rc;
}

/* Sets up w from the writer's schema document wdoc. -1 with errstr. */
static int writer_build(envelope_schema_t *es, envelope_writer_t *w, json_t *wdoc, char *errstr,
                        size_t errstr_size)
{
    if (check_writer(es, wdoc, errstr, errstr_size) != 0)
        return -1;
    char *wtext = json_dumps(wdoc, JSON_COMPACT);
    if (!wtext || avro_schema_from_json_length(wtext, strlen(wtext), &w->wschema)) {
        w->wschema = NULL;
        errstr_set(errstr, errstr_size, "%s", wtext ? avro_strerror() : "out of memory");
        free(wtext);
        return -1;
    }
    free(wtext);
    if (reader_schema(es, wdoc, &w->rschema, errstr, errstr_size) != 0)
        return -1;
    if (!(w->riface = avro_generic_class_from_schema(w->rschema)) ||
        avro_generic_value_new(w->riface, &w->rvalue) != 0 ||
        !(w->resolver = avro_resolved_writer_new(w->wschema, w->rschema)) ||
        avro_resolved_writer_new_value(w->resolver, &w->resolved) != 0) {
        errstr_set(errstr, errstr_size, "%s", avro_strerror());
        return -1;
    }
    avro_resolved_writer_set_dest(&w->resolved, &w->rvalue);
    return 0;
}

/* Remembers a writer whose events cannot be read, with the reason. */
static int add_unreadable(envelope_schema_t *es, envelope_writer_t *w, uint64_t fp, const char *why,
                          char *errstr, size_t errstr_size)
{
    char *copy = strdup(why);

    writer_clear(w);
    w->fingerprint = fp;
    w->error = copy;
    if (!copy) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    es->n_writers++;
    errstr_set(errstr, errstr_size, "%s", copy);
    return -1;
}

int envelope_add_writer(envelope_schema_t *es, const char *json_text, uint64_t *fp_out,
                        char *errstr, size_t errstr_size)
{
    uint64_t fp = 0;

    if (avsc_text_fingerprint(json_text, &fp, errstr, errstr_size) != 0)
        return -1; /* nothing to remember it by */
    if (fp_out)
        *fp_out = fp;
    if (fp == es->fingerprint)
        return 0;
    envelope_writer_t *w = envelope_find_writer(es, fp);
    if (w) {
        if (w->error) {
            errstr_set(errstr, errstr_size, "%s", w->error);
            return -1;
        }
        return 0;
    }
    envelope_writer_t *grown = realloc(es->writers, (es->n_writers + 1) * sizeof(*grown));
    if (!grown) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    es->writers = grown;
    w = &es->writers[es->n_writers];
    memset(w, 0, sizeof(*w));
    w->fingerprint = fp;

    json_error_t jerr;
    json_t *wdoc = json_loads(json_text, 0, &jerr);
    char err[512] = "";
    int rc = wdoc ? writer_build(es, w, wdoc, err, sizeof(err)) : -1;
    json_decref(wdoc);
    if (rc != 0) /* remembered, so that its events fail with the reason */
        return add_unreadable(es, w, fp, err[0] ? err : "cannot be parsed", errstr, errstr_size);
    es->n_writers++;
    return 0;
}
