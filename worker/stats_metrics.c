/*
 * stats_metrics.c - the worker's metrics endpoint (see stats_metrics.h).
 */
#include "stats_metrics.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "isotime.h"
#include "log.h"
#include "metrics_http.h"
#include "metrics_kafka.h"
#include "pg.h"

/* /healthz: the loop beats at every poll (at most batch.max.ms apart) and
 * in every backoff; what may pass between two beats is one batch's
 * transaction. */
#define STALE_BASE_MS (5 * 60 * 1000LL)

/* The longest a probe query may take, answer included, measured here: the
 * server's statement_timeout cannot end the wait for a server that does
 * not answer at all (a backend stopped, a network gone quiet). */
#define PROBE_QUERY_MS    2000
#define PROBE_TIMEOUT_SQL "SELECT set_config('statement_timeout', '1000', false)"

/* The last completed run of each stream, as the worker recorded it
 * (sync_metadata is worker/metadata.c's table). */
/* Each stream's latest completed run, one probe of the index
 * sync_metadata_completed (ddl.c) per stream: a GROUP BY read the whole
 * table, a row per run ever applied, and outgrew the probe's 1 s. */
#define LAST_COMPLETED_SQL                                                                         \
    "WITH RECURSIVE t AS ((SELECT record_type, completed_at FROM sync_metadata"                    \
    " WHERE sync_status = 'completed' AND completed_at IS NOT NULL"                                \
    " ORDER BY record_type, completed_at DESC LIMIT 1) UNION ALL"                                  \
    " SELECT n.record_type, n.completed_at FROM t, LATERAL (SELECT record_type, completed_at"      \
    " FROM sync_metadata WHERE sync_status = 'completed' AND completed_at IS NOT NULL"             \
    " AND record_type > t.record_type ORDER BY record_type, completed_at DESC LIMIT 1) n)"         \
    " SELECT record_type, extract(epoch FROM completed_at) FROM t ORDER BY record_type"

struct worker_metrics {
    metrics_server_t *server;
    rd_kafka_t *probe;
    worker_stats_t *stats;
    const char *conninfo; /* borrowed from the configuration */
    /* The probes' own connection, one request's at a time (the server
     * may run a /readyz and a /metrics at once); NULL: to connect. */
    pthread_mutex_t pg_lock;
    PGconn *pg;
};

/* why = "PostgreSQL not reachable: " + libpq's message, on one line. */
static void pg_why(char *why, size_t why_size, const char *msg)
{
    errstr_set(why, why_size, "PostgreSQL not reachable: %s", msg);
    char *nl = strchr(why, '\n'); /* libpq ends its messages with one */
    if (nl)
        *nl = '\0';
}

/* The probes' connection, connected if need be: NULL with why. */
static PGconn *probe_pg(worker_metrics_t *m, char *why, size_t why_size)
{
    if (m->pg && PQstatus(m->pg) == CONNECTION_OK)
        return m->pg;
    PQfinish(m->pg);
    /* not "options": the conninfo's own (a search_path) must stay */
    const char *keys[] = {"connect_timeout", "application_name", NULL};
    const char *values[] = {"2", "tidemark-worker-health", NULL};
    m->pg = pg_connect_utf8(m->conninfo, keys, values);
    if (m->pg && PQstatus(m->pg) == CONNECTION_OK)
        return m->pg;
    /* libpq may quote (part of) the password: scrubbed before the cut */
    char *msg = m->pg ? strdup(PQerrorMessage(m->pg)) : NULL;
    pg_scrub_conninfo(m->conninfo, msg);
    pg_why(why, why_size, msg ? msg : "out of memory");
    free(msg);
    PQfinish(m->pg);
    m->pg = NULL;
    return NULL;
}

/* Waits until pg has a whole result to give, for at most until_ms
 * (monotonic): 0, or -1 with why. */
static int wait_answer(PGconn *pg, int64_t until_ms, char *why, size_t why_size)
{
    while (PQisBusy(pg)) {
        int64_t left = until_ms - isotime_monotonic_ms();
        if (left <= 0) {
            errstr_set(why, why_size, "PostgreSQL not reachable: no answer within %d ms",
                       PROBE_QUERY_MS);
            return -1;
        }
        struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
        int rc = poll(&pfd, 1, (int)left);
        if ((rc < 0 && errno != EINTR) || (rc > 0 && !PQconsumeInput(pg))) {
            pg_why(why, why_size, rc < 0 ? strerror(errno) : PQerrorMessage(pg));
            return -1;
        }
    }
    return 0;
}

/* sql's first result, the others read and dropped, within PROBE_QUERY_MS;
 * NULL with why. */
static PGresult *exec_within(PGconn *pg, const char *sql, char *why, size_t why_size)
{
    int64_t until_ms = isotime_monotonic_ms() + PROBE_QUERY_MS;
    if (!PQsendQuery(pg, sql)) {
        pg_why(why, why_size, PQerrorMessage(pg));
        return NULL;
    }
    PGresult *first = NULL;
    for (;;) {
        if (wait_answer(pg, until_ms, why, why_size) != 0) {
            PQclear(first);
            return NULL;
        }
        PGresult *res = PQgetResult(pg);
        if (!res)
            break;
        if (first)
            PQclear(res);
        else
            first = res;
    }
    if (first && PQresultStatus(first) == PGRES_TUPLES_OK)
        return first;
    pg_why(why, why_size, first ? PQresultErrorMessage(first) : PQerrorMessage(pg));
    PQclear(first);
    return NULL;
}

/* probe_query() under pg_lock. */
static PGresult *probe_query_locked(worker_metrics_t *m, const char *sql, char *why,
                                    size_t why_size)
{
    int fresh = !m->pg || PQstatus(m->pg) != CONNECTION_OK;
    PGconn *pg = probe_pg(m, why, why_size);
    if (!pg)
        return NULL;
    /* a fresh connection first gets the server to end a slow query too */
    PGresult *res = fresh ? exec_within(pg, PROBE_TIMEOUT_SQL, why, why_size) : NULL;
    if (!fresh || res) {
        PQclear(res);
        if ((res = exec_within(pg, sql, why, why_size)))
            return res;
    }
    int lost = PQstatus(pg) != CONNECTION_OK;
    PQfinish(m->pg);
    m->pg = NULL;
    /* a kept connection the server ended while it sat idle
     * (idle_session_timeout, a restart): once more on a new one, or every
     * other probe spaced past that timeout answered 503 */
    return !fresh && lost ? probe_query_locked(m, sql, why, why_size) : NULL;
}

/* Runs sql on the probe connection: its result (PQclear), or NULL with why;
 * a failed one drops the connection (the next call connects afresh). One
 * request at a time: another waits, a probe's deadline at most. */
static PGresult *probe_query(worker_metrics_t *m, const char *sql, char *why, size_t why_size)
{
    pthread_mutex_lock(&m->pg_lock);
    PGresult *res = probe_query_locked(m, sql, why, why_size);
    pthread_mutex_unlock(&m->pg_lock);
    return res;
}

static void render_rows(metrics_text_t *t, const worker_stats_detail_t *d)
{
    metrics_text_family(t, "tidemark_worker_records_applied_total", "counter",
                        "Rows of committed batches offered to the upsert or delete statements, "
                        "by stream and operation.");
    for (size_t i = 0; i < d->n_rows; i++) {
        metrics_label_t l[2] = {{"stream", d->rows[i].name}, {"op", "upsert"}};
        metrics_text_sample(t, "tidemark_worker_records_applied_total", l, 2,
                            (double)d->rows[i].upserts);
        l[1].value = "delete";
        metrics_text_sample(t, "tidemark_worker_records_applied_total", l, 2,
                            (double)d->rows[i].deletes);
    }
}

static void render_lag(metrics_text_t *t, const worker_stats_detail_t *d)
{
    metrics_text_family(t, "tidemark_worker_consumer_lag", "gauge",
                        "Messages of an assigned partition not applied yet: its high watermark "
                        "minus the next offset to apply.");
    for (size_t i = 0; i < d->n_lags; i++) {
        char part[16];
        snprintf(part, sizeof(part), "%d", (int)d->lags[i].partition);
        metrics_label_t l[2] = {{"topic", d->lags[i].topic}, {"partition", part}};
        if (d->lags[i].lag >= 0)
            metrics_text_sample(t, "tidemark_worker_consumer_lag", l, 2, (double)d->lags[i].lag);
    }
}

/* Whether name is one of this worker's streams (d->rows holds them all). */
static int configured_stream(const worker_stats_detail_t *d, const char *name)
{
    for (size_t i = 0; i < d->n_rows; i++)
        if (strcmp(d->rows[i].name, name) == 0)
            return 1;
    return 0;
}

/*
 * sync_metadata holds the runs of every stream ever applied to this
 * database: a stream since removed from the config, or one that another
 * worker's config applies here. Only this worker's own streams are
 * listed, or an alert on a stale run would fire for ever on a stream
 * nobody syncs any more, and twice for one another worker syncs.
 */
static void render_last_completed(worker_metrics_t *m, metrics_text_t *t,
                                  const worker_stats_detail_t *d)
{
    char why[512];
    metrics_text_family(t, "tidemark_worker_last_completed_run_timestamp_seconds", "gauge",
                        "When the worker completed the stream's latest completed run "
                        "(sync_metadata.completed_at; none while PostgreSQL is not reachable).");
    PGresult *res = probe_query(m, LAST_COMPLETED_SQL, why, sizeof(why));
    for (int i = 0; res && i < PQntuples(res); i++) {
        if (!configured_stream(d, PQgetvalue(res, i, 0)))
            continue;
        metrics_label_t l = {"stream", PQgetvalue(res, i, 0)};
        metrics_text_sample(t, "tidemark_worker_last_completed_run_timestamp_seconds", &l, 1,
                            strtod(PQgetvalue(res, i, 1), NULL));
    }
    PQclear(res);
}

static void worker_render(void *ctx, metrics_text_t *t)
{
    worker_metrics_t *m = ctx;
    worker_counters_t c;
    worker_stats_detail_t d;
    worker_stats_snapshot(m->stats, &c);
    worker_stats_detail(m->stats, &d);
    render_rows(t, &d);
    metrics_text_single(t, "tidemark_worker_batches_total", "counter", "Batches committed.",
                        (double)c.batches);
    metrics_text_family(t, "tidemark_worker_batch_duration_seconds", "histogram",
                        "From the start of a batch's apply to its commit, retries included.");
    metrics_text_histogram(t, "tidemark_worker_batch_duration_seconds", NULL, 0, &d.batch_seconds);
    metrics_text_single(t, "tidemark_worker_fenced_total", "counter",
                        "Batches rolled back because another worker moved a stored offset.",
                        (double)c.fenced);
    metrics_text_single(t, "tidemark_worker_pg_retries_total", "counter",
                        "Batches rolled back by a transient PostgreSQL failure and retried.",
                        (double)c.retries);
    render_lag(t, &d);
    /* a stuck partition is paused, never fetched: it has no lag sample,
     * and only this says it stopped */
    metrics_text_single(t, "tidemark_worker_partitions_stuck", "gauge",
                        "Assigned partitions whose stored offset lies outside the partition "
                        "(offset.out_of_range = fail): nothing is applied from them until "
                        "reset-offsets.",
                        (double)c.stuck);
    render_last_completed(m, t, &d);
    metrics_text_family(t, "tidemark_dlq_records_total", "counter",
                        "Records sent to the dead-letter topic, by stage.");
    metrics_label_t stage = {"stage", "worker"};
    metrics_text_sample(t, "tidemark_dlq_records_total", &stage, 1, (double)c.dead_letters);
    worker_stats_detail_free(&d);
}

static int worker_ready(void *ctx, char *why, size_t why_size)
{
    worker_metrics_t *m = ctx;
    PGresult *res = probe_query(m, "SELECT 1", why, why_size);
    if (!res)
        return 0;
    PQclear(res);
    if (!metrics_kafka_reachable(m->probe, why, why_size))
        return 0;
    worker_counters_t c;
    worker_stats_snapshot(m->stats, &c);
    if (!c.joined) {
        errstr_set(why, why_size, "the consumer has not joined its group yet");
        return 0;
    }
    /* librdkafka retries a topic it may not describe or read in silence:
     * the group is joined, Kafka answers, and nothing of it is applied */
    if (worker_stats_refused(m->stats, why, why_size))
        return 0;
    /* a stream whose table refuses writes: the others go on, it does not */
    return !worker_stats_held(m->stats, why, why_size);
}

int worker_metrics_start(const tm_config_t *conf, const worker_streams_t *streams,
                         worker_stats_t *stats, worker_metrics_t **out)
{
    char errstr[1024];
    size_t errstr_size = sizeof(errstr);
    *out = NULL;
    if (!conf->worker_metrics_listen)
        return 0;
    worker_metrics_t *m = calloc(1, sizeof(*m));
    if (!m) {
        log_error("cannot start the metrics endpoint", "error=\"out of memory\"");
        return -1;
    }
    m->stats = stats;
    m->conninfo = conf->pg_conninfo ? conf->pg_conninfo : "";
    pthread_mutex_init(&m->pg_lock, NULL);
    worker_stats_streams(stats, streams, NULL);
    m->probe = metrics_kafka_probe_new(conf, "tidemark-worker-health", errstr, errstr_size);
    metrics_source_t src = {worker_render, worker_ready, m, STALE_BASE_MS + 2 * conf->batch_max_ms};
    if (m->probe)
        m->server = metrics_server_start(conf->worker_metrics_listen, &src, errstr, errstr_size);
    if (!m->server) {
        char q[1100];
        log_error("cannot start the metrics endpoint", "error=%s", log_quote(q, sizeof(q), errstr));
        worker_metrics_stop(m);
        return -1;
    }
    *out = m;
    return 0;
}

void worker_metrics_stop(worker_metrics_t *m)
{
    if (!m)
        return;
    metrics_server_stop(m->server); /* no request runs after this */
    if (m->probe)
        rd_kafka_destroy(m->probe);
    PQfinish(m->pg);
    pthread_mutex_destroy(&m->pg_lock);
    free(m);
}
