/*
 * main.c - tidemark-worker: its commands (run here, reset-offsets in
 * reset_offsets.h, status in status.h) on the command-line skeleton of
 * cli.h, and what the worker needs of the configuration. Main thread.
 *
 * Exit status: 0 success, 1 runtime failure, 2 bad usage or configuration
 * (one line on stderr naming the file, line and key).
 */
#include <stdio.h>

#include "json_arena.h"
#include "cli.h"
#include "config.h"
#include "errstr.h"
#include "pg.h"
#include "reset_offsets.h"
#include "runner.h"
#include "signals.h"
#include "status.h"
#include "streams.h"

static int run_command(const tm_config_t *conf, const cli_args_t *args)
{
    worker_streams_t streams;
    char err[1024];

    (void)args;
    if (worker_streams_load(conf, &streams, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return CLI_EXIT_USAGE;
    }
    signals_install();
    /* the writer schemas of <prefix>.schemas, so that a backlog written
     * with earlier versions decodes without a lookup per version */
    if (worker_streams_read_writers(conf, &streams, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        worker_streams_clear(&streams);
        return CLI_EXIT_USAGE;
    }
    int rc = runner_run(conf, &streams);
    worker_streams_clear(&streams);
    return rc;
}

static const cli_help_t run_help = {
    .summary = "consume and apply until SIGTERM/SIGINT, then commit and leave the group",
    .description = "Consumes the streams' change events and applies them to PostgreSQL, one\n"
                   "transaction per batch, until SIGTERM or SIGINT; then commits and leaves\n"
                   "the consumer group."};

/* "conninfo =" (empty) is allowed: libpq then takes everything from the
 * PG* environment variables, as psql does. One libpq does not parse is
 * refused here, without libpq's message (it may quote the password). */
static int check_worker_config(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    char why[300];
    if (conf->pg_conninfo && pg_conninfo_check(conf->pg_conninfo, why, sizeof(why)) != 0) {
        errstr_set(errstr, errstr_size, "%s: %s", conf->path, why);
        return -1;
    }
    if (conf->pg_conninfo)
        return 0;
    errstr_set(errstr, errstr_size,
               "%s: [postgres] conninfo is required for the worker "
               "(empty means: from the PG* environment)",
               conf->path);
    return -1;
}

/* One row a command: name, handler, options, their check, configuration, help. */
static const cli_command_t worker_commands[] = {
    {"run", run_command, NULL, NULL, CLI_NEEDS_CONFIG, &run_help},
    {"reset-offsets", reset_offsets_command, reset_offsets_options, reset_offsets_check,
     CLI_NEEDS_CONFIG, &reset_offsets_help},
    {"status", worker_status_command, worker_status_options, worker_status_check, CLI_NEEDS_CONFIG,
     &worker_status_help},
};

static const cli_program_t worker_program = {
    .name = "tidemark-worker",
    .description = "Consumes tidemark change events from Kafka and applies them to\n"
                   "PostgreSQL, one transaction per batch (rows, offsets and\n"
                   "sync_metadata together).",
    .commands = worker_commands,
    .n_commands = sizeof(worker_commands) / sizeof(worker_commands[0]),
    .check_config = check_worker_config};

int main(int argc, char **argv)
{
    json_arena_install(); /* a batch's rows in one arena each (decode.c) */
    return cli_main(&worker_program, argc, argv);
}
