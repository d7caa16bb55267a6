/*
 * test_worker_decode.c - what the worker makes of <prefix>.sync-runs
 * messages (worker/decode.h): run records become runs; checkpoint chunks
 * (the producer's own state, runrecord.h) and tombstones yield nothing and
 * are never dead-lettered, whatever their value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "decode.h"
#include "json_arena.h"

#define RUNS "tm.sync-runs"

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
    worker_streams_t ws = {0};
    decoded_t d;
    char err[256] = "";
    /* no dead-letter queue: dead-lettering anything here would crash */
    assert_int_equal(decode_batch(b, &ws, RUNS, NULL, &d, err, sizeof(err)), 0);
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
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
        assert_int_equal(batch_add_raw(b, RUNS, 0, (int64_t)i, msgs[i].key, strlen(msgs[i].key),
                                       msgs[i].value, strlen(msgs[i].value)),
                         0);
    worker_streams_t ws = {0};
    decoded_t d;
    char err[256] = "";
    assert_int_equal(decode_batch_deferred(b, &ws, RUNS, &d, err, sizeof(err)), 0);
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
    decoded_clear(&d);
    assert_int_equal(d.n_rejects, 0);
    batch_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_runs_messages),
        cmocka_unit_test(test_deferred_rejects),
    };
    json_arena_install(); /* as the worker runs: rows in arenas */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
