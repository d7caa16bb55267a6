/*
 * test_worker_streamhold.c - worker/streamhold.h: a held stream is due
 * again a backoff step later, steps growing with holds in a row; its
 * warning is said at the first hold and then once a minute at most; it
 * stays failing once released until a batch of it commits; and
 * batch_drop_topic() (batch.h), which takes a held stream's messages out
 * of the batches in hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backoff.h"
#include "batch.h"
#include "streamhold.h"

static void test_hold_release_apply(void **state)
{
    (void)state;
    stream_holds_t h;

    assert_int_equal(stream_holds_init(&h, 3), 0);
    assert_int_equal(stream_holds_due(&h, 0), -1);
    assert_int_equal(stream_holds_first(&h), -1);
    /* the first hold warns; its retry is one backoff step away */
    assert_int_equal(stream_holds_hold(&h, 1, "42501: permission denied", 0, 1000), 1);
    assert_int_equal(stream_holds_first(&h), 1);
    assert_string_equal(h.items[1].error, "42501: permission denied");
    assert_int_equal(stream_holds_due(&h, 1000 + BACKOFF_START_MS - 1), -1);
    assert_int_equal(stream_holds_due(&h, 1000 + BACKOFF_START_MS), 1);
    /* a held stream has no messages in a batch: nothing to clear */
    assert_int_equal(stream_holds_applied(&h, 1), 0);
    stream_holds_released(&h, 1);
    assert_int_equal(stream_holds_due(&h, 1000000), -1);
    assert_int_equal(stream_holds_failing(&h), 1); /* until it applies */
    /* held again: no second warning within the minute, a longer step */
    assert_int_equal(stream_holds_hold(&h, 1, "42501: again", 0, 2000), 0);
    assert_int_equal(stream_holds_due(&h, 2000 + BACKOFF_START_MS), -1);
    assert_int_equal(stream_holds_due(&h, 2000 + 2 * BACKOFF_START_MS), 1);
    /* a release that failed is postponed, not counted as a hold */
    stream_holds_postpone(&h, 1, 3000);
    assert_int_equal(stream_holds_due(&h, 3000 + 2 * BACKOFF_START_MS - 1), -1);
    stream_holds_released(&h, 1);
    assert_int_equal(stream_holds_hold(&h, 1, "x", 0, 1000 + STREAMHOLD_REPEAT_MS), 1);
    stream_holds_released(&h, 1);
    assert_int_equal(stream_holds_applied(&h, 1), 1);
    assert_int_equal(stream_holds_failing(&h), 0);
    assert_int_equal(stream_holds_first(&h), -1);
    /* a stream applied after it was cleared starts afresh */
    assert_int_equal(stream_holds_applied(&h, 1), 0);
    assert_int_equal(stream_holds_hold(&h, 1, "x", 0, 5000), 1);
    assert_int_equal(stream_holds_due(&h, 5000 + BACKOFF_START_MS), 1);
    stream_holds_free(&h);
}

/* A held stream waits at least STREAMHOLD_COST_FACTOR times what the
 * attempt that held it took (a lock waited out to lock_timeout). */
static void test_hold_after_long_attempt(void **state)
{
    (void)state;
    stream_holds_t h;

    assert_int_equal(stream_holds_init(&h, 2), 0);
    (void)stream_holds_hold(&h, 0, "55P03", 60000, 1000);
    assert_int_equal(stream_holds_due(&h, 1000 + 60000 * STREAMHOLD_COST_FACTOR - 1), -1);
    assert_int_equal(stream_holds_due(&h, 1000 + 60000 * STREAMHOLD_COST_FACTOR), 0);
    /* a quick refusal: the backoff */
    (void)stream_holds_hold(&h, 1, "42501", 3, 1000);
    assert_int_equal(stream_holds_due(&h, 1000 + BACKOFF_START_MS), 1);
    stream_holds_free(&h);
}

static void test_backoff_capped(void **state)
{
    (void)state;
    stream_holds_t h;

    assert_int_equal(stream_holds_init(&h, 1), 0);
    for (int i = 0; i < 100; i++)
        (void)stream_holds_hold(&h, 0, "55P03", 0, 0);
    assert_int_equal(stream_holds_due(&h, BACKOFF_CAP_MS - 1), -1);
    assert_int_equal(stream_holds_due(&h, BACKOFF_CAP_MS), 0);
    stream_holds_free(&h);
}

static void test_batch_drop_topic(void **state)
{
    (void)state;
    batch_t *b = batch_new();

    assert_non_null(b);
    assert_int_equal(batch_add_raw(b, "t.a", 0, 10, "k", 1, "v", 1), 0);
    assert_int_equal(batch_add_raw(b, "t.b", 0, 4, "k", 1, "v", 1), 0);
    assert_int_equal(batch_add_raw(b, "t.a", 1, 11, NULL, 0, NULL, 0), 0);
    assert_int_equal(batch_add_raw(b, "t.runs", 0, 3, "s", 1, "{}", 2), 0);
    assert_int_equal(batch_has_topic(b, "t.a"), 1);
    assert_int_equal(batch_drop_topic(b, "t.a"), 2);
    assert_int_equal(batch_has_topic(b, "t.a"), 0);
    assert_int_equal(b->n, 2);
    assert_string_equal(b->msgs[0].topic, "t.b");
    assert_int_equal(b->msgs[0].offset, 4);
    assert_string_equal(b->msgs[1].topic, "t.runs");
    assert_int_equal(batch_drop_topic(b, "t.a"), 0);
    assert_int_equal(batch_drop_topic(b, "t.none"), 0);
    batch_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_release_apply),
        cmocka_unit_test(test_hold_after_long_attempt),
        cmocka_unit_test(test_backoff_capped),
        cmocka_unit_test(test_batch_drop_topic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
