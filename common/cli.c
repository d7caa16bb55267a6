/*
 * cli.c - see cli.h.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "log.h"
#include "version.h"

#define OPT_BASE     256 /* getopt_long's val of a command option: OPT_BASE + its index */
#define MAX_LONGOPTS 64  /* the options of all commands of a program, without repeats */
#define MAX_SEEN     64  /* command options on one command line */

static const char config_help[] =
    "configuration file (default: $TIDEMARK_CONFIG, else ./tidemark.conf)";

/* The global options, then every command's, each name once: getopt_long
 * reads them all, and which command takes which is checked once the
 * command is known (it may come after its options). */
typedef struct option_set {
    struct option opts[MAX_LONGOPTS + 1];
    size_t n;
} option_set_t;

/* One command option as given. */
typedef struct seen_option {
    const char *name;
    const char *value;
} seen_option_t;

/* The parser's working state. */
typedef struct parse_state {
    cli_args_t *out;
    const char *command_name;
    seen_option_t seen[MAX_SEEN];
    size_t n_seen;
    char *err; /* the first error wins */
    size_t err_size;
    int failed;
} parse_state_t;

TM_PRINTF(2, 3) static void note_error(parse_state_t *st, const char *fmt, ...);

static int add_option(option_set_t *set, const cli_option_t *o, char *errstr, size_t errstr_size)
{
    int has_arg = o->metavar ? required_argument : no_argument;
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->opts[i].name, o->name) != 0)
            continue;
        if (set->opts[i].has_arg == has_arg)
            return 0;
        errstr_set(errstr, errstr_size, "option --%s takes a value in one command only", o->name);
        return -1;
    }
    if (set->n >= MAX_LONGOPTS) {
        errstr_set(errstr, errstr_size, "too many options (at most %d)", MAX_LONGOPTS);
        return -1;
    }
    set->opts[set->n] = (struct option){o->name, has_arg, NULL, OPT_BASE + (int)set->n};
    set->n++;
    return 0;
}

static int build_options(const cli_program_t *prog, option_set_t *set, char *errstr,
                         size_t errstr_size)
{
    static const cli_option_t globals[] = {
        {"config", "FILE", NULL}, {"help", NULL, NULL}, {"version", NULL, NULL}};
    static const int global_vals[] = {'c', 'h', 'V'};

    memset(set, 0, sizeof(*set));
    for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
        if (add_option(set, &globals[i], errstr, errstr_size) < 0)
            return -1;
        set->opts[i].val = global_vals[i];
    }
    for (size_t c = 0; c < prog->n_commands; c++) {
        const cli_option_t *o = prog->commands[c].options;
        for (size_t i = 0; o && o[i].name; i++) {
            if (i >= CLI_MAX_OPTIONS) {
                errstr_set(errstr, errstr_size, "%s: too many options (at most %d)",
                           prog->commands[c].name, CLI_MAX_OPTIONS);
                return -1;
            }
            if (add_option(set, &o[i], errstr, errstr_size) < 0)
                return -1;
        }
    }
    return 0;
}

static void note_error(parse_state_t *st, const char *fmt, ...)
{
    if (st->failed++)
        return;
    va_list ap;
    va_start(ap, fmt);
    char why[256];
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    errstr_set(st->err, st->err_size, "%s", why);
}

static void positional(parse_state_t *st, const char *arg)
{
    if (st->command_name)
        note_error(st, "unexpected argument '%s'", arg);
    else
        st->command_name = arg;
}

/* The text of the option getopt_long just refused: "--name" or "-x". */
static void refused_option(const option_set_t *set, const char *arg, char *buf, size_t size)
{
    if (optopt >= OPT_BASE && (size_t)(optopt - OPT_BASE) < set->n)
        snprintf(buf, size, "--%s", set->opts[optopt - OPT_BASE].name);
    else if (strncmp(arg, "--", 2) == 0)
        snprintf(buf, size, "%.*s", (int)strcspn(arg, "="), arg);
    else
        snprintf(buf, size, "-%c", optopt);
}

static void one_option(parse_state_t *st, const option_set_t *set, char **argv, int c)
{
    const char *arg = argv[optind - 1];
    char name[128];

    switch (c) {
    case 1:
        positional(st, optarg);
        return;
    case 'c':
        if (st->out->config_path) /* the last would win: another file's */
            note_error(st, "--config given twice");
        st->out->config_path = optarg;
        return;
    case 'h':
        st->out->help = 1;
        return;
    case 'V':
        st->out->version = 1;
        return;
    case ':':
        refused_option(set, arg, name, sizeof(name));
        note_error(st, "option '%s' needs a value", name);
        return;
    case '?':
        refused_option(set, arg, name, sizeof(name));
        /* a long option known to getopt_long but given "=VALUE" */
        if (optopt != 0 && strncmp(arg, "--", 2) == 0)
            note_error(st, "option '%s' takes no value", name);
        else
            note_error(st, "unknown option '%s'", name);
        return;
    default:
        if (st->n_seen >= MAX_SEEN || c < OPT_BASE) {
            note_error(st, "too many options");
            return;
        }
        st->seen[st->n_seen++] = (seen_option_t){set->opts[c - OPT_BASE].name, optarg};
    }
}

/* Whether arg, the text getopt_long matched to long option name, is
 * that name cut short ("--all" for --allow-mass-delete): getopt_long
 * takes any unique prefix, so a mistyped or half-remembered option turned
 * on another one without a word. */
static int abbreviated(const char *arg, const char *name)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    size_t n = strcspn(arg + 2, "=");
    return n != strlen(name) || strncmp(arg + 2, name, n) != 0;
}

static const cli_command_t *find_command(const cli_program_t *prog, const char *name)
{
    for (size_t i = 0; name && i < prog->n_commands; i++)
        if (strcmp(prog->commands[i].name, name) == 0)
            return &prog->commands[i];
    return NULL;
}

/* Gives each option seen to the command's table. */
static void assign_options(parse_state_t *st)
{
    const cli_command_t *cmd = st->out->command;
    for (size_t k = 0; k < st->n_seen; k++) {
        size_t i = 0;
        while (cmd->options && cmd->options[i].name &&
               strcmp(cmd->options[i].name, st->seen[k].name) != 0)
            i++;
        if (!cmd->options || !cmd->options[i].name) {
            note_error(st, "%s does not take --%s", cmd->name, st->seen[k].name);
            continue;
        }
        /* the last one would win, and a stream named before it be dropped
         * without a word */
        if (st->out->count[i]) {
            note_error(st, "--%s given twice", st->seen[k].name);
            continue;
        }
        st->out->value[i] = st->seen[k].value ? st->seen[k].value : "";
        st->out->count[i]++;
    }
}

int cli_parse(const cli_program_t *prog, int argc, char **argv, cli_args_t *out, char *errstr,
              size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    option_set_t set;
    if (build_options(prog, &set, errstr, errstr_size) < 0)
        return -1;
    parse_state_t st = {.out = out, .err = errstr, .err_size = errstr_size};
    /* '-': operands come back in order as 1; ':': a missing value as ':' */
    optind = 0;
    opterr = 0;
    int c, at, li;
    /* at: where the element getopt_long reads starts (optind 0 is its
     * first call, which reads argv[1]); li: the long option it matched */
    while ((at = optind ? optind : 1, li = -1,
            c = getopt_long(argc, argv, "-:c:hV", set.opts, &li)) != -1) {
        if (li >= 0 && c != '?' && c != ':' && at < argc &&
            abbreviated(argv[at], set.opts[li].name))
            note_error(&st, "unknown option '%.*s' (options are not abbreviated: --%s?)",
                       (int)strcspn(argv[at], "="), argv[at], set.opts[li].name);
        else
            one_option(&st, &set, argv, c);
    }
    for (; optind < argc; optind++) /* after "--" */
        positional(&st, argv[optind]);
    out->command = find_command(prog, st.command_name);
    if (out->help || out->version)
        return 0;
    if (st.command_name && !out->command)
        note_error(&st, "unknown command '%s'", st.command_name);
    else if (!st.command_name)
        note_error(&st, "missing command");
    if (out->command)
        assign_options(&st);
    return st.failed ? -1 : 0;
}

int cli_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || !strchr("+-0123456789", *s))
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* The command's texts; none when it has no cli_help_t. */
static const cli_help_t *help_of(const cli_command_t *cmd)
{
    static const cli_help_t none = {"", NULL, NULL};
    return cmd->help ? cmd->help : &none;
}

static void print_program_usage(const cli_program_t *prog, FILE *out)
{
    int width = 0;
    for (size_t i = 0; i < prog->n_commands; i++) {
        int n = (int)strlen(prog->commands[i].name);
        width = n > width ? n : width;
    }
    fprintf(out, "usage: %s [-c FILE] [--help] [--version] COMMAND [OPTIONS]\n\n", prog->name);
    if (prog->description)
        fprintf(out, "%s\n\n", prog->description);
    fprintf(out, "commands:\n");
    for (size_t i = 0; i < prog->n_commands; i++)
        fprintf(out, "  %-*s  %s\n", width, prog->commands[i].name,
                help_of(&prog->commands[i])->summary);
    fprintf(out,
            "\n"
            "COMMAND --help describes a command.\n"
            "\n"
            "options (before or after COMMAND):\n"
            "  -c, --config FILE  %s\n"
            "  -h, --help         this help\n"
            "  -V, --version      print the version\n",
            config_help);
}

static void print_command_usage(const cli_program_t *prog, const cli_command_t *cmd, FILE *out)
{
    const cli_help_t *help = help_of(cmd);
    fprintf(out, "usage: %s [-c FILE] %s%s%s\n", prog->name, cmd->name, help->synopsis ? " " : "",
            help->synopsis ? help->synopsis : "");
    if (help->description)
        fprintf(out, "\n%s\n", help->description);
    int width = (int)strlen("-c, --config FILE");
    for (size_t i = 0; cmd->options && cmd->options[i].name; i++) {
        const cli_option_t *o = &cmd->options[i];
        int n = 2 + (int)strlen(o->name) + (o->metavar ? 1 + (int)strlen(o->metavar) : 0);
        width = n > width ? n : width;
    }
    fprintf(out, "\noptions:\n");
    for (size_t i = 0; cmd->options && cmd->options[i].name; i++) {
        const cli_option_t *o = &cmd->options[i];
        char spec[128];
        snprintf(spec, sizeof(spec), "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(out, "  %-*s  %s\n", width, spec, o->help);
    }
    fprintf(out, "  %-*s  %s\n", width, "-c, --config FILE", config_help);
    fprintf(out, "  %-*s  %s\n", width, "-h, --help", "this help");
}

void cli_usage(const cli_program_t *prog, const cli_command_t *cmd, FILE *out)
{
    if (cmd)
        print_command_usage(prog, cmd, out);
    else
        print_program_usage(prog, out);
}

int cli_usage_error(const cli_program_t *prog, const cli_command_t *cmd, const char *why)
{
    fprintf(stderr, "%s: %s%s%s\n", prog->name, cmd ? cmd->name : "", cmd ? ": " : "", why);
    cli_usage(prog, cmd, stderr);
    return CLI_EXIT_USAGE;
}

/* Loads the configuration and checks what the program needs of it. NULL
 * after printing the error. */
static tm_config_t *load_config(const cli_program_t *prog, const char *cli_path)
{
    const char *path = config_default_path(cli_path);
    tm_config_t *conf = NULL;
    char err[1024];

    if (config_load(path, &conf, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    if (prog->check_config && prog->check_config(conf, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        config_destroy(conf);
        return NULL;
    }
    return conf;
}

static int run_command(const cli_program_t *prog, int argc, char **argv)
{
    cli_args_t args;
    char err[512];

    if (cli_parse(prog, argc, argv, &args, err, sizeof(err)) < 0)
        return cli_usage_error(prog, args.command, err);
    if (args.version) {
        printf("%s %s\n", prog->name, TIDEMARK_VERSION);
        return 0;
    }
    if (args.help) {
        cli_usage(prog, args.command, stdout);
        return 0;
    }
    const cli_command_t *cmd = args.command;
    if (cmd->check && cmd->check(&args, err, sizeof(err)) < 0)
        return cli_usage_error(prog, cmd, err);
    tm_config_t *conf = NULL;
    if (cmd->config == CLI_NEEDS_CONFIG) {
        if (!(conf = load_config(prog, args.config_path)))
            return CLI_EXIT_USAGE;
        log_setup((log_level_t)conf->log_level, conf->log_format == LOG_FORMAT_JSON);
    }
    int rc = cmd->handler(conf, &args);
    config_destroy(conf);
    return rc;
}

/* Output a command exists for (`schema --stream` saved as a file, a
 * status read by a script) is only done once written: a full disk or a
 * closed stdout made an empty file and exit 0. */
static int stdout_written(const cli_program_t *prog, int rc)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    fprintf(stderr, "%s: cannot write standard output: %s\n", prog->name,
            errno ? strerror(errno) : "write error");
    return rc ? rc : 1;
}

int cli_main(const cli_program_t *prog, int argc, char **argv)
{
    return stdout_written(prog, run_command(prog, argc, argv));
}
