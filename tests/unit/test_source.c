/*
 * test_source.c - the page reader's clock marks (producer/source.h), and
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_id),
        cmocka_unit_test(test_api_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
