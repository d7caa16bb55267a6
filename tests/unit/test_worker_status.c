/*
 * test_worker_status.c - the pure parts of `tidemark-worker status`: its
 * arguments, the lag of a partition, a stream's state (ok, stale, no-run)
 * and how a staleness is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli.h"
#include "offsets.h"
#include "status.h"

static const cli_command_t commands[] = {{"status", worker_status_command, worker_status_options,
                                          worker_status_check, CLI_NEEDS_CONFIG,
                                          &worker_status_help}};
static const cli_program_t program = {
    .name = "tidemark-worker", .commands = commands, .n_commands = 1};

static void test_args(void **state)
{
    static const struct {
        const char *argv[5];
        int rc;
        int64_t max_ms;   /* rc 0 */
        const char *says; /* rc -1 */
    } cases[] = {
        {{"--max-staleness", "90s"}, 0, 90000, NULL},
        {{"--max-staleness=2h"}, 0, 7200000, NULL},
        {{NULL}, 0, -1, NULL},
        {{"--max-staleness"}, -1, 0, "needs a value"},
        {{"--max-staleness", "soon"}, -1, 0, "bad duration"},
        {{"--bogus"}, -1, 0, "unknown option '--bogus'"},
        {{"--max-staleness", "90s", "--max-staleness=2h"}, -1, 0, "given twice"},
    };
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *argv[8] = {"tidemark-worker", "status"};
        int argc = 2;
        for (size_t k = 0; cases[i].argv[k]; k++)
            argv[argc++] = (char *)cases[i].argv[k];
        cli_args_t args;
        worker_status_args_t a;
        err[0] = '\0';
        int rc = cli_parse(&program, argc, argv, &args, err, sizeof(err));
        if (rc == 0)
            rc = worker_status_args_from_cli(&args, &a, err, sizeof(err));
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0)
            assert_int_equal(a.max_staleness_ms, cases[i].max_ms);
        else if (!strstr(err, cases[i].says))
            fail_msg("case %zu: error '%s' does not say '%s'", i, err, cases[i].says);
    }
}

static void test_lag(void **state)
{
    (void)state;
    assert_int_equal(worker_status_lag(40, 0, 50), 10);
    assert_int_equal(worker_status_lag(50, 0, 50), 0);
    assert_int_equal(worker_status_lag(-1, 0, 50), 50); /* starts at low */
    assert_int_equal(worker_status_lag(-1, 8, 50), 42);
    assert_int_equal(worker_status_lag(60, 0, 50), 0);   /* never negative */
    assert_int_equal(worker_status_lag(40, -1, -1), -1); /* unknown */
}

static void test_out_of_range(void **state)
{
    static const struct {
        int64_t stored;
        int topic_read;
        int64_t low, high;
        int want;
    } cases[] = {
        {40, 1, 0, 50, 0},   /* inside */
        {50, 1, 0, 50, 0},   /* at the end: caught up */
        {0, 1, 0, 0, 0},     /* an empty partition */
        {7, 1, 7, 9, 0},     /* at the first kept message */
        {51, 1, 0, 50, 1},   /* past the end: topic recreated */
        {1000, 1, 0, 41, 1}, /* the reported case */
        {3, 1, 7, 9, 1},     /* behind retention */
        {40, 1, -1, -1, 0},  /* watermarks unknown */
        /* nothing stored: a topic the group never read starts at the
         * beginning, wherever retention left it; in one it has read, a
         * partition without a row was never placed (added while the
         * workers were stopped), and a start above 0 is unread messages
         * that retention took */
        {-1, 0, 7, 9, 0},
        {-1, 1, 0, 9, 0},
        {-1, 1, 7, 9, 1},
        {-1, 1, 16, 16, 1},
        {-1, 1, -1, -1, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(
            offsets_outside(cases[i].stored, cases[i].topic_read, cases[i].low, cases[i].high),
            cases[i].want);
}

/* A stored offset applied to another table counts as none for a reader
 * of its topic (a `table` changed by a rolling restart); NULL on either
 * side, a row of an older build or of reset-offsets, or a topic without a
 * table, is any. */
static void test_same_table(void **state)
{
    stored_offsets_t so = {0};

    (void)state;
    assert_true(offsets_same_table(NULL, "\"customers\""));
    assert_true(offsets_same_table("\"customers\"", NULL));
    assert_true(offsets_same_table(NULL, NULL));
    assert_true(offsets_same_table("\"customers\"", "\"customers\""));
    assert_false(offsets_same_table("\"customers\"", "\"customers_v2\""));

    assert_int_equal(offsets_set(&so, "t", 0, 40), 0);
    assert_true(offsets_has_topic(&so, "t", "\"customers_v2\"")); /* NULL: any */
    so.items[0].applied_table = strdup("\"customers\"");
    assert_non_null(so.items[0].applied_table);
    assert_true(offsets_has_topic(&so, "t", "\"customers\""));
    assert_true(offsets_has_topic(&so, "t", NULL));
    assert_false(offsets_has_topic(&so, "t", "\"customers_v2\""));
    assert_false(offsets_has_topic(&so, "u", NULL));
    offsets_remove(&so, "t", 0); /* frees applied_table (ASan) */
    assert_int_equal(so.n, 0);
    assert_int_equal(offsets_set(&so, "t", 1, 7), 0);
    assert_null(so.items[0].applied_table);
    offsets_clear(&so);
}

static void test_state(void **state)
{
    (void)state;
    assert_int_equal(worker_status_state(0, 0, -1), STREAM_NO_RUN);
    assert_int_equal(worker_status_state(0, 0, 3600000), STREAM_NO_RUN);
    assert_int_equal(worker_status_state(1, 999999999, -1), STREAM_OK);
    assert_int_equal(worker_status_state(1, 1000, 1000), STREAM_OK);
    assert_int_equal(worker_status_state(1, 1001, 1000), STREAM_STALE);
    assert_int_equal(worker_status_state(1, 1, 0), STREAM_STALE);
    assert_string_equal(worker_status_state_name(STREAM_OK), "ok");
    assert_string_equal(worker_status_state_name(STREAM_STALE), "stale");
    assert_string_equal(worker_status_state_name(STREAM_NO_RUN), "no-run");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),         cmocka_unit_test(test_lag),
        cmocka_unit_test(test_out_of_range), cmocka_unit_test(test_same_table),
        cmocka_unit_test(test_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
