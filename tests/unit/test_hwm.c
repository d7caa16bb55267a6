/*
 * test_hwm.c - the rules at the HWM (producer/hwm.h), table-driven:
 * digest stability, buckets, the skip rule and the tracker: its O(1)
 * lookups over a million ties, the pending ids a checkpoint must write,
 * and idset_clear under it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hwm.h"
#include "idset.h"
#include "isotime.h"
#include "runrecord.h"

static int64_t ts(const char *iso)
{
    int64_t ms = 0;
    char err[128];
    assert_int_equal(isotime_parse(iso, &ms, NULL, err, sizeof(err)), 0);
    return ms;
}

static void digest_of(const char *json, char *buf)
{
    json_error_t jerr;
    json_t *j = json_loads(json, 0, &jerr);
    assert_non_null(j);
    assert_int_equal(hwm_digest(j, buf, HWM_DIGEST_SIZE), 0);
    json_decref(j);
}

static void test_digest(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int equal;
    } cases[] = {
        {"{\"id\":1,\"name\":\"x\"}", "{\"name\":\"x\",\"id\":1}", 1},
        {"{\"id\":1,\"n\":{\"b\":2,\"a\":1}}", "{\"n\":{\"a\":1,\"b\":2},\"id\":1}", 1},
        {"{\"id\":1,\"name\":\"x\"}", "{\"id\":1,\"name\":\"y\"}", 0},
        {"{\"id\":1,\"v\":1}", "{\"id\":1,\"v\":\"1\"}", 0},
        {"{\"id\":1}", "{\"id\":1,\"extra\":null}", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char da[HWM_DIGEST_SIZE], db[HWM_DIGEST_SIZE];
        digest_of(cases[i].a, da);
        digest_of(cases[i].b, db);
        assert_int_equal(strlen(da), 16);
        assert_int_equal(strcmp(da, db) == 0, cases[i].equal);
    }
    /* FNV-1a 64 of "{}" is a fixed value: the digest is stable across
     * builds and hosts (it is stored in run records). */
    char d[HWM_DIGEST_SIZE];
    digest_of("{}", d);
    assert_string_equal(d, "08f44b07b5901a25");
    /* ... and raw bytes (a dead-lettered bad item) hash the same way */
    assert_int_equal(hwm_digest_bytes("{}", 2, d, sizeof(d)), 0);
    assert_string_equal(d, "08f44b07b5901a25");
    assert_int_equal(hwm_digest_bytes("{\"a\":\"\xe9\"}", 8, d, sizeof(d)), 0);
    assert_int_equal(strlen(d), 16);
    assert_int_equal(hwm_digest_bytes("{}", 2, d, HWM_DIGEST_SIZE - 1), -1);
}

static void test_bucket(void **state)
{
    (void)state;
    static const struct {
        cursor_precision_t prec;
        const char *in, *want;
    } cases[] = {
        {CURSOR_PRECISION_TIMESTAMP, "2026-11-25T12:00:00.123Z", "2026-11-25T12:00:00.123Z"},
        {CURSOR_PRECISION_TIMESTAMP, "2026-11-25T00:00:00Z", "2026-11-25T00:00:00Z"},
        {CURSOR_PRECISION_DATE, "2026-11-25T12:00:00.123Z", "2026-11-25T00:00:00Z"},
        {CURSOR_PRECISION_DATE, "2026-11-25T23:59:59.999Z", "2026-11-25T00:00:00Z"},
        {CURSOR_PRECISION_DATE, "2026-11-26T00:30:00+02:00", "2026-11-25T00:00:00Z"},
        {CURSOR_PRECISION_DATE, "2026-11-25", "2026-11-25T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(hwm_bucket(CURSOR_CLOCK(cases[i].prec), ts(cases[i].in)),
                         ts(cases[i].want));
}

/* Digests as hwm_digest makes them: 16 hex digits. */
#define DA "aaaaaaaaaaaaaaaa"
#define DB "bbbbbbbbbbbbbbbb"
#define DC "cccccccccccccccc"
#define DD "dddddddddddddddd"
#define DZ "000000000000002f"

/* A tracker at value with (id, digest) pairs. */
static void hwm_set(hwm_tracker_t *h, cursor_precision_t prec, const char *value,
                    const char *const *pairs)
{
    memset(h, 0, sizeof(*h));
    for (size_t i = 0; pairs && pairs[i]; i += 2)
        assert_int_equal(hwm_observe(h, CURSOR_CLOCK(prec), pairs[i], ts(value), pairs[i + 1]), 0);
}

static void test_digest_parse(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int kind;
        uint64_t value;
        const char *out;
    } cases[] = {
        {NULL, HWM_DIGEST_NONE, 0, ""},
        {"", HWM_DIGEST_NONE, 0, ""},
        {"08f44b07b5901a25", HWM_DIGEST_HEX, 0x08f44b07b5901a25ULL, "08f44b07b5901a25"},
        {"08F44B07B5901A25", HWM_DIGEST_HEX, 0x08f44b07b5901a25ULL, "08f44b07b5901a25"},
        {"ffffffffffffffff", HWM_DIGEST_HEX, UINT64_MAX, "ffffffffffffffff"},
        {"08f44b07b5901a2", HWM_DIGEST_OTHER, 0, "?"},   /* 15 digits */
        {"08f44b07b5901a250", HWM_DIGEST_OTHER, 0, "?"}, /* 17 */
        {"08f44b07b5901a2g", HWM_DIGEST_OTHER, 0, "?"},
        {"9f2c", HWM_DIGEST_OTHER, 0, "?"},
        {"?", HWM_DIGEST_OTHER, 0, "?"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hwm_entry_t e = hwm_digest_parse(cases[i].in);
        char out[HWM_DIGEST_SIZE];
        if (e.kind != cases[i].kind)
            fail_msg("case %zu (%s): kind %d", i, cases[i].in ? cases[i].in : "NULL", e.kind);
        if (e.kind == HWM_DIGEST_HEX)
            assert_true(e.value == cases[i].value);
        hwm_digest_format(&e, out, sizeof(out));
        assert_string_equal(out, cases[i].out);
    }
}

static void test_skip(void **state)
{
    (void)state;
    static const char *const at_hwm[] = {"17", DA, "18", DB, "19", "not-a-digest", "20", "", NULL};
    static const struct {
        cursor_precision_t prec;
        const char *id, *cursor, *digest;
        int skip;
        const char *why;
    } cases[] = {
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T12:00:00.000Z", DA, 1,
         "same id, same digest at HWM"},
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T12:00:00.000Z", DC, 0,
         "same id, changed content"},
        {CURSOR_PRECISION_TIMESTAMP, "21", "2026-11-25T12:00:00.000Z", DA, 0, "new id at HWM"},
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T11:59:59.999Z", DA, 0, "older bucket"},
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T12:00:00.001Z", DA, 0, "newer bucket"},
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T12:00:00.000Z", NULL, 1,
         "deleted id: any digest"},
        {CURSOR_PRECISION_TIMESTAMP, "20", "2026-11-25T12:00:00.000Z", NULL, 1,
         "deleted id at HWM"},
        {CURSOR_PRECISION_TIMESTAMP, "20", "2026-11-25T12:00:00.000Z", DA, 0,
         "no digest stored, one given"},
        {CURSOR_PRECISION_TIMESTAMP, "19", "2026-11-25T12:00:00.000Z", "not-a-digest", 0,
         "a foreign digest never matches"},
        {CURSOR_PRECISION_TIMESTAMP, "19", "2026-11-25T12:00:00.000Z", NULL, 1,
         "... but the id is there"},
        {CURSOR_PRECISION_TIMESTAMP, "", "2026-11-25T12:00:00.000Z", NULL, 0, "empty id"},
        {CURSOR_PRECISION_DATE, "17", "2026-11-25T18:00:00Z", DA, 1, "date: same day, same digest"},
        {CURSOR_PRECISION_DATE, "17", "2026-11-25T18:00:00Z", DD, 0,
         "date: changed later that day"},
        {CURSOR_PRECISION_DATE, "17", "2026-11-24T18:00:00Z", DA, 0, "date: the day before"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hwm_tracker_t h;
        hwm_set(&h, cases[i].prec, "2026-11-25T12:00:00.000Z", at_hwm);
        int got = hwm_should_skip(&h, CURSOR_CLOCK(cases[i].prec), cases[i].id, ts(cases[i].cursor),
                                  cases[i].digest);
        if (got != cases[i].skip)
            fail_msg("case %zu (%s): skip=%d", i, cases[i].why, got);
        hwm_tracker_clear(&h);
    }
    /* An empty tracker skips nothing. */
    hwm_tracker_t empty = {0};
    assert_false(hwm_should_skip(&empty, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "17", 0, DA));
    assert_null(hwm_find_id(&empty, "17"));
}

typedef struct obs {
    const char *id, *cursor, *digest;
} obs_t;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "id=digest,..." sorted by id (digests shortened to their first char),
 * and the same for the pending ids only. */
static void dump(const hwm_tracker_t *h, char *all, size_t all_size, char *pend, size_t pend_size)
{
    char *items[16];
    size_t n = 0, pos = 0;
    const char *id;
    void *v;
    char *outs[2] = {all, pend};
    size_t sizes[2] = {all_size, pend_size};
    idset_t *sets[2] = {h->ids, h->pending};
    for (int w = 0; w < 2; w++) {
        n = pos = 0;
        while (sets[w] && idset_next(sets[w], &pos, &id, &v)) {
            const hwm_entry_t *e = hwm_find_id(h, id);
            char dg[HWM_DIGEST_SIZE];
            assert_non_null(e);
            hwm_digest_format(e, dg, sizeof(dg));
            assert_true(n < 16);
            items[n] = malloc(64);
            snprintf(items[n++], 64, "%s=%.1s", id, dg);
        }
        qsort(items, n, sizeof(*items), cmp_str);
        outs[w][0] = '\0';
        for (size_t k = 0; k < n; k++) {
            size_t l = strlen(outs[w]);
            snprintf(outs[w] + l, sizes[w] - l, "%s%s", k ? "," : "", items[k]);
            free(items[k]);
        }
    }
}

/* Items of a "a,b,c" list. */
static size_t count_items(const char *list)
{
    size_t n = *list ? 1 : 0;
    for (; *list; list++)
        n += *list == ',';
    return n;
}

static void test_tracker(void **state)
{
    (void)state;
    static const struct {
        const char *why;
        cursor_precision_t prec;
        obs_t in[5];
        const char *want_value;
        const char *want_ids; /* "id=first digest char,..." sorted */
    } cases[] = {
        {"new max resets the ids",
         CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T10:00:00Z", DA}, {"2", "2026-11-25T11:00:00Z", DB}},
         "2026-11-25T11:00:00Z",
         "2=b"},
        {"equal value adds ids",
         CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T11:00:00Z", DA}, {"2", "2026-11-25T11:00:00Z", DB}},
         "2026-11-25T11:00:00Z",
         "1=a,2=b"},
        {"older value changes nothing",
         CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T11:00:00Z", DA}, {"2", "2026-11-25T10:00:00Z", DB}},
         "2026-11-25T11:00:00Z",
         "1=a"},
        {"same id again updates its digest",
         CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T11:00:00Z", DA}, {"1", "2026-11-25T11:00:00Z", DZ}},
         "2026-11-25T11:00:00Z",
         "1=0"},
        {"date groups the whole day",
         CURSOR_PRECISION_DATE,
         {{"1", "2026-11-25T01:00:00Z", DA},
          {"2", "2026-11-25T23:00:00Z", DB},
          {"3", "2026-11-25T05:00:00Z", DC}},
         "2026-11-25T23:00:00Z",
         "1=a,2=b,3=c"},
        {"date: a new day resets",
         CURSOR_PRECISION_DATE,
         {{"1", "2026-11-25T01:00:00Z", DA}, {"2", "2026-11-26T00:00:00Z", DB}},
         "2026-11-26T00:00:00Z",
         "2=b"},
        {"NULL digest stored as empty",
         CURSOR_PRECISION_TIMESTAMP,
         {{"9", "2026-11-25T11:00:00Z", NULL}},
         "2026-11-25T11:00:00Z",
         "9="},
        {"an empty id is not remembered",
         CURSOR_PRECISION_TIMESTAMP,
         {{"", "2026-11-25T11:00:00Z", DA}, {"4", "2026-11-25T11:00:00Z", DA}},
         "2026-11-25T11:00:00Z",
         "4=a"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hwm_tracker_t h = {0};
        for (size_t j = 0; j < 5 && cases[i].in[j].id; j++)
            assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(cases[i].prec), cases[i].in[j].id,
                                         ts(cases[i].in[j].cursor), cases[i].in[j].digest),
                             0);
        assert_true(h.has_value);
        if (h.value_ms != ts(cases[i].want_value))
            fail_msg("case %zu (%s): wrong value", i, cases[i].why);
        char got[256], pend[256];
        dump(&h, got, sizeof(got), pend, sizeof(pend));
        if (strcmp(got, cases[i].want_ids) != 0)
            fail_msg("case %zu (%s): ids '%s', want '%s'", i, cases[i].why, got, cases[i].want_ids);
        /* nothing was written yet: every id is pending */
        assert_string_equal(pend, got);
        assert_int_equal(hwm_tracker_count(&h), count_items(got));
        hwm_tracker_clear(&h);
    }
}
/* An unsorted walk's HWM held at its start (hwm_tracker_cap). */
static void test_cap(void **state)
{
    (void)state;
    static const struct {
        const char *why;
        cursor_precision_t prec;
        const char *value, *mark;
        int lowered;
        const char *want_value;
        const char *want_ids;
    } cases[] = {
        {"mark later: unchanged", CURSOR_PRECISION_TIMESTAMP, "2026-11-25T11:00:00Z",
         "2026-11-25T12:00:00Z", 0, "2026-11-25T11:00:00Z", "1=a,2=b"},
        {"mark equal: unchanged", CURSOR_PRECISION_TIMESTAMP, "2026-11-25T11:00:00Z",
         "2026-11-25T11:00:00Z", 0, "2026-11-25T11:00:00Z", "1=a,2=b"},
        {"mark earlier: lowered, no ids", CURSOR_PRECISION_TIMESTAMP, "2026-11-25T11:00:00Z",
         "2026-11-25T10:59:59.999Z", 1, "2026-11-25T10:59:59.999Z", ""},
        {"date: same day: unchanged", CURSOR_PRECISION_DATE, "2026-11-25T11:00:00Z",
         "2026-11-25T01:00:00Z", 0, "2026-11-25T11:00:00Z", "1=a,2=b"},
        {"date: day before: lowered", CURSOR_PRECISION_DATE, "2026-11-25T00:00:00Z",
         "2026-11-24T23:00:00Z", 1, "2026-11-24T23:00:00Z", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hwm_tracker_t h = {0};
        const cursor_clock_t *clock = CURSOR_CLOCK(cases[i].prec);
        assert_int_equal(hwm_observe(&h, clock, "1", ts(cases[i].value), DA), 0);
        assert_int_equal(hwm_observe(&h, clock, "2", ts(cases[i].value), DB), 0);
        int lowered = hwm_tracker_cap(&h, clock, ts(cases[i].mark));
        char got[256], pend[256];
        dump(&h, got, sizeof(got), pend, sizeof(pend));
        if (lowered != cases[i].lowered || !h.has_value || h.value_ms != ts(cases[i].want_value) ||
            strcmp(got, cases[i].want_ids) != 0)
            fail_msg("case %zu (%s): lowered %d ids '%s'", i, cases[i].why, lowered, got);
        /* nothing is skipped at a lowered HWM */
        if (lowered)
            assert_false(hwm_should_skip(&h, clock, "1", h.value_ms, DA));
        hwm_tracker_clear(&h);
    }
    hwm_tracker_t empty = {0};
    assert_int_equal(hwm_tracker_cap(&empty, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), 5), 0);
    assert_false(empty.has_value);
}

/* What a checkpoint must still write: the pending ids. */
static void test_pending(void **state)
{
    (void)state;
    const char *t = "2026-11-25T12:00:00Z";
    hwm_tracker_t h = {0};
    char all[256], pend[256];
    assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "1", ts(t), DA), 0);
    assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "2", ts(t), DB), 0);
    assert_true(h.pending_bytes > 0 && h.pending_bytes == h.bytes);

    run_chunk_ref_t ref = {.key = "s/ckpt/r/0", .ids = 2, .bytes = 10, .sum = 7};
    assert_int_equal(hwm_tracker_chunked(&h, &ref, 1, 0), 0);
    dump(&h, all, sizeof(all), pend, sizeof(pend));
    assert_string_equal(all, "1=a,2=b");
    assert_string_equal(pend, "");
    assert_int_equal(h.pending_bytes, 0);
    assert_int_equal(h.n_chunks, 1);
    assert_string_equal(h.chunks[0].key, "s/ckpt/r/0");
    assert_ptr_not_equal(h.chunks[0].key, ref.key); /* a copy */

    /* unchanged: nothing to write; new or changed: pending */
    assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "1", ts(t), DA), 0);
    assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "3", ts(t), DC), 0);
    assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "2", ts(t), DD), 0);
    dump(&h, all, sizeof(all), pend, sizeof(pend));
    assert_string_equal(all, "1=a,2=d,3=c");
    assert_string_equal(pend, "2=d,3=c");

    /* appended, then replaced */
    run_chunk_ref_t more[2] = {{.key = "s/ckpt/r/1"}, {.key = "s/ckpt/r/2"}};
    assert_int_equal(hwm_tracker_chunked(&h, more, 2, 0), 0);
    assert_int_equal(h.n_chunks, 3);
    assert_string_equal(h.chunks[2].key, "s/ckpt/r/2");
    assert_int_equal(hwm_tracker_chunked(&h, &ref, 1, 1), 0);
    assert_int_equal(h.n_chunks, 1);
    assert_string_equal(h.chunks[0].key, "s/ckpt/r/0");

    /* loading a checkpoint: a chunk's id is not pending, an inline one is */
    assert_int_equal(hwm_tracker_put(&h, "7", 1, DA, 0), 0);
    assert_int_equal(hwm_tracker_put(&h, "8", 1, DB, 1), 0);
    assert_int_equal(hwm_tracker_put(&h, "", 0, DB, 1), 0); /* left out */
    dump(&h, all, sizeof(all), pend, sizeof(pend));
    assert_string_equal(all, "1=a,2=d,3=c,7=a,8=b");
    assert_string_equal(pend, "8=b");
    assert_true(h.has_value); /* put() leaves value alone */

    /* a new bucket forgets ids and chunks */
    assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "9",
                                 ts("2026-11-25T12:00:01Z"), DA),
                     0);
    dump(&h, all, sizeof(all), pend, sizeof(pend));
    assert_string_equal(all, "9=a");
    assert_string_equal(pend, "9=a");
    assert_int_equal(h.n_chunks, 0);
    assert_int_equal(h.bytes, h.pending_bytes);
    hwm_tracker_clear(&h);
}

/* The JSON size bound covers what jansson writes. */
static void test_entry_json_size(void **state)
{
    (void)state;
    static const char *const ids[] = {
        "1",         "cus_000017",  "a \"quoted\" id",   "back\\slash",
        "tab\there", "ctl\x01\x1f", "\xc3\xa9t\xc3\xa9", "del\x7f"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        json_t *o = json_pack("{s:s}", ids[i], DA);
        assert_non_null(o);
        char *text = json_dumps(o, JSON_COMPACT);
        /* {"<id>":"<digest>"} is the entry without its comma, plus braces */
        size_t got = strlen(text) - 2 + 1;
        size_t bound = hwm_entry_json_size(ids[i], strlen(ids[i]));
        if (got > bound)
            fail_msg("id %zu: %zu bytes, bound %zu", i, got, bound);
        free(text);
        json_decref(o);
    }
}

/* The tie group of the issue, and beyond: a million ids at one cursor.
 * Building the set was quadratic (a linear lookup per add); it must be
 * linear, each lookup O(1), and the memory well under 200 MB. */
static void test_million_ties(void **state)
{
    (void)state;
    const size_t n = 1000000;
    const int64_t at = ts("2026-11-25T12:00:00Z");
    hwm_tracker_t h = {0};
    char id[32], dg[HWM_DIGEST_SIZE];
    int64_t t0 = isotime_monotonic_ms();
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "%zu", i);
        snprintf(dg, sizeof(dg), "%016zx", i * 7919);
        if (hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, at, dg) != 0)
            fail_msg("observe %zu failed", i);
    }
    int64_t built = isotime_monotonic_ms() - t0;
    assert_int_equal(hwm_tracker_count(&h), n);
    size_t mem = idset_memory(h.ids) + idset_memory(h.pending);
    print_message("1e6 ties: built in %lld ms, %zu MB with the pending set\n", (long long)built,
                  mem >> 20);
    assert_true(mem < (size_t)150 << 20);
    t0 = isotime_monotonic_ms();
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "%zu", i);
        snprintf(dg, sizeof(dg), "%016zx", i * 7919);
        if (!hwm_should_skip(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, at, dg))
            fail_msg("id %zu not skipped", i);
    }
    snprintf(dg, sizeof(dg), "%016zx", (size_t)1);
    assert_false(hwm_should_skip(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "5", at, dg));
    assert_false(hwm_should_skip(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "1000000", at, DA));
    int64_t looked = isotime_monotonic_ms() - t0;
    print_message("1e6 lookups in %lld ms\n", (long long)looked);
    /* Quadratic would be ~5e11 comparisons (hours); linear is well under a
     * second, a few under sanitizers. A generous bound for a busy host. */
    assert_true(built < 60000 && looked < 60000);

    /* A new bucket empties the set and gives the memory back. */
    assert_int_equal(hwm_observe(&h, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "x", at + 1, DA), 0);
    assert_int_equal(hwm_tracker_count(&h), 1);
    assert_null(hwm_find_id(&h, "17"));
    assert_non_null(hwm_find_id(&h, "x"));
    assert_true(idset_memory(h.ids) < (size_t)1 << 20);
    hwm_tracker_clear(&h);
}

/* idset_clear, both ways: few keys in a big table, and a full one. */
static void test_idset_clear(void **state)
{
    (void)state;
    idset_t *s = idset_new(8);
    char k[32];
    assert_non_null(s);
    for (int round = 0; round < 3; round++) {
        size_t n = round == 0 ? 100000 : round == 1 ? 5 : 3000;
        for (size_t i = 0; i < n; i++) {
            snprintf(k, sizeof(k), "k%zu-%d", i, round);
            uint64_t *v = idset_add(s, k, strlen(k), NULL);
            assert_non_null(v);
            *v = i;
        }
        assert_int_equal(idset_count(s), n);
        idset_clear(s);
        assert_int_equal(idset_count(s), 0);
        size_t pos = 0;
        const char *key;
        void *val;
        assert_false(idset_next(s, &pos, &key, &val));
        for (size_t i = 0; i < n; i++) {
            snprintf(k, sizeof(k), "k%zu-%d", i, round);
            assert_null(idset_get(s, k, strlen(k)));
        }
    }
    /* still usable: a key added after clears is found */
    assert_non_null(idset_add(s, "again", 5, NULL));
    assert_non_null(idset_get(s, "again", 5));
    idset_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest),       cmocka_unit_test(test_digest_parse),
        cmocka_unit_test(test_bucket),       cmocka_unit_test(test_skip),
        cmocka_unit_test(test_tracker),      cmocka_unit_test(test_cap),
        cmocka_unit_test(test_pending),      cmocka_unit_test(test_entry_json_size),
        cmocka_unit_test(test_million_ties), cmocka_unit_test(test_idset_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
