/*
 * test_duration.c - common/duration.h: the duration of the status
 * tables, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"

static void test_format(void **state)
{
    (void)state;
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {-5, "0ms"},
        {INT64_MIN, "0ms"},
        {0, "0ms"},
        {850, "850ms"},
        {999, "999ms"},
        {1000, "1s"},
        {5000, "5s"},
        {42999, "42s"},
        {59999, "59s"},
        {60000, "1m00s"},
        {303000, "5m03s"},
        {312000, "5m12s"},
        {3599999, "59m59s"},
        {3600000, "1h00m"},
        {7620000, "2h07m"},
        {3 * 3600000 + 60000, "3h01m"},
        {86399999, "23h59m"},
        {86400000, "1d00h"},
        {(3 * 24 + 4) * 3600000LL, "3d04h"},
        {273600000, "3d04h"},
        {(400 * 24 + 23) * 3600000LL + 59 * 60000, "400d23h"},
        {INT64_MAX, "106751991167d07h"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[DURATION_BUFSIZE];
        duration_format(cases[i].ms, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("case %zu (%lld ms): got '%s', want '%s'", i, (long long)cases[i].ms, buf,
                     cases[i].want);
    }
}

/* A short buffer gets the start of the text, NUL-terminated. */
static void test_short_buffer(void **state)
{
    (void)state;
    char buf[4] = "xxx";
    duration_format(303000, buf, sizeof(buf));
    assert_string_equal(buf, "5m0");
    duration_format(303000, buf, 0); /* no room: untouched */
    assert_string_equal(buf, "5m0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_short_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
