/*
 * test_random.c - common/random.h: draws differ (a collision among 64
 * draws of 32 bits has a chance of about 1 in 2^21), and every bit moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "random.h"

static void test_draws_differ(void **state)
{
    (void)state;
    uint32_t v[64], ors = 0, ands = UINT32_MAX;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        v[i] = random_u32();
        ors |= v[i];
        ands &= v[i];
        for (size_t j = 0; j < i; j++)
            if (v[i] == v[j])
                fail_msg("draw %zu repeats draw %zu: %08x", i, j, (unsigned)v[i]);
    }
    assert_int_equal(ors, UINT32_MAX); /* no bit stuck at 0 */
    assert_int_equal(ands, 0);         /* nor at 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draws_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
