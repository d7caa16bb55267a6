/*
 * test_worker_stats.c - worker/stats.h: rows per stream added per
 * committed batch (named from the start), the batch histogram, the lag
 * table replaced as a whole, copies that own their memory, and the
 * refusal /readyz answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

static void test_rows_per_stream(void **state)
{
    (void)state;
    stream_conf_t sc[2] = {{.name = "a"}, {.name = "b"}};
    worker_stream_t items[2] = {{.sc = &sc[0]}, {.sc = &sc[1]}};
    worker_streams_t streams = {.items = items, .n = 2};
    static const struct {
        table_counts_t per[2];
        int null_counts; /* a batch whose counts were not kept */
        int64_t want[2][2];
    } batches[] = {
        {{{0, 0, 0}, {0, 0, 0}}, 1, {{0, 0}, {0, 0}}},
        {{{5, 1, 0}, {0, 0, 0}}, 0, {{5, 1}, {0, 0}}},
        {{{2, 0, 3}, {7, 2, 0}}, 0, {{7, 1}, {7, 2}}},
        {{{9, 9, 9}, {9, 9, 9}}, 1, {{7, 1}, {7, 2}}},
    };
    worker_stats_t s;
    worker_stats_init(&s);
    for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
        worker_stats_batch_start(&s);
        worker_stats_batch(&s, &(batch_counts_t){.newest_ts_ms = -1});
        worker_stats_streams(&s, &streams, batches[i].null_counts ? NULL : batches[i].per);
        worker_stats_detail_t d;
        worker_stats_detail(&s, &d);
        assert_int_equal(d.n_rows, 2);
        for (int k = 0; k < 2; k++) {
            assert_string_equal(d.rows[k].name, sc[k].name);
            if (d.rows[k].upserts != batches[i].want[k][0] ||
                d.rows[k].deletes != batches[i].want[k][1])
                fail_msg("batch %zu stream %d: %lld/%lld", i, k, (long long)d.rows[k].upserts,
                         (long long)d.rows[k].deletes);
        }
        assert_int_equal(d.batch_seconds.count, i + 1);
        assert_int_equal(d.n_lags, 0);
        worker_stats_detail_free(&d);
    }
    worker_stats_destroy(&s);
}

static void test_lag_table(void **state)
{
    (void)state;
    worker_stats_t s;
    worker_stats_init(&s);
    worker_partition_lag_t lags[3] = {{"t", 0, 10, 5}, {"t", 1, -1, -1}, {"runs", 0, 3, 0}};
    static const struct {
        size_t n;
        int joined;
    } sets[] = {{3, 1}, {1, 1}, {0, 0}, {2, 1}};
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        worker_stats_set_lags(&s, lags, sets[i].n, sets[i].joined);
        worker_stats_detail_t d;
        worker_stats_detail(&s, &d);
        worker_counters_t c;
        worker_stats_snapshot(&s, &c);
        assert_int_equal(d.n_lags, sets[i].n);
        assert_int_equal(c.joined, sets[i].joined);
        if (sets[i].n)
            assert_memory_equal(d.lags, lags, sets[i].n * sizeof(*lags));
        worker_stats_detail_free(&d);
    }
    worker_stats_destroy(&s);
}

/* The refusal /readyz answers: set, replaced, cut to fit, and cleared. */
static void test_refused(void **state)
{
    (void)state;
    worker_stats_t s;
    char why[64] = "untouched";
    worker_stats_init(&s);
    assert_int_equal(worker_stats_refused(&s, why, sizeof(why)), 0);
    assert_string_equal(why, "untouched");
    worker_stats_set_refused(&s, "Kafka refuses topic tm.a: TOPIC_AUTHORIZATION_FAILED (x)");
    assert_int_equal(worker_stats_refused(&s, why, sizeof(why)), 1);
    assert_string_equal(why, "Kafka refuses topic tm.a: TOPIC_AUTHORIZATION_FAILED (x)");
    char small[8];
    assert_int_equal(worker_stats_refused(&s, small, sizeof(small)), 1);
    assert_string_equal(small, "Kafka r");
    worker_stats_set_refused(&s, "");
    assert_int_equal(worker_stats_refused(&s, why, sizeof(why)), 0);
    worker_stats_set_refused(&s, "y");
    worker_stats_set_refused(&s, NULL);
    assert_int_equal(worker_stats_refused(&s, why, sizeof(why)), 0);
    worker_stats_destroy(&s);
}

/* The hold /readyz answers, apart from the refusal: set and cleared. */
static void test_held(void **state)
{
    (void)state;
    worker_stats_t s;
    char why[64] = "untouched";
    worker_stats_init(&s);
    assert_int_equal(worker_stats_held(&s, why, sizeof(why)), 0);
    assert_string_equal(why, "untouched");
    worker_stats_set_held(&s, "stream c2 held back");
    assert_int_equal(worker_stats_held(&s, why, sizeof(why)), 1);
    assert_string_equal(why, "stream c2 held back");
    assert_int_equal(worker_stats_refused(&s, why, sizeof(why)), 0);
    worker_stats_set_held(&s, "");
    assert_int_equal(worker_stats_held(&s, why, sizeof(why)), 0);
    worker_stats_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_per_stream),
        cmocka_unit_test(test_lag_table),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_held),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
