/*
 * test_source.c - the page reader's clock marks (producer/source.h, and
 * what counts as past the API's clock: producer/runstate.h), and
 * run ids and ages (producer/run.h, producer/status.h), table-driven. No
 * network. Its walks are in test_source_paging.c; URLs in test_pager.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cursorval.h"
#include "jsonpage.h"
#include "pager.h"
#include "source.h"
#include "run.h"
#include "runstate.h"

static void test_run_id(void **state)
{
    (void)state;
    char a[128], b[128];
    run_id_make("customers", 1795608000123LL, a, sizeof(a));
    run_id_make("customers", 1795608000123LL, b, sizeof(b));
    assert_int_equal(strncmp(a, "customers-20261125T120000Z-", 27), 0);
    assert_int_equal(strlen(a), 27 + 8);
    assert_string_not_equal(a, b); /* random suffix */
}

/* The API's clock at the walk's first answer (source_api_mark). */
static void test_api_mark(void **state)
{
    (void)state;
    static const struct {
        int64_t date, sent, answered, want;
    } cases[] = {
        {0, 5000, 9000, 5000},                /* no Date: the producer's clock */
        {100000, 99500, 99700, 98800},        /* Date - 1 s - 200 ms on the way */
        {100000, 99500, 98500, 99000},        /* clock stepped back: no negative */
        {7200000, 3600000, 3600000, 3600000}, /* Date an hour ahead: ours, lower */
        {3600000, 7200000, 7200000, 3599000}, /* Date an hour behind: the Date */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (source_api_mark(cases[i].date, cases[i].sent, cases[i].answered) != cases[i].want)
            fail_msg("case %zu: %lld, want %lld", i,
                     (long long)source_api_mark(cases[i].date, cases[i].sent, cases[i].answered),
                     (long long)cases[i].want);
}

/* The API's clock at an answer, from above (source_api_now), and what
 * counts as past it (run_past_api_clock). */
static void test_api_now(void **state)
{
    (void)state;
    static const struct {
        int64_t date, answered, want;
    } now_cases[] = {
        {0, 5000, 5000},             /* no Date: the producer's clock */
        {100000, 5000, 101000},      /* Date + 1 s (its resolution) */
        {7200000, 3600000, 7201000}, /* API an hour ahead: its clock */
    };
    for (size_t i = 0; i < sizeof(now_cases) / sizeof(now_cases[0]); i++)
        if (source_api_now(now_cases[i].date, now_cases[i].answered) != now_cases[i].want)
            fail_msg("now case %zu: %lld, want %lld", i,
                     (long long)source_api_now(now_cases[i].date, now_cases[i].answered),
                     (long long)now_cases[i].want);
    static const struct {
        cursor_precision_t p;
        int64_t cursor, now;
        int want;
    } past_cases[] = {
        {CURSOR_PRECISION_TIMESTAMP, 1000, 1000, 0},
        {CURSOR_PRECISION_TIMESTAMP, 1000 + 300000, 1000, 0}, /* 5 min: a skew */
        {CURSOR_PRECISION_TIMESTAMP, 1000 + 300001, 1000, 1},
        {CURSOR_PRECISION_TIMESTAMP, 4070908800000LL, 1795608000000LL, 1}, /* 2099 */
        {CURSOR_PRECISION_DATE, 14 * 3600000LL + 300000, 0, 0},            /* a date in UTC+14 */
        {CURSOR_PRECISION_DATE, 14 * 3600000LL + 300001, 0, 1},
    };
    for (size_t i = 0; i < sizeof(past_cases) / sizeof(past_cases[0]); i++)
        if (run_past_api_clock(past_cases[i].p, past_cases[i].cursor, past_cases[i].now) !=
            past_cases[i].want)
            fail_msg("past case %zu: want %d", i, past_cases[i].want);
}

/* A cursor value as cursor.format writes it (cursorval_read), and the
 * parameter written back (pager_format_since). */
static void test_cursor_values(void **state)
{
    (void)state;
    static const struct {
        cursor_format_t format;
        const char *json; /* the value, as JSON */
        int64_t want;     /* ms; INT64_MIN: refused */
        const char *param;
    } cases[] = {
        {CURSOR_FORMAT_ISO8601, "\"2026-11-25T12:00:00.123Z\"", 1795608000123LL,
         "2026-11-25T12:00:00.123Z"},
        {CURSOR_FORMAT_ISO8601, "1795608000", INT64_MIN, NULL}, /* a number: not ISO */
        {CURSOR_FORMAT_UNIX, "1795608000", 1795608000000LL, "1795608000"},
        {CURSOR_FORMAT_UNIX, "\"1795608000\"", 1795608000000LL, "1795608000"},
        {CURSOR_FORMAT_UNIX, "1795608000.5", 1795608000500LL, "1795608000"}, /* seconds down */
        {CURSOR_FORMAT_UNIX, "1.7956080005e9", 1795608000500LL, "1795608000"},
        {CURSOR_FORMAT_UNIX, "1097083673.126", 1097083673126LL, "1097083673"}, /* not .125 */
        {CURSOR_FORMAT_UNIX, "\"1097083673.126\"", 1097083673126LL, "1097083673"},
        {CURSOR_FORMAT_UNIX, "\"2026-11-25T12:00:00Z\"", 1795608000000LL, "1795608000"},
        {CURSOR_FORMAT_UNIX, "\"17956x\"", INT64_MIN, NULL},
        {CURSOR_FORMAT_UNIX, "true", INT64_MIN, NULL},
        {CURSOR_FORMAT_UNIX, "null", INT64_MIN, NULL},
        {CURSOR_FORMAT_UNIX, "1e300", INT64_MIN, NULL}, /* past year 9999 */
        {CURSOR_FORMAT_UNIX_MS, "1795608000123", 1795608000123LL, "1795608000123"},
        {CURSOR_FORMAT_UNIX_MS, "\"1795608000123\"", 1795608000123LL, "1795608000123"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        jsonpage_t pg;
        char body[128], err[256] = "";
        snprintf(body, sizeof(body), "[%s]", cases[i].json);
        assert_int_equal(jsonpage_parse(body, strlen(body), "", &pg, err, sizeof(err)), 0);
        const cursor_clock_t clock = {CURSOR_PRECISION_TIMESTAMP, NULL, cases[i].format, NULL};
        int64_t ms = 0;
        int rc = cursorval_read(&clock, json_array_get(pg.records, 0), &ms, err, sizeof(err));
        if (cases[i].want == INT64_MIN) {
            if (rc != -1)
                fail_msg("case %zu (%s): read %lld, want a refusal", i, cases[i].json,
                         (long long)ms);
        } else {
            if (rc != 0 || ms != cases[i].want)
                fail_msg("case %zu (%s): rc %d, %lld, want %lld (%s)", i, cases[i].json, rc,
                         (long long)ms, (long long)cases[i].want, err);
            char param[64];
            pager_format_since(&clock, ms, param, sizeof(param));
            assert_string_equal(param, cases[i].param);
        }
        jsonpage_clear(&pg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_id),
        cmocka_unit_test(test_api_mark),
        cmocka_unit_test(test_api_now),
        cmocka_unit_test(test_cursor_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
