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
#include <string.h>

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
    int afresh;        /* expected: keeps no HWM from before it */
} mode_case_t;

static void test_decide(void **state)
{
    (void)state;
    static const mode_case_t cases[] = {
        {"first run", 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1},
        {"reset --full: no HWM", 1, 0, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR,
         NOW - HOUR, 0, 0, 1, 0, 1},
        {"incremental", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR, NOW - HOUR, 0,
         0, 0, 0, 0},
        {"--full", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR, NOW - HOUR, 1, 0,
         1, 0, 1},
        {"full_sync.every due", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR,
         NOW - 24 * HOUR, 0, 24 * HOUR, 1, 0, 0},
        {"full_sync.every not due", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR,
         NOW - 23 * HOUR, 0, 24 * HOUR, 0, 0, 0},
        /* a clock that ran ahead: the last full sync dated past now */
        {"last full sync dated ahead", 1, 1, RUN_MODE_INCREMENTAL, RUN_STATUS_COMPLETED, NOW - HOUR,
         NOW + 22 * 24 * HOUR, 0, 24 * HOUR, 1, 0, 0},
        {"last full sync dated ahead within the slack", 1, 1, RUN_MODE_INCREMENTAL,
         RUN_STATUS_COMPLETED, NOW - HOUR, NOW + HOUR / 2, 0, 24 * HOUR, 0, 0, 0},
        {"last full sync dated ahead, full_sync.every = 0", 1, 1, RUN_MODE_INCREMENTAL,
         RUN_STATUS_COMPLETED, NOW - HOUR, NOW + 22 * 24 * HOUR, 0, 0, 0, 0, 0},
        {"unfinished full run resumed", 1, 1, RUN_MODE_FULL, RUN_STATUS_FAILED, NOW - HOUR, 0, 0, 0,
         1, 1, 0},
        {"died while running: resumed", 1, 1, RUN_MODE_FULL, RUN_STATUS_RUNNING, NOW - HOUR, 0, 0,
         0, 1, 1, 0},
        {"--full over an unfinished one: not resumed", 1, 1, RUN_MODE_FULL, RUN_STATUS_FAILED,
         NOW - HOUR, 0, 1, 0, 1, 0, 1},
        {"a full run that reconciled is finished", 1, 1, RUN_MODE_FULL, RUN_STATUS_FAILED,
         NOW - HOUR, NOW - HOUR, 0, 0, 0, 0, 0},
        {"a completed full run", 1, 1, RUN_MODE_FULL, RUN_STATUS_COMPLETED, NOW - HOUR, NOW - HOUR,
         0, 0, 0, 0, 0},
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
            run_mode_decide(c->has_cp ? &cp : NULL, NULL, c->force_full, c->every, NOW);
        if (m.full != c->full || m.resumed != c->resumed || m.afresh != c->afresh)
            fail_msg("%s: full=%d resumed=%d afresh=%d, want %d %d %d", c->name, m.full, m.resumed,
                     m.afresh, c->full, c->resumed, c->afresh);
    }
}

/* An unfinished full run started afresh whose walk made none of its own
 * progress durable (restart_full): its HWM is the one from before it, so
 * the next run starts it again, afresh, rather than resuming there; an
 * older build's record (no restart_full) resumes as it did. */
static void test_restart_full(void **state)
{
    (void)state;
    for (int restart = 0; restart <= 1; restart++) {
        run_record_t cp = {.mode = RUN_MODE_FULL,
                           .status = RUN_STATUS_FAILED,
                           .started_at_ms = NOW - HOUR,
                           .last_full_at_ms = NOW - 24 * HOUR,
                           .restart_full = restart};
        cp.hwm.has_value = 1;
        cp.hwm.value_ms = NOW - 2 * HOUR;
        run_mode_decision_t m = run_mode_decide(&cp, NULL, 0, 0, NOW);
        if (!m.full || m.resumed != !restart || m.afresh != restart)
            fail_msg("restart_full=%d: full=%d resumed=%d afresh=%d", restart, m.full, m.resumed,
                     m.afresh);
    }
}

/* The checkpoint's source against the run's: url changed (a filter in
 * the url widened: records below the HWM never read). */
static void test_source_changed(void **state)
{
    (void)state;
    char eu[RUN_SOURCE_SIZE], all[RUN_SOURCE_SIZE], eu2[RUN_SOURCE_SIZE];
    run_source_digest("http://api/items?region=eu", eu);
    run_source_digest("http://api/items?region=all", all);
    run_source_digest("http://api2/items?region=eu", eu2);
    static const struct {
        const char *name, *cp_source, *source;
        int full, changed;
    } cases[] = {
        {"same endpoints", "eu", "eu", 0, 0},
        {"url changed", "eu", "all", 1, 1},
        {"another host", "eu", "eu2", 1, 1},
        /* an older build's record: url may have changed with the upgrade */
        {"a record from before: no source", NULL, "eu", 1, 1},
    };
    const char *names[] = {"eu", "all", "eu2"}, *digests[] = {eu, all, eu2};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *cps = NULL, *src = NULL;
        for (size_t k = 0; k < 3; k++) {
            if (cases[i].cp_source && !strcmp(cases[i].cp_source, names[k]))
                cps = digests[k];
            if (!strcmp(cases[i].source, names[k]))
                src = digests[k];
        }
        run_record_t cp = {.mode = RUN_MODE_INCREMENTAL,
                           .status = RUN_STATUS_COMPLETED,
                           .started_at_ms = NOW - HOUR,
                           .last_full_at_ms = NOW - HOUR,
                           .source = (char *)cps};
        cp.hwm.has_value = 1;
        cp.hwm.value_ms = NOW - 2 * HOUR;
        run_mode_decision_t m = run_mode_decide(&cp, src, 0, 0, NOW);
        /* the HWM is another endpoint's: a full run keeps none of it */
        if (m.full != cases[i].full || m.source_changed != cases[i].changed || m.resumed ||
            m.afresh != cases[i].full)
            fail_msg("%s: full=%d changed=%d resumed=%d", cases[i].name, m.full, m.source_changed,
                     m.resumed);
    }
    assert_string_not_equal(eu, all);
    assert_int_equal(strlen(eu), strlen("fnv1a64:") + 16);
}

static void test_counts_as_full(void **state)
{
    (void)state;
    const run_mode_decision_t inc = {0}, full = {.full = 1}, resumed = {.full = 1, .resumed = 1};
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
        cmocka_unit_test(test_restart_full),
        cmocka_unit_test(test_source_changed),
        cmocka_unit_test(test_counts_as_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
