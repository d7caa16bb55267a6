/* test_dlq.c - how much of a record a producer dead letter carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dlq.h"

static void test_copy_limit(void **state)
{
    (void)state;
    static const struct {
        size_t max, limit;
    } cases[] = {
        {1000000, 1000000 - 16384}, /* librdkafka's default */
        {40000, 40000 - 16384},
        {32768, 16384}, /* too small to keep the overhead: half */
        {1000, 500},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(dlq_copy_limit(cases[i].max), cases[i].limit);
}

static void test_truncate_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t limit, keep;
    } cases[] = {
        {"abcdef", 10, 6},           /* fits */
        {"abcdef", 6, 6},            /* exactly */
        {"abcdef", 3, 3},            /* ASCII: anywhere */
        {"ab\xc3\xa9z", 3, 2},       /* inside a 2-byte character: before it */
        {"ab\xc3\xa9z", 4, 4},       /* right after it */
        {"a\xe2\x82\xac", 3, 1},     /* inside a 3-byte character */
        {"a\xf0\x9f\x98\x80", 4, 1}, /* inside a 4-byte character */
        {"\xe2\x82\xac", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t got = dlq_truncate_utf8(cases[i].text, strlen(cases[i].text), cases[i].limit);
        if (got != cases[i].keep)
            fail_msg("case %zu: kept %zu, want %zu", i, got, cases[i].keep);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_limit),
        cmocka_unit_test(test_truncate_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
