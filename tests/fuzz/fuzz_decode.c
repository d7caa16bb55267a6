/*
 * fuzz_decode.c - the worker's whole decode path (worker/decode.h), from a
 * message's bytes to row values, with the stream of fuzz_schema.h and an
 * older writer version of it that the schema source knows.
 *
 * The first byte picks the message:
 *   0  the rest is a change event's whole value, on the stream's topic (in
 *      the Confluent wire format, registry id 1 stands for the stream's
 *      schema and 2 for the older writer's; any other id is unknown);
 *   1  the rest is the Avro body: a single-object header with the
 *      stream's own fingerprint goes before it;
 *   2  the same with the older writer's fingerprint (schema resolution);
 *   3  the rest is a <prefix>.sync-runs value under a stream's key;
 *   4  the same under a checkpoint chunk's key (never dead-lettered).
 * Properties: decode_batch never fails (every message is decoded,
 * skipped or dead-lettered with a reason); a decoded upsert has a row with
 * every column; a chunk or tombstone yields nothing.
 * Dead letters go to a stand-in dlq_queue_add that checks the reason.
 */
#include "fuzz.h"
#include <jansson.h>
#include "envelope.h"
#include "schema.h"
#include "batch.h"
#include "dlq_queue.h"
#include "decode.h"
#include "streams.h"
#include "fuzz_schema.h"

#define TOPIC "tm.every"
#define RUNS  "tm.sync-runs"

static worker_streams_t ws;
static worker_stream_t stream;
static stream_conf_t sc = {.name = "every", .table = "every", .id_field = "id"};
static uint64_t fp_now, fp_old;
static char *old_json;
static size_t dead;

/* The stand-in of the dead-letter producer: count, and check the reason. */
int dlq_queue_add(dlq_queue_t *d, const void *key, size_t key_len, const void *value,
                  size_t value_len, const char *error, const char *src_topic, int32_t src_partition,
                  int64_t src_offset, char *errstr, size_t errstr_size)
{
    (void)d, (void)key, (void)key_len, (void)value, (void)value_len, (void)src_partition;
    (void)src_offset, (void)errstr, (void)errstr_size;
    FUZZ_CHECK(error && error[0], "dead letter without a reason");
    FUZZ_CHECK(src_topic && (!strcmp(src_topic, TOPIC) || !strcmp(src_topic, RUNS)), "topic");
    dead++;
    return 0;
}

static int lookup(void *impl, uint64_t fp, char **json_out, char *errstr, size_t errstr_size)
{
    (void)impl, (void)errstr, (void)errstr_size;
    if (fp != fp_old)
        return 0;
    *json_out = strdup(old_json);
    return *json_out ? 1 : -1;
}

/* The stand-in Schema Registry (registrysource.h) of mode 0. */
static sr_status_t fetch_id(void *impl, uint32_t id, char **json_out, char *errstr,
                            size_t errstr_size)
{
    (void)impl;
    if (id != 1 && id != 2) {
        snprintf(errstr, errstr_size, "no schema with id %u", (unsigned)id);
        return SR_NOT_FOUND;
    }
    *json_out = strdup(id == 1 ? envelope_schema_json(stream.es) : old_json);
    FUZZ_CHECK(*json_out, "ENOMEM");
    return SR_OK;
}

static void setup(void)
{
    char err[512];
    record_schema_t *old_rs;
    envelope_schema_t *old_es;

    FUZZ_CHECK(record_schema_parse(FUZZ_SCHEMA, &stream.rs, err, sizeof(err)) == 0, "%s", err);
    stream.es = envelope_schema_new(stream.rs, err, sizeof(err));
    FUZZ_CHECK(stream.es, "%s", err);
    FUZZ_CHECK(stream_sql_build(stream.rs, "every", "id", DELETE_MODE_SOFT, 0, &stream.sql, err,
                                sizeof(err)) == 0,
               "%s", err);
    stream.sc = &sc;
    snprintf(stream.topic, sizeof(stream.topic), "%s", TOPIC);
    fp_now = envelope_schema_fingerprint(stream.es);
    FUZZ_CHECK(record_schema_parse(FUZZ_SCHEMA_V0, &old_rs, err, sizeof(err)) == 0, "%s", err);
    old_es = envelope_schema_new(old_rs, err, sizeof(err));
    FUZZ_CHECK(old_es, "%s", err);
    old_json = strdup(envelope_schema_json(old_es));
    fp_old = envelope_schema_fingerprint(old_es);
    envelope_schema_destroy(old_es);
    record_schema_destroy(old_rs);
    ws.items = &stream;
    ws.n = 1;
    ws.writers.lookup = lookup;
    ws.ids.fetch = fetch_id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!old_json)
        setup();
    int mode = data[0] % 5;
    unsigned char *value = malloc(size + 10);
    size_t len = 0;
    FUZZ_CHECK(value, "ENOMEM");
    if (mode == 1 || mode == 2) {
        uint64_t fp = mode == 1 ? fp_now : fp_old;
        value[0] = 0xc3, value[1] = 0x01;
        for (int i = 0; i < 8; i++)
            value[2 + i] = (unsigned char)(fp >> (8 * i));
        len = 10;
    }
    memcpy(value + len, data + 1, size - 1);
    len += size - 1;

    const char *topic = mode <= 2 ? TOPIC : RUNS;
    const char *key = mode == 4 ? "every/ckpt/r1/0" : "every";
    batch_t *b = batch_new();
    FUZZ_CHECK(b, "ENOMEM");
    FUZZ_CHECK(batch_add_raw(b, topic, 0, 1, key, strlen(key), (const char *)value, len) == 0,
               "batch_add_raw");
    decoded_t d;
    char err[512];
    dead = 0;
    FUZZ_CHECK(decode_batch(b, &ws, RUNS, (dlq_queue_t *)&ws, &d, err, sizeof(err)) == 0,
               "decode_batch failed: %s", err);
    FUZZ_CHECK(d.n_events + d.n_runs + d.dead_letters <= 1 && dead == d.dead_letters,
               "%zu events, %zu runs, %zu dead letters (%zu sent)", d.n_events, d.n_runs,
               d.dead_letters, dead);
    if (mode == 4)
        FUZZ_CHECK(d.n_events + d.n_runs + d.dead_letters == 0, "a chunk yielded something");
    else
        FUZZ_CHECK(d.n_events + d.n_runs + d.dead_letters == 1, "a message yielded nothing");
    for (size_t i = 0; i < d.n_events; i++) {
        const change_event_t *ev = d.events[i].ev;
        FUZZ_CHECK(ev->id && ev->run_id, "event without id or run");
        if (ev->op == CHANGE_OP_UPSERT && ev->after) {
            FUZZ_CHECK(json_is_object(ev->after), "row not an object");
            for (size_t c = 0; c < stream.sql.n_columns; c++)
                FUZZ_CHECK(json_object_get(ev->after, stream.sql.columns[c].column),
                           "row without column '%s'", stream.sql.columns[c].column);
        }
    }
    decoded_clear(&d);
    batch_destroy(b);
    free(value);
    return 0;
}
