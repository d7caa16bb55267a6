/*
 * reset_offsets.c - see reset_offsets.h.
 */
#include "reset_offsets.h"

#include "errstr.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "groupprobe.h"
#include "bookkeeping.h"
#include "isotime.h"
#include "log.h"
#include "offsets.h"
#include "topics.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE   2

/* How long, and how often, a topic the cluster does not know is asked
 * for again (read_partitions()). */
#define RESET_TOPIC_WAIT_MS 10000
#define RESET_TOPIC_POLL_MS 250

enum {
    OPT_STREAM,
    OPT_RUNS,
    OPT_TO_EARLIEST,
    OPT_TO_LATEST,
    OPT_TO_DATETIME,
    OPT_TO_OFFSET,
    OPT_PARTITION,
    OPT_EXECUTE
};
const cli_option_t reset_offsets_options[] = {
    [OPT_STREAM] = {"stream", "NAME", "the stream whose topic's offsets move"},
    [OPT_RUNS] = {"runs", NULL, "the run records' topic's (<prefix>.sync-runs) instead"},
    [OPT_TO_EARLIEST] = {"to-earliest", NULL, "each partition's first message kept"},
    [OPT_TO_LATEST] = {"to-latest", NULL, "each partition's end (skip what is there)"},
    [OPT_TO_DATETIME] = {"to-datetime", "TS",
                         "first message at or after TS (ISO-8601, from 1970); none: the end"},
    [OPT_TO_OFFSET] = {"to-offset", "N", "N, brought into the partition's range"},
    [OPT_PARTITION] = {"partition", "P", "only partition P"},
    [OPT_EXECUTE] = {"execute", NULL, "apply the plan (without: print it only)"},
    {NULL, NULL, NULL}};

/* The value of --to-datetime, --to-offset or --partition. 0, or -1 with
 * errstr. */
static int parse_value(int opt, const char *v, reset_args_t *a, char *errstr, size_t errstr_size)
{
    char why[128];
    int64_t n;

    if (opt == OPT_TO_DATETIME) {
        if (isotime_parse(v, &a->ts_ms, NULL, why, sizeof(why)) < 0) {
            errstr_set(errstr, errstr_size, "--to-datetime '%s': %s", v, why);
            return -1;
        }
        /* ListOffsets reads a negative time as a special one (-1 the
         * end, -2 the start): a TS just before 1970 would move every
         * partition to its end */
        if (a->ts_ms < 0) {
            errstr_set(errstr, errstr_size,
                       "--to-datetime '%s': before 1970-01-01T00:00:00Z, where Kafka's "
                       "message timestamps start; use --to-earliest",
                       v);
            return -1;
        }
        return 0;
    }
    if (opt == OPT_TO_OFFSET) {
        if (cli_parse_int64(v, 0, INT64_MAX, &a->offset) == 0)
            return 0;
        errstr_set(errstr, errstr_size, "--to-offset '%s': not an offset (0 or more)", v);
        return -1;
    }
    if (cli_parse_int64(v, 0, INT32_MAX, &n) < 0) {
        errstr_set(errstr, errstr_size, "--partition '%s': not a partition (0 or more)", v);
        return -1;
    }
    a->partition = (int32_t)n;
    return 0;
}

/* Exactly one --to-*, given once: sets a->to. 0, or -1 with errstr. */
static int parse_target(const cli_args_t *args, reset_args_t *a, char *errstr, size_t errstr_size)
{
    static const struct {
        int opt;
        reset_to_t to;
    } targets[] = {{OPT_TO_EARLIEST, RESET_TO_EARLIEST},
                   {OPT_TO_LATEST, RESET_TO_LATEST},
                   {OPT_TO_DATETIME, RESET_TO_DATETIME},
                   {OPT_TO_OFFSET, RESET_TO_OFFSET}};
    int given = 0;

    for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
        given += args->count[targets[k].opt];
        if (args->count[targets[k].opt])
            a->to = targets[k].to;
    }
    if (given != 1) {
        errstr_set(errstr, errstr_size,
                   "give one of --to-earliest, --to-latest, --to-datetime, --to-offset");
        return -1;
    }
    if (a->to == RESET_TO_DATETIME || a->to == RESET_TO_OFFSET)
        return parse_value(
            a->to == RESET_TO_DATETIME ? OPT_TO_DATETIME : OPT_TO_OFFSET,
            args->value[a->to == RESET_TO_DATETIME ? OPT_TO_DATETIME : OPT_TO_OFFSET], a, errstr,
            errstr_size);
    return 0;
}

int reset_args_from_cli(const cli_args_t *args, reset_args_t *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    out->partition = -1;
    out->stream = args->value[OPT_STREAM];
    out->runs = args->count[OPT_RUNS];
    if (out->runs && out->stream) {
        errstr_set(errstr, errstr_size, "give --stream NAME or --runs, not both");
        return -1;
    }
    if (!out->stream && !out->runs) {
        errstr_set(errstr, errstr_size, "--stream NAME is required (or --runs)");
        return -1;
    }
    if (out->stream && !*out->stream) {
        errstr_set(errstr, errstr_size, "--stream needs a value");
        return -1;
    }
    out->execute = args->count[OPT_EXECUTE];
    if (parse_target(args, out, errstr, errstr_size) < 0)
        return -1;
    if (args->value[OPT_PARTITION])
        return parse_value(OPT_PARTITION, args->value[OPT_PARTITION], out, errstr, errstr_size);
    return 0;
}

int reset_offsets_check(const cli_args_t *args, char *errstr, size_t errstr_size)
{
    reset_args_t a;
    return reset_args_from_cli(args, &a, errstr, errstr_size);
}

void reset_plan_target(const reset_args_t *a, reset_part_t *p)
{
    p->clamped = 0;
    switch (a->to) {
    case RESET_TO_EARLIEST:
        p->target = p->low;
        break;
    case RESET_TO_DATETIME:
        /* no message at or after TS: nothing to replay, go to the end */
        p->target = p->by_time >= 0 ? p->by_time : p->high;
        break;
    case RESET_TO_OFFSET:
        p->target = a->offset;
        if (p->target < p->low || p->target > p->high) {
            p->target = p->target < p->low ? p->low : p->high;
            p->clamped = 1;
        }
        break;
    case RESET_TO_LATEST:
    case RESET_TO_NONE:
    default:
        p->target = p->high;
        break;
    }
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

void reset_plan_print(FILE *out, const char *group, const char *topic, const reset_part_t *parts,
                      size_t n)
{
    int gw = max_int(5, (int)strlen(group)), tw = max_int(5, (int)strlen(topic));
    char cur[24];
    size_t i;

    fprintf(out, "%-*s  %-*s  %9s  %14s  %10s\n", gw, "GROUP", tw, "TOPIC", "PARTITION",
            "CURRENT-OFFSET", "NEW-OFFSET");
    for (i = 0; i < n; i++) {
        const reset_part_t *p = &parts[i];

        if (p->current >= 0)
            snprintf(cur, sizeof(cur), "%" PRId64, p->current);
        else
            snprintf(cur, sizeof(cur), "-");
        fprintf(out, "%-*s  %-*s  %9" PRId32 "  %14s  %10" PRId64 "\n", gw, group, tw, topic,
                p->partition, cur, p->target);
    }
}

/* ---------------------------------------------------------- the command */

/* A partition whose stored offset lies below its log start lost events
 * the group never applied: moving the offset does not bring them back. */
static void print_events_lost(FILE *out, const reset_part_t *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i].current >= 0 && parts[i].current < parts[i].low)
            fprintf(out,
                    "partition %" PRId32 ": offsets %" PRId64 "-%" PRId64
                    " were removed (retention) before this group applied them; the records "
                    "they carried stay missing from the table until `tidemark-producer run "
                    "--once --full` publishes every record again\n",
                    parts[i].partition, parts[i].current, parts[i].low - 1);
}

typedef struct reset_run {
    const tm_config_t *conf;
    const reset_args_t *args;
    char topic[256];
    groupprobe_t *ak;
    pg_t *pg;
    reset_part_t *parts;
    int32_t *ids;     /* partition ids of parts, for the batch calls */
    int64_t *targets; /* targets of parts, likewise */
    size_t n;
    /* partitions with a stored offset that the topic no longer has (it
     * was deleted and made again with fewer), and those offsets */
    int32_t *gone;
    int64_t *gone_offsets;
    size_t n_gone;
} reset_run_t;

static void log_failure(const char *msg, const char *err)
{
    char q[1100];

    log_error(msg, "error=%s", log_quote(q, sizeof(q), err));
}

/* Keeps only --partition's partition of r->ids. 0, or -1 (bad usage). */
static int select_partition(reset_run_t *r)
{
    size_t i;

    if (r->args->partition < 0)
        return 0;
    for (i = 0; i < r->n; i++)
        if (r->ids[i] == r->args->partition) {
            r->ids[0] = r->ids[i];
            r->n = 1;
            return 0;
        }
    fprintf(stderr,
            "tidemark-worker: reset-offsets: topic %s has no "
            "partition %" PRId32 " (it has %zu)\n",
            r->topic, r->args->partition, r->n);
    return -1;
}

/*
 * The topic's partitions into r->ids. A topic made just before, as the
 * README tells operators to do after deleting one, may be unknown to the
 * broker that answers for a moment (UNKNOWN_TOPIC_OR_PART): asked again
 * for RESET_TOPIC_WAIT_MS before it fails, so that the remedy does not
 * fail as often as not. 0, or -1 (logged).
 */
static int read_partitions(reset_run_t *r)
{
    char err[512];
    int64_t give_up = isotime_monotonic_ms() + RESET_TOPIC_WAIT_MS;

    for (int said = 0;; said = 1) {
        int rc = groupprobe_partitions(r->ak, r->topic, &r->ids, &r->n, err, sizeof(err));
        if (rc >= 0)
            return 0;
        if (rc != GROUPPROBE_NO_TOPIC) {
            log_failure("cannot read the topic's partitions", err);
            return -1;
        }
        if (isotime_monotonic_ms() >= give_up) {
            char q[1100];
            log_error("cannot read the topic's partitions: the cluster does not know the topic",
                      "waited_ms=%d error=%s", RESET_TOPIC_WAIT_MS, log_quote(q, sizeof(q), err));
            return -1;
        }
        if (!said)
            log_info("the cluster does not know the topic yet: asking again", "topic=%s for_ms=%d",
                     r->topic, RESET_TOPIC_WAIT_MS);
        if (backoff_sleep_ms(RESET_TOPIC_POLL_MS) != 0)
            return -1; /* stopped */
    }
}

/* Partitions and watermarks (and offsets by time) from Kafka. Returns an
 * exit status (0: go on). */
static int query_kafka(reset_run_t *r)
{
    char err[512];
    size_t i;

    if (read_partitions(r) != 0)
        return EXIT_RUNTIME;
    if (select_partition(r) < 0)
        return EXIT_USAGE;
    r->parts = calloc(r->n, sizeof(*r->parts));
    r->targets = calloc(r->n, sizeof(*r->targets));
    if (!r->parts || !r->targets) {
        log_failure("cannot plan the reset", "out of memory");
        return EXIT_RUNTIME;
    }
    for (i = 0; i < r->n; i++) {
        r->parts[i].partition = r->ids[i];
        r->parts[i].by_time = -1;
        if (groupprobe_watermarks(r->ak, r->topic, r->ids[i], &r->parts[i].low, &r->parts[i].high,
                                  err, sizeof(err)) < 0) {
            log_failure("cannot read the partition's watermarks", err);
            return EXIT_RUNTIME;
        }
    }
    return 0;
}

static int query_times(reset_run_t *r)
{
    int64_t *by_time = r->targets; /* scratch until the plan is made */
    char err[512];
    size_t i;

    if (r->args->to != RESET_TO_DATETIME)
        return 0;
    if (groupprobe_offsets_for_time(r->ak, r->topic, r->ids, r->n, r->args->ts_ms, by_time, err,
                                    sizeof(err)) < 0) {
        log_failure("cannot look up offsets by time", err);
        return EXIT_RUNTIME;
    }
    for (i = 0; i < r->n; i++)
        r->parts[i].by_time = by_time[i];
    return 0;
}

/* Whether the topic has partition (r->ids: all of them without
 * --partition). */
static int topic_has(const reset_run_t *r, int32_t partition)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->ids[i] == partition)
            return 1;
    return 0;
}

/*
 * The stored offsets of partitions the topic no longer has (a topic
 * deleted and made again with fewer): a replay must delete them, or when
 * the topic grows back to that many partitions, the worker takes the old
 * offsets for the new partitions' and skips their first events without a
 * word. Not with --partition. Returns an exit status (0: go on).
 */
static int find_gone(reset_run_t *r, const stored_offsets_t *so)
{
    if (r->args->partition >= 0)
        return 0;
    r->gone = calloc(so->n ? so->n : 1, sizeof(*r->gone));
    r->gone_offsets = calloc(so->n ? so->n : 1, sizeof(*r->gone_offsets));
    if (!r->gone || !r->gone_offsets) {
        log_failure("cannot plan the reset", "out of memory");
        return EXIT_RUNTIME;
    }
    for (size_t i = 0; i < so->n; i++) {
        const stored_offset_t *o = &so->items[i];
        if (strcmp(o->topic, r->topic) == 0 && !topic_has(r, o->partition)) {
            r->gone[r->n_gone] = o->partition;
            r->gone_offsets[r->n_gone++] = o->next_offset;
        }
    }
    return 0;
}

/* The plan's lines for the stored offsets find_gone() found. */
static void print_gone(FILE *out, const reset_run_t *r)
{
    for (size_t i = 0; i < r->n_gone; i++)
        fprintf(out,
                "partition %" PRId32 ": the topic no longer has it (it has %zu); its stored offset "
                "%" PRId64 " is deleted, so that a partition %" PRId32
                " made later is read from its start\n",
                r->gone[i], r->n, r->gone_offsets[i], r->gone[i]);
}

/* Stored offsets (none when the tables do not exist yet). */
static int read_current(reset_run_t *r)
{
    stored_offsets_t so = {NULL, 0};
    char err[512];
    int present = 0;
    pg_status_t st;
    size_t i;

    st = bookkeeping_open(r->pg, r->args->execute, &present, err, sizeof(err));
    if (st == PG_OK && present)
        st = offsets_read_group(r->pg, r->conf->group_id, &so, err, sizeof(err));
    if (st != PG_OK) {
        log_failure("cannot read the stored offsets", err);
        return EXIT_RUNTIME;
    }
    for (i = 0; i < r->n; i++)
        r->parts[i].current = offsets_lookup(&so, r->topic, r->ids[i]);
    int rc = find_gone(r, &so);
    offsets_clear(&so);
    return rc;
}

static void make_plan(reset_run_t *r)
{
    char q[64];
    size_t i;

    for (i = 0; i < r->n; i++) {
        reset_part_t *p = &r->parts[i];

        reset_plan_target(r->args, p);
        r->targets[i] = p->target;
        if (p->clamped)
            log_warn("offset outside the partition's range; using its "
                     "nearest end",
                     "topic=%s partition=%" PRId32 " offset=%" PRId64 " low=%" PRId64
                     " high=%" PRId64 " new_offset=%" PRId64,
                     log_quote(q, sizeof(q), r->topic), p->partition, r->args->offset, p->low,
                     p->high, p->target);
    }
}

/* Writes the plan: the database first (the truth), then Kafka. */
static int execute(reset_run_t *r)
{
    char err[512], q[300];

    if (bookkeeping_write_offsets(r->pg, r->conf->group_id, r->topic, r->ids, r->targets, r->n,
                                  r->gone, r->n_gone, err, sizeof(err)) != PG_OK) {
        log_failure("cannot write the new offsets; nothing changed", err);
        return EXIT_RUNTIME;
    }
    log_info("stored offsets reset", "group=%s topic=%s partitions=%zu deleted=%zu",
             log_quote(q, sizeof(q), r->conf->group_id), r->topic, r->n, r->n_gone);
    if (groupprobe_commit(r->ak, r->topic, r->ids, r->targets, r->n, err, sizeof(err)) < 0)
        log_warn("Kafka's group offsets not committed (a broker refuses "
                 "a commit from outside the group while it has members); "
                 "the workers' next commit brings them in step",
                 "error=%s", log_quote(q, sizeof(q), err));
    else
        log_info("Kafka group offsets committed", "topic=%s partitions=%zu", r->topic, r->n);
    return 0;
}

static int run_reset(reset_run_t *r)
{
    char err[512];
    int rc;

    if (!(r->ak = groupprobe_new(r->conf, err, sizeof(err)))) {
        log_failure("cannot create the Kafka client", err);
        return EXIT_RUNTIME;
    }
    if (!(r->pg = pg_new(r->conf->pg_conninfo))) {
        log_failure("cannot create the PostgreSQL client", "out of memory");
        return EXIT_RUNTIME;
    }
    /* the offsets it writes may be locked (a worker's batch in a lock
     * wait, a user's transaction): an error after that long, not a wait
     * for ever */
    pg_set_lock_timeout(r->pg, r->conf->pg_lock_timeout_ms);
    if ((rc = query_kafka(r)) || (rc = query_times(r)) || (rc = read_current(r)))
        return rc;
    make_plan(r);
    reset_plan_print(stdout, r->conf->group_id, r->topic, r->parts, r->n);
    print_events_lost(stdout, r->parts, r->n);
    print_gone(stdout, r);
    fflush(stdout);
    if (!r->args->execute) {
        log_info("plan only: nothing changed; add --execute to apply it", "partitions=%zu", r->n);
        return 0;
    }
    return execute(r);
}

int reset_offsets_command(const tm_config_t *conf, const cli_args_t *cli)
{
    reset_args_t args;
    char err[512];

    if (reset_args_from_cli(cli, &args, err, sizeof(err)) < 0) {
        fprintf(stderr, "tidemark-worker: reset-offsets: %s\n", err);
        return EXIT_USAGE;
    }
    if (!args.runs && !config_stream(conf, args.stream)) {
        fprintf(stderr, "tidemark-worker: reset-offsets: %s: no stream '%s'\n", conf->path,
                args.stream);
        return EXIT_USAGE;
    }
    reset_run_t r;
    memset(&r, 0, sizeof(r));
    r.conf = conf;
    r.args = &args;
    if (args.runs)
        topic_sync_runs(conf, r.topic, sizeof(r.topic));
    else
        topic_for_stream(conf, args.stream, r.topic, sizeof(r.topic));
    int rc = run_reset(&r);
    groupprobe_destroy(r.ak);
    pg_destroy(r.pg);
    free(r.parts);
    free(r.ids);
    free(r.targets);
    free(r.gone);
    free(r.gone_offsets);
    return rc;
}

const cli_help_t reset_offsets_help = {
    .summary = "replay: move the group's stored offsets (a plan without --execute)",
    .synopsis = "(--stream NAME | --runs)\n"
                "         (--to-earliest | --to-latest | --to-datetime TS | --to-offset N)\n"
                "         [--partition P] [--execute]",
    .description = "Moves the consumer group's stored offsets (sync_offsets) of the\n"
                   "stream's topic (or with --runs of <prefix>.sync-runs, the run\n"
                   "records'), and Kafka's group offsets with them: a replay.\n"
                   "Prints the plan; changes nothing without --execute. Running\n"
                   "workers follow at their next batch."};
