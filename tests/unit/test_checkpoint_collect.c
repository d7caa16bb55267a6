/*
 * test_checkpoint_collect.c - producer/checkpoint_collect.c without Kafka:
 * which head of a stream is its checkpoint when several are on the topic
 * (within a partition the later offset, across partitions the later
 * timestamp), and that noise (a head that does not parse, a tombstone,
 * another stream's key, no key) changes nothing; and that tombstoned
 * chunks do not pile up in a collector kept from pass to pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../producer/checkpoint_collect.h"
#include "runrecord.h"

static const char *const streams[] = {"customers", "orders"};

/* Heads across partitions: the later timestamp; in one, the later offset. */
static void test_head_order(void **state)
{
    (void)state;
    char a[256], b[256];
    snprintf(a, sizeof(a),
             "{\"stream\":\"customers\",\"run_id\":\"A\",\"mode\":\"full\",\"status\":"
             "\"completed\",\"started_at\":\"2026-11-25\"}");
    snprintf(b, sizeof(b), "%s", a);
    b[strstr(b, "\"A\"") - b + 1] = 'B';
    static const struct {
        int32_t pa, pb;
        int64_t oa, ob, ta, tb;
        const char *want;
    } cases[] = {
        {0, 0, 5, 9, 200, 100, "B"}, /* one partition: offset, whatever the time */
        {0, 1, 5, 1, 200, 100, "A"}, /* two: time */
        {0, 1, 5, 1, 100, 200, "B"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        checkpoint_collector_t *c = checkpoint_collector_new(streams, 2);
        assert_int_equal(checkpoint_collect(c, "customers", 9, a, strlen(a), cases[i].pa,
                                            cases[i].oa, cases[i].ta),
                         0);
        assert_int_equal(checkpoint_collect(c, "customers", 9, b, strlen(b), cases[i].pb,
                                            cases[i].ob, cases[i].tb),
                         0);
        /* noise: a bad head, a tombstone, another stream, a foreign key */
        assert_int_equal(checkpoint_collect(c, "customers", 9, "{", 1, 0, 99, 999), 0);
        assert_int_equal(checkpoint_collect(c, "customers", 9, NULL, 0, 0, 100, 999), 0);
        assert_int_equal(checkpoint_collect(c, "custom", 6, a, strlen(a), 0, 101, 999), 0);
        assert_int_equal(checkpoint_collect(c, NULL, 0, a, strlen(a), 0, 102, 999), 0);
        run_record_t *rr;
        for (int pick = 0; pick < 2; pick++) { /* a pick leaves the heads where they are */
            assert_int_equal(checkpoint_collector_pick(c, 0, &rr), 0);
            assert_non_null(rr);
            if (strcmp(rr->run_id, cases[i].want) != 0)
                fail_msg("case %zu, pick %d: %s", i, pick, rr->run_id);
            run_record_destroy(rr);
        }
        assert_int_equal(checkpoint_collector_pick(c, 1, &rr), 0);
        assert_null(rr); /* orders: none */
        checkpoint_collector_destroy(c);
    }
}

/* A collector kept for a follow producer's life: the chunks written and
 * tombstoned since (each time the HWM's ties were written anew) do not
 * stay in it, and the live one is still there. */
static void test_tombstoned_chunks_go(void **state)
{
    (void)state;
    const char *head = "{\"stream\":\"customers\",\"run_id\":\"A\",\"mode\":\"full\","
                       "\"status\":\"completed\",\"started_at\":\"2026-11-25\"}";
    char key[64];
    checkpoint_collector_t *c = checkpoint_collector_new(streams, 2);
    assert_int_equal(checkpoint_collect(c, "customers", 9, head, strlen(head), 0, 0, 1), 0);
    assert_int_equal(checkpoint_collect(c, "customers/ckpt/L/0", 18, "{}", 2, 0, 1, 1), 0);
    /* a tombstone of a chunk never seen takes no room */
    assert_int_equal(checkpoint_collect(c, "customers/ckpt/X/0", 18, NULL, 0, 0, 2, 1), 0);
    assert_int_equal(checkpoint_collector_chunk_slots(c), 1);
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "customers/ckpt/R%d/0", i);
        assert_int_equal(checkpoint_collect(c, key, strlen(key), "{}", 2, 0, 3 + i, 1), 0);
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "customers/ckpt/R%d/0", i);
        assert_int_equal(checkpoint_collect(c, key, strlen(key), NULL, 0, 0, 3003 + i, 1), 0);
    }
    size_t slots = checkpoint_collector_chunk_slots(c);
    print_message("chunk slots after 3000 chunks and their tombstones: %zu\n", slots);
    assert_true(slots <= 1100);
    run_record_t *rr;
    assert_int_equal(checkpoint_collector_pick(c, 0, &rr), 0);
    assert_non_null(rr);
    assert_int_equal(rr->n_stale_chunks, 1); /* the head names none: the live one is stale */
    assert_string_equal(rr->stale_chunks[0], "customers/ckpt/L/0");
    run_record_destroy(rr);
    checkpoint_collector_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_order),
        cmocka_unit_test(test_tombstoned_chunks_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
