/*
 * test_runmode.c - producer/runmode.c: the mode of a run from its
 * checkpoint (first run, --full, an unfinished full run resumed,
 * full_sync.every) and whether a run counts as the full sync
 * full_sync.every waits for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "../../producer/runmode.h"

#define HOUR 3600000LL
#define NOW  (1000 * HOUR)

typedef struct mode_case {
    const char *name;
    int has_cp, has_hwm;
    run_mode_t mode;
    run_status_t status;
    int64_t started_at, last_full_at;
    int force_full;
    int64_t every;
    int full, resumed; /* expected */
} mode_case_t;

static void test_decide(void **state)
{
    (void)state;
    static const mode_case_t cases[] = {
        {"first run", 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},
        {"reset --full: no HWM", 1, 0, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR,
         NOW - HOUR, 0, 0, 1, 0},
        {"incremental", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR, NOW - HOUR, 0,
         0, 0, 0},
        {"--full", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR, NOW - HOUR, 1, 0,
         1, 0},
        {"full_sync.every due", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR,
         NOW - 24 * HOUR, 0, 24 * HOUR, 1, 0},
        {"full_sync.every not due", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR,
         NOW - 23 * HOUR, 0, 24 * HOUR, 0, 0},
        {"unfinished full run resumed", 1, 1, RUN_MODE_FULL, RUN_STATUS_FAILED, NOW - HOUR, 0, 0, 0,
         1, 1},
        {"died while running: resumed", 1, 1, RUN_MODE_FULL, RUN_STATUS_RUNNING, NOW - HOUR, 0, 0,
         0, 1, 1},
        {"--full over an unfinished one: not resumed", 1, 1, RUN_MODE_FULL, RUN_STATUS_FAILED,
         NOW - HOUR, 0, 1, 0, 1, 0},
        {"a full run that reconciled is finished", 1, 1, RUN_MODE_FULL, RUN_STATUS_FAILED,
         NOW - HOUR, NOW - HOUR, 0, 0, 0, 0},
        {"a completed full run", 1, 1, RUN_MODE_FULL, RUN_STATUS_COMPLETED, NOW - HOUR, NOW - HOUR,
         0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const mode_case_t *c = &cases[i];
        run_record_t cp = {.mode = c->mode,
                           .status = c->status,
                           .started_at_ms = c->started_at,
                           .last_full_at_ms = c->last_full_at};
        cp.hwm.has_value = c->has_hwm;
        cp.hwm.value_ms = NOW - 2 * HOUR;
        run_mode_decision_t m =
            run_mode_decide(c->has_cp ? &cp : NULL, c->force_full, c->every, NOW);
        if (m.full != c->full || m.resumed != c->resumed)
            fail_msg("%s: full=%d resumed=%d, want %d %d", c->name, m.full, m.resumed, c->full,
                     c->resumed);
    }
}

static void test_counts_as_full(void **state)
{
    (void)state;
    const run_mode_decision_t inc = {0, 0}, full = {1, 0}, resumed = {1, 1};
    assert_false(run_mode_counts_as_full(inc, 0, RUN_STATUS_COMPLETED, 0));
    assert_true(run_mode_counts_as_full(full, NOW, RUN_STATUS_COMPLETED, 0));
    assert_false(run_mode_counts_as_full(full, NOW, RUN_STATUS_RUNNING, 0));
    /* reconciled, its deleted endpoint failed: counts */
    assert_true(run_mode_counts_as_full(full, NOW, RUN_STATUS_FAILED, 1));
    assert_false(run_mode_counts_as_full(full, NOW, RUN_STATUS_FAILED, 0));
    /* resumed: only when it finishes the first load */
    assert_true(run_mode_counts_as_full(resumed, 0, RUN_STATUS_COMPLETED, 0));
    assert_false(run_mode_counts_as_full(resumed, NOW, RUN_STATUS_COMPLETED, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_counts_as_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
