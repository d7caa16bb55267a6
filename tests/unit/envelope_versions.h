/*
 * envelope_versions.h - what the schema-evolution tests (test_evolution.c,
 * test_envelope_ids.c, test_worker_registry.c) share: a version of a
 * stream's schema as its record schema and change-event schema, and the
 * change-event schema of a record schema as a registry holds it.
 *
 * Header only (static inline functions); the test thread calls them.
 * Fails through cmocka's assertions.
 */
#ifndef TIDEMARK_TEST_ENVELOPE_VERSIONS_H
#define TIDEMARK_TEST_ENVELOPE_VERSIONS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "envelope.h"
#include "schema.h"

/* Versions of one stream's record schema (t.Item), and another
 * stream's record (t.Order). */
/* the stream's schema: v2 */
static const char TM_MAYBE_UNUSED ITEM_V2[] =
    "{\"type\":\"record\",\"name\":\"Item\",\"namespace\":\"t\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"color\",\"type\":\"string\",\"default\":\"red\"}]}";
/* v1: a field fewer */
static const char TM_MAYBE_UNUSED ITEM_V1[] =
    "{\"type\":\"record\",\"name\":\"Item\",\"namespace\":\"t\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"}]}";
/* v3: a field more */
static const char TM_MAYBE_UNUSED ITEM_V3[] =
    "{\"type\":\"record\",\"name\":\"Item\",\"namespace\":\"t\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"color\",\"type\":\"string\",\"default\":\"red\"},"
    "{\"name\":\"size\",\"type\":\"int\",\"default\":0}]}";
/* another stream's record */
static const char TM_MAYBE_UNUSED ORDER_V1[] =
    "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"t\","
    "\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}";

typedef struct ver {
    record_schema_t *rs;
    envelope_schema_t *es;
} ver_t;

/* v from the record schema text json. */
static inline void ver_load(ver_t *v, const char *json)
{
    char err[512] = "";

    if (record_schema_parse(json, &v->rs, err, sizeof(err)) != 0)
        print_error("%s\n", err);
    assert_non_null(v->rs);
    v->es = envelope_schema_new(v->rs, err, sizeof(err));
    if (!v->es)
        print_error("%s\n", err);
    assert_non_null(v->es);
}

static inline void ver_unload(ver_t *v)
{
    envelope_schema_destroy(v->es);
    record_schema_destroy(v->rs);
}

/* The change-event schema (Avro JSON) of the record schema text, as a
 * registry holds it; text itself when it is not a record schema (caller
 * frees). */
static inline char *ver_event_schema_json(const char *text)
{
    record_schema_t *rs = NULL;
    char err[512];

    if (record_schema_parse(text, &rs, err, sizeof(err)) != 0)
        return strdup(text);
    record_schema_destroy(rs);
    ver_t v;
    ver_load(&v, text);
    char *json = strdup(envelope_schema_json(v.es));
    ver_unload(&v);
    return json;
}

#endif
