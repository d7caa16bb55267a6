/*
 * test_boundary.c - the rules at the HWM (producer/boundary.h), table-driven:
 * digest stability, buckets, the skip rule and the tracker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../producer/boundary.h"
#include "isotime.h"
#include "runrecord.h"

static int64_t ts(const char *iso)
{
    int64_t ms = 0;
    char err[128];
    assert_int_equal(isotime_parse(iso, &ms, NULL, err, sizeof err), 0);
    return ms;
}

static void digest_of(const char *json, char *buf)
{
    json_error_t jerr;
    json_t *j = json_loads(json, 0, &jerr);
    assert_non_null(j);
    assert_int_equal(boundary_digest(j, buf, BOUNDARY_DIGEST_SIZE), 0);
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
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char da[BOUNDARY_DIGEST_SIZE], db[BOUNDARY_DIGEST_SIZE];
        digest_of(cases[i].a, da);
        digest_of(cases[i].b, db);
        assert_int_equal(strlen(da), 16);
        assert_int_equal(strcmp(da, db) == 0, cases[i].equal);
    }
    /* FNV-1a 64 of "{}" is a fixed value: the digest is stable across
     * builds and hosts (it is stored in run records). */
    char d[BOUNDARY_DIGEST_SIZE];
    digest_of("{}", d);
    assert_string_equal(d, "08f44b07b5901a25");
    /* ... and raw bytes (a dead-lettered bad item) hash the same way */
    assert_int_equal(boundary_digest_bytes("{}", 2, d, sizeof d), 0);
    assert_string_equal(d, "08f44b07b5901a25");
    assert_int_equal(boundary_digest_bytes("{\"a\":\"\xe9\"}", 8, d, sizeof d), 0);
    assert_int_equal(strlen(d), 16);
    assert_int_equal(boundary_digest_bytes("{}", 2, d, BOUNDARY_DIGEST_SIZE - 1), -1);
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
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(boundary_bucket(cases[i].prec, ts(cases[i].in)), ts(cases[i].want));
}

/* A tracker at value with (id, digest) pairs. */
static void hwm_set(run_hwm_t *h, cursor_precision_t prec, const char *value,
                    const char *const *pairs)
{
    memset(h, 0, sizeof *h);
    for (size_t i = 0; pairs && pairs[i]; i += 2)
        assert_int_equal(boundary_observe(h, prec, pairs[i], ts(value), pairs[i + 1]), 0);
}

static void test_skip(void **state)
{
    (void)state;
    static const char *const at_hwm[] = {"17", "aaaa", "18", "bbbb", NULL};
    static const struct {
        cursor_precision_t prec;
        const char *id, *cursor, *digest;
        int skip;
        const char *why;
    } cases[] = {
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T12:00:00.000Z", "aaaa", 1, "same id, same digest at HWM"},
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T12:00:00.000Z", "cccc", 0, "same id, changed content"},
        {CURSOR_PRECISION_TIMESTAMP, "19", "2026-11-25T12:00:00.000Z", "aaaa", 0, "new id at HWM"},
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T11:59:59.999Z", "aaaa", 0, "older bucket"},
        {CURSOR_PRECISION_TIMESTAMP, "17", "2026-11-25T12:00:00.001Z", "aaaa", 0, "newer bucket"},
        {CURSOR_PRECISION_DATE, "17", "2026-11-25T18:00:00Z", "aaaa", 1, "date: same day, same digest"},
        {CURSOR_PRECISION_DATE, "17", "2026-11-25T18:00:00Z", "dddd", 0, "date: changed later that day"},
        {CURSOR_PRECISION_DATE, "17", "2026-11-24T18:00:00Z", "aaaa", 0, "date: the day before"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_hwm_t h;
        hwm_set(&h, cases[i].prec, "2026-11-25T12:00:00.000Z", at_hwm);
        int got = boundary_should_skip(&h, cases[i].prec, cases[i].id, ts(cases[i].cursor),
                                       cases[i].digest);
        if (got != cases[i].skip)
            fail_msg("case %zu (%s): skip=%d", i, cases[i].why, got);
        run_hwm_clear(&h);
    }
    /* An empty tracker skips nothing. */
    run_hwm_t empty = {0};
    assert_false(boundary_should_skip(&empty, CURSOR_PRECISION_TIMESTAMP, "17", 0, "aaaa"));
}

typedef struct obs {
    const char *id, *cursor, *digest;
} obs_t;

static void test_tracker(void **state)
{
    (void)state;
    static const struct {
        const char *why;
        cursor_precision_t prec;
        obs_t in[5];
        const char *want_value;
        const char *want_ids; /* "id=digest,..." in insertion order */
    } cases[] = {
        {"new max resets the ids", CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T10:00:00Z", "a"}, {"2", "2026-11-25T11:00:00Z", "b"}},
         "2026-11-25T11:00:00Z", "2=b"},
        {"equal value adds ids", CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T11:00:00Z", "a"}, {"2", "2026-11-25T11:00:00Z", "b"}},
         "2026-11-25T11:00:00Z", "1=a,2=b"},
        {"older value changes nothing", CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T11:00:00Z", "a"}, {"2", "2026-11-25T10:00:00Z", "b"}},
         "2026-11-25T11:00:00Z", "1=a"},
        {"same id again updates its digest", CURSOR_PRECISION_TIMESTAMP,
         {{"1", "2026-11-25T11:00:00Z", "a"}, {"1", "2026-11-25T11:00:00Z", "z"}},
         "2026-11-25T11:00:00Z", "1=z"},
        {"date groups the whole day", CURSOR_PRECISION_DATE,
         {{"1", "2026-11-25T01:00:00Z", "a"},
          {"2", "2026-11-25T23:00:00Z", "b"},
          {"3", "2026-11-25T05:00:00Z", "c"}},
         "2026-11-25T23:00:00Z", "1=a,2=b,3=c"},
        {"date: a new day resets", CURSOR_PRECISION_DATE,
         {{"1", "2026-11-25T01:00:00Z", "a"}, {"2", "2026-11-26T00:00:00Z", "b"}},
         "2026-11-26T00:00:00Z", "2=b"},
        {"NULL digest stored as empty", CURSOR_PRECISION_TIMESTAMP,
         {{"9", "2026-11-25T11:00:00Z", NULL}},
         "2026-11-25T11:00:00Z", "9="},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_hwm_t h = {0};
        for (size_t j = 0; j < 5 && cases[i].in[j].id; j++)
            assert_int_equal(boundary_observe(&h, cases[i].prec, cases[i].in[j].id,
                                              ts(cases[i].in[j].cursor), cases[i].in[j].digest),
                             0);
        assert_true(h.has_value);
        if (h.value_ms != ts(cases[i].want_value))
            fail_msg("case %zu (%s): wrong value", i, cases[i].why);
        char got[256] = "";
        for (size_t k = 0; k < h.n_ids; k++) {
            size_t n = strlen(got);
            snprintf(got + n, sizeof got - n, "%s%s=%s", k ? "," : "", h.ids[k], h.digests[k]);
        }
        if (strcmp(got, cases[i].want_ids) != 0)
            fail_msg("case %zu (%s): ids '%s', want '%s'", i, cases[i].why, got,
                     cases[i].want_ids);
        run_hwm_clear(&h);
    }
}

/* A run that stops and resumes from its tracker skips exactly the unchanged
 * records at the HWM (the tie case of SPEC guarantee 1). */
static void test_resume_at_tie(void **state)
{
    (void)state;
    run_hwm_t h = {0};
    const char *t = "2026-11-25T12:00:00Z";
    assert_int_equal(boundary_observe(&h, CURSOR_PRECISION_TIMESTAMP, "1", ts(t), "a"), 0);
    assert_int_equal(boundary_observe(&h, CURSOR_PRECISION_TIMESTAMP, "2", ts(t), "b"), 0);
    run_hwm_t copy = {0};
    assert_int_equal(run_hwm_copy(&copy, &h), 0);
    /* re-served: 1 unchanged, 2 changed but same cursor (tie), 3 new at tie */
    assert_true(boundary_should_skip(&copy, CURSOR_PRECISION_TIMESTAMP, "1", ts(t), "a"));
    assert_false(boundary_should_skip(&copy, CURSOR_PRECISION_TIMESTAMP, "2", ts(t), "b2"));
    assert_false(boundary_should_skip(&copy, CURSOR_PRECISION_TIMESTAMP, "3", ts(t), "c"));
    run_hwm_clear(&h);
    run_hwm_clear(&copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_bucket),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_tracker),
        cmocka_unit_test(test_resume_at_tie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
