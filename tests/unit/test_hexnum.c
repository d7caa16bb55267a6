/*
 * test_hexnum.c - hexadecimal digits (common/hexnum.h), table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hexnum.h"

static void test_digit(void **state)
{
    (void)state;
    static const struct {
        int c, want;
    } cases[] = {
        {'0', 0},  {'9', 9},  {'a', 10}, {'f', 15},  {'A', 10}, {'F', 15},  {'g', -1},
        {'G', -1}, {'/', -1}, {':', -1}, {'\0', -1}, {-1, -1},  {0xe9, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (hexnum_digit(cases[i].c) != cases[i].want)
            fail_msg("case %zu: %d, want %d", i, hexnum_digit(cases[i].c), cases[i].want);
}

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n;
        int rc;
        uint64_t want;
    } cases[] = {
        {"00e9", 4, 0, 0xe9},
        {"D83Dxyz", 4, 0, 0xd83d},
        {"ffffffffffffffff", 16, 0, UINT64_MAX},
        {"0123456789abcdef0", 16, 0, 0x0123456789abcdefULL}, /* what follows is the caller's */
        {"12", 4, -1, 7},                                    /* a NUL is no digit */
        {"12g4", 4, -1, 7},
        {"", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t v = 7;
        int rc = hexnum_parse(cases[i].s, cases[i].n, &v);
        if (rc != cases[i].rc || v != cases[i].want)
            fail_msg("case %zu: rc %d value %llx", i, rc, (unsigned long long)v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digit),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
