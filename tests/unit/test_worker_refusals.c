/*
 * test_worker_refusals.c - worker/refusals.h: one entry per refused topic, a
 * change reported only when a topic or its error is new, cleared by the
 * topic being read again, the warning repeated once a minute at most, and
 * the line /readyz answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "refusals.h"

#define DENIED "TOPIC_AUTHORIZATION_FAILED"

static void test_note_and_clear(void **state)
{
    (void)state;
    refusals_t r = {0};
    char why[512];

    refusals_describe(&r, why, sizeof(why));
    assert_string_equal(why, "");
    assert_int_equal(refusals_clear(&r, "tm.a"), 0);
    /* one warning per partition at start: one entry, one change */
    for (int p = 0; p < 4; p++)
        assert_int_equal(refusals_note(&r, "tm.a", DENIED, "Fetch from broker 1 failed", 0),
                         p == 0);
    assert_int_equal(r.n, 1);
    refusals_describe(&r, why, sizeof(why));
    assert_string_equal(why, "Kafka refuses topic tm.a: " DENIED " (Fetch from broker 1 failed)");
    /* another error of the same topic is a change */
    assert_int_equal(refusals_note(&r, "tm.a", "GROUP_AUTHORIZATION_FAILED", "x", 0), 1);
    assert_int_equal(refusals_note(&r, "tm.a", DENIED, "y", 0), 1);
    assert_int_equal(refusals_note(&r, "tm.runs", DENIED, "z", 0), 1);
    assert_int_equal(refusals_note(&r, "tm.b", DENIED, "z", 0), 1);
    refusals_describe(&r, why, sizeof(why));
    assert_string_equal(why, "Kafka refuses topic tm.a: " DENIED " (y); and 2 more topics");
    /* another topic read again clears only its own */
    assert_int_equal(refusals_clear(&r, "tm.a"), 1);
    assert_int_equal(refusals_clear(&r, "tm.a"), 0);
    assert_int_equal(r.n, 2);
    refusals_describe(&r, why, sizeof(why));
    assert_non_null(strstr(why, "; and 1 more topic"));
    assert_null(strstr(why, "tm.a:"));
    assert_int_equal(refusals_clear(&r, "tm.b"), 1);
    assert_int_equal(refusals_clear(&r, "tm.runs"), 1);
    refusals_describe(&r, why, sizeof(why));
    assert_string_equal(why, "");
    /* a small buffer is cut, not overrun */
    assert_int_equal(refusals_note(&r, "tm.a", DENIED, "y", 0), 1);
    char small[12];
    refusals_describe(&r, small, sizeof(small));
    assert_string_equal(small, "Kafka refus");
    refusals_free(&r);
    assert_int_equal(r.n, 0);
}

static void test_due_once_a_minute(void **state)
{
    (void)state;
    refusals_t r = {0};

    assert_int_equal(refusals_due(&r, 1000000), 0); /* none stands */
    assert_int_equal(refusals_note(&r, "tm.a", DENIED, "x", 1000), 1);
    assert_int_equal(refusals_due(&r, 1000 + REFUSALS_REPEAT_MS - 1), 0);
    assert_int_equal(refusals_due(&r, 1000 + REFUSALS_REPEAT_MS), 1);
    assert_int_equal(refusals_due(&r, 1000 + REFUSALS_REPEAT_MS + 10), 0);
    assert_int_equal(refusals_due(&r, 1000 + 2 * REFUSALS_REPEAT_MS), 1);
    /* a new report is a warning said */
    assert_int_equal(refusals_note(&r, "tm.a", DENIED, "x", 1000 + 3 * REFUSALS_REPEAT_MS - 5), 0);
    assert_int_equal(refusals_due(&r, 1000 + 3 * REFUSALS_REPEAT_MS), 0);
    refusals_clear(&r, "tm.a");
    assert_int_equal(refusals_due(&r, 1000 + 9 * REFUSALS_REPEAT_MS), 0);
    refusals_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note_and_clear),
        cmocka_unit_test(test_due_once_a_minute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
