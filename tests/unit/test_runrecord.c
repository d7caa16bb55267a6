/* test_runrecord.c - run records: JSON round trip, null HWM, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runrecord.h"

static char *ids_a[] = {"17", "18", "a \"quoted\" id"};
static char *digests_a[] = {"9f2c", "0b1e", ""};
static char *ids_d[] = {"4"};
static char *digests_d[] = {""};
static end_offset_t offs[] = {{0, 1234}, {3, 77}, {11, 0}};
static run_chunk_ref_t chunks_a[] = {
    {.key = "customers/ckpt/r-0/0", .ids = 9000, .bytes = 262000, .sum = 0x0123456789abcdefULL},
    {.key = "customers/ckpt/r-1/3",
     .ids = 1,
     .bytes = 70,
     .sum = UINT64_MAX,
     .data = "never written, never copied"},
};

static run_record_t sample(void)
{
    run_record_t rr = {0};
    rr.stream = "customers";
    rr.run_id = "r-1";
    rr.mode = RUN_MODE_FULL;
    rr.status = RUN_STATUS_FAILED;
    rr.hwm = (run_hwm_t){.has_value = 1,
                         .value_ms = 1795608000123LL,
                         .n_ids = 3,
                         .ids = ids_a,
                         .digests = digests_a,
                         .n_chunks = 2,
                         .chunks = chunks_a};
    rr.deleted_hwm = (run_hwm_t){.has_value = 1,
                                 .value_ms = -1,
                                 .n_ids = 1,
                                 .ids = ids_d,
                                 .digests = digests_d}; /* pre-1970 */
    rr.records = 120;
    rr.deletes = 3;
    rr.failed_records = 2;
    rr.started_at_ms = 1795608000000LL;
    rr.finished_at_ms = 1795608001999LL;
    rr.last_full_at_ms = 1795608000000LL;
    rr.end_offsets = offs;
    rr.n_end_offsets = 3;
    rr.error = "API answered 500";
    return rr;
}

static void assert_hwm_equal(const run_hwm_t *a, const run_hwm_t *b)
{
    assert_int_equal(a->has_value, b->has_value);
    if (a->has_value)
        assert_int_equal(a->value_ms, b->value_ms);
    assert_int_equal(a->n_ids, b->n_ids);
    for (size_t i = 0; i < a->n_ids; i++) {
        assert_string_equal(a->ids[i], b->ids[i]);
        assert_string_equal(a->digests[i], b->digests[i]);
    }
    assert_int_equal(a->n_chunks, b->n_chunks);
    for (size_t i = 0; i < a->n_chunks; i++) {
        assert_string_equal(a->chunks[i].key, b->chunks[i].key);
        assert_int_equal(a->chunks[i].ids, b->chunks[i].ids);
        assert_int_equal(a->chunks[i].bytes, b->chunks[i].bytes);
        assert_true(a->chunks[i].sum == b->chunks[i].sum);
    }
}

static void assert_rr_equal(const run_record_t *a, const run_record_t *b)
{
    assert_string_equal(a->stream, b->stream);
    assert_string_equal(a->run_id, b->run_id);
    assert_int_equal(a->mode, b->mode);
    assert_int_equal(a->status, b->status);
    assert_hwm_equal(&a->hwm, &b->hwm);
    assert_hwm_equal(&a->deleted_hwm, &b->deleted_hwm);
    assert_int_equal(a->records, b->records);
    assert_int_equal(a->deletes, b->deletes);
    assert_int_equal(a->failed_records, b->failed_records);
    assert_int_equal(a->started_at_ms, b->started_at_ms);
    assert_int_equal(a->finished_at_ms, b->finished_at_ms);
    assert_int_equal(a->last_full_at_ms, b->last_full_at_ms);
    assert_int_equal(a->n_end_offsets, b->n_end_offsets);
    for (size_t i = 0; i < a->n_end_offsets; i++) {
        assert_int_equal(a->end_offsets[i].partition, b->end_offsets[i].partition);
        assert_int_equal(a->end_offsets[i].offset, b->end_offsets[i].offset);
    }
    if (a->error || b->error)
        assert_string_equal(a->error, b->error);
    if (a->source || b->source)
        assert_string_equal(a->source, b->source);
    assert_int_equal(a->restart_full, b->restart_full);
}

static void test_round_trip(void **state)
{
    run_record_t rr = sample();
    char err[256] = "";
    (void)state;
    rr.source = "fnv1a64:0123456789abcdef";
    rr.restart_full = 1;

    char *json = run_record_to_json(&rr);
    assert_non_null(json);
    run_record_t *back = run_record_from_json(json, strlen(json), err, sizeof(err));
    if (!back)
        fail_msg("%s\n%s", err, json);
    assert_rr_equal(&rr, back);
    assert_null(back->hwm.chunks[1].data); /* data is never in JSON */
    assert_non_null(strstr(json, "\"chunks\":[{\"key\":\"customers/ckpt/r-0/0\",\"ids\":9000,"
                                 "\"bytes\":262000,\"sum\":\"0123456789abcdef\"},"));
    assert_non_null(strstr(json, "\"restart_full\":true"));

    /* and the text is stable: to_json(from_json(x)) == x */
    char *again = run_record_to_json(back);
    assert_string_equal(json, again);
    free(again);
    free(json);
    run_record_destroy(back);
}

static void test_wire_format(void **state)
{
    run_record_t rr = sample();
    (void)state;
    rr.hwm.n_ids = 1;
    rr.hwm.n_chunks = 0; /* no "chunks" member: as records always were */
    rr.deleted_hwm.has_value = 0;
    rr.deleted_hwm.n_ids = 0;
    rr.n_end_offsets = 2;
    rr.status = RUN_STATUS_COMPLETED;
    rr.mode = RUN_MODE_INCREMENTAL;
    rr.finished_at_ms = 0;
    rr.last_full_at_ms = 0;
    rr.error = NULL;
    char *json = run_record_to_json(&rr);
    assert_string_equal(json,
                        "{\"stream\":\"customers\",\"run_id\":\"r-1\",\"mode\":\"incremental\","
                        "\"status\":\"completed\","
                        "\"hwm\":{\"value\":\"2026-11-25T12:00:00.123Z\",\"ids\":{\"17\":"
                        "\"9f2c\"}},"
                        "\"deleted_hwm\":{\"value\":null,\"ids\":{}},"
                        "\"records\":120,\"deletes\":3,\"failed_records\":2,"
                        "\"started_at\":\"2026-11-25T12:00:00.000Z\",\"finished_at\":null,"
                        "\"last_full_at\":null,\"end_offsets\":{\"0\":1234,\"3\":77},\"error\":"
                        "null}");
    free(json);
}

/* An error text that is not valid UTF-8 (an API's Latin-1 quoted, a
 * character cut in two) is mended, not a record that cannot be written:
 * a failed run record keeps the HWM the run reached. */
static void test_error_not_utf8(void **state)
{
    static const struct {
        const char *error, *want;
    } cases[] = {
        {"Link: <Seite f\xfcr 2>", "\"Link: <Seite f?r 2>\"}"},
        {"cut in two: \xc3", "\"cut in two: ?\"}"},
        {"an overlong: \xc0\xaf, a surrogate: \xed\xa0\x80",
         "\"an overlong: ??, a surrogate: ???\"}"},
        {"fine: \xc3\xa9 \xf0\x9f\x9a\x80", "\"fine: \xc3\xa9 \xf0\x9f\x9a\x80\"}"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_record_t rr = sample();
        rr.status = RUN_STATUS_FAILED;
        rr.error = (char *)cases[i].error;
        char *json = run_record_to_json(&rr);
        assert_non_null(json);
        char *at = strstr(json, "\"error\":");
        assert_non_null(at);
        at += strlen("\"error\":");
        assert_string_equal(at, cases[i].want); /* the last member */
        free(json);
    }
}

static void test_null_hwm(void **state)
{
    run_record_t rr = {0};
    char err[256] = "";
    (void)state;
    rr.stream = "s";
    rr.run_id = "r";
    rr.status = RUN_STATUS_RUNNING;
    rr.started_at_ms = 1000;
    char *json = run_record_to_json(&rr);
    assert_non_null(strstr(json, "\"hwm\":{\"value\":null,\"ids\":{}}"));
    run_record_t *back = run_record_from_json(json, strlen(json), err, sizeof(err));
    assert_non_null(back);
    assert_rr_equal(&rr, back);
    assert_int_equal(back->hwm.has_value, 0);
    assert_null(back->error);
    run_record_destroy(back);
    free(json);

    /* Minimal record by hand: optional members absent. */
    const char *min = "{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\","
                      "\"status\":\"running\","
                      "\"started_at\":\"2026-11-25T12:00:00+01:00\"}";
    back = run_record_from_json(min, strlen(min), err, sizeof(err));
    assert_non_null(back);
    assert_int_equal(back->mode, RUN_MODE_FULL);
    assert_int_equal(back->hwm.has_value, 0);
    assert_int_equal(back->n_end_offsets, 0);
    assert_int_equal(back->started_at_ms, 1795604400000LL);
    run_record_destroy(back);
}

static void test_bad_json(void **state)
{
#define S65 "sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"
#define BAD_RUN_ID                                                                                 \
    "run record: 'run_id': not a run id (printable ASCII without spaces, quotes, '=' or '\\', "    \
    "shorter than 128 characters)"
    static const struct {
        const char *in;
        const char *err;
    } cases[] = {
        {"", "run record: bad JSON at line 1 column 0: '[' or '{' expected "
             "near end of file"},
        {"[1]", "run record: expected a JSON object"},
        {"{\"stream\":1}", "run record: 'stream': expected a string"},
        {"{\"stream\":\"s\"}", "run record: 'run_id': missing"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"partial\",\"status\":"
         "\"running\"}",
         "run record: 'mode': unknown value"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"done\"}",
         "run record: 'status': unknown value"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\",\"hwm\":[]}",
         "run record: 'hwm': expected an object"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\","
         "\"hwm\":{\"value\":\"yesterday\"}}",
         "run record: 'hwm.value': bad timestamp 'yesterday': expected "
         "YYYY-MM-DD"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\","
         "\"hwm\":{\"value\":null,\"ids\":{\"1\":2}}}",
         "run record: 'hwm.ids': each digest must be a string"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\",\"records\":-1}",
         "run record: 'records': expected an integer from 0 to 2^53"},
        /* two such counts add up past bigint in sync_metadata */
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\",\"records\":1,\"deletes\":9007199254740993}",
         "run record: 'deletes': expected an integer from 0 to 2^53"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\"}",
         "run record: 'started_at': missing"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\","
         "\"started_at\":\"2026-11-25\",\"end_offsets\":{\"x\":1}}",
         "run record: 'end_offsets': keys must be partition numbers"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\","
         "\"started_at\":\"2026-11-25\",\"end_offsets\":{\"0\":\"1\"}}",
         "run record: 'end_offsets': offsets must be non-negative integers"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"failed\","
         "\"started_at\":\"2026-11-25\",\"error\":5}",
         "run record: 'error': expected a string or null"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":\"running\","
         "\"started_at\":\"2026-11-25\",\"source\":[]}",
         "run record: 'source': expected a string or null"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\",\"hwm\":{\"value\":null,\"chunks\":{}}}",
         "run record: 'hwm.chunks': expected an array of chunk references"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\",\"deleted_hwm\":{\"value\":null,\"chunks\":[{\"key\":\"s/ckpt/r/0\","
         "\"ids\":1,\"bytes\":2,\"sum\":\"0123\"}]}}",
         "run record: 'deleted_hwm.chunks': each chunk needs a key, ids and bytes counts "
         "and a 16-hex-digit sum"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\",\"hwm\":{\"value\":null,\"chunks\":[{\"key\":\"s/ckpt/r/0\","
         "\"ids\":-1,\"bytes\":2,\"sum\":\"0123456789abcdef\"}]}}",
         "run record: 'hwm.chunks': each chunk needs a key, ids and bytes counts "
         "and a 16-hex-digit sum"},
        {"{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
         "\"running\",\"hwm\":{\"value\":null,\"chunks\":[{\"key\":\"s\","
         "\"ids\":1,\"bytes\":2,\"sum\":\"0123456789abcdef\"}]}}",
         "run record: 'hwm.chunks': a chunk key must be <stream>/ckpt/..."},
        /* names every reader prints as they are (logs, status) */
        {"{\"stream\":\"a b\",\"run_id\":\"r\"}",
         "run record: 'stream': not a stream name (letters, digits, '.', '_' and '-', at most "
         "64 characters)"},
        {"{\"stream\":\"\",\"run_id\":\"r\"}",
         "run record: 'stream': not a stream name (letters, digits, '.', '_' and '-', at most "
         "64 characters)"},
        {"{\"stream\":\"" S65 "\",\"run_id\":\"r\"}",
         "run record: 'stream': not a stream name (letters, digits, '.', '_' and '-', at most "
         "64 characters)"},
        {"{\"stream\":\"s\",\"run_id\":\"evil\\nts=2000 level=error\"}", BAD_RUN_ID},
        {"{\"stream\":\"s\",\"run_id\":\"r\\u001b[2J\"}", BAD_RUN_ID},
        {"{\"stream\":\"s\",\"run_id\":\"say\\\"x\\\"\"}", BAD_RUN_ID},
        {"{\"stream\":\"s\",\"run_id\":\"caf\u00e9\"}", BAD_RUN_ID},
        {"{\"stream\":\"s\",\"run_id\":\"\"}", BAD_RUN_ID},
        {"{\"stream\":\"s\",\"run_id\":\"" S65 S65 "\"}", BAD_RUN_ID},
        {"{\"stream\":\"s\",\"stream\":\"t\"}",
         "run record: bad JSON at line 1 column 22: duplicate object key near "
         "'\"stream\"'"},
    };
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        run_record_t *rr = run_record_from_json(cases[i].in, strlen(cases[i].in), err, sizeof(err));
        if (rr || strcmp(err, cases[i].err) != 0) {
            print_error("'%s'\n  got:  %s\n  want: %s\n", cases[i].in, err, cases[i].err);
            failures++;
        }
        run_record_destroy(rr);
    }
    assert_int_equal(failures, 0);
}

/* "restart_full" is honoured only as true: any other value another writer
 * leaves there (a string, a number, null) lets an unfinished full run
 * resume as an older build's record does, and fails nothing. */
static void test_restart_full_values(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        int restart;
    } cases[] = {{"true", 1}, {"false", 0}, {"\"true\"", 0}, {"1", 0}, {"null", 0}, {"{}", 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char json[256], err[256] = "";
        snprintf(json, sizeof(json),
                 "{\"stream\":\"s\",\"run_id\":\"r\",\"mode\":\"full\",\"status\":"
                 "\"failed\",\"started_at\":\"2026-11-25\",\"restart_full\":%s}",
                 cases[i].value);
        run_record_t *rr = run_record_from_json(json, strlen(json), err, sizeof(err));
        if (!rr)
            fail_msg("%s: %s", cases[i].value, err);
        if (rr->restart_full != cases[i].restart)
            fail_msg("%s: restart_full %d, want %d", cases[i].value, rr->restart_full,
                     cases[i].restart);
        run_record_destroy(rr);
    }
}

static void test_hwm_copy(void **state)
{
    run_record_t rr = sample();
    run_hwm_t copy;
    (void)state;
    assert_int_equal(run_hwm_copy(&copy, &rr.hwm), 0);
    assert_hwm_equal(&rr.hwm, &copy);
    assert_ptr_not_equal(copy.ids[0], rr.hwm.ids[0]); /* deep */
    assert_ptr_not_equal(copy.chunks[0].key, rr.hwm.chunks[0].key);
    assert_null(copy.chunks[1].data); /* references without their data */
    run_hwm_clear(&copy);
    assert_int_equal(copy.n_ids, 0);
    assert_null(copy.ids);
    assert_int_equal(copy.has_value, 0);

    run_hwm_t empty = {0};
    assert_int_equal(run_hwm_copy(&copy, &empty), 0);
    assert_int_equal(copy.n_ids, 0);
    run_hwm_clear(&copy);
}

static void test_chunk_keys(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(
        run_chunk_key(buf, sizeof(buf), "customers", "customers-20260101T000000Z-0a1b2c3d", 7), 0);
    assert_string_equal(buf, "customers/ckpt/customers-20260101T000000Z-0a1b2c3d/7");
    assert_int_equal(run_chunk_key_stream(buf, strlen(buf)), strlen("customers"));
    assert_int_equal(run_chunk_key(buf, 12, "customers", "r", 1), -1); /* too long */

    static const struct {
        const char *key;
        size_t stream_len;
    } cases[] = {
        {"customers", 0},                   /* a head */
        {"cust.v2-x_y", 0},                 /* a head: stream names hold no '/' */
        {"s/ckpt/r/0", 1},  {"s/ckpt/", 0}, /* nothing after the marker */
        {"/ckpt/r/0", 0},                   /* no stream */
        {"s/other/r/0", 0}, {"s/ckp", 0},   {"", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (run_chunk_key_stream(cases[i].key, strlen(cases[i].key)) != cases[i].stream_len)
            fail_msg("case %zu '%s'", i, cases[i].key);
    /* not NUL-terminated: only len bytes are looked at */
    assert_int_equal(run_chunk_key_stream("s/ckpt/r/0", 5), 0);
    assert_int_equal(run_chunk_key_stream(NULL, 0), 0);
}

/* An id JSON cannot carry (not UTF-8) is left out of the record instead
 * of failing every checkpoint of the stream. */
static void test_bad_id_left_out(void **state)
{
    (void)state;
    static char *ids[] = {"ok", "bad\xff"};
    static char *dgs[] = {"", ""};
    run_record_t rr = {.stream = "s", .run_id = "r", .started_at_ms = 1};
    rr.hwm = (run_hwm_t){.has_value = 1, .n_ids = 2, .ids = ids, .digests = dgs};
    char *json = run_record_to_json(&rr);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"ids\":{\"ok\":\"\"}"));
    free(json);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(run_status_name(RUN_STATUS_RUNNING), "running");
    assert_string_equal(run_status_name(RUN_STATUS_COMPLETED), "completed");
    assert_string_equal(run_status_name(RUN_STATUS_FAILED), "failed");
    assert_string_equal(run_mode_name(RUN_MODE_INCREMENTAL), "incremental");
    assert_string_equal(run_mode_name(RUN_MODE_FULL), "full");
}

/* A header names a run of a stream only in the form run_id_make() gives
 * for that stream (worker/decode.c counts its event in that run). */
static void test_run_id_of_stream(void **state)
{
    (void)state;
    char made[128];
    run_id_make("customers", 1795608000123LL, made, sizeof(made));
    assert_true(run_id_is_of_stream(made, "customers"));
    assert_false(run_id_is_of_stream(made, "orders"));
    assert_false(run_id_is_of_stream(made, "customer"));
    static const struct {
        const char *id, *stream;
        int is;
    } cases[] = {
        {"customers-20261125T120000Z-0a1b2c3d", "customers", 1},
        {"customers-eu-20261125T120000Z-0a1b2c3d", "customers-eu", 1},
        /* another stream's, whose name starts with this one's */
        {"customers-eu-20261125T120000Z-0a1b2c3d", "customers", 0},
        {"customers-20261125T120000Z-0A1B2C3D", "customers", 0},
        {"customers-20261125T120000Z-0a1b2c3", "customers", 0},
        {"customers-20261125T120000Z-0a1b2c3d0", "customers", 0},
        {"customers-2026112xT120000Z-0a1b2c3d", "customers", 0},
        {"customers-20261125 120000Z-0a1b2c3d", "customers", 0},
        {"customers_20261125T120000Z-0a1b2c3d", "customers", 0},
        {"customers-", "customers", 0},
        {"x", "customers", 0},
        {"", "customers", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (run_id_is_of_stream(cases[i].id, cases[i].stream) != cases[i].is)
            fail_msg("'%s' of stream '%s': want %d", cases[i].id, cases[i].stream, cases[i].is);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_wire_format),
        cmocka_unit_test(test_chunk_keys),
        cmocka_unit_test(test_bad_id_left_out),
        cmocka_unit_test(test_null_hwm),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_error_not_utf8),
        cmocka_unit_test(test_hwm_copy),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_run_id_of_stream),
        cmocka_unit_test(test_restart_full_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
