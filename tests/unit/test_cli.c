/*
 * test_cli.c - the command-line skeleton of both programs (cli.h): global
 * options before or after the command, each command's own options, what
 * is bad usage, --help and --version winning, and cli_main's order (usage
 * before configuration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_ARGS 16

static int handler_calls;

static int count_handler(const tm_config_t *conf, const cli_args_t *args)
{
    (void)args;
    handler_calls++;
    return conf ? 5 : 7;
}

enum { RUN_ONCE, RUN_STREAM };
static const cli_option_t run_options[] = {[RUN_ONCE] = {"once", NULL, "one pass"},
                                           [RUN_STREAM] = {"stream", "NAME", "one stream"},
                                           {NULL, NULL, NULL}};
enum { RESET_STREAM, RESET_SINCE };
static const cli_option_t reset_options[] = {[RESET_STREAM] = {"stream", "NAME", "the stream"},
                                             [RESET_SINCE] = {"since", "TS", "from TS"},
                                             {NULL, NULL, NULL}};

static const cli_help_t run_help = {.summary = "run"}, reset_help = {.summary = "reset"},
                        status_help = {.summary = "status"},
                        about_help = {.summary = "no configuration"};
static const cli_command_t commands[] = {
    {"run", count_handler, run_options, NULL, CLI_NEEDS_CONFIG, &run_help},
    {"reset", count_handler, reset_options, NULL, CLI_NEEDS_CONFIG, &reset_help},
    {"status", count_handler, NULL, NULL, CLI_NEEDS_CONFIG, &status_help},
    {"about", count_handler, NULL, NULL, CLI_NO_CONFIG, &about_help},
};
static const cli_program_t program = {.name = "prog", .commands = commands, .n_commands = 4};

/* Splits "prog ARGS" at spaces into argv (in buf). */
static int split(const char *line, char *buf, size_t size, char **argv)
{
    int argc = 0;
    char *save = NULL;

    snprintf(buf, size, "prog %s", line);
    for (char *tok = strtok_r(buf, " ", &save); tok && argc < MAX_ARGS;
         tok = strtok_r(NULL, " ", &save))
        argv[argc++] = tok;
    argv[argc] = NULL;
    return argc;
}

static void test_parse_good(void **state)
{
    static const struct {
        const char *line;
        const char *command; /* NULL: none */
        const char *config;
        int help, version;
        const char *stream; /* option 0 of reset, 1 of run */
        int once;
    } cases[] = {
        {"-c F run", "run", "F", 0, 0, NULL, 0},
        {"run -c F", "run", "F", 0, 0, NULL, 0}, /* the worker ignored it */
        {"run --config=F --once", "run", "F", 0, 0, NULL, 1},
        {"--config F run --stream s", "run", "F", 0, 0, "s", 0},
        {"--stream s run", "run", NULL, 0, 0, "s", 0}, /* its option before it */
        {"reset --stream s --since 2026-01-01", "reset", NULL, 0, 0, "s", 0},
        {"status --help", "status", NULL, 1, 0, NULL, 0},
        {"status -h", "status", NULL, 1, 0, NULL, 0},
        {"--help", NULL, NULL, 1, 0, NULL, 0},
        {"-V", NULL, NULL, 0, 1, NULL, 0},
        {"run --version", "run", NULL, 0, 1, NULL, 0},
        {"run --bogus --help", "run", NULL, 1, 0, NULL, 0}, /* help wins */
        {"nosuch --help", NULL, NULL, 1, 0, NULL, 0},
        {"-c F -- run", "run", "F", 0, 0, NULL, 0},
    };
    char buf[256], *argv[MAX_ARGS + 1], err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int argc = split(cases[i].line, buf, sizeof(buf), argv);
        cli_args_t a;
        err[0] = '\0';
        if (cli_parse(&program, argc, argv, &a, err, sizeof(err)) != 0)
            fail_msg("'%s': %s", cases[i].line, err);
        if (cases[i].command) {
            assert_non_null(a.command);
            assert_string_equal(a.command->name, cases[i].command);
        } else {
            assert_null(a.command);
        }
        if (cases[i].config)
            assert_string_equal(a.config_path, cases[i].config);
        else
            assert_null(a.config_path);
        assert_int_equal(a.help, cases[i].help);
        assert_int_equal(a.version, cases[i].version);
        if (a.command == &commands[0] && !a.help && !a.version) {
            assert_int_equal(a.count[RUN_ONCE], cases[i].once);
            if (cases[i].stream)
                assert_string_equal(a.value[RUN_STREAM], cases[i].stream);
            else
                assert_null(a.value[RUN_STREAM]);
        }
        if (a.command == &commands[1])
            assert_string_equal(a.value[RESET_STREAM], cases[i].stream);
    }
}

static void test_parse_bad(void **state)
{
    static const struct {
        const char *line, *says;
        const char *command; /* recognised despite the error; NULL: none */
    } cases[] = {
        {"", "missing command", NULL},
        {"-c F", "missing command", NULL},
        {"nosuch", "unknown command 'nosuch'", NULL},
        {"--bogus run", "unknown option '--bogus'", "run"},
        {"run --bogus=1", "unknown option '--bogus'", "run"},
        {"run -x", "unknown option '-x'", "run"},
        {"run --once=1", "option '--once' takes no value", "run"},
        {"run --stream", "option '--stream' needs a value", "run"},
        {"run -c", "option '-c' needs a value", "run"},
        {"run extra", "unexpected argument 'extra'", "run"},
        {"run -- --once", "unexpected argument '--once'", "run"},
        {"run --since x", "run does not take --since", "run"},
        {"status --stream s", "status does not take --stream", "status"},
        {"run --s x", "unknown option '--s'", "run"}, /* ambiguous: stream, since */
        /* getopt_long takes a unique prefix: --all was --allow-mass-delete */
        {"run --str s", "unknown option '--str' (options are not abbreviated: --stream?)", "run"},
        {"run --str=s", "unknown option '--str'", "run"},
        {"run --onc", "unknown option '--onc'", "run"},
        {"--conf F run", "unknown option '--conf'", "run"},
        /* the last one won: a stream named first was dropped */
        {"run --stream=a --stream b", "--stream given twice", "run"},
        {"run --once --once", "--once given twice", "run"},
        {"-c A run -c B", "--config given twice", "run"},
        {"--config=A run --config B", "--config given twice", "run"},
    };
    char buf[256], *argv[MAX_ARGS + 1], err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int argc = split(cases[i].line, buf, sizeof(buf), argv);
        cli_args_t a;
        err[0] = '\0';
        assert_int_equal(cli_parse(&program, argc, argv, &a, err, sizeof(err)), -1);
        if (!strstr(err, cases[i].says))
            fail_msg("'%s': error '%s' does not say '%s'", cases[i].line, err, cases[i].says);
        if (cases[i].command)
            assert_string_equal(a.command->name, cases[i].command);
        else
            assert_null(a.command);
    }
}

/* One option name must mean the same in every command of a program. */
static void test_conflicting_tables(void **state)
{
    static const cli_option_t flag[] = {{"stream", NULL, "a flag"}, {NULL, NULL, NULL}};
    static const cli_command_t both[] = {
        {"run", count_handler, run_options, NULL, CLI_NEEDS_CONFIG, &run_help},
        {"odd", count_handler, flag, NULL, CLI_NO_CONFIG, NULL},
    };
    static const cli_program_t bad = {.name = "bad", .commands = both, .n_commands = 2};
    char a0[] = "bad", a1[] = "odd", *argv[] = {a0, a1, NULL}, err[256];
    cli_args_t a;

    (void)state;
    assert_int_equal(cli_parse(&bad, 2, argv, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--stream takes a value in one command only"));
}

/* cli_main: bad usage and --help come before the configuration file. */
static void test_main(void **state)
{
    static const struct {
        const char *line;
        int rc, calls;
    } cases[] = {
        {"status --help", 0, 0},                        /* no configuration needed */
        {"--bogus status", 2, 0},                       /* usage, not configuration */
        {"status -c /nonexistent/tidemark.conf", 2, 0}, /* the file given after the command */
        {"about", 7, 1},                                /* needs none: conf NULL */
        {"about -c /nonexistent/tidemark.conf", 7, 1},
        {"--version", 0, 0},
    };
    char buf[256], *argv[MAX_ARGS + 1];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int argc = split(cases[i].line, buf, sizeof(buf), argv);
        handler_calls = 0;
        int rc = cli_main(&program, argc, argv);
        if (rc != cases[i].rc || handler_calls != cases[i].calls)
            fail_msg("'%s': exit %d (want %d), %d handler calls (want %d)", cases[i].line, rc,
                     cases[i].rc, handler_calls, cases[i].calls);
    }
}

static void test_int64(void **state)
{
    static const struct {
        const char *s;
        int64_t min, max;
        int rc;
        int64_t want;
    } cases[] = {
        {"42", 0, 100, 0, 42},
        {"101", 0, 100, -1, 0},
        {" 4", 0, 100, -1, 0},
        {"", 0, 100, -1, 0},
        {"4 ", 0, 100, -1, 0},
        {"-1", -5, 100, 0, -1},
        {"-1", 0, 100, -1, 0},
        {"x", 0, 100, -1, 0},
        {"99999999999999999999", 0, INT64_MAX, -1, 0},
        {"+7", 0, 100, 0, 7},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 0;
        assert_int_equal(cli_parse_int64(cases[i].s, cases[i].min, cases[i].max, &v), cases[i].rc);
        if (cases[i].rc == 0)
            assert_int_equal(v, cases[i].want);
    }
    assert_int_equal(cli_parse_int64(NULL, 0, 1, &(int64_t){0}), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_conflicting_tables),
        cmocka_unit_test(test_main),
        cmocka_unit_test(test_int64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
