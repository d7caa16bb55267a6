/*
 * test_worker_fetchwake.c - when the worker wakes librdkafka's fetchers
 * (fetchwake_due()): only once a mark's worth (half of a prefetch
 * threshold) came in since the last wake and the queue holds less than
 * both marks now; never twice within FETCHWAKE_INTERVAL_MS, never while a
 * wake is under way, never for a quiet topic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fetchwake.h"

/* One look at the queue and what it must give. */
struct look {
    fetchwake_look_t seen;
    int busy;
    int64_t now_ms, last_ms;
    int due, armed_after;
};

struct wake_case {
    const char *name;
    int armed_before;
    struct look looks[3];
    size_t n_looks;
};

static const struct wake_case cases[] = {
    {"a quiet topic never wakes",
     0,
     {{{0, 0, 0, 0}, 0, 1000, -1, 0, 0}, {{0, 0, 5, 750}, 0, 5000, -1, 0, 0}},
     2},
    {"full by count, then drained: one wake",
     0,
     {{{20000, 3000000, 0, 0}, 0, 100, -1, 0, 1},
      {{4000, 600000, 16000, 2400000}, 0, 200, -1, 1, 0},
      {{3000, 450000, 1000, 150000}, 0, 300, 200, 0, 0}},
     3},
    {"drained between two looks (taken): armed and due at once",
     0,
     {{{10, 1500, 15000, 2250000}, 0, 100, -1, 1, 0}},
     1},
    {"full by bytes (large messages), then drained",
     0,
     {{{1000, 4000000, 0, 0}, 0, 100, -1, 0, 1}, {{100, 400000, 900, 3600000}, 0, 200, -1, 1, 0}},
     2},
    {"at a mark is still full",
     0,
     {{{10000, 0, 0, 0}, 0, 100, -1, 0, 1}, {{0, 2097152, 0, 0}, 0, 100, -1, 0, 1}},
     2},
    {"drained but a wake is under way", 1, {{{100, 0, 0, 0}, 1, 100, -1, 0, 1}}, 1},
    {"too soon after the last wake",
     1,
     {{{100, 0, 0, 0}, 0, 120, 100, 0, 1}, {{100, 0, 0, 0}, 0, 150, 100, 1, 0}},
     2},
};

static void test_due(void **state)
{
    const fetchwake_marks_t marks = {10000, 2 * 1024 * 1024};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int armed = cases[i].armed_before;
        for (size_t j = 0; j < cases[i].n_looks; j++) {
            const struct look *l = &cases[i].looks[j];
            int due = fetchwake_due(&armed, &marks, &l->seen, l->busy, l->now_ms, l->last_ms);
            if (due != l->due || armed != l->armed_after)
                fail_msg("%s, look %zu: due %d armed %d, want due %d armed %d", cases[i].name, j,
                         due, armed, l->due, l->armed_after);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
