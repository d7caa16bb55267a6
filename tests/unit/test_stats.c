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
#include <stdlib.h>
#include <string.h>
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
    producer_stats_flush("s", &flushed, &run);
    run.records_read += 5;
    run.deletes = 2;
    producer_stats_flush("s", &flushed, &run);
    producer_stats_flush("s", &flushed, &run); /* nothing new */
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
    producer_stats_flush("s", &flushed, &run);
    int torn = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, reader, &torn), 0);
    for (int i = 0; i < ROUNDS; i++) {
        run.upserts++;
        run.deletes++;
        producer_stats_flush("s", &flushed, &run);
    }
    pthread_join(t, NULL);
    assert_int_equal(torn, 0);
}

/* The totals of stream in a fresh copy (NULL when unknown); *all frees. */
static const producer_stream_totals_t *find(const char *stream, producer_stream_totals_t **all)
{
    size_t n = 0;
    assert_int_equal(producer_stats_streams(all, &n, NULL), 0);
    for (size_t i = 0; i < n; i++)
        if (strcmp((*all)[i].name, stream) == 0)
            return &(*all)[i];
    return NULL;
}

static void test_per_stream(void **state)
{
    (void)state;
    producer_stream_totals_t *all;
    producer_stats_stream("ps_a");
    const producer_stream_totals_t *a = find("ps_a", &all);
    assert_non_null(a);
    assert_int_equal(a->counts.upserts, 0);
    assert_int_equal(a->last_success_ms, 0);
    free(all);
    producer_stats_t run = {.upserts = 4, .deletes = 1}, flushed = {0};
    producer_stats_flush("ps_a", &flushed, &run);
    producer_stats_flush("ps_b", &flushed, &(producer_stats_t){.upserts = 6, .deletes = 1});
    /* how passes end, in order: the last one decides last_failed and the
     * HWM; ckpt: no run, a LAST_FAILED_* (its checkpoints or its lock) */
    static const struct {
        int ckpt, full, completed, has_hwm;
        int64_t hwm_ms;
        int64_t runs[2][2];
        int last_failed;
    } ends[] = {
        {0, 1, 1, 1, 1000, {{0, 0}, {1, 0}}, LAST_FAILED_NONE},
        {0, 0, 0, 1, 1000, {{0, 1}, {1, 0}}, LAST_FAILED_RUN},
        {0, 0, 1, 1, 5000, {{1, 1}, {1, 0}}, LAST_FAILED_NONE},
        {0, 0, 1, 0, 0, {{2, 1}, {1, 0}}, LAST_FAILED_NONE},
        {0, 1, 0, 1, 7000, {{2, 1}, {1, 1}}, LAST_FAILED_RUN},
        {LAST_FAILED_CHECKPOINT, 0, 0, 1, 7000, {{2, 1}, {1, 1}}, LAST_FAILED_CHECKPOINT},
        {LAST_FAILED_LOCK, 0, 0, 1, 7000, {{2, 1}, {1, 1}}, LAST_FAILED_LOCK},
        {0, 1, 1, 1, 8000, {{2, 1}, {2, 1}}, LAST_FAILED_NONE},
    };
    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        run_hwm_t hwm = {.has_value = ends[i].has_hwm, .value_ms = ends[i].hwm_ms};
        if (ends[i].ckpt)
            producer_stats_not_run("ps_a", ends[i].ckpt);
        else
            producer_stats_run_end("ps_a", ends[i].full, ends[i].completed, &hwm);
        a = find("ps_a", &all);
        assert_memory_equal(a->runs, ends[i].runs, sizeof(a->runs));
        assert_int_equal(a->last_failed, ends[i].last_failed);
        assert_int_equal(a->has_hwm, ends[i].has_hwm);
        assert_int_equal(a->hwm_ms, ends[i].hwm_ms);
        assert_true(a->last_success_ms > 0);
        assert_int_equal(a->counts.upserts, 4);
        assert_int_equal(a->counts.deletes, 1);
        free(all);
    }
    const producer_stream_totals_t *b = find("ps_b", &all);
    assert_int_equal(b->counts.upserts, 2); /* 6 - 4 already flushed */
    free(all);
}

static void test_http_codes(void **state)
{
    (void)state;
    metrics_histogram_t before, after;
    producer_stream_totals_t *all;
    size_t n;
    assert_int_equal(producer_stats_streams(&all, &n, &before), 0);
    free(all);
    /* PRODUCER_STATS_MAX_CODES codes apart, then "other" (-1) */
    for (long code = 200; code < 200 + PRODUCER_STATS_MAX_CODES + 3; code++)
        producer_stats_http((void *)"ps_http", code, 0.5);
    producer_stats_http((void *)"ps_http", 200, 0.01);
    producer_stats_http((void *)"ps_http", 0, 30);
    const producer_stream_totals_t *h = find("ps_http", &all);
    assert_int_equal(h->n_http, PRODUCER_STATS_MAX_CODES + 1);
    int64_t total = 0;
    for (size_t i = 0; i < h->n_http; i++) {
        total += h->http[i].n;
        if (h->http[i].code == 200)
            assert_int_equal(h->http[i].n, 2);
        if (h->http[i].code == -1) /* 3 past the limit, and the no-answer */
            assert_int_equal(h->http[i].n, 4);
    }
    assert_int_equal(total, PRODUCER_STATS_MAX_CODES + 5);
    free(all);
    assert_int_equal(producer_stats_streams(&all, &n, &after), 0);
    free(all);
    assert_int_equal(after.count - before.count, PRODUCER_STATS_MAX_CODES + 5);
    assert_true(after.sum - before.sum > 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flush_deltas),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_snapshot_from_another_thread),
        cmocka_unit_test(test_per_stream),
        cmocka_unit_test(test_http_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
