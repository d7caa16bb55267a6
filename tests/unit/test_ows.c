/*
 * test_ows.c - optional white space around header values (common/ows.h),
 * table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ows.h"

static void test_is(void **state)
{
    (void)state;
    static const struct {
        int c, want;
    } cases[] = {
        {' ', 1},  {'\t', 1}, {'\r', 1}, {'\n', 0}, {'\v', 0},
        {'\f', 0}, {'a', 0},  {0, 0},    {0xa0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (ows_is(cases[i].c) != cases[i].want)
            fail_msg("case %zu: %d, want %d", i, ows_is(cases[i].c), cases[i].want);
}

static void test_dup(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n; /* SIZE_MAX: strlen(s) */
        const char *want;
    } cases[] = {
        {"next", SIZE_MAX, "next"},
        {" \t next \r", SIZE_MAX, "next"},
        {"a b", SIZE_MAX, "a b"},     /* inner white space stays */
        {"\nx\n", SIZE_MAX, "\nx\n"}, /* a line feed is no OWS */
        {"   ", SIZE_MAX, ""},
        {"", SIZE_MAX, ""},
        {" ab cd", 3, "ab"}, /* only the n bytes given */
        {"x", 0, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = cases[i].n == SIZE_MAX ? strlen(cases[i].s) : cases[i].n;
        char *got = ows_dup(cases[i].s, n);
        assert_non_null(got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: '%s', want '%s'", i, got, cases[i].want);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is),
        cmocka_unit_test(test_dup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
