/*
 * main.c - tidemark-producer: its commands (run, schema, status, reset)
 * on the command-line skeleton of cli.h. Exit status: 0 ok, 1 runtime
 * failure, 2 bad usage or configuration. Main thread.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "json_arena.h"
#include "checkpoint.h"
#include "cli.h"
#include "config.h"
#include "errstr.h"
#include "follow.h"
#include "isotime.h"
#include "signals.h"
#include "status.h"
#include "streams.h"
#include "topicscan.h"

static const cli_program_t producer_program;

/* Bad usage: a stream the configuration does not have. */
static int unknown_stream(const cli_args_t *args, const char *stream)
{
    char why[300];
    errstr_set(why, sizeof(why), "unknown stream '%s'", stream);
    return cli_usage_error(&producer_program, args->command, why);
}

/* ---- run ------------------------------------------------------------------ */

enum { RUN_ONCE, RUN_FULL, RUN_ALLOW_MASS_DELETE, RUN_STREAM };
static const cli_option_t run_options[] = {
    [RUN_ONCE] = {"once", NULL, "one pass over every stream, then exit"},
    [RUN_FULL] = {"full", NULL, "the first pass is a full run (deletion reconciliation)"},
    [RUN_ALLOW_MASS_DELETE] = {"allow-mass-delete", NULL,
                               "the full run may delete past full_sync.max_delete_ratio"},
    [RUN_STREAM] = {"stream", "NAME", "only this stream"},
    {NULL, NULL, NULL}};

static int run_check(const cli_args_t *args, char *errstr, size_t errstr_size)
{
    if (args->value[RUN_ALLOW_MASS_DELETE] && !args->value[RUN_FULL]) {
        errstr_set(errstr, errstr_size, "--allow-mass-delete goes with run --full");
        return -1;
    }
    return 0;
}

/* Loads the schemas of run and schema: a bad one is a configuration error. */
static int load_streams(const tm_config_t *conf, const char *stream, stream_set_t *set)
{
    char err[1024];
    if (stream_set_load(conf, stream, set, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int run_command(const tm_config_t *conf, const cli_args_t *args)
{
    stream_set_t set = {0};
    if (load_streams(conf, args->value[RUN_STREAM], &set) < 0)
        return CLI_EXIT_USAGE;
    run_cmd_opts_t opts = {.once = args->value[RUN_ONCE] != NULL,
                           .full = args->value[RUN_FULL] != NULL,
                           .allow_mass_delete = args->value[RUN_ALLOW_MASS_DELETE] != NULL};
    signals_install();
    int rc = follow_run(conf, &set, &opts);
    stream_set_clear(&set);
    return rc;
}

static const cli_help_t run_help = {
    .summary = "poll the APIs and publish their changes",
    .synopsis = "[--once] [--full [--allow-mass-delete]] [--stream NAME]",
    .description = "Polls each stream's API from its high-water mark and publishes the changes:\n"
                   "one pass with --once, else a pass every poll.interval until SIGTERM."};

/* ---- schema --------------------------------------------------------------- */

enum { SCHEMA_STREAM };
static const cli_option_t stream_option[] = {[SCHEMA_STREAM] = {"stream", "NAME", "the stream"},
                                             {NULL, NULL, NULL}};

static int schema_check(const cli_args_t *args, char *errstr, size_t errstr_size)
{
    if (!args->value[SCHEMA_STREAM]) {
        errstr_set(errstr, errstr_size, "schema needs --stream NAME");
        return -1;
    }
    return 0;
}

static int schema_command(const tm_config_t *conf, const cli_args_t *args)
{
    stream_set_t set = {0};
    if (load_streams(conf, args->value[SCHEMA_STREAM], &set) < 0)
        return CLI_EXIT_USAGE;
    printf("%s\n", envelope_schema_json(set.items[0].es));
    stream_set_clear(&set);
    return 0;
}

static const cli_help_t schema_help = {
    .summary = "print a stream's change-event schema",
    .synopsis = "--stream NAME",
    .description = "Prints the Avro schema (JSON) of the stream's change events."};

/* ---- status --------------------------------------------------------------- */

enum { STATUS_STREAM };

static int status_cmd_handler(const tm_config_t *conf, const cli_args_t *args)
{
    const char *stream = args->value[STATUS_STREAM];
    if (stream && !config_stream(conf, stream))
        return unknown_stream(args, stream);
    return status_command(conf, stream, stdout);
}

static const cli_help_t status_help = {
    .summary = "per stream: HWM, last run, its counts and age",
    .synopsis = "[--stream NAME]",
    .description = "Per stream (or only NAME): the high-water mark, the last run, its counts\n"
                   "and its age, read from <prefix>.sync-runs."};

/* ---- reset ---------------------------------------------------------------- */

enum { RESET_STREAM, RESET_SINCE, RESET_FULL };
static const cli_option_t reset_options[] = {
    [RESET_STREAM] = {"stream", "NAME", "the stream"},
    [RESET_SINCE] = {"since", "TS", "the HWM becomes TS (ISO-8601)"},
    [RESET_FULL] = {"full", NULL, "no HWM: the next run is a full run"},
    {NULL, NULL, NULL}};

/* --since's value, checked before the configuration is read. */
static int reset_since(const cli_args_t *args, int64_t *since, char *errstr, size_t errstr_size)
{
    char why[256];
    const char *ts = args->value[RESET_SINCE];
    if (ts && isotime_parse(ts, since, NULL, why, sizeof(why)) != 0) {
        errstr_set(errstr, errstr_size, "--since %s: %s", ts, why);
        return -1;
    }
    return 0;
}

static int reset_check(const cli_args_t *args, char *errstr, size_t errstr_size)
{
    if (!args->value[RESET_STREAM] || !args->value[RESET_SINCE] == !args->value[RESET_FULL]) {
        errstr_set(errstr, errstr_size, "give --stream NAME and one of --since TS, --full");
        return -1;
    }
    int64_t since = 0;
    return reset_since(args, &since, errstr, errstr_size);
}

static int reset_command(const tm_config_t *conf, const cli_args_t *args)
{
    const char *stream = args->value[RESET_STREAM];
    char err[512];
    int64_t since = 0;
    if (!config_stream(conf, stream))
        return unknown_stream(args, stream);
    if (reset_since(args, &since, err, sizeof(err)) < 0)
        return cli_usage_error(&producer_program, args->command, err);
    return follow_reset(conf, stream, args->value[RESET_SINCE] != NULL, since);
}

static const cli_help_t reset_help = {
    .summary = "move a stream's checkpoint back (a replay from the API)",
    .synopsis = "--stream NAME (--since TS | --full)",
    .description = "Publishes a run record that moves the stream's high-water mark back to TS,\n"
                   "or drops it (--full): the next run reads the API again from there."};

/* ---- the program ---------------------------------------------------------- */

/* One row a command: name, handler, options, their check, configuration, help. */
static const cli_command_t producer_commands[] = {
    {"run", run_command, run_options, run_check, CLI_NEEDS_CONFIG, &run_help},
    {"schema", schema_command, stream_option, schema_check, CLI_NEEDS_CONFIG, &schema_help},
    {"status", status_cmd_handler, stream_option, NULL, CLI_NEEDS_CONFIG, &status_help},
    {"reset", reset_command, reset_options, reset_check, CLI_NEEDS_CONFIG, &reset_help},
};

/* A lock.dir that is not a directory would leave every run of every
 * stream unstarted (runlock.h): said at start, as a configuration error. */
static int check_producer_config(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    struct stat st;
    const char *dir = conf->producer_lock_dir;
    if (!dir)
        return 0;
    if (stat(dir, &st) != 0) {
        errstr_set(errstr, errstr_size, "%s: [producer] lock.dir: %s: %s", conf->path, dir,
                   strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        errstr_set(errstr, errstr_size, "%s: [producer] lock.dir: %s: not a directory", conf->path,
                   dir);
        return -1;
    }
    return 0;
}

static const cli_program_t producer_program = {
    .name = "tidemark-producer",
    .description = "Polls REST APIs from a high-water mark and publishes their changes to\n"
                   "Kafka as Avro change events.",
    .commands = producer_commands,
    .n_commands = sizeof(producer_commands) / sizeof(producer_commands[0]),
    .check_config = check_producer_config};

int main(int argc, char **argv)
{
#ifdef M_MXFAST
    /* No glibc fastbins: freeing a page's jansson values (some 100,000
     * small blocks) then ran malloc_consolidate over and over (15% of the
     * producer's CPU in `perf record`); without them the producer takes
     * about a fifth less CPU time for the same run. */
    mallopt(M_MXFAST, 0);
#endif
    json_arena_install(); /* a page's values in one arena each (jsonpage.c) */
    int rc = cli_main(&producer_program, argc, argv);
    checkpoint_read_close(); /* what the reads of the checkpoints kept */
    topicscan_close();       /* what the commands' scans of Kafka kept */
    return rc;
}
