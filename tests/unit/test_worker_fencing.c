/*
 * test_worker_fencing.c - the parts of the worker's fencing that need no
 * database: the expected-offset table the consumer reaches through
 * consumer_offsets_t (set, read, forget one, forget all, moved by a
 * committed batch), and the worker's counters (stats.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../worker/fencing.h"
#include "../../worker/stats.h"

/* One step against the table: op 's' set, 'f' forget (topic NULL: all),
 * 'c' commit next; then the expected offset of (topic, partition) is
 * want (-2: not assigned). */
typedef struct step {
    char op;
    const char *topic;
    int32_t partition;
    int64_t value;
    const char *q_topic;
    int32_t q_partition;
    int64_t want;
} step_t;

static void test_expected_table(void **state)
{
    static const step_t steps[] = {
        {'s', "t", 0, -1, "t", 0, -1}, /* no row yet */
        {'s', "t", 1, 40, "t", 1, 40}, /* another partition */
        {'s', "u", 0, 7, "u", 0, 7},   /* same partition, other topic */
        {'s', "t", 0, 12, "t", 0, 12}, /* moved */
        {'c', "t", 1, 55, "t", 1, 55}, /* a committed batch moves it */
        {'c', "x", 9, 3, "x", 9, -2},  /* not assigned: not added */
        {'f', "t", 1, 0, "t", 1, -2},  /* revoked */
        {'f', "t", 1, 0, "t", 0, 12},  /* twice: harmless, others stay */
        {'f', NULL, 0, 0, "u", 0, -2}, /* every partition revoked */
        {'s', "t", 0, 99, "t", 0, 99}, /* assigned again */
        {'s', "t", 0, -1, "t", 0, -1}, /* back to no row */
    };
    fencing_t *f = fencing_new(NULL, "group");
    consumer_offsets_t o;

    (void)state;
    assert_non_null(f);
    o = fencing_offsets(f);
    assert_ptr_equal(o.ctx, f);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        const step_t *s = &steps[i];
        part_range_t p = {.topic = s->topic,
                          .partition = s->partition,
                          .expected = -1,
                          .first = s->value - 1,
                          .next = s->value};
        int64_t got = -2;

        if (s->op == 's')
            assert_int_equal(o.set_expected(o.ctx, s->topic, s->partition, s->value), 0);
        else if (s->op == 'f')
            o.forget(o.ctx, s->topic, s->partition);
        else
            fencing_committed(f, &p, 1);
        if (fencing_expected(f, s->q_topic, s->q_partition, &got) < 0)
            got = -2;
        assert_int_equal(got, s->want);
        if (s->want != -2)
            assert_int_equal(o.expected(o.ctx, s->q_topic, s->q_partition), s->want);
    }
    fencing_destroy(f);
}

static void test_stats(void **state)
{
    static const struct {
        batch_counts_t b;
        int64_t want_lag;
    } cases[] = {
        {{10, 8, 5, 2, 1, 1, 1000, 1500}, 500},
        {{3, 3, 3, 0, 0, 0, -1, 1500}, -1},   /* no timestamp: unknown */
        {{1, 1, 0, 1, 0, 0, 2000, 1500}, -1}, /* timestamp ahead: unknown */
        {{4, 0, 0, 0, 2, 2, 1500, 1500}, 0},
    };
    worker_stats_t s;
    worker_counters_t c;
    int64_t msgs = 0, events = 0, ups = 0, dels = 0, runs = 0, dead = 0;

    (void)state;
    worker_stats_init(&s);
    worker_stats_snapshot(&s, &c);
    assert_int_equal(c.batches, 0);
    assert_int_equal(c.lag_ms, -1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        worker_stats_batch(&s, &cases[i].b);
        msgs += cases[i].b.messages;
        events += cases[i].b.events;
        ups += cases[i].b.upserts;
        dels += cases[i].b.deletes;
        runs += cases[i].b.run_records;
        dead += cases[i].b.dead_letters;
        worker_stats_snapshot(&s, &c);
        assert_int_equal(c.batches, (int64_t)i + 1);
        assert_int_equal(c.kafka_commits, (int64_t)i + 1);
        assert_int_equal(c.messages, msgs);
        assert_int_equal(c.events, events);
        assert_int_equal(c.upserts, ups);
        assert_int_equal(c.deletes, dels);
        assert_int_equal(c.run_records, runs);
        assert_int_equal(c.dead_letters, dead);
        assert_int_equal(c.lag_ms, cases[i].want_lag);
    }
    worker_stats_retry(&s);
    worker_stats_retry(&s);
    worker_stats_fenced(&s);
    worker_stats_partitions(&s, 6, 1);
    worker_stats_snapshot(&s, &c);
    assert_int_equal(c.retries, 2);
    assert_int_equal(c.fenced, 1);
    assert_int_equal(c.assigned, 6);
    assert_int_equal(c.stuck, 1);
    worker_stats_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_table),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
