/*
 * test_stats.c - producer/stats.c: a run's counters reach the process
 * totals by flushes of what changed (never twice), and a snapshot taken
 * from another thread while the totals grow is consistent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>

#include <cmocka.h>

#include "../../producer/stats.h"

static void test_flush_deltas(void **state)
{
    (void)state;
    producer_stats_t before, after, run = {0}, flushed = {0};
    producer_stats_snapshot(&before);
    run.records_read = 10;
    run.upserts = 7;
    producer_stats_flush(&flushed, &run);
    run.records_read += 5;
    run.deletes = 2;
    producer_stats_flush(&flushed, &run);
    producer_stats_flush(&flushed, &run); /* nothing new */
    producer_stats_snapshot(&after);
    assert_int_equal(after.records_read - before.records_read, 15);
    assert_int_equal(after.upserts - before.upserts, 7);
    assert_int_equal(after.deletes - before.deletes, 2);
    assert_int_equal(after.pages - before.pages, 0);
    assert_memory_equal(&flushed, &run, sizeof(run));
}

static void test_add(void **state)
{
    (void)state;
    producer_stats_t a = {.pages = 1, .checkpoints = 2}, b = {.pages = 3, .bytes_published = 9};
    producer_stats_add(&a, &b);
    assert_int_equal(a.pages, 4);
    assert_int_equal(a.checkpoints, 2);
    assert_int_equal(a.bytes_published, 9);
}

#define ROUNDS 20000

static void *reader(void *arg)
{
    int *torn = arg;
    for (int i = 0; i < ROUNDS; i++) {
        producer_stats_t s;
        producer_stats_snapshot(&s);
        if (s.upserts != s.deletes) /* the writer moves both at once */
            (*torn)++;
    }
    return NULL;
}

static void test_snapshot_from_another_thread(void **state)
{
    (void)state;
    producer_stats_t base, run = {0}, flushed = {0};
    producer_stats_snapshot(&base);
    /* even out the totals' upserts and deletes first */
    if (base.upserts > base.deletes)
        run.deletes = base.upserts - base.deletes;
    else
        run.upserts = base.deletes - base.upserts;
    producer_stats_flush(&flushed, &run);
    int torn = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, reader, &torn), 0);
    for (int i = 0; i < ROUNDS; i++) {
        run.upserts++;
        run.deletes++;
        producer_stats_flush(&flushed, &run);
    }
    pthread_join(t, NULL);
    assert_int_equal(torn, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flush_deltas),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_snapshot_from_another_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
