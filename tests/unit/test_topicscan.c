/*
 * test_topicscan.c - where a read that takes only what is new on a topic
 * starts (producer/topicscan.c, topicscan_start and
 * topicscan_mark_matches): after the last read's mark, or, when the
 * partition is not where that read left it, nowhere: the caller reads the
 * topic whole again. Reading on from a mark that no longer fits would
 * take another topic's messages for the rest of the one read before, or
 * miss messages for good.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fnv1a.h"
#include "../../producer/topicscan.h"

static void test_start(void **state)
{
    (void)state;
    /* the last read went to 10, its last message at 9 */
    static const topicscan_mark_t read = {
        .partition = 0, .next = 10, .last_offset = 9, .last_ts = 5};
    /* the last read went to 10 and was handed nothing (an empty
     * partition, or only an aborted transaction's messages) */
    static const topicscan_mark_t none = {
        .partition = 0, .next = 10, .last_offset = -1, .last_ts = -1};
    /* the last read went to 10 and was handed messages up to 12 */
    static const topicscan_mark_t past = {
        .partition = 0, .next = 10, .last_offset = 12, .last_ts = 5};
    static const struct {
        const char *what;
        const topicscan_mark_t *m;
        int64_t lo, hi, want;
    } cases[] = {
        {"not read before: from the low watermark", NULL, 3, 20, 3},
        {"not read before, empty", NULL, 7, 7, 7},
        {"nothing new: the last message, checked again", &read, 0, 10, 9},
        {"new messages: from the last one read", &read, 0, 25, 9},
        {"retention removed what was read, not the last one", &read, 9, 25, 9},
        {"retention removed the last one read", &read, 10, 25, -1},
        {"and more than was read", &read, 12, 25, -1},
        {"fewer messages than read: another topic", &read, 0, 4, -1},
        {"an empty topic made again", &read, 0, 0, -1},
        /* nothing handed there yet: all of it again, nothing handed twice */
        {"nothing handed before: from the low watermark", &none, 4, 12, 4},
        {"nothing handed before, nothing new", &none, 10, 10, 10},
        {"nothing handed before, the first ones removed", &none, 11, 12, 11},
        {"nothing handed before, fewer messages now", &none, 0, 9, 0},
        /* handed one past its stop (read while other partitions finished) */
        {"past the stop: new messages after it", &past, 0, 13, 12},
        {"past the stop: the log cut to it", &past, 0, 12, -1},
        {"past the stop: the log cut to the stop", &past, 0, 10, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = topicscan_start(cases[i].m, cases[i].lo, cases[i].hi);
        if (got != cases[i].want)
            fail_msg("%s: start %lld, want %lld", cases[i].what, (long long)got,
                     (long long)cases[i].want);
    }
}

static void test_mark_matches(void **state)
{
    (void)state;
    const topicscan_mark_t m = {.partition = 0,
                                .next = 10,
                                .last_offset = 9,
                                .last_ts = 1795608000000LL,
                                .last_key_sum = fnv1a64("customers", 9) ^ 9};
    const topicscan_mark_t keyless = {
        .partition = 0, .next = 10, .last_offset = 9, .last_ts = 1795608000000LL};
    static const struct {
        const char *what;
        int keyless;
        int64_t offset, ts;
        const char *key;
        int want;
    } cases[] = {
        {"as it was", 0, 9, 1795608000000LL, "customers", 1},
        {"another offset (the one read was compacted away)", 0, 10, 1795608000000LL, "customers",
         0},
        {"another time (a topic made again)", 0, 9, 1795608000001LL, "customers", 0},
        {"another key", 0, 9, 1795608000000LL, "orders", 0},
        {"a key that is a prefix", 0, 9, 1795608000000LL, "custom", 0},
        {"no key where one was", 0, 9, 1795608000000LL, NULL, 0},
        {"no key, as it was", 1, 9, 1795608000000LL, NULL, 1},
        {"an empty key where none was", 1, 9, 1795608000000LL, "", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *k = cases[i].key;
        int got = topicscan_mark_matches(cases[i].keyless ? &keyless : &m, cases[i].offset,
                                         cases[i].ts, k, k ? strlen(k) : 0);
        if (got != cases[i].want)
            fail_msg("%s: %d, want %d", cases[i].what, got, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start),
        cmocka_unit_test(test_mark_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
