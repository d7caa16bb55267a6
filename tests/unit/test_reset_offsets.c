/*
 * test_reset_offsets.c - the pure parts of `tidemark-worker
 * reset-offsets`: its argument parsing (what is bad usage), the new
 * offset of each partition for every --to-*, and the printed plan. The
 * arguments go through cli_parse (cli.h) with the command's own table, as
 * in tidemark-worker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "reset_offsets.h"

#define MAX_ARGS 12

static const cli_command_t commands[] = {{"reset-offsets", reset_offsets_command,
                                          reset_offsets_options, reset_offsets_check,
                                          CLI_NEEDS_CONFIG, &reset_offsets_help}};
static const cli_program_t program = {
    .name = "tidemark-worker", .commands = commands, .n_commands = 1};

/* Splits a space-separated command line (after "tidemark-worker
 * reset-offsets") into argv, in buf. */
static int split(const char *line, char *buf, size_t size, char **argv)
{
    int argc = 0;
    char *tok, *save = NULL;

    snprintf(buf, size, "tidemark-worker reset-offsets %s", line);
    for (tok = strtok_r(buf, " ", &save); tok && argc < MAX_ARGS; tok = strtok_r(NULL, " ", &save))
        argv[argc++] = tok;
    argv[argc] = NULL;
    return argc;
}

/* The parsed arguments point into argv: both live until the next call.
 * With --help, 0 and *help = 1 (a not parsed). */
static int parse_help(const char *line, reset_args_t *a, int *help, char *err, size_t size)
{
    static char buf[512], *argv[MAX_ARGS + 1];
    int argc = split(line, buf, sizeof(buf), argv);
    cli_args_t args;

    err[0] = '\0';
    if (cli_parse(&program, argc, argv, &args, err, size) < 0)
        return -1;
    *help = args.help;
    return args.help ? 0 : reset_args_from_cli(&args, a, err, size);
}

static int parse(const char *line, reset_args_t *a, char *err, size_t size)
{
    int help = 0;
    int rc = parse_help(line, a, &help, err, size);
    assert_int_equal(help, 0);
    return rc;
}

static void test_parse_good(void **state)
{
    static const struct {
        const char *line;
        reset_to_t to;
        int64_t value; /* ts_ms or offset */
        int32_t partition;
        int execute;
    } cases[] = {
        {"--stream customers --to-earliest", RESET_TO_EARLIEST, 0, -1, 0},
        {"--to-latest --stream=customers --execute", RESET_TO_LATEST, 0, -1, 1},
        {"--stream customers --to-offset 42 --partition 3", RESET_TO_OFFSET, 42, 3, 0},
        {"--stream customers --to-offset=0 --partition=0 --execute", RESET_TO_OFFSET, 0, 0, 1},
        {"--stream customers --to-datetime 2026-11-25T12:00:00Z", RESET_TO_DATETIME, 1795608000000,
         -1, 0},
        {"--stream customers --to-datetime 2026-11-25", RESET_TO_DATETIME, 1795564800000, -1, 0},
        /* the epoch itself: the first message of each partition */
        {"--stream customers --to-datetime 1970-01-01T00:00:00Z", RESET_TO_DATETIME, 0, -1, 0},
        {"--stream customers --to-datetime 1970-01-01T00:00:00.001Z", RESET_TO_DATETIME, 1, -1, 0},
        {"--stream customers --to-earliest --partition 1", RESET_TO_EARLIEST, 0, 1, 0},
    };
    reset_args_t a;
    char err[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(cases[i].line, &a, err, sizeof(err)), 0);
        assert_string_equal(a.stream, "customers");
        assert_int_equal(a.to, cases[i].to);
        if (a.to == RESET_TO_OFFSET)
            assert_int_equal(a.offset, cases[i].value);
        if (a.to == RESET_TO_DATETIME)
            assert_int_equal(a.ts_ms, cases[i].value);
        assert_int_equal(a.partition, cases[i].partition);
        assert_int_equal(a.execute, cases[i].execute);
        assert_int_equal(a.runs, 0);
    }
    /* the run records' topic, stuck out of range after it was recreated */
    assert_int_equal(parse("--runs --to-earliest --execute", &a, err, sizeof(err)), 0);
    assert_int_equal(a.runs, 1);
    assert_null(a.stream);
    assert_int_equal(a.to, RESET_TO_EARLIEST);
}

static void test_parse_bad(void **state)
{
    static const struct {
        const char *line, *says;
    } cases[] = {
        {"", "--stream"},
        {"--to-earliest", "--stream NAME is required (or --runs)"},
        {"--stream customers --runs --to-earliest", "not both"},
        {"--runs --runs --to-earliest", "--runs given twice"},
        {"--stream customers", "give one of"},
        {"--stream customers --to-earliest --to-latest", "give one of"},
        {"--stream customers --to-offset 1 --to-earliest", "give one of"},
        {"--stream customers --to-offset", "needs a value"},
        {"--stream customers --to-offset -1", "not an offset"},
        {"--stream customers --to-offset 12x", "not an offset"},
        {"--stream customers --to-offset 99999999999999999999", "not an offset"},
        {"--stream customers --to-datetime soon", "--to-datetime 'soon'"},
        /* -1 ms and -2 ms would be ListOffsets' LATEST and EARLIEST */
        {"--stream customers --to-datetime 1969-12-31T23:59:59.999Z",
         "before 1970-01-01T00:00:00Z"},
        {"--stream customers --to-datetime 1969-12-31T23:59:59.998Z", "use --to-earliest"},
        {"--stream customers --to-datetime 1969-12-31", "before 1970-01-01T00:00:00Z"},
        {"--stream customers --to-datetime 1970-01-01T00:00:00+01:00", "before 1970"},
        {"--stream customers --to-datetime 1900-01-01T00:00:00Z", "before 1970"},
        {"--stream customers --to-earliest --partition -1", "not a partition"},
        {"--stream customers --to-earliest --partition 2147483648", "not a partition"},
        {"--stream customers --to-earliest --partition 1 --partition 2", "given twice"},
        {"--stream a --stream b --to-earliest", "given twice"},
        {"--stream= --to-earliest", "--stream needs a value"},
        {"--stream customers --to-earliest extra", "unexpected argument 'extra'"},
        {"--stream customers --to-earliest --executes", "unknown option '--executes'"},
        {"--stream customers --to-earliest --execute=yes", "takes no value"},
        {"--stream customers --to-earliest -x", "unknown option '-x'"},
        {"--stream customers --to-earliest --execute --execute", "--execute given twice"},
    };
    reset_args_t a;
    char err[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(cases[i].line, &a, err, sizeof(err)), -1);
        if (!strstr(err, cases[i].says))
            fail_msg("'%s': error '%s' does not say '%s'", cases[i].line, err, cases[i].says);
    }
}

static void test_parse_help(void **state)
{
    reset_args_t a;
    char err[256];
    int help = 0;

    (void)state;
    assert_int_equal(parse_help("--bogus --help", &a, &help, err, sizeof(err)), 0);
    assert_int_equal(help, 1);
    help = 0;
    assert_int_equal(parse_help("-h", &a, &help, err, sizeof(err)), 0);
    assert_int_equal(help, 1);
}

static void test_plan_target(void **state)
{
    static const struct {
        reset_to_t to;
        int64_t arg; /* --to-offset */
        int64_t low, high, by_time;
        int64_t want;
        int clamped;
    } cases[] = {
        {RESET_TO_EARLIEST, 0, 0, 50, -1, 0, 0},
        {RESET_TO_EARLIEST, 0, 7, 50, -1, 7, 0}, /* retention dropped 0..6 */
        {RESET_TO_LATEST, 0, 7, 50, -1, 50, 0},
        {RESET_TO_LATEST, 0, 0, 0, -1, 0, 0}, /* empty partition */
        {RESET_TO_DATETIME, 0, 0, 50, 12, 12, 0},
        {RESET_TO_DATETIME, 0, 0, 50, -1, 50, 0}, /* nothing at/after: end */
        {RESET_TO_DATETIME, 0, 0, 50, 0, 0, 0},
        {RESET_TO_OFFSET, 20, 0, 50, -1, 20, 0},
        {RESET_TO_OFFSET, 50, 0, 50, -1, 50, 0}, /* the end is allowed */
        {RESET_TO_OFFSET, 51, 0, 50, -1, 50, 1},
        {RESET_TO_OFFSET, 3, 7, 50, -1, 7, 1},
        {RESET_TO_OFFSET, 0, 0, 0, -1, 0, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reset_args_t a;
        reset_part_t p;

        memset(&a, 0, sizeof(a));
        memset(&p, 0, sizeof(p));
        a.to = cases[i].to;
        a.offset = cases[i].arg;
        a.partition = -1;
        p.low = cases[i].low;
        p.high = cases[i].high;
        p.by_time = cases[i].by_time;
        p.current = 33;
        p.clamped = 5;
        reset_plan_target(&a, &p);
        assert_int_equal(p.target, cases[i].want);
        assert_int_equal(p.clamped, cases[i].clamped);
        assert_int_equal(p.current, 33); /* the plan does not touch it */
    }
}

static void test_plan_print(void **state)
{
    reset_part_t parts[2];
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    memset(parts, 0, sizeof(parts));
    parts[0].partition = 0;
    parts[0].current = 49;
    parts[0].target = 0;
    parts[1].partition = 11;
    parts[1].current = -1; /* no row yet */
    parts[1].target = 1234567;
    reset_plan_print(f, "g", "tm.customers", parts, 2);
    fclose(f);
    assert_string_equal(text, "GROUP  TOPIC         PARTITION  CURRENT-OFFSET  NEW-OFFSET\n"
                              "g      tm.customers          0              49           0\n"
                              "g      tm.customers         11               -     1234567\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good), cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_help), cmocka_unit_test(test_plan_target),
        cmocka_unit_test(test_plan_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
