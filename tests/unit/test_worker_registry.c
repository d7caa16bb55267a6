/*
 * test_worker_registry.c - the worker's decode of events in both framings
 * (worker/decode.h, streams.h), with a fake Schema Registry behind the
 * registry seam (registrysource.h): an id the registry knows is applied
 * (its own schema, or an older version resolved), each id is asked once;
 * an unknown id (404), an id of another record's schema, no registry
 * configured and a cut header are dead-lettered with the reason; an
 * outage retries the batch (-1) and a refusal (401/403) stops the worker
 * (DECODE_REFUSED); an id unknown now but not yet for good is dead-lettered
 * and asked again. And the grace the registry seam gives unknown ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "decode.h"
#include "registrysource.h"
#include "json_arena.h"
#include "envelope_versions.h"
#include "wireframe.h"

#define RUNS  "tm.sync-runs"
#define TOPIC "tm.items"

/* The fake registry: what it answers for every id, and how often it was
 * asked. */
typedef struct fake_registry {
    sr_status_t status;   /* for every id */
    const char *schema;   /* SR_OK: the record schema of the id's event schema */
    const char *ids_only; /* NULL, or the only ids (one char each) that exist */
    int calls;
} fake_registry_t;

static sr_status_t fake_fetch(void *impl, uint32_t id, char **json_out, char *errstr,
                              size_t errstr_size)
{
    fake_registry_t *f = impl;

    f->calls++;
    if (f->ids_only && !strchr(f->ids_only, (int)('0' + id))) {
        snprintf(errstr, errstr_size, "GET /schemas/ids/%u: 404 error_code 40403", (unsigned)id);
        return SR_NOT_FOUND;
    }
    switch (f->status) {
    case SR_OK:
        *json_out = ver_event_schema_json(f->schema);
        return SR_OK;
    case SR_UNAVAILABLE:
        snprintf(errstr, errstr_size, "registry down (503)");
        return SR_UNAVAILABLE;
    case SR_REFUSED:
        snprintf(errstr, errstr_size, "401 error_code 401: Unauthorized");
        return SR_REFUSED;
    case SR_UNUSABLE:
        snprintf(errstr, errstr_size, "the schema is not an Avro schema (schemaType PROTOBUF)");
        return SR_UNUSABLE;
    case SR_NOT_FOUND_YET:
        snprintf(errstr, errstr_size, "GET /schemas/ids/%u: 404; not yet", (unsigned)id);
        return SR_NOT_FOUND_YET;
    default:
        snprintf(errstr, errstr_size, "GET /schemas/ids/%u: 404", (unsigned)id);
        return SR_NOT_FOUND;
    }
}

/* One message: written with record schema writer, framed 00 + id (id
 * >= 0) or single-object (-1); cut to cut bytes when cut > 0. */
typedef struct msg {
    const char *writer, *record;
    long id;
    size_t cut;
} msg_t;

typedef struct reg_case {
    const char *name;
    int registry; /* a registry configured */
    fake_registry_t answers;
    msg_t msgs[3];
    int rc; /* decode_batch_deferred's */
    size_t events, rejects;
    const char *row0;   /* the first event's row */
    const char *reject; /* a fragment of every reject's reason, or of errstr */
    int calls;          /* requests to the registry */
} reg_case_t;

#define REC2 "{\"id\":1,\"color\":\"b\"}"
#define REC1 "{\"id\":1}"

static const reg_case_t CASES[] = {
    {"an id the registry knows, asked once",
     1,
     {SR_OK, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, 3, 0}, {ITEM_V2, REC2, 3, 0}},
     0,
     2,
     0,
     "{\"id\":1,\"color\":\"b\"}",
     NULL,
     1},
    {"both framings on one topic",
     1,
     {SR_OK, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, -1, 0}, {ITEM_V2, REC2, 3, 0}},
     0,
     2,
     0,
     "{\"id\":1,\"color\":\"b\"}",
     NULL,
     1},
    {"an older version's id: resolved, the default filled",
     1,
     {SR_OK, ITEM_V1, NULL, 0},
     {{ITEM_V1, REC1, 4, 0}},
     0,
     1,
     0,
     "{\"id\":1,\"color\":\"red\"}",
     NULL,
     1},
    {"no registry configured",
     0,
     {SR_OK, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, 3, 0}, {ITEM_V2, REC2, 3, 0}},
     0,
     0,
     2,
     NULL,
     "id 3 (Confluent wire format), which cannot be read: no [schema_registry]",
     0},
    {"an id unknown to the registry, asked once",
     1,
     {SR_OK, ITEM_V2, "3", 0},
     {{ITEM_V2, REC2, 3, 0}, {ITEM_V2, REC2, 9, 0}, {ITEM_V2, REC2, 9, 0}},
     0,
     1,
     2,
     NULL,
     "Schema Registry id 9 (Confluent wire format), which cannot be read: the Schema Registry "
     "does not know it (GET /schemas/ids/9: 404",
     2},
    {"an id of another record's schema",
     1,
     {SR_OK, ORDER_V1, NULL, 0},
     {{ITEM_V2, REC2, 5, 0}},
     0,
     0,
     1,
     NULL,
     "id 5 (Confluent wire format), which cannot be read: it is the schema of record 'Order'",
     1},
    {"an id whose schema is not Avro, asked once",
     1,
     {SR_UNUSABLE, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, 7, 0}, {ITEM_V2, REC2, 7, 0}},
     0,
     0,
     2,
     NULL,
     "id 7 (Confluent wire format), which cannot be read: the Schema Registry has no Avro schema "
     "for it (the schema is not an Avro schema (schemaType PROTOBUF))",
     1},
    {"an id unknown now, not yet for good: dead-lettered, asked again for each event",
     1,
     {SR_NOT_FOUND_YET, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, 6, 0}, {ITEM_V2, REC2, 6, 0}},
     0,
     0,
     2,
     NULL,
     "Schema Registry id 6 (Confluent wire format), which the Schema Registry does not know: "
     "GET /schemas/ids/6: 404; not yet",
     2},
    {"a Confluent header cut short: no request",
     1,
     {SR_OK, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, 3, 4}},
     0,
     0,
     1,
     NULL,
     "truncated header: a Confluent wire format header cut short (4 of 5",
     0},
    {"the registry unavailable: retry the batch",
     1,
     {SR_UNAVAILABLE, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, 3, 0}},
     -1,
     0,
     0,
     NULL,
     "registry down (503)",
     1},
    {"the registry refuses the worker: stop",
     1,
     {SR_REFUSED, ITEM_V2, NULL, 0},
     {{ITEM_V2, REC2, 3, 0}},
     DECODE_REFUSED,
     0,
     0,
     NULL,
     "401 error_code 401: Unauthorized",
     1},
};

static void *encode_msg(const msg_t *m, size_t *len)
{
    char err[512] = "";
    json_error_t jerr;
    json_t *rec = json_loads(m->record, 0, &jerr);
    void *soe = NULL, *out = NULL;
    ver_t v;

    ver_load(&v, m->writer);
    assert_int_equal(envelope_encode(v.es, CHANGE_OP_UPSERT, "1", 1000, "run-1", 0, 2000, rec, &soe,
                                     len, err, sizeof(err)),
                     0);
    json_decref(rec);
    ver_unload(&v);
    if (m->id < 0)
        return soe;
    wire_schema_ref_t ref = {.framing = WIRE_CONFLUENT, .schema_id = (uint32_t)m->id};
    assert_int_equal(
        wire_encode(&ref, (char *)soe + WIRE_SOE_HEADER, *len - WIRE_SOE_HEADER, &out, len), 0);
    free(soe);
    if (m->cut)
        *len = m->cut;
    return out;
}

static void run_case(const reg_case_t *c)
{
    stream_conf_t sc = {.name = "items"};
    worker_stream_t item = {.sc = &sc};
    worker_streams_t ws = {.items = &item, .n = 1};
    fake_registry_t fake = c->answers;
    char err[1024] = "";

    snprintf(item.topic, sizeof(item.topic), "%s", TOPIC);
    assert_int_equal(record_schema_parse(ITEM_V2, &item.rs, err, sizeof(err)), 0);
    item.es = envelope_schema_new(item.rs, err, sizeof(err));
    assert_non_null(item.es);
    if (c->registry) {
        ws.ids.fetch = fake_fetch;
        ws.ids.impl = &fake;
    }
    batch_t *b = batch_new();
    assert_non_null(b);
    for (size_t i = 0; i < 3 && c->msgs[i].writer; i++) {
        size_t len;
        void *v = encode_msg(&c->msgs[i], &len);
        assert_int_equal(batch_add_raw(b, TOPIC, 0, (int64_t)i, "1", 1, v, len), 0);
        free(v);
    }
    decoded_t d;
    int rc = decode_batch_deferred(b, &ws, RUNS, &d, err, sizeof(err));
    if (rc != c->rc || d.n_events != c->events || d.n_rejects != c->rejects ||
        fake.calls != c->calls)
        print_error("%s: rc %d events %zu rejects %zu calls %d (%s)\n", c->name, rc, d.n_events,
                    d.n_rejects, fake.calls, d.n_rejects ? d.rejects[0].reason : err);
    assert_int_equal(rc, c->rc);
    assert_int_equal(fake.calls, c->calls);
    if (rc < 0) {
        if (!strstr(err, c->reject))
            print_error("%s: '%s', want '%s'\n", c->name, err, c->reject);
        assert_non_null(strstr(err, c->reject));
    } else {
        assert_int_equal(d.n_events, c->events);
        assert_int_equal(d.n_rejects, c->rejects);
    }
    for (size_t i = 0; rc == 0 && i < d.n_rejects; i++) {
        if (!strstr(d.rejects[i].reason, c->reject))
            print_error("%s: '%s', want '%s'\n", c->name, d.rejects[i].reason, c->reject);
        assert_non_null(strstr(d.rejects[i].reason, c->reject));
    }
    if (c->row0 && rc == 0) {
        char *row = json_dumps(d.events[0].ev->after, JSON_COMPACT);
        assert_string_equal(row, c->row0);
        free(row);
    }
    decoded_clear(&d);
    batch_destroy(b);
    envelope_schema_destroy(item.es);
    record_schema_destroy(item.rs);
}

static void test_registry_outcomes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
        run_case(&CASES[i]);
}

/* An outage retries the batch; once the registry answers, it decodes. */
static void test_outage_then_back(void **state)
{
    (void)state;
    size_t k = 0;
    while (CASES[k].answers.status != SR_UNAVAILABLE)
        k++;
    reg_case_t c = CASES[k];
    run_case(&c);
    c.answers.status = SR_OK;
    c.rc = 0;
    c.events = 1;
    c.reject = "";
    c.row0 = "{\"id\":1,\"color\":\"b\"}";
    run_case(&c);
}

/*
 * The grace of unknown ids (registry_grace_judge), in steps of (seconds,
 * id) with a 10 s grace: the window, its end, and unknown ids arriving
 * every 15 s, which keep it spent: a new id met then is not refused for
 * good at its first 404 (it used to be, and its events all dead-lettered
 * until a restart), only once a grace of its own has passed.
 */
static void test_grace_of_unknown_ids(void **state)
{
    (void)state;
    static const struct {
        double at_s;
        uint32_t id;
        sr_status_t want;
    } steps[] = {
        {0, 7, SR_UNAVAILABLE},       /* the window opens */
        {5, 7, SR_UNAVAILABLE},       /* the batch retried within it */
        {9.9, 8, SR_UNAVAILABLE},     /* another id, the same window */
        {10, 7, SR_NOT_FOUND},        /* the window over, 7's own grace too */
        {10.1, 8, SR_NOT_FOUND_YET},  /* 8's own grace is not over */
        {20, 8, SR_NOT_FOUND},        /* now it is */
        {35, 5001, SR_NOT_FOUND_YET}, /* 15 s after the last 404: the window stays spent */
        {50, 5002, SR_NOT_FOUND_YET},
        {65, 5003, SR_NOT_FOUND_YET},
        {75, 42, SR_NOT_FOUND_YET}, /* a new real id, a replica behind: not for good */
        {75.2, 42, SR_NOT_FOUND_YET},
        {85, 42, SR_NOT_FOUND},    /* unknown for a grace of its own: for good */
        {200, 43, SR_UNAVAILABLE}, /* after a quiet time a window opens again */
    };
    registry_grace_t g;
    memset(&g, 0, sizeof(g));
    g.grace_ms = 10000;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        int64_t now = 1000000 + (int64_t)(steps[i].at_s * 1000);
        sr_status_t got = registry_grace_judge(&g, steps[i].id, now);
        if (got != steps[i].want)
            fail_msg("step %zu (t=%.1f s, id %u): %d, want %d", i, steps[i].at_s,
                     (unsigned)steps[i].id, (int)got, (int)steps[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grace_of_unknown_ids),
        cmocka_unit_test(test_registry_outcomes),
        cmocka_unit_test(test_outage_then_back),
    };
    json_arena_install(); /* as the worker runs: rows in arenas */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
