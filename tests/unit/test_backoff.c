/*
 * test_backoff.c - common/backoff.h: the retry delays (table-driven) and
 * the sliced wait that tm_running cuts short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"
#include "isotime.h"
#include "signals.h"

static void test_delay(void **state)
{
    (void)state;
    static const struct {
        int attempt;
        int64_t cap_ms, want;
    } cases[] = {
        {0, 10000, 200},   {1, 10000, 400},    {2, 10000, 800}, {5, 10000, 6400},
        {6, 10000, 10000}, {60, 10000, 10000}, {0, 5000, 200},  {4, 5000, 3200},
        {5, 5000, 5000},   {1000, 5000, 5000}, {-1, 5000, 200}, {3, 100, 200},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (backoff_delay_capped_ms(cases[i].attempt, cases[i].cap_ms) != cases[i].want)
            fail_msg("case %zu: attempt %d cap %lld: got %lld want %lld", i, cases[i].attempt,
                     (long long)cases[i].cap_ms,
                     (long long)backoff_delay_capped_ms(cases[i].attempt, cases[i].cap_ms),
                     (long long)cases[i].want);
    assert_int_equal(backoff_delay_ms(0), 200);
    assert_int_equal(backoff_delay_ms(3), 1600);
    assert_int_equal(backoff_delay_ms(40), 10000);
}

static void test_sleep(void **state)
{
    (void)state;
    tm_running = 1;
    assert_int_equal(backoff_sleep_ms(0), 0);
    assert_int_equal(backoff_sleep_ms(-5), 0);
    int64_t t0 = isotime_monotonic_ms();
    assert_int_equal(backoff_sleep_ms(250), 0); /* three slices */
    int64_t took = isotime_monotonic_ms() - t0;
    assert_true(took >= 250);
    assert_true(took < 5000);
    assert_int_equal(backoff_sleep(0), 0);
}

static void test_stopped(void **state)
{
    (void)state;
    tm_running = 0; /* a stop request: the wait ends at once */
    int64_t t0 = isotime_monotonic_ms();
    assert_int_equal(backoff_sleep_ms(60000), -1);
    assert_int_equal(backoff_sleep(20), -1);
    assert_int_equal(backoff_sleep_ms(0), -1);
    /* far below the 60 s asked for; wide, so that a busy CI machine
     * running it under ASan does not fail it */
    assert_true(isotime_monotonic_ms() - t0 < 10000);
    tm_running = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay),
        cmocka_unit_test(test_sleep),
        cmocka_unit_test(test_stopped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
