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

#include "source.h"
#include "run.h"
#include "runstate.h"

static void test_run_id(void **state)
{
    (void)state;
    char a[128], b[128];
    run_make_id("customers", 1795608000123LL, a, sizeof(a));
    run_make_id("customers", 1795608000123LL, b, sizeof(b));
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
        {100000, 5000, 5200, 98800},          /* Date - 1 s - 200 ms on the way */
        {100000, 5000, 4000, 99000},          /* clock stepped back: no negative */
        {7200000, 3600000, 3600000, 7199000}, /* API an hour ahead: its clock */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_id),
        cmocka_unit_test(test_api_mark),
        cmocka_unit_test(test_api_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
