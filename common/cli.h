/*
 * cli.h - the command line of both programs, one skeleton: global
 * options, a table of commands, each with its own options, parsed by
 * getopt_long.
 *
 *   PROGRAM [-c FILE] [-h|--help] [-V|--version] COMMAND [OPTIONS]
 *
 * Options, global or the command's, may stand before or after COMMAND
 * ("tidemark-worker run -c FILE" reads FILE); "--name VALUE" and
 * "--name=VALUE" are the same; "--" ends the options. --help (with a
 * command: that command's help) and --version win over anything else on
 * the line and need no configuration file.
 *
 * Owns: the command-line grammar, the usage texts built from the tables,
 * and the start-up sequence of cli_main() (parse, check, load the
 * configuration when the command needs it, log_setup, dispatch).
 *
 * Main thread only: getopt_long keeps global state (cli_parse resets it,
 * so it may be called again and again, as the unit tests do).
 *
 * Failures: bad usage (unknown option or command, missing value, an
 * option the command does not take, a command's own check) is exit
 * status 2 with one line naming the problem and the usage on stderr; a
 * configuration error is exit 2 with one line naming file:line and key.
 * The handler's status is the program's.
 *
 * Where to add a command: its options in a cli_option_t table (whose
 * index the handler uses in cli_args_t.value), its texts in a cli_help_t,
 * one cli_command_t row naming them, listed in the program's table in
 * main.c.
 */
#ifndef TIDEMARK_CLI_H
#define TIDEMARK_CLI_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define CLI_EXIT_USAGE  2
#define CLI_MAX_OPTIONS 16 /* options of one command */

/* One option of a command; a table ends with a NULL name. */
typedef struct cli_option {
    const char *name;    /* long name without "--" */
    const char *metavar; /* NULL: a flag; else it takes a value, shown as this */
    const char *help;    /* one line of the command's --help */
} cli_option_t;

struct cli_command;

/* What cli_parse found. value[i] and count[i] are for the command's option
 * i: its value ("" for a flag), NULL when absent; 1 when given, 0 when
 * not (an option given twice, or cut short to a prefix of its name, is
 * bad usage). Values point into argv. */
typedef struct cli_args {
    const struct cli_command *command; /* NULL: none named (or unknown) */
    const char *config_path;           /* -c/--config; NULL: the default */
    int help, version;
    const char *value[CLI_MAX_OPTIONS];
    int count[CLI_MAX_OPTIONS];
} cli_args_t;

/* Runs the command. conf is NULL for a command that does not need one.
 * Returns the exit status. */
typedef int (*cli_handler_fn)(const tm_config_t *conf, const cli_args_t *args);

/* Checks the combination of options before the configuration is read: 0,
 * or -1 with errstr (bad usage). */
typedef int (*cli_check_fn)(const cli_args_t *args, char *errstr, size_t errstr_size);

/* What --help says of a command. */
typedef struct cli_help {
    const char *summary;     /* one line in the program's usage */
    const char *synopsis;    /* the options after the name, for its usage; NULL: none */
    const char *description; /* paragraph of COMMAND --help; may be NULL */
} cli_help_t;

typedef enum {
    CLI_NO_CONFIG,   /* the handler gets conf NULL */
    CLI_NEEDS_CONFIG /* loaded (and checked) before the handler runs */
} cli_config_use_t;

/* A command: one row of the program's table, in this order, e.g.
 *   {"run", run_command, run_options, run_check, CLI_NEEDS_CONFIG, &run_help}, */
typedef struct cli_command {
    const char *name;
    cli_handler_fn handler;
    const cli_option_t *options; /* NULL: none */
    cli_check_fn check;          /* NULL: any combination of its options */
    cli_config_use_t config;
    const cli_help_t *help;
} cli_command_t;

typedef struct cli_program {
    const char *name;              /* "tidemark-worker" */
    const char *description;       /* paragraph of --help */
    const cli_command_t *commands; /* its table */
    size_t n_commands;
    /* What this program needs of a loaded configuration (NULL: nothing):
     * 0, or -1 with errstr (a configuration error). */
    int (*check_config)(const tm_config_t *conf, char *errstr, size_t errstr_size);
} cli_program_t;

/*
 * Parses argv (argv[0] is the program). Returns 0, or -1 with errstr and
 * out->command set when the command was recognised (for its usage). With
 * --help or --version anywhere, 0 whatever else is wrong. getopt_long may
 * permute argv.
 */
int cli_parse(const cli_program_t *prog, int argc, char **argv, cli_args_t *out, char *errstr,
              size_t errstr_size) TM_WARN_UNUSED;

/* The program's usage (cmd NULL) or the command's. */
void cli_usage(const cli_program_t *prog, const cli_command_t *cmd, FILE *out);

/* "PROGRAM: why" and the usage on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_program_t *prog, const cli_command_t *cmd, const char *why);

/* Parses a decimal integer in [min, max] (the whole string, an option's
 * value). 0, or -1. */
int cli_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out) TM_WARN_UNUSED;

/* The whole start-up: see the header comment. Returns the exit status. */
int cli_main(const cli_program_t *prog, int argc, char **argv);

#endif
