/*
 * test_heldeletes.c - the deleted endpoint's deletions held until the
 * records walk: which are stale, and the later deletion of an id listed
 * twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heldeletes.h"

typedef struct step {
    char kind; /* 'h' hold, 'u' hold undated (no deleted_at), 's' served,
                  'd' stale only from at on (a deletion dated by its day) */
    const char *id;
    int64_t at;
} step_t;

typedef struct want {
    const char *id;
    int64_t deleted_at;
    int undated;
    int stale;
} want_t;

static void test_stale_rules(void **state)
{
    (void)state;
    static const step_t steps[] = {
        {'h', "restored", 100},
        {'s', "restored", 200}, /* served newer: stale */
        {'h', "older", 100},
        {'s', "older", 50}, /* served older: deleted */
        {'h', "tie", 100},
        {'s', "tie", 100}, /* a tie: deleted */
        {'h', "twice", 100},
        {'h', "twice", 300}, /* listed twice: the later */
        {'s', "twice", 200},
        {'h', "back-and-gone", 100},
        {'s', "back-and-gone", 200},
        {'h', "back-and-gone", 250}, /* deleted again later */
        {'s', "never-held", 999},    /* served only: nothing */
        {'h', "alone", 100},
        /* undated: a producer clock mark, never compared with a cursor */
        {'u', "u-served-older", 100},
        {'s', "u-served-older", 50}, /* lives: stale */
        {'u', "u-served-newer", 100},
        {'s', "u-served-newer", 200}, /* stale */
        {'u', "u-ahead-clock", 100},
        {'s', "other", 5000}, /* not served */
        {'h', "mixed", 300},
        {'u', "mixed", 100}, /* undated wins */
        {'u', "mixed2", 100},
        {'h', "mixed2", 50},
        {'s', "mixed2", 60},
        /* dated by its day alone (day 1000): held undated, stale only from
         * its day on */
        {'u', "day-earlier", 100},
        {'d', "day-earlier", 1000},
        {'s', "day-earlier", 900}, /* a lagging index's older version */
        {'u', "day-same", 100},
        {'d', "day-same", 1000},
        {'s', "day-same", 1000}, /* its day: maybe a restore */
        {'u', "day-later", 100},
        {'d', "day-later", 1000},
        {'s', "day-later", 900},
        {'s', "day-later", 2000},
    };
    static const want_t want[] = {
        {"restored", 100, 0, 1},       {"older", 100, 0, 0},          {"tie", 100, 0, 0},
        {"twice", 300, 0, 0},          {"back-and-gone", 250, 0, 0},  {"alone", 100, 0, 0},
        {"u-served-older", 100, 1, 1}, {"u-served-newer", 100, 1, 1}, {"u-ahead-clock", 100, 1, 0},
        {"mixed", 300, 1, 0},          {"mixed2", 100, 1, 1},         {"day-earlier", 100, 1, 0},
        {"day-same", 100, 1, 1},       {"day-later", 100, 1, 1},
    };
    heldeletes_t *h = heldeletes_new();
    assert_non_null(h);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if (steps[i].kind == 's')
            heldeletes_served(h, steps[i].id, steps[i].at);
        else if (steps[i].kind == 'd')
            heldeletes_stale_from(h, steps[i].id, steps[i].at);
        else
            assert_int_equal(heldeletes_hold(h, steps[i].id, steps[i].at, steps[i].kind == 'u'), 0);
    }
    size_t n = sizeof(want) / sizeof(want[0]), seen = 0, pos = 0;
    assert_int_equal(heldeletes_count(h), n);
    const char *id;
    int64_t at;
    int stale, undated;
    while (heldeletes_next(h, &pos, &id, &at, &undated, &stale)) {
        size_t k = 0;
        while (k < n && strcmp(want[k].id, id) != 0)
            k++;
        if (k == n)
            fail_msg("unexpected id %s", id);
        if (at != want[k].deleted_at || undated != want[k].undated || stale != want[k].stale)
            fail_msg("%s: deleted_at %lld undated %d stale %d, want %lld %d %d", id, (long long)at,
                     undated, stale, (long long)want[k].deleted_at, want[k].undated, want[k].stale);
        seen++;
    }
    assert_int_equal(seen, n);
    heldeletes_destroy(h);
}

static void test_unusable_id(void **state)
{
    (void)state;
    heldeletes_t *h = heldeletes_new();
    assert_int_equal(heldeletes_hold(h, "", 1, 0), -1);
    char long_id[2000];
    memset(long_id, 'x', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_int_equal(heldeletes_hold(h, long_id, 1, 0), -1);
    assert_int_equal(heldeletes_count(h), 0);
    heldeletes_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stale_rules),
        cmocka_unit_test(test_unusable_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
