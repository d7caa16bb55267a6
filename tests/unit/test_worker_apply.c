/*
 * test_worker_apply.c - the pure parts of applying a batch: the in-batch
 * dedupe (latest per id by (source_ts, partition, offset), deletes and
 * upserts alike), the counting rule with applied_offsets, the partition
 * ranges a batch commits, the COPY line an event contributes, the
 * canonical key of an event's id and the check of after.<id> against it.
 * (How much of a dead letter is kept: test_dlq.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "avro_datum.h"
#include "batch.h"
#include "convert.h"
#include "copyrow.h"
#include "dedupe.h"
#include "idkey.h"
#include "runcount.h"
#include "tableapply.h"

/* ---- dedupe ---------------------------------------------------------- */

struct ev {
    const char *id;
    int64_t ts;
    int32_t partition;
    int64_t offset;
    int64_t produced_at;
};

static void check_dedupe(const struct ev *in, size_t n, const size_t *want_index, size_t n_want)
{
    dedupe_item_t items[16];
    size_t i, got;

    assert_true(n <= 16);
    for (i = 0; i < n; i++) {
        items[i].id = in[i].id;
        items[i].source_ts_ms = in[i].ts;
        items[i].produced_at_ms = in[i].produced_at;
        items[i].partition = in[i].partition;
        items[i].offset = in[i].offset;
        items[i].index = i;
    }
    got = dedupe_latest(items, n);
    assert_int_equal(got, n_want);
    for (i = 0; i < got; i++)
        assert_int_equal(items[i].index, want_index[i]);
}

static void test_dedupe(void **state)
{
    /* winners come back in ascending id order */
    static const struct {
        const char *name;
        struct ev in[6];
        size_t n;
        size_t want[6];
        size_t n_want;
    } cases[] = {
        {"empty", {{0}}, 0, {0}, 0},
        {"distinct ids kept", {{"b", 1, 0, 1, 0}, {"a", 1, 0, 2, 0}}, 2, {1, 0}, 2},
        {"newer source_ts wins over a later offset",
         {{"a", 20, 0, 1, 0}, {"a", 10, 0, 2, 0}},
         2,
         {0},
         1},
        {"same ts: later offset wins (a re-publish)",
         {{"a", 10, 0, 5, 0}, {"a", 10, 0, 9, 0}, {"a", 10, 0, 7, 0}},
         3,
         {1},
         1},
        {"same ts: partition before offset", {{"a", 10, 1, 3, 0}, {"a", 10, 0, 9, 0}}, 2, {0}, 1},
        {"delete after upsert: the delete wins",
         {{"x", 10, 2, 4, 0}, {"x", 11, 2, 5, 0}, {"y", 10, 2, 6, 0}},
         3,
         {1, 2},
         2},
        {"upsert after delete: the upsert wins",
         {{"x", 11, 2, 4, 0}, {"x", 12, 2, 5, 0}},
         2,
         {1},
         1},
        {"same ts, key moved to a new partition: the later produced wins",
         {{"a", 10, 0, 900, 1000}, {"a", 10, 3, 2, 2000}},
         2,
         {1},
         1},
        {"same ts, produced earlier on a higher partition: loses",
         {{"a", 10, 3, 2, 1000}, {"a", 10, 0, 900, 2000}},
         2,
         {1},
         1},
        {"newer source_ts wins over a later production",
         {{"a", 11, 0, 1, 1000}, {"a", 10, 3, 2, 2000}},
         2,
         {0},
         1},
        {"ids compared as strings, not prefixes",
         {{"1", 5, 0, 1, 0}, {"10", 1, 0, 2, 0}, {"1", 4, 0, 3, 0}},
         3,
         {0, 1},
         2},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s\n", cases[i].name);
        check_dedupe(cases[i].in, cases[i].n, cases[i].want, cases[i].n_want);
    }
}

static void test_version_cmp(void **state)
{
    dedupe_item_t a = {"k", 10, 100, 0, 5, 0}, b = {"k", 10, 100, 0, 5, 1};

    (void)state;
    assert_int_equal(dedupe_version_cmp(&a, &b), 0);
    b.offset = 6;
    assert_int_equal(dedupe_version_cmp(&a, &b), -1);
    b.partition = 1; /* another partition, produced earlier */
    b.produced_at_ms = 99;
    assert_int_equal(dedupe_version_cmp(&a, &b), 1);
    b.produced_at_ms = 101;
    assert_int_equal(dedupe_version_cmp(&a, &b), -1);
    b.source_ts_ms = 9;
    assert_int_equal(dedupe_version_cmp(&a, &b), 1);
}

/* ---- counting -------------------------------------------------------- */

/* runcount_apply: a batch's events against the offsets already counted
 * (applied_offsets before), what it counts and the offsets after. */
typedef struct runcount_case {
    const char *stored;      /* applied_offsets before */
    runcount_event_t evs[5]; /* {partition, offset, is_delete, countable, by_header} */
    size_t n;
    int64_t synced, deleted, dead; /* what it counts */
    const char *after;             /* applied_offsets after */
    const char *ends;              /* the run's end_offsets; NULL: none known */
    runcount_span_t spans[2];      /* what the batch consumed */
    size_t n_spans;
} runcount_case_t;

static const runcount_case_t runcount_cases[] = {
    /* first batch counts everything */
    {"{}",
     {{0, 0, 0, 1, 0}, {0, 1, 1, 1, 0}, {3, 7, 0, 1, 0}},
     3,
     2,
     1,
     0,
     "{\"0\":2,\"3\":[[7,8]]}",
     NULL,
     {{0, 0, 0}},
     0},
    /* redelivery counts nothing (N: every offset below N counted) */
    {"{\"0\":2,\"3\":8}",
     {{0, 0, 0, 1, 0}, {0, 1, 1, 1, 0}, {3, 7, 0, 1, 0}},
     3,
     0,
     0,
     0,
     "{\"0\":2,\"3\":8}",
     NULL,
     {{0, 0, 0}},
     0},
    /* overlap counts only the new part */
    {"{\"0\":2}",
     {{0, 1, 0, 1, 0}, {0, 2, 0, 1, 0}, {0, 3, 1, 1, 0}},
     3,
     1,
     1,
     0,
     "{\"0\":4}",
     NULL,
     {{0, 0, 0}},
     0},
    /* order of events does not matter */
    {"{\"0\":5}",
     {{0, 9, 0, 1, 0}, {0, 4, 0, 1, 0}, {0, 5, 0, 1, 0}},
     3,
     2,
     0,
     0,
     "{\"0\":[[0,6],[9,10]]}",
     NULL,
     {{0, 0, 0}},
     0},
    /* dead letters move the mark and count as dead-lettered */
    {"",
     {{1, 0, 0, 0, 0}, {1, 1, 0, 1, 0}, {1, 2, 1, 0, 0}},
     3,
     1,
     0,
     2,
     "{\"1\":3}",
     NULL,
     {{0, 0, 0}},
     0},
    /* a replayed dead letter counts nothing */
    {"{\"1\":3}",
     {{1, 0, 0, 0, 0}, {1, 2, 1, 0, 0}},
     2,
     0,
     0,
     0,
     "{\"1\":3}",
     NULL,
     {{0, 0, 0}},
     0},
    /* a replay from an earlier offset adds nothing */
    {"{\"2\":100}",
     {{2, 10, 0, 1, 0}, {2, 50, 1, 1, 0}},
     2,
     0,
     0,
     0,
     "{\"2\":100}",
     NULL,
     {{0, 0, 0}},
     0},
    /* other partitions are kept */
    {"{\"4\":3}", {{1, 0, 0, 1, 0}}, 1, 1, 0, 0, "{\"1\":1,\"4\":3}", NULL, {{0, 0, 0}}, 0},
    /* a header's dead letters at or past the run's final end offset, or
     * in a partition the run wrote nothing to (1), are a stranger's, not
     * the run's: counted nowhere; below it, as any */
    {"{}",
     {{0, 4, 0, 0, 1}, {0, 5, 0, 0, 1}, {0, 9, 0, 0, 1}, {3, 2, 0, 0, 1}, {1, 7, 0, 0, 1}},
     5,
     0,
     0,
     2,
     "{\"0\":[[4,5]],\"3\":[[2,3]]}",
     "{\"0\":5,\"3\":9}",
     {{0, 0, 0}},
     0},
    /* before the run's last record: its end is not known, all count */
    {"{}", {{1, 7, 0, 0, 1}}, 1, 0, 0, 1, "{\"1\":[[7,8]]}", NULL, {{0, 0, 0}}, 0},
    /* a run that wrote nothing: no message names it */
    {"{}", {{0, 0, 0, 0, 1}}, 1, 0, 0, 0, "{}", "{}", {{0, 0, 0}}, 0},
    /* a decoded event past the end is not the run's either (a copy of one
     * of its events, sent back to the topic); below it, it counts */
    {"{}",
     {{0, 7, 0, 1, 0}, {0, 4, 0, 1, 0}},
     2,
     1,
     0,
     0,
     "{\"0\":[[4,5]]}",
     "{\"0\":5}",
     {{0, 0, 0}},
     0},
    /* events skipped by an offset moved forward, replayed later: counted
     * then (below a high mark they counted as seen, and the run never
     * completed) */
    {"{\"0\":[[5,13]]}",
     {{0, 0, 0, 1, 0}, {0, 1, 0, 1, 0}, {0, 2, 1, 1, 0}, {0, 3, 0, 0, 0}, {0, 4, 0, 1, 0}},
     5,
     3,
     1,
     1,
     "{\"0\":13}",
     NULL,
     {{0, 0, 0}},
     0},
    /* a batch's span is counted whole where the run has an event in it
     * (a tombstone between leaves no gap); not in a partition without one */
    {"{}",
     {{0, 3, 0, 1, 0}, {0, 6, 1, 1, 0}},
     2,
     1,
     1,
     0,
     "{\"0\":[[2,8]]}",
     NULL,
     {{0, 2, 8}, {1, 0, 9}},
     2},
    /* a span that starts past the counted ones leaves the skipped gap */
    {"{\"0\":4}", {{0, 9, 0, 1, 0}}, 1, 1, 0, 0, "{\"0\":[[0,4],[8,12]]}", NULL, {{0, 8, 12}}, 1},
};

static void test_runcount(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(runcount_cases) / sizeof(runcount_cases[0]); i++) {
        const runcount_case_t *c = &runcount_cases[i];
        applied_offsets_t ao, ends;
        int64_t synced = 0, deleted = 0, dead = 0;

        print_message("case %zu\n", i);
        assert_int_equal(applied_offsets_parse(c->stored, &ao), 0);
        assert_int_equal(applied_offsets_parse(c->ends, &ends), 0);
        assert_int_equal(runcount_apply(&ao, c->ends ? &ends : NULL, c->evs, c->n, c->spans,
                                        c->n_spans, &synced, &deleted, &dead),
                         0);
        applied_offsets_clear(&ends);
        assert_int_equal(synced, c->synced);
        assert_int_equal(deleted, c->deleted);
        assert_int_equal(dead, c->dead);
        char *json = applied_offsets_to_json(&ao);
        assert_string_equal(json, c->after);
        free(json);
        applied_offsets_clear(&ao);
    }
}

/* A run with an event in every other batch of a partition (tombstones
 * alone in between): its entry stays a few ranges, whatever the count,
 * the narrowest gaps closed first; a wide gap (a skip) is kept. */
static void test_runcount_gaps_bounded(void **state)
{
    applied_offsets_t ao = {NULL, 0};
    int64_t synced = 0, deleted = 0, dead = 0;

    (void)state;
    /* a skip: offsets 10..999 never consumed */
    runcount_event_t first = {0, 5, 0, 1, 0};
    runcount_span_t first_span = {0, 0, 10};
    assert_int_equal(runcount_apply(&ao, NULL, &first, 1, &first_span, 1, &synced, &deleted, &dead),
                     0);
    for (int64_t k = 0; k < 1000; k++) {
        int64_t base = 1000 + k * 20; /* batches of 10, every other one the run's */
        runcount_event_t ev = {0, base + 3, 0, 1, 0};
        runcount_span_t span = {0, base, base + 10};
        assert_int_equal(runcount_apply(&ao, NULL, &ev, 1, &span, 1, &synced, &deleted, &dead), 0);
    }
    assert_int_equal(synced, 1001);
    assert_int_equal(ao.n, 1);
    assert_true(ao.entries[0].n_ranges <= 16);
    /* the skip is still a gap: an event in it counts when replayed */
    runcount_event_t replayed = {0, 500, 0, 1, 0};
    assert_int_equal(runcount_apply(&ao, NULL, &replayed, 1, NULL, 0, &synced, &deleted, &dead), 0);
    assert_int_equal(synced, 1002);
    char *json = applied_offsets_to_json(&ao);
    assert_true(strlen(json) < 400);
    free(json);
    applied_offsets_clear(&ao);
}

static void test_applied_offsets_parse(void **state)
{
    static const struct {
        const char *in;
        int rc;
        const char *out;
    } cases[] = {
        {NULL, 0, "{}"},
        {"{}", 0, "{}"},
        {"{\"3\": 9, \"0\": 12}", 0, "{\"0\":12,\"3\":9}"},
        {"[]", -1, NULL},
        {"{\"x\": 1}", -1, NULL},
        {"{\"1\": \"2\"}", -1, NULL},
        {"{\"-1\": 2}", -1, NULL},
        {"{\"0\": [[5, 13]], \"1\": [[3, 5], [1, 4], [9, 9]]}", 0,
         "{\"0\":[[5,13]],\"1\":[[1,5]]}"},
        {"{\"0\": [[0, 7]]}", 0, "{\"0\":7}"},
        {"{\"0\": [[5, 3]]}", -1, NULL},
        {"{\"0\": [[1]]}", -1, NULL},
        {"{\"0\": [[-1, 3]]}", -1, NULL},
        {"not json", -1, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        applied_offsets_t ao;
        char *json;

        assert_int_equal(applied_offsets_parse(cases[i].in, &ao), cases[i].rc);
        if (cases[i].rc == 0) {
            json = applied_offsets_to_json(&ao);
            assert_string_equal(json, cases[i].out);
            free(json);
        } else {
            assert_int_equal(ao.n, 0);
        }
        applied_offsets_clear(&ao);
    }
}

/* ---- partition ranges ------------------------------------------------ */

static void test_part_ranges(void **state)
{
    batch_t *b = batch_new();
    part_range_t *parts = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(batch_add_raw(b, "t.a", 0, 10, "k10", 3, "v", 1), 0);
    assert_int_equal(batch_add_raw(b, "t.a", 1, 4, NULL, 0, NULL, 0), 0);
    assert_int_equal(batch_add_raw(b, "t.a", 0, 12, "k12", 3, "v", 1), 0);
    assert_int_equal(batch_add_raw(b, "t.runs", 0, 3, "s", 1, "{}", 2), 0);
    assert_int_equal(batch_add_raw(b, "t.a", 0, 11, "k11", 3, "v", 1), 0);
    for (size_t i = 0; i < b->n; i++) /* each its own Kafka timestamp */
        b->msgs[i].timestamp = 1000 + b->msgs[i].offset;
    assert_int_equal(apply_part_ranges(b, &parts, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(parts[0].topic, "t.a");
    assert_int_equal(parts[0].partition, 0);
    assert_int_equal(parts[0].next, 13);
    /* the mark stored with the offset names the message at next - 1
     * (offset 12), though 11 came after it in the batch */
    offset_mark_t want = offset_mark_of(1012, "k12", 3);
    assert_true(parts[0].last.known);
    assert_true(offset_mark_same(&parts[0].last, &want));
    want = offset_mark_of(1011, "k11", 3);
    assert_false(offset_mark_same(&parts[0].last, &want));
    assert_int_equal(parts[1].partition, 1);
    assert_int_equal(parts[1].next, 5);
    /* a message without a key (a NULL key, a tombstone): the empty key's */
    want = offset_mark_of(1004, NULL, 0);
    assert_true(offset_mark_same(&parts[1].last, &want));
    want = offset_mark_of(1004, "", 0);
    assert_true(offset_mark_same(&parts[1].last, &want));
    assert_string_equal(parts[2].topic, "t.runs");
    assert_int_equal(parts[2].next, 4);
    /* a tombstone keeps its NULL value; the interned topic is shared */
    assert_null(b->msgs[1].value);
    assert_ptr_equal(b->msgs[0].topic, b->msgs[2].topic);
    free(parts);
    batch_reset(b);
    assert_int_equal(b->n, 0);
    batch_destroy(b);
}

/* ---- COPY rows -------------------------------------------------------- */

/* One field of each kind the row form writes differently. */
static const char *const ROW_SCHEMA =
    "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"name\",\"type\":[\"null\",\"string\"],\"default\":null},"
    "{\"name\":\"score\",\"type\":[\"null\",\"double\"],\"default\":null},"
    "{\"name\":\"ok\",\"type\":[\"null\",\"boolean\"],\"default\":null},"
    "{\"name\":\"tags\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"string\"}],"
    "\"default\":null}]}";

static void check_copyrow(const stream_sql_t *ss, change_event_t *ev, const char *after,
                          int want_rc, const char *want)
{
    strbuf_t sb;
    json_error_t jerr;

    ev->after = after ? json_loads(after, JSON_ALLOW_NUL, &jerr) : NULL;
    assert_true(!after || ev->after);
    strbuf_init(&sb);
    strbuf_append(&sb, "before\n");
    assert_int_equal(copyrow_event(&sb, ss, ev, 2, 99), want_rc);
    assert_string_equal(sb.buf + strlen("before\n"), want);
    strbuf_clear(&sb);
    json_decref(ev->after);
    ev->after = NULL;
}

static void test_copy_rows(void **state)
{
    static const struct {
        const char *name, *after;
        int rc;
        const char *want;
    } cases[] = {
        {"plain", "{\"id\":17,\"name\":\"Ann\",\"score\":1.5,\"ok\":true,\"tags\":[\"a\"]}",
         COPYROW_OK, "17\tAnn\t1.5\tt\t[\"a\"]\t"},
        {"nulls and missing members", "{\"id\":17,\"name\":null}", COPYROW_OK,
         "17\t\\N\t\\N\t\\N\t\\N\t"},
        {"no id in after: the envelope's", "{\"name\":\"x\"}", COPYROW_OK,
         " 17\tx\t\\N\t\\N\t\\N\t"},
        {"COPY's specials escaped",
         "{\"id\":1,\"name\":\"a\\tb\\nc\\rd\\\\e\",\"tags\":[\"\\\\\"]}", COPYROW_OK,
         "1\ta\\tb\\nc\\rd\\\\e\t\\N\t\\N\t[\"\\\\\\\\\"]\t"},
        {"every digit of a double; -0 as 0", "{\"id\":1,\"score\":0.1,\"ok\":false}", COPYROW_OK,
         "1\t\\N\t0.10000000000000001\tf\t\\N\t"},
        {"negative zero", "{\"id\":1,\"score\":-0.0}", COPYROW_OK, "1\t\\N\t0\t\\N\t\\N\t"},
        {"a zero id", "{\"id\":0}", COPYROW_OK, "0\t\\N\t\\N\t\\N\t\\N\t"},
        {"the largest long", "{\"id\":9223372036854775807}", COPYROW_OK,
         "9223372036854775807\t\\N\t\\N\t\\N\t\\N\t"},
        {"a negative id", "{\"id\":-7}", COPYROW_OK, "-7\t\\N\t\\N\t\\N\t\\N\t"},
        {"the smallest long", "{\"id\":-9223372036854775808}", COPYROW_OK,
         "-9223372036854775808\t\\N\t\\N\t\\N\t\\N\t"},
        {"float specials stay strings", "{\"id\":1,\"score\":\"-Infinity\"}", COPYROW_OK,
         "1\t\\N\t-Infinity\t\\N\t\\N\t"},
        {"U+0000 in a field: refused, nothing written", "{\"id\":1,\"name\":\"a\\u0000b\"}",
         COPYROW_NUL, ""},
        {"U+0000 inside jsonb: left to the server (22P05)", "{\"id\":1,\"tags\":[\"a\\u0000b\"]}",
         COPYROW_OK, "1\t\\N\t\\N\t\\N\t[\"a\\\\u0000b\"]\t"},
        {"a number kept as text inside jsonb: its text (a float of a record)",
         "{\"id\":1,\"tags\":{\"r\":\"\\u00000.1\",\"s\":\"\\\\u0000\"}}", COPYROW_OK,
         "1\t\\N\t\\N\t\\N\t{\"r\":0.1,\"s\":\"\\\\\\\\u0000\"}\t"},
    };
    record_schema_t *rs = NULL;
    stream_sql_t ss;
    char err[256] = "", want[256];

    (void)state;
    assert_int_equal(record_schema_parse(ROW_SCHEMA, &rs, err, sizeof(err)), 0);
    assert_int_equal(stream_sql_build(rs, "t", "id", DELETE_MODE_SOFT, 0, &ss, err, sizeof(err)),
                     0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        change_event_t up = {CHANGE_OP_UPSERT, " 17", 1764072000123LL, "run-1", 0, 0, NULL};

        print_message("%s\n", cases[i].name);
        snprintf(want, sizeof(want), "%s%s", cases[i].want,
                 cases[i].rc == COPYROW_OK
                     ? "2025-11-25T12:00:00.123Z\t2\t99\t1970-01-01T00:00:00.000Z\n"
                     : "");
        check_copyrow(&ss, &up, cases[i].after, cases[i].rc, want);
    }
    /* a delete event: the id and the four */
    change_event_t del = {CHANGE_OP_DELETE, "a\\b", 1764072000000LL, "run-1", 0,
                          1764072000456LL,  NULL};
    check_copyrow(&ss, &del, NULL, COPYROW_OK,
                  "a\\\\b\t2025-11-25T12:00:00.000Z\t2\t99\t2025-11-25T12:00:00.456Z\n");
    stream_sql_clear(&ss);
    record_schema_destroy(rs);
}

/* The logical types' column types and COPY text, from source JSON through
 * Avro and the row form: a uuid's lower-case text, a time as HH:MM:SS.fff
 * (ffffff for micros), a local timestamp without a zone; inside jsonb a
 * decimal as its decimal string and a timestamp as ISO text. */
static void test_copy_logical_types(void **state)
{
    static const char schema[] =
        "{\"type\":\"record\",\"name\":\"L\",\"fields\":["
        "{\"name\":\"id\",\"type\":\"long\"},"
        "{\"name\":\"u\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
        "{\"name\":\"tm\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
        "{\"name\":\"tu\",\"type\":[\"null\",{\"type\":\"long\",\"logicalType\":\"time-micros\"}]},"
        "{\"name\":\"lm\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}},"
        "{\"name\":\"lu\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}},"
        "{\"name\":\"x\",\"type\":{\"type\":\"record\",\"name\":\"X\",\"fields\":["
        "{\"name\":\"d\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":5,"
        "\"scale\":2}},"
        "{\"name\":\"at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}}]}}]}";
    static const char *const types[] = {"bigint",
                                        "uuid",
                                        "time without time zone",
                                        "time without time zone",
                                        "timestamp without time zone",
                                        "timestamp without time zone",
                                        "jsonb"};
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"{\"id\":1,\"u\":\"0F8FAD5B-D9CB-469F-A165-70867728950E\",\"tm\":\"23:59:59.999\","
         "\"tu\":\"00:00:00.000001\",\"lm\":\"2026-11-25T12:00:00.5\",\"lu\":0,"
         "\"x\":{\"d\":\"-1.5\",\"at\":\"2026-11-25T12:00:00.000001Z\"}}",
         "1\t0f8fad5b-d9cb-469f-a165-70867728950e\t23:59:59.999\t00:00:00.000001\t"
         "2026-11-25T12:00:00.500\t1970-01-01T00:00:00.000000\t"
         "{\"d\":\"-1.50\",\"at\":\"2026-11-25T12:00:00.000001Z\"}\t"},
        {"{\"id\":2,\"u\":\"00000000-0000-0000-0000-000000000000\",\"tm\":0,\"tu\":null,"
         "\"lm\":\"0001-01-01\",\"lu\":\"9999-12-31T23:59:59.999999\",\"x\":{\"d\":0,\"at\":0}}",
         "2\t00000000-0000-0000-0000-000000000000\t00:00:00.000\t\\N\t"
         "0001-01-01T00:00:00.000\t9999-12-31T23:59:59.999999\t"
         "{\"d\":\"0.00\",\"at\":\"1970-01-01T00:00:00.000000Z\"}\t"},
    };
    record_schema_t *rs = NULL;
    stream_sql_t ss;
    char err[256] = "", want[512];

    (void)state;
    assert_int_equal(record_schema_parse(schema, &rs, err, sizeof(err)), 0);
    assert_int_equal(stream_sql_build(rs, "t", "id", DELETE_MODE_SOFT, 0, &ss, err, sizeof(err)),
                     0);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        assert_string_equal(ss.columns[i].type, types[i]);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error_t jerr;
        json_t *in = json_loads(cases[i].in, 0, &jerr);
        avro_value_iface_t *iface;
        avro_value_t val;
        assert_non_null(in);
        if (avro_datum_from_json(rs, in, &iface, &val, err, sizeof(err)) != 0)
            fail_msg("case %zu: %s", i, err);
        json_t *row = convert_avro_to_row(rs, &val, err, sizeof(err));
        assert_non_null(row);
        char *text = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
        change_event_t up = {CHANGE_OP_UPSERT, "1", 1764072000123LL, "run-1", 0, 0, NULL};
        snprintf(want, sizeof(want), "%s%s", cases[i].want,
                 "2025-11-25T12:00:00.123Z\t2\t99\t1970-01-01T00:00:00.000Z\n");
        check_copyrow(&ss, &up, text, COPYROW_OK, want);
        free(text);
        json_decref(row);
        json_decref(in);
        avro_value_decref(&val);
        avro_value_iface_decref(iface);
    }
    stream_sql_clear(&ss);
    record_schema_destroy(rs);
}

static void test_copy_tombstone(void **state)
{
    strbuf_t sb;

    (void)state;
    strbuf_init(&sb);
    /* a Kafka tombstone: no _source_ts; its timestamp, or the epoch */
    assert_int_equal(copyrow_tombstone(&sb, "18", 3, 7, 1764072000789LL), COPYROW_OK);
    assert_int_equal(copyrow_tombstone(&sb, "19", 3, 8, -1), COPYROW_OK);
    assert_string_equal(sb.buf, "18\t\\N\t3\t7\t2025-11-25T12:00:00.789Z\n"
                                "19\t\\N\t3\t8\t1970-01-01T00:00:00.000Z\n");
    strbuf_clear(&sb);
}

/* ---- keys ------------------------------------------------------------ */

static void test_idkey_canonical(void **state)
{
    static const struct {
        field_type_t type;
        const char *id;
        int rc;
        const char *want;
    } cases[] = {
        {FT_LONG, "42", 0, "42"},
        {FT_LONG, " 42", 0, "42"},
        {FT_LONG, "+42", 0, "42"},
        {FT_LONG, "0042", 0, "42"},
        {FT_LONG, "42 ", 0, "42"},
        {FT_LONG, "\t-7\n", 0, "-7"},
        {FT_LONG, "-0", 0, "0"},
        {FT_LONG, "9223372036854775807", 0, "9223372036854775807"},
        {FT_LONG, "-9223372036854775808", 0, "-9223372036854775808"},
        {FT_LONG, "9223372036854775808", -1, NULL},
        {FT_LONG, "-9223372036854775809", -1, NULL},
        {FT_LONG, "", -1, NULL},
        {FT_LONG, " ", -1, NULL},
        {FT_LONG, "+", -1, NULL},
        {FT_LONG, "4 2", -1, NULL},
        {FT_LONG, "42a", -1, NULL},
        {FT_LONG, "0x2A", -1, NULL},
        {FT_LONG, "1_000", -1, NULL},
        {FT_LONG, "++1", -1, NULL},
        {FT_INT, "2147483647", 0, "2147483647"},
        {FT_INT, "-2147483648", 0, "-2147483648"},
        {FT_INT, "2147483648", -1, NULL},
        /* around the plain-decimal shortcut's limits (9 digits int, 18 long) */
        {FT_INT, "999999999", 0, "999999999"},
        {FT_INT, "-999999999", 0, "-999999999"},
        {FT_INT, "9999999999", -1, NULL},
        {FT_INT, "0", 0, "0"},
        {FT_INT, "-", -1, NULL},
        {FT_INT, "-01", 0, "-1"},
        {FT_LONG, "999999999999999999", 0, "999999999999999999"},
        {FT_LONG, "99999999999999999999", -1, NULL},
        {FT_LONG, "00", 0, "0"},
        {FT_LONG, "-x", -1, NULL},
        {FT_STRING, " 42", 0, " 42"}, /* text keys are kept as they are */
        {FT_STRING, "", 0, ""},
        /* a uuid's RFC 4122 text is one row in either case; other forms
         * are PostgreSQL's to judge */
        {FT_UUID, "0F8FAD5B-D9CB-469F-A165-70867728950E", 0,
         "0f8fad5b-d9cb-469f-a165-70867728950e"},
        {FT_UUID, "0f8fad5b-d9cb-469f-a165-70867728950e", 0,
         "0f8fad5b-d9cb-469f-a165-70867728950e"},
        {FT_UUID, "{0F8FAD5B-D9CB-469F-A165-70867728950E}", 0,
         "{0F8FAD5B-D9CB-469F-A165-70867728950E}"},
        {FT_UUID, "0F8FAD5B-D9CB-469F-A165-70867728950", 0, "0F8FAD5B-D9CB-469F-A165-70867728950"},
        {FT_STRING, "ABC", 0, "ABC"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        schema_field_t f = {.name = "id", .type = cases[i].type};
        char why[200] = "", *out = NULL;
        int rc = idkey_canonical(&f, cases[i].id, &out, why, sizeof(why));

        print_message("case %zu: '%s'\n", i, cases[i].id);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0)
            assert_string_equal(out, cases[i].want);
        else
            assert_non_null(strstr(why, "is not an"));
        free(out);
    }
}

static void test_idkey_check_after(void **state)
{
    static const struct {
        field_type_t type;
        const char *key;   /* canonical */
        const char *after; /* JSON */
        int rc;
    } cases[] = {
        {FT_LONG, "42", "{\"id\":42}", 0},
        {FT_LONG, "42", "{\"id\":43}", -1},
        {FT_LONG, "42", "{\"id\":\" +42\"}", 0},
        {FT_LONG, "42", "{\"id\":\"x\"}", -1},
        {FT_LONG, "42", "{\"id\":null}", 0}, /* the envelope's id is used */
        {FT_LONG, "42", "{\"name\":\"a\"}", 0},
        {FT_LONG, "-1", "{\"id\":-1}", 0},
        {FT_STRING, "a", "{\"id\":\"a\"}", 0},
        {FT_STRING, "a", "{\"id\":\"A\"}", -1},
        {FT_STRING, "a", "{\"id\":\"a \"}", -1},
        {FT_STRING, "a", "{\"id\":\"a\\u0000b\"}", -1},
        {FT_STRING, "42", "{\"id\":42}", 0},
        {FT_UUID, "0f8fad5b-d9cb-469f-a165-70867728950e",
         "{\"id\":\"0F8FAD5B-D9CB-469F-A165-70867728950E\"}", 0},
        {FT_UUID, "0f8fad5b-d9cb-469f-a165-70867728950e",
         "{\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950f\"}", -1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        schema_field_t f = {.name = "id", .type = cases[i].type};
        json_t *after = json_loads(cases[i].after, JSON_ALLOW_NUL, NULL);
        char why[300] = "";

        print_message("case %zu: %s vs %s\n", i, cases[i].key, cases[i].after);
        assert_non_null(after);
        assert_int_equal(idkey_check_after(&f, cases[i].key, after, why, sizeof(why)), cases[i].rc);
        if (cases[i].rc < 0)
            assert_non_null(strstr(why, "names another row"));
        json_decref(after);
    }
    {
        schema_field_t f = {.name = "id", .type = FT_LONG};
        char why[10];

        /* a delete has no after */
        assert_int_equal(idkey_check_after(&f, "1", NULL, why, sizeof(why)), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dedupe),
        cmocka_unit_test(test_version_cmp),
        cmocka_unit_test(test_runcount),
        cmocka_unit_test(test_runcount_gaps_bounded),
        cmocka_unit_test(test_applied_offsets_parse),
        cmocka_unit_test(test_part_ranges),
        cmocka_unit_test(test_copy_rows),
        cmocka_unit_test(test_copy_logical_types),
        cmocka_unit_test(test_copy_tombstone),
        cmocka_unit_test(test_idkey_canonical),
        cmocka_unit_test(test_idkey_check_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
