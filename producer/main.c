/*
 * main.c - tidemark-producer: command line, configuration and schema
 * loading, dispatch. Exit status: 0 ok, 1 runtime failure, 2 bad usage or
 * configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "isotime.h"
#include "log.h"
#include "follow.h"
#include "signals.h"
#include "status.h"
#include "streams.h"
#include "version.h"

#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: tidemark-producer [-c FILE] [--help] [--version] COMMAND\n"
    "  run [--once] [--full [--allow-mass-delete]] [--stream NAME]\n"
    "                                          poll and publish; --allow-mass-delete: the\n"
    "                                          full run may delete past max_delete_ratio\n"
    "  schema --stream NAME                    print the change-event schema\n"
    "  status [--stream NAME]                  per stream: HWM, last run, counts, age\n"
    "  reset --stream NAME (--since TS | --full)  move the checkpoint back\n";

typedef struct cli {
    const char *config;
    const char *command;
    const char *stream;
    const char *since;
    int once, full, allow_mass_delete;
} cli_t;

static int usage_error(const char *why, const char *arg)
{
    fprintf(stderr, "tidemark-producer: %s%s%s\n%s", why, arg ? " " : "", arg ? arg : "",
            usage_text);
    return EXIT_USAGE;
}

/* Returns -1 to go on, else an exit status (help, version, usage error). */
static int parse_cli(int argc, char **argv, cli_t *cli)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_arg = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("tidemark-producer %s\n", TIDEMARK_VERSION);
            return 0;
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if (!has_arg)
                return usage_error("missing value for", a);
            cli->config = argv[++i];
        } else if (strcmp(a, "--stream") == 0) {
            if (!has_arg)
                return usage_error("missing value for", a);
            cli->stream = argv[++i];
        } else if (strcmp(a, "--since") == 0) {
            if (!has_arg)
                return usage_error("missing value for", a);
            cli->since = argv[++i];
        } else if (strcmp(a, "--once") == 0) {
            cli->once = 1;
        } else if (strcmp(a, "--full") == 0) {
            cli->full = 1;
        } else if (strcmp(a, "--allow-mass-delete") == 0) {
            cli->allow_mass_delete = 1;
        } else if (a[0] == '-' || cli->command) {
            return usage_error("unexpected argument", a);
        } else {
            cli->command = a;
        }
    }
    if (!cli->command)
        return usage_error("missing command", NULL);
    return -1;
}

/* Which options each command takes. */
static int check_cli(const cli_t *cli)
{
    const char *c = cli->command;
    if (cli->allow_mass_delete && (strcmp(c, "run") != 0 || !cli->full))
        return usage_error("--allow-mass-delete goes with", "run --full");
    if (strcmp(c, "run") == 0) {
        if (cli->since)
            return usage_error("run does not take", "--since");
    } else if (strcmp(c, "schema") == 0) {
        if (!cli->stream)
            return usage_error("schema needs", "--stream NAME");
        if (cli->once || cli->full || cli->since)
            return usage_error("schema takes only", "--stream NAME");
    } else if (strcmp(c, "status") == 0) {
        if (cli->once || cli->full || cli->since)
            return usage_error("status takes only", "[--stream NAME]");
    } else if (strcmp(c, "reset") == 0) {
        if (!cli->stream || !!cli->since == !!cli->full || cli->once)
            return usage_error("usage:", "reset --stream NAME (--since TS | --full)");
    } else {
        return usage_error("unknown command", c);
    }
    return -1;
}

static int cmd_schema(const stream_set_t *set)
{
    printf("%s\n", envelope_schema_json(set->items[0].es));
    return 0;
}

static int cmd_reset(const tm_config_t *conf, const cli_t *cli)
{
    int64_t since = 0;
    char err[256];
    if (cli->since && isotime_parse(cli->since, &since, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "tidemark-producer: --since %s: %s\n", cli->since, err);
        return EXIT_USAGE;
    }
    return follow_reset(conf, cli->stream, cli->since != NULL, since);
}

static int dispatch(const tm_config_t *conf, const cli_t *cli)
{
    if (strcmp(cli->command, "status") == 0) {
        if (cli->stream && !config_stream(conf, cli->stream))
            return usage_error("unknown stream", cli->stream);
        return status_command(conf, cli->stream, stdout);
    }
    if (strcmp(cli->command, "reset") == 0) {
        if (!config_stream(conf, cli->stream))
            return usage_error("unknown stream", cli->stream);
        return cmd_reset(conf, cli);
    }
    /* run and schema need the schemas: a bad one is a configuration error */
    stream_set_t set = {0};
    char err[1024];
    if (stream_set_load(conf, cli->stream, &set, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    int rc;
    if (strcmp(cli->command, "schema") == 0) {
        rc = cmd_schema(&set);
    } else {
        run_cmd_opts_t opts = {
            .once = cli->once, .full = cli->full, .allow_mass_delete = cli->allow_mass_delete};
        signals_install();
        rc = follow_run(conf, &set, &opts);
    }
    stream_set_clear(&set);
    return rc;
}

int main(int argc, char **argv)
{
    cli_t cli = {0};
    int rc = parse_cli(argc, argv, &cli);
    if (rc < 0)
        rc = check_cli(&cli);
    if (rc >= 0)
        return rc;
    tm_config_t *conf = NULL;
    char err[1024];
    if (config_load(config_default_path(cli.config), &conf, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    log_setup((log_level_t)conf->log_level, conf->log_format == LOG_FORMAT_JSON);
    rc = dispatch(conf, &cli);
    config_destroy(conf);
    return rc;
}
