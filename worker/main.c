/*
 * main.c - tidemark-worker: command line, configuration, dispatch.
 *
 *   tidemark-worker [-c FILE] [--help] [--version] COMMAND [ARGS]
 *
 * Commands: run (runner.h), reset-offsets (reset_offsets.h), status
 * (status.h).
 *
 * Exit status: 0 success, 1 runtime failure, 2 bad usage or configuration
 * (one line on stderr naming the file, line and key).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "reset_offsets.h"
#include "runner.h"
#include "signals.h"
#include "status.h"
#include "streams.h"
#include "version.h"

#define EXIT_USAGE 2

typedef int (*command_fn)(const tm_config_t *conf, int argc, char **argv);

static void usage(FILE *out)
{
    fprintf(out, "usage: tidemark-worker [-c FILE] [--help] [--version] COMMAND\n"
                 "\n"
                 "Consumes tidemark change events from Kafka and applies them to\n"
                 "PostgreSQL, one transaction per batch (rows, offsets and\n"
                 "sync_metadata together).\n"
                 "\n"
                 "commands:\n"
                 "  run            consume and apply until SIGTERM/SIGINT, then\n"
                 "                 commit and leave the consumer group\n"
                 "  reset-offsets  --stream NAME (--to-earliest | --to-latest |\n"
                 "                 --to-datetime TS | --to-offset N)\n"
                 "                 [--partition P] [--execute]: replay by moving\n"
                 "                 the group's stored offsets (a plan without\n"
                 "                 --execute)\n"
                 "  status         [--max-staleness DUR]: lag per partition, last\n"
                 "                 completed run, staleness; exits 1 when stale\n"
                 "\n"
                 "COMMAND --help describes a command.\n"
                 "\n"
                 "options:\n"
                 "  -c, --config FILE  configuration file (default: "
                 "$TIDEMARK_CONFIG, else ./tidemark.conf)\n"
                 "  -h, --help         this help\n"
                 "  -V, --version      print the version\n");
}

static int cmd_run(const tm_config_t *conf, int argc, char **argv)
{
    worker_streams_t streams;
    char err[1024];
    int rc;

    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "tidemark-worker: run takes no arguments\n");
        return EXIT_USAGE;
    }
    if (worker_streams_load(conf, &streams, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    signals_install();
    /* the writer schemas of <prefix>.schemas, so that a backlog written
     * with earlier versions decodes without a lookup per version */
    worker_streams_read_writers(&streams);
    rc = runner_run(conf, &streams);
    worker_streams_clear(&streams);
    return rc;
}

static const struct {
    const char *name;
    command_fn fn;
} commands[] = {
    {"run", cmd_run},
    {"reset-offsets", reset_offsets_command},
    {"status", worker_status_command},
};

static command_fn find_command(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, name))
            return commands[i].fn;
    return NULL;
}

/* Loads the configuration and checks what the worker needs of it. */
static tm_config_t *load_config(const char *cli_path)
{
    const char *path = config_default_path(cli_path);
    tm_config_t *conf = NULL;
    char err[1024];

    if (config_load(path, &conf, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    /* "conninfo =" (empty) is allowed: libpq then takes everything from
     * the PG* environment variables, as psql does. */
    if (!conf->pg_conninfo) {
        fprintf(stderr,
                "%s: [postgres] conninfo is required for the worker "
                "(empty means: from the PG* environment)\n",
                path);
        config_destroy(conf);
        return NULL;
    }
    return conf;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    const char *cli_path = NULL;
    tm_config_t *conf;
    command_fn fn;
    int c, rc;

    while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("tidemark-worker %s\n", TIDEMARK_VERSION);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!(fn = find_command(argv[optind]))) {
        fprintf(stderr, "tidemark-worker: unknown command '%s'\n", argv[optind]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!(conf = load_config(cli_path)))
        return EXIT_USAGE;
    log_setup((log_level_t)conf->log_level, conf->log_format == LOG_FORMAT_JSON);
    rc = fn(conf, argc - optind, argv + optind);
    config_destroy(conf);
    return rc;
}
