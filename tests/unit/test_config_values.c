/* test_config_values.c - the value syntax of tidemark.conf
 * (common/config_values.c): durations, byte sizes, plain decimal numbers
 * and ${NAME} expansion, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "config.h"

static void test_parse_duration(void **state)
{
    static const struct {
        const char *in;
        int rc;
        int64_t ms;
    } cases[] = {
        {"0", 0, 0},
        {"30", 0, 30000},
        {"500ms", 0, 500},
        {"30s", 0, 30000},
        {"5m", 0, 300000},
        {"2h", 0, 7200000},
        {"7d", 0, 604800000},
        {"", -1, 0},
        {"s", -1, 0},
        {"-1s", -1, 0},
        {"1.5s", -1, 0},
        {"10 s", -1, 0},
        {"1w", -1, 0},
        {"5sec", -1, 0},
        {"99999999999999999999", -1, 0},
        {"9223372036854775807d", -1, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t ms = 0;
        int rc = config_parse_duration(cases[i].in, &ms);
        if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms))
            fail_msg("'%s': rc=%d ms=%lld", cases[i].in, rc, (long long)ms);
    }
}

static void test_parse_size(void **state)
{
    static const struct {
        const char *in;
        int rc;
        int64_t bytes;
    } cases[] = {
        {"0", 0, 0},
        {"1048576", 0, 1048576},
        {"512KiB", 0, 512LL << 10},
        {"256MiB", 0, 256LL << 20},
        {"256 MiB", 0, 256LL << 20},
        {"1GiB", 0, 1LL << 30},
        {"4gib", 0, 4LL << 30},
        {"2kib", 0, 2048},
        {"", -1, 0},
        {"MiB", -1, 0},
        {"-1", -1, 0},
        {"1.5MiB", -1, 0},
        {"10MB", -1, 0},
        {"10M", -1, 0},
        {"10 ", -1, 0},
        {"10  MiB", -1, 0},
        {"1TiB", -1, 0},
        {"99999999999999999999", -1, 0},
        {"9223372036854775807GiB", -1, 0},
        {"8589934592GiB", -1, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t b = 0;
        int rc = config_parse_size(cases[i].in, &b);
        if (rc != cases[i].rc || (rc == 0 && b != cases[i].bytes))
            fail_msg("'%s': rc=%d bytes=%lld", cases[i].in, rc, (long long)b);
    }
}

static void test_parse_number(void **state)
{
    static const struct {
        const char *in;
        int rc;
        double v;
    } cases[] = {
        {"0", 0, 0},       {"1", 0, 1},      {"0.2", 0, 0.2},     {".5", 0, 0.5},  {"3.", 0, 3},
        {"0.05", 0, 0.05}, {"1.000", 0, 1},  {"12.25", 0, 12.25}, {"", -1, 0},     {".", -1, 0},
        {"-0.1", -1, 0},   {"+1", -1, 0},    {"1e-1", -1, 0},     {"nan", -1, 0},  {"inf", -1, 0},
        {"0x1", -1, 0},    {"1.2.3", -1, 0}, {" 0.2", -1, 0},     {"0.2 ", -1, 0}, {"0,2", -1, 0},
        {"20%", -1, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double v = -1;
        int rc = config_parse_number(cases[i].in, &v);
        if (rc != cases[i].rc || (rc == 0 && (v < cases[i].v - 1e-12 || v > cases[i].v + 1e-12)))
            fail_msg("'%s': rc=%d v=%g", cases[i].in, rc, v);
    }
    assert_int_equal(config_parse_number(NULL, &(double){0}), -1);
}

static void test_expand_env(void **state)
{
    char err[128] = "";
    (void)state;
    setenv("TM_A", "x", 1);
    char *s = config_expand_env("${TM_A}-${TM_A}$${TM_A}$", err, sizeof(err));
    assert_string_equal(s, "x-x$x$");
    free(s);
    assert_null(config_expand_env("a${TM_NOPE_NOPE}", err, sizeof(err)));
    assert_string_equal(err, "environment variable TM_NOPE_NOPE is not set");
    assert_null(config_expand_env("${}", err, sizeof(err)));
    assert_string_equal(err, "bad environment variable name ''");
    unsetenv("TM_A");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_parse_number),
        cmocka_unit_test(test_expand_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
