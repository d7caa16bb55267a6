/*
 * status.c - see status.h.
 */
#include "duration.h"
#include "errstr.h"
#include "status.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "groupprobe.h"
#include "bookkeeping.h"
#include "log.h"
#include "offsets.h"
#include "topics.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE   2

/* The STREAM column of the run records' topic's partitions: no stream's
 * name (those are letters, digits, '.', '_' and '-'). */
#define RUNS_LABEL "(runs)"

enum { OPT_MAX_STALENESS };
const cli_option_t worker_status_options[] = {
    [OPT_MAX_STALENESS] = {"max-staleness", "DUR",
                           "exit 1 when a stream's last run is older (ms, s, m, h, d)"},
    {NULL, NULL, NULL}};

int worker_status_args_from_cli(const cli_args_t *args, worker_status_args_t *out, char *errstr,
                                size_t errstr_size)
{
    const char *v = args->value[OPT_MAX_STALENESS];

    memset(out, 0, sizeof(*out));
    out->max_staleness_ms = -1;
    if (!v)
        return 0;
    if (config_parse_duration(v, &out->max_staleness_ms) < 0) {
        errstr_set(errstr, errstr_size, "--max-staleness '%s': bad duration (use ms, s, m, h or d)",
                   v);
        return -1;
    }
    return 0;
}

int worker_status_check(const cli_args_t *args, char *errstr, size_t errstr_size)
{
    worker_status_args_t a;
    return worker_status_args_from_cli(args, &a, errstr, errstr_size);
}

int64_t worker_status_lag(int64_t stored, int64_t low, int64_t high)
{
    int64_t from = stored >= 0 ? stored : low;
    if (high < 0)
        return -1;
    if (from < 0)
        from = 0;
    return high > from ? high - from : 0;
}

stream_state_t worker_status_state(int found, int64_t staleness_ms, int64_t max_ms)
{
    if (!found)
        return STREAM_NO_RUN;
    if (max_ms >= 0 && staleness_ms > max_ms)
        return STREAM_STALE;
    return STREAM_OK;
}

const char *worker_status_state_name(stream_state_t s)
{
    switch (s) {
    case STREAM_OK:
        return "ok";
    case STREAM_STALE:
        return "stale";
    case STREAM_NO_RUN:
    default:
        return "no-run";
    }
}

/* ---------------------------------------------------------- the command */

typedef struct status_run {
    const tm_config_t *conf;
    const worker_status_args_t *args;
    groupprobe_t *ak; /* NULL when Kafka could not be set up */
    pg_t *pg;
    int tables; /* the bookkeeping tables exist */
    stored_offsets_t so;
    int sw, tw;       /* column widths: stream, topic */
    int failed;       /* a runtime failure: exit 1 */
    int out_of_range; /* a stored offset outside its partition: exit 1 */
} status_run_t;

static void log_failure(status_run_t *r, const char *msg, const char *err)
{
    char q[1100];
    log_error(msg, "error=%s", log_quote(q, sizeof(q), err));
    r->failed = 1;
}

static void fmt_i64(int64_t v, char *buf, size_t size)
{
    if (v >= 0)
        snprintf(buf, size, "%" PRId64, v);
    else
        snprintf(buf, size, "-");
}

static void print_partition(status_run_t *r, const char *stream, const char *topic,
                            int32_t partition, int64_t low, int64_t high)
{
    int64_t stored = offsets_lookup(&r->so, topic, partition);
    /* every row, whichever table it was applied to (NULL): the group's
     * positions as stored */
    int oor = offsets_outside(stored, offsets_has_topic(&r->so, topic, NULL), low, high);
    char sbuf[24], hbuf[24], lbuf[24];
    fmt_i64(stored, sbuf, sizeof(sbuf));
    fmt_i64(high, hbuf, sizeof(hbuf));
    fmt_i64(oor ? -1 : worker_status_lag(stored, low, high), lbuf, sizeof(lbuf));
    printf("%-*s  %-*s  %9" PRId32 "  %13s  %14s  %10s  %s\n", r->sw, stream, r->tw, topic,
           partition, sbuf, hbuf, lbuf,
           oor        ? "out-of-range"
           : high < 0 ? "-"
                      : "ok");
    if (oor) {
        log_error("stored offset outside the partition: the worker does not "
                  "apply it; move it with `tidemark-worker reset-offsets`",
                  "topic=%s partition=%" PRId32 " stored=%" PRId64 " low=%" PRId64 " high=%" PRId64,
                  topic, partition, stored, low, high);
        r->out_of_range = 1;
    }
}

/* Without Kafka: the partitions the database knows, watermarks unknown. */
static void print_stored_only(status_run_t *r, const char *stream, const char *topic)
{
    for (size_t i = 0; i < r->so.n; i++)
        if (!strcmp(r->so.items[i].topic, topic))
            print_partition(r, stream, topic, r->so.items[i].partition, -1, -1);
}

/* Each partition of topic, under label (a stream's name, or RUNS_LABEL). */
static void print_partitions(status_run_t *r, const char *stream, const char *topic)
{
    char err[512];
    int32_t *ids = NULL;
    size_t n = 0;
    if (!r->ak || groupprobe_partitions(r->ak, topic, &ids, &n, err, sizeof(err)) < 0) {
        if (r->ak)
            log_failure(r, "cannot read the topic's partitions", err);
        print_stored_only(r, stream, topic);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t low, high;
        if (groupprobe_watermarks(r->ak, topic, ids[i], &low, &high, err, sizeof(err)) < 0) {
            log_failure(r, "cannot read the partition's watermarks", err);
            low = high = -1;
        }
        print_partition(r, stream, topic, ids[i], low, high);
    }
    free(ids);
}

/* One stream's last run line; returns its state. */
static stream_state_t print_run(status_run_t *r, const char *stream)
{
    admin_last_run_t lr;
    memset(&lr, 0, sizeof(lr));
    char err[512];
    if (r->tables && bookkeeping_last_run(r->pg, stream, &lr, err, sizeof(err)) != PG_OK)
        log_failure(r, "cannot read sync_metadata", err);
    stream_state_t s = worker_status_state(lr.found, lr.staleness_ms, r->args->max_staleness_ms);
    char age[DURATION_BUFSIZE] = "-", n1[24] = "-", n2[24] = "-";
    if (lr.found) {
        duration_format(lr.staleness_ms, age, sizeof(age));
        fmt_i64(lr.records_synced, n1, sizeof(n1));
        fmt_i64(lr.records_deleted, n2, sizeof(n2));
    }
    printf("%-*s  %-36s  %-24s  %8s  %8s  %-24s  %9s  %s\n", r->sw, stream,
           lr.found ? lr.run_id : "-", lr.found ? lr.completed_at : "-", n1, n2,
           lr.found ? lr.hwm : "-", age, worker_status_state_name(s));
    return s;
}

static void set_widths(status_run_t *r)
{
    char runs[256];
    r->sw = (int)strlen(RUNS_LABEL);
    r->tw = (int)strlen(topic_sync_runs(r->conf, runs, sizeof(runs)));
    for (size_t i = 0; i < r->conf->n_streams; i++) {
        const char *name = r->conf->streams[i].name;
        char topic[256];
        topic_for_stream(r->conf, name, topic, sizeof(topic));
        int n = (int)strlen(name);
        if (n > r->sw)
            r->sw = n;
        n = (int)strlen(topic);
        if (n > r->tw)
            r->tw = n;
    }
}

/* Both tables; returns 1 when a stream is stale or has no run. */
static int print_tables(status_run_t *r)
{
    set_widths(r);
    printf("%-*s  %-*s  %9s  %13s  %14s  %10s  %s\n", r->sw, "STREAM", r->tw, "TOPIC", "PARTITION",
           "STORED-OFFSET", "HIGH-WATERMARK", "LAG", "STATE");
    char topic[256];
    for (size_t i = 0; i < r->conf->n_streams; i++) {
        topic_for_stream(r->conf, r->conf->streams[i].name, topic, sizeof(topic));
        print_partitions(r, r->conf->streams[i].name, topic);
    }
    /* the run records too: stuck out of range, no run completes again */
    print_partitions(r, RUNS_LABEL, topic_sync_runs(r->conf, topic, sizeof(topic)));
    printf("\n%-*s  %-36s  %-24s  %8s  %8s  %-24s  %9s  %s\n", r->sw, "STREAM", "LAST-RUN",
           "COMPLETED-AT", "RECORDS", "DELETES", "HWM", "STALENESS", "STATE");
    int stale = 0;
    for (size_t i = 0; i < r->conf->n_streams; i++)
        if (print_run(r, r->conf->streams[i].name) != STREAM_OK)
            stale = 1;
    fflush(stdout);
    return stale;
}

/* Connects to both sides; a failure of Kafka still lets the database's
 * half be shown. 0, or -1 when the database cannot be read. */
static int open_all(status_run_t *r)
{
    if (!(r->pg = pg_new(r->conf->pg_conninfo))) {
        log_failure(r, "cannot create the PostgreSQL client", "out of memory");
        return -1;
    }
    /* reads wait only behind a table lock (an ALTER TABLE, its own
     * waiting included): an error after that long, not a wait for ever */
    pg_set_lock_timeout(r->pg, r->conf->pg_lock_timeout_ms);
    char err[512];
    pg_status_t st = bookkeeping_open(r->pg, 0, &r->tables, err, sizeof(err));
    if (st == PG_OK && r->tables)
        st = offsets_read_group(r->pg, r->conf->group_id, &r->so, err, sizeof(err));
    if (st != PG_OK) {
        log_failure(r, "cannot read the bookkeeping tables", err);
        return -1;
    }
    if (!(r->ak = groupprobe_new(r->conf, err, sizeof(err))))
        log_failure(r, "cannot create the Kafka client", err);
    return 0;
}

int worker_status_command(const tm_config_t *conf, const cli_args_t *cli)
{
    worker_status_args_t args;
    char err[512];
    int stale = 0;

    if (worker_status_args_from_cli(cli, &args, err, sizeof(err)) < 0) {
        fprintf(stderr, "tidemark-worker: status: %s\n", err);
        return EXIT_USAGE;
    }
    status_run_t r = {.conf = conf, .args = &args};
    if (open_all(&r) == 0)
        stale = print_tables(&r);
    groupprobe_destroy(r.ak);
    pg_destroy(r.pg);
    offsets_clear(&r.so);
    return r.failed || stale || r.out_of_range ? EXIT_RUNTIME : 0;
}

const cli_help_t worker_status_help = {
    .summary = "lag per partition, last completed run, staleness; exits 1 when stale",
    .synopsis = "[--max-staleness DUR]",
    .description = "Per stream: the consumer group's stored offset, the high\n"
                   "watermark and the lag of each partition; the last completed run\n"
                   "and its staleness. Exits 1 when a stream has no completed run or\n"
                   "its last one completed longer ago than DUR (ms, s, m, h, d)."};
