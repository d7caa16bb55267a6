/*
 * test_worker_status.c - the pure parts of `tidemark-worker status`: its
 * arguments, the lag of a partition, a stream's state (ok, stale, no-run)
 * and how a staleness is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../worker/status.h"

static void test_args(void **state)
{
    char a0[] = "status", a1[] = "--max-staleness", a2[] = "90s", a3[] = "--max-staleness=2h",
         a4[] = "soon", a5[] = "--bogus", a6[] = "--help";
    char *ok1[] = {a0, a1, a2, NULL}, *ok2[] = {a0, a3, NULL}, *none[] = {a0, NULL},
         *bad1[] = {a0, a1, NULL}, *bad2[] = {a0, a1, a4, NULL}, *bad3[] = {a0, a5, NULL},
         *twice[] = {a0, a1, a2, a3, NULL}, *help[] = {a0, a5, a6, NULL};
    worker_status_args_t a;
    char err[256];

    (void)state;
    assert_int_equal(worker_status_args_parse(3, ok1, &a, err, sizeof(err)), 0);
    assert_int_equal(a.max_staleness_ms, 90000);
    assert_int_equal(worker_status_args_parse(2, ok2, &a, err, sizeof(err)), 0);
    assert_int_equal(a.max_staleness_ms, 7200000);
    assert_int_equal(worker_status_args_parse(1, none, &a, err, sizeof(err)), 0);
    assert_int_equal(a.max_staleness_ms, -1);
    assert_int_equal(a.help, 0);
    assert_int_equal(worker_status_args_parse(2, bad1, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "needs a duration"));
    assert_int_equal(worker_status_args_parse(3, bad2, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad duration"));
    assert_int_equal(worker_status_args_parse(2, bad3, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unknown argument '--bogus'"));
    assert_int_equal(worker_status_args_parse(4, twice, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "given twice"));
    assert_int_equal(worker_status_args_parse(3, help, &a, err, sizeof(err)), 0);
    assert_int_equal(a.help, 1);
}

static void test_lag(void **state)
{
    (void)state;
    assert_int_equal(worker_status_lag(40, 0, 50), 10);
    assert_int_equal(worker_status_lag(50, 0, 50), 0);
    assert_int_equal(worker_status_lag(-1, 0, 50), 50); /* starts at low */
    assert_int_equal(worker_status_lag(-1, 8, 50), 42);
    assert_int_equal(worker_status_lag(60, 0, 50), 0);   /* never negative */
    assert_int_equal(worker_status_lag(40, -1, -1), -1); /* unknown */
}

static void test_out_of_range(void **state)
{
    static const struct {
        int64_t stored, low, high;
        int want;
    } cases[] = {
        {40, 0, 50, 0},   /* inside */
        {50, 0, 50, 0},   /* at the end: caught up */
        {0, 0, 0, 0},     /* an empty partition */
        {7, 7, 9, 0},     /* at the first kept message */
        {51, 0, 50, 1},   /* past the end: topic recreated */
        {1000, 0, 41, 1}, /* the reported case */
        {3, 7, 9, 1},     /* behind retention */
        {-1, 7, 9, 0},    /* nothing stored: starts at the beginning */
        {40, -1, -1, 0},  /* watermarks unknown */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(worker_status_out_of_range(cases[i].stored, cases[i].low, cases[i].high),
                         cases[i].want);
}

static void test_state(void **state)
{
    (void)state;
    assert_int_equal(worker_status_state(0, 0, -1), STREAM_NO_RUN);
    assert_int_equal(worker_status_state(0, 0, 3600000), STREAM_NO_RUN);
    assert_int_equal(worker_status_state(1, 999999999, -1), STREAM_OK);
    assert_int_equal(worker_status_state(1, 1000, 1000), STREAM_OK);
    assert_int_equal(worker_status_state(1, 1001, 1000), STREAM_STALE);
    assert_int_equal(worker_status_state(1, 1, 0), STREAM_STALE);
    assert_string_equal(worker_status_state_name(STREAM_OK), "ok");
    assert_string_equal(worker_status_state_name(STREAM_STALE), "stale");
    assert_string_equal(worker_status_state_name(STREAM_NO_RUN), "no-run");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_lag),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
