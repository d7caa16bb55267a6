/*
 * test_worker_decode.c - what the worker makes of <prefix>.sync-runs
 * messages (worker/decode.h): run records become runs; checkpoint chunks
 * (the producer's own state, runrecord.h) and tombstones yield nothing and
 * are never dead-lettered, whatever their value. And which tidemark.run
 * headers name the run of an event that cannot be decoded (batch.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "decode.h"
#include "json_arena.h"
#include "utf8.h"

#define RUNS "tm.sync-runs"

/* The worker's configured streams: customers alone. */
static stream_conf_t customers_conf = {.name = "customers"};
static worker_stream_t customers_stream = {.sc = &customers_conf};
static const worker_streams_t customers_only = {.items = &customers_stream, .n = 1};

static void test_sync_runs_messages(void **state)
{
    (void)state;
    static const char head[] =
        "{\"stream\":\"customers\",\"run_id\":\"r1\",\"mode\":\"full\",\"status\":\"running\","
        "\"started_at\":\"2026-11-25T12:00:00Z\",\"hwm\":{\"value\":null,\"chunks\":"
        "[{\"key\":\"customers/ckpt/r1/0\",\"ids\":1,\"bytes\":50,"
        "\"sum\":\"0123456789abcdef\"}]}}";
    static const char chunk[] = "{\"chunk\":\"customers/ckpt/r1/0\",\"ids\":{\"1\":\"\"}}";
    static const struct {
        const char *key, *value;
    } msgs[] = {
        {"customers", head},
        {"customers/ckpt/r1/0", chunk},
        {"customers/ckpt/r1/1", "\x01 not JSON at all"}, /* still the producer's */
        {"customers/ckpt/r1/2", NULL},                   /* tombstoned chunk */
        {"customers", NULL},                             /* tombstoned head */
    };
    batch_t *b = batch_new();
    assert_non_null(b);
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
        assert_int_equal(batch_add_raw(b, RUNS, 0, (int64_t)i, msgs[i].key, strlen(msgs[i].key),
                                       msgs[i].value, msgs[i].value ? strlen(msgs[i].value) : 0),
                         0);
    decoded_t d;
    char err[256] = "";
    /* no dead-letter queue: dead-lettering anything here would crash */
    assert_int_equal(decode_batch(b, &customers_only, RUNS, NULL, &d, err, sizeof(err)), 0);
    assert_int_equal(d.dead_letters, 0);
    assert_int_equal(d.n_events, 0);
    assert_int_equal(d.n_runs, 1);
    assert_int_equal(d.runs[0].msg, 0);
    assert_string_equal(d.runs[0].rr->run_id, "r1");
    assert_int_equal(d.runs[0].rr->hwm.n_chunks, 1);
    decoded_clear(&d);
    batch_destroy(b);
}

/* decode_batch_deferred() (the decode thread's) holds each dead letter
 * with its message and reason, as decode_batch() would have queued it, and
 * decodes the rest the same. */
static void test_deferred_rejects(void **state)
{
    (void)state;
    static const char run[] =
        "{\"stream\":\"customers\",\"run_id\":\"r1\",\"mode\":\"full\",\"status\":\"running\","
        "\"started_at\":\"2026-11-25T12:00:00Z\"}";
    static const struct {
        const char *key, *value;
    } msgs[] = {
        {"customers", "{\"not\": \"a run record\""},
        {"customers", run},
        {"customers", "[]"},
    };
    batch_t *b = batch_new();
    assert_non_null(b);
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        assert_int_equal(batch_add_raw(b, RUNS, 0, (int64_t)i, msgs[i].key, strlen(msgs[i].key),
                                       msgs[i].value, strlen(msgs[i].value)),
                         0);
        assert_int_equal(batch_set_run_id(b, "r1", 2), 0);
    }
    decoded_t d;
    char err[256] = "";
    assert_int_equal(decode_batch_deferred(b, &customers_only, RUNS, &d, err, sizeof(err)), 0);
    assert_int_equal(d.dead_letters, 2);
    assert_int_equal(d.n_rejects, 2);
    assert_int_equal(d.rejects[0].msg, 0);
    assert_int_equal(d.rejects[1].msg, 2);
    for (size_t i = 0; i < d.n_rejects; i++) {
        print_message("%s\n", d.rejects[i].reason);
        assert_int_equal(strncmp(d.rejects[i].reason, "run record: ", 12), 0);
    }
    assert_int_equal(d.n_runs, 1);
    assert_int_equal(d.runs[0].msg, 1);
    /* a run record is no event of the run its header names */
    assert_int_equal(d.n_lost, 0);
    decoded_clear(&d);
    assert_int_equal(d.n_rejects, 0);
    batch_destroy(b);
}

/* Run records of a stream this configuration does not have are kept
 * aside as such (metadata.h: not running here, yet ready for a member
 * given the stream later), and are not dead letters either; one whose
 * stream is not its key is dead-lettered, not filed under the stream it
 * names. */
static void test_foreign_run_records(void **state)
{
    (void)state;
    static const char orders[] =
        "{\"stream\":\"orders\",\"run_id\":\"o1\",\"mode\":\"full\","
        "\"status\":\"completed\",\"started_at\":\"2026-11-25T12:00:00Z\"}";
    static const char customers[] =
        "{\"stream\":\"customers\",\"run_id\":\"c1\",\"mode\":\"full\",\"status\":"
        "\"completed\",\"started_at\":\"2026-11-25T12:00:00Z\"}";
    static const struct {
        const char *key, *value;
    } msgs[] = {
        {"orders", orders},    /* another deployment's stream: kept aside */
        {"orders", customers}, /* under another stream's key: dead-lettered */
        {"customers", orders}, /* likewise */
        {"customers", customers},
    };
    batch_t *b = batch_new();
    assert_non_null(b);
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
        assert_int_equal(batch_add_raw(b, RUNS, 0, (int64_t)i, msgs[i].key, strlen(msgs[i].key),
                                       msgs[i].value, strlen(msgs[i].value)),
                         0);
    decoded_t d;
    char err[256] = "";
    assert_int_equal(decode_batch_deferred(b, &customers_only, RUNS, &d, err, sizeof(err)), 0);
    assert_int_equal(d.n_runs, 2);
    assert_int_equal(d.runs[0].msg, 0);
    assert_true(d.runs[0].not_configured);
    assert_int_equal(d.runs[1].msg, 3);
    assert_false(d.runs[1].not_configured);
    assert_int_equal(d.dead_letters, 2);
    assert_int_equal(d.n_rejects, 2);
    assert_int_equal(d.rejects[0].msg, 1);
    assert_int_equal(d.rejects[1].msg, 2);
    assert_non_null(strstr(d.rejects[0].reason, "its stream 'customers' is not its key 'orders'"));
    decoded_clear(&d);
    batch_destroy(b);
}

/* A run record under a long key naming another stream: the reason
 * quotes the key cut to 64 bytes with "..." after it, so that it still
 * says what is wrong ("is not its key"); a 600-byte name once filled it,
 * the cause cut off. A 600-byte stream is refused as no stream name. */
static void test_run_record_long_names(void **state)
{
    (void)state;
    static const struct {
        const char *stream_fill, *key_fill; /* repeated to about 600 bytes; "" = "customers" */
        const char *want_head, *want_tail;
    } cases[] = {
        /* a stream name is at most 64 characters: no run record's */
        {"x", "", "run record: 'stream': not a stream name", ""},
        {"", "k",
         "run record: its stream 'customers' is not its key "
         "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'",
         ""},
        {"", "\xc3\xa9x",
         /* the 64th byte inside an 'é': cut before it */
         "run record: its stream 'customers' is not its key '", "...'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char stream[700] = "", key[700] = "", value[1600];
        for (size_t n = 0; *cases[i].stream_fill && n < 600; n += strlen(cases[i].stream_fill))
            strcat(stream, cases[i].stream_fill);
        for (size_t n = 0; *cases[i].key_fill && n < 600; n += strlen(cases[i].key_fill))
            strcat(key, cases[i].key_fill);
        if (!*stream)
            strcpy(stream, "customers");
        if (!*key)
            strcpy(key, "customers");
        /* a run id of the form the producer gives the stream */
        snprintf(value, sizeof(value),
                 "{\"stream\":\"%s\",\"run_id\":\"%s-20261203T120000Z-0000abcd\",\"mode\":"
                 "\"full\",\"status\":\"completed\",\"started_at\":\"2026-11-25T12:00:00Z\"}",
                 stream, stream);
        batch_t *b = batch_new();
        assert_non_null(b);
        assert_int_equal(batch_add_raw(b, RUNS, 0, 0, key, strlen(key), value, strlen(value)), 0);
        decoded_t d;
        char err[256] = "";
        assert_int_equal(decode_batch_deferred(b, &customers_only, RUNS, &d, err, sizeof(err)), 0);
        assert_int_equal(d.n_runs, 0);
        assert_int_equal(d.n_rejects, 1);
        const char *r = d.rejects[0].reason;
        size_t rl = strlen(r), tl = strlen(cases[i].want_tail);
        if (strncmp(r, cases[i].want_head, strlen(cases[i].want_head)) != 0 || rl < tl ||
            strcmp(r + rl - tl, cases[i].want_tail) != 0 || rl > 200)
            fail_msg("case %zu: reason '%s'", i, r);
        for (const char *p = r; *p; p++) /* no character cut in two */
            if ((unsigned char)*p >= 0x80) {
                size_t n = utf8_seq((const unsigned char *)p, strnlen(p, 4));
                assert_true(n > 0);
                p += n - 1;
            }
        decoded_clear(&d);
        batch_destroy(b);
    }
}

/* A tidemark.run header is kept only as the text a run id can be: a
 * header anyone may write must not name a run it cannot (its row would
 * be refused, or a control character logged). */
static void test_batch_run_ids(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        size_t len;
        const char *kept; /* NULL: not kept */
    } cases[] = {
        {"customers-20261203T120000.000Z-ab12", 35, "customers-20261203T120000.000Z-ab12"},
        {"Kunden-\xc3\xa4nderung", 16, "Kunden-\xc3\xa4nderung"},
        {"", 0, NULL},
        {NULL, 0, NULL},
        {"r1\0x", 4, NULL},
        {"r1\nlevel=error", 14, NULL},
        {"r1\x7f", 3, NULL},
        {"caf\xe9", 4, NULL},      /* Latin-1 */
        {"\xed\xa0\x80", 3, NULL}, /* a surrogate */
        {"\xc3", 1, NULL},         /* cut short */
    };
    batch_t *b = batch_new();
    assert_non_null(b);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(batch_add_raw(b, "tm.customers", 0, (int64_t)i, "k", 1, "v", 1), 0);
        assert_int_equal(batch_set_run_id(b, cases[i].value, cases[i].len), 0);
        const char *got = b->msgs[b->n - 1].run_id;
        if (cases[i].kept) {
            assert_non_null(got);
            assert_string_equal(got, cases[i].kept);
        } else {
            assert_null(got);
        }
    }
    /* as long as a run id may be, and one byte more */
    char long_id[BATCH_RUN_ID_MAX + 1];
    memset(long_id, 'r', sizeof(long_id));
    assert_int_equal(batch_add_raw(b, "tm.customers", 0, 97, "k", 1, "v", 1), 0);
    assert_int_equal(batch_set_run_id(b, long_id, BATCH_RUN_ID_MAX), 0);
    assert_non_null(b->msgs[b->n - 1].run_id);
    assert_int_equal(strlen(b->msgs[b->n - 1].run_id), BATCH_RUN_ID_MAX);
    assert_int_equal(batch_add_raw(b, "tm.customers", 0, 98, "k", 1, "v", 1), 0);
    assert_int_equal(batch_set_run_id(b, long_id, BATCH_RUN_ID_MAX + 1), 0);
    assert_null(b->msgs[b->n - 1].run_id);
    /* one copy per run in a batch; none left after it */
    assert_int_equal(batch_add_raw(b, "tm.customers", 0, 99, "k", 1, "v", 1), 0);
    assert_int_equal(batch_set_run_id(b, cases[0].value, cases[0].len), 0);
    assert_ptr_equal(b->msgs[b->n - 1].run_id, b->msgs[0].run_id);
    assert_int_equal(b->n_run_ids, 3);
    batch_reset(b);
    assert_int_equal(b->n_run_ids, 0);
    batch_destroy(b);
}

/* A change event that cannot be decoded is counted by the run its
 * tidemark.run header names (decoded_t.lost, its own copy of the id),
 * only when that header is a run id of the stream's form; a message
 * without the header, or naming another stream's run, is a dead letter
 * of no run. Read only for those events (batch_msg_run_id()). */
static void test_lost_events_name_their_run(void **state)
{
    (void)state;
    static const char run[] = "customers-20261203T120000Z-0000abcd";
    static const struct {
        const char *run_id; /* the header; NULL: none */
        int lost;
    } cases[] = {
        {run, 1},
        {NULL, 0},
        {"orders-20261203T120000Z-0000abcd", 0}, /* another stream's */
        {"x", 0},
    };
    char err[256] = "";
    record_schema_t *rs = NULL;
    assert_int_equal(record_schema_load("../../schemas/customer.avsc", &rs, err, sizeof(err)), 0);
    worker_stream_t w = {.sc = &customers_conf, .rs = rs, .topic = "tm.customers"};
    assert_non_null(w.es = envelope_schema_new(rs, err, sizeof(err)));
    const worker_streams_t ws = {.items = &w, .n = 1};
    batch_t *b = batch_new();
    assert_non_null(b);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(batch_add_raw(b, "tm.customers", 0, (int64_t)i, "7", 1, "not Avro", 8), 0);
        if (cases[i].run_id)
            assert_int_equal(batch_set_run_id(b, cases[i].run_id, strlen(cases[i].run_id)), 0);
    }
    decoded_t d;
    assert_int_equal(decode_batch_deferred(b, &ws, RUNS, &d, err, sizeof(err)), 0);
    assert_int_equal(d.n_events, 0);
    assert_int_equal(d.dead_letters, 4);
    size_t want = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        want += (size_t)cases[i].lost;
    assert_int_equal(d.n_lost, want);
    for (size_t k = 0; k < d.n_lost; k++) {
        assert_true(cases[d.lost[k].msg].lost);
        assert_ptr_equal(d.lost[k].ws, &w);
        assert_string_equal(d.lost[k].run_id, cases[d.lost[k].msg].run_id);
    }
    batch_destroy(b); /* the ids are the decoded batch's own */
    assert_string_equal(d.lost[0].run_id, run);
    decoded_clear(&d);
    envelope_schema_destroy(w.es);
    record_schema_destroy(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_runs_messages),
        cmocka_unit_test(test_deferred_rejects),
        cmocka_unit_test(test_foreign_run_records),
        cmocka_unit_test(test_run_record_long_names),
        cmocka_unit_test(test_batch_run_ids),
        cmocka_unit_test(test_lost_events_name_their_run),
    };
    json_arena_install(); /* as the worker runs: rows in arenas */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
