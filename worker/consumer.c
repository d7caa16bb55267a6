/*
 * consumer.c - see consumer.h.
 */
#include "errstr.h"
#include "consumer.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "backoff.h"
#include "isotime.h"
#include "kafka_client.h"
#include "log.h"
#include "offsets.h"
#include "signals.h"
#include "strbuf.h"

#define WATERMARK_TIMEOUT_MS 3000
/* after a watermark query failed, the next ones would wait as long: skip
 * them for a while (the fetch still catches a bad offset) */
#define WATERMARK_BACKOFF_MS 10000

typedef struct assigned_tp {
    char *topic;
    int32_t partition;
    int64_t expected; /* stored next_offset as we know it; -1: no row */
    int64_t floor;    /* messages below it were fetched before a seek and
                         are dropped; -1: none */
    int stuck;        /* stored offset out of range, offset.out_of_range =
                         fail: paused, nothing applied until it moves */
    /* consumer_resync: where the partition is being sought */
    int64_t pending_expected, pending_floor;
    /* restart(): where a stopped fetcher starts again; RESTART_NONE */
    int64_t restart_at;
} assigned_tp_t;

#define RESTART_NONE INT64_MIN

/* Where a partition starts (see place()). */
typedef struct placement {
    int64_t start;    /* fetch from here; RD_KAFKA_OFFSET_BEGINNING: no row */
    int64_t expected; /* its stored offset once placed */
    int stuck;
} placement_t;

struct consumer {
    rd_kafka_t *rk;
    pg_t *pg; /* borrowed */
    const char *group;
    offset_oor_t oor;
    int64_t wm_skip_until; /* monotonic ms: no watermark query before */
    consumer_hooks_t hooks;
    assigned_tp_t *tps;
    size_t n_tps;
    int failed;
};

static assigned_tp_t *find_tp(const consumer_t *c, const char *topic, int32_t partition)
{
    size_t i;

    for (i = 0; i < c->n_tps; i++)
        if (c->tps[i].partition == partition && !strcmp(c->tps[i].topic, topic))
            return &c->tps[i];
    return NULL;
}

static void remove_tp(consumer_t *c, const char *topic, int32_t partition)
{
    assigned_tp_t *tp = find_tp(c, topic, partition);

    if (!tp)
        return;
    free(tp->topic);
    *tp = c->tps[--c->n_tps];
}

static void clear_tps(consumer_t *c)
{
    while (c->n_tps > 0)
        free(c->tps[--c->n_tps].topic);
}

static int add_tp(consumer_t *c, const char *topic, int32_t partition, const placement_t *pl)
{
    assigned_tp_t *tp = find_tp(c, topic, partition), *ntps;

    if (!tp) {
        ntps = realloc(c->tps, (c->n_tps + 1) * sizeof(*ntps));
        if (!ntps)
            return -1;
        c->tps = ntps;
        tp = &c->tps[c->n_tps];
        if (!(tp->topic = strdup(topic)))
            return -1;
        tp->partition = partition;
        c->n_tps++;
    }
    tp->expected = pl->expected;
    tp->floor = pl->start >= 0 ? pl->start : -1;
    tp->stuck = pl->stuck;
    tp->restart_at = RESTART_NONE;
    return 0;
}

static const char *oor_name(offset_oor_t p)
{
    return p == OFFSET_OOR_EARLIEST ? "earliest" : p == OFFSET_OOR_LATEST ? "latest" : "fail";
}

/* Pauses (paused != 0) or resumes one partition's fetcher. */
static void set_paused(consumer_t *c, const char *topic, int32_t partition, int paused)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_resp_err_t err;

    rd_kafka_topic_partition_list_add(l, topic, partition);
    err = paused ? rd_kafka_pause_partitions(c->rk, l) : rd_kafka_resume_partitions(c->rk, l);
    if (err)
        log_warn(paused ? "cannot pause the partition" : "cannot resume the partition",
                 "topic=%s partition=%" PRId32 " error=%s", topic, partition,
                 rd_kafka_err2name(err));
    rd_kafka_topic_partition_list_destroy(l);
}

/* Moves the stored offset from stored to start (autocommit: no batch is
 * open when the consumer places a partition). 1 when it moved. */
static int store_start(consumer_t *c, const char *topic, int32_t partition, int64_t stored,
                       int64_t start)
{
    char err[512], q[600];
    int moved = 0;
    pg_status_t st = pg_ensure(c->pg, err, sizeof(err));

    if (st == PG_OK)
        st =
            offsets_cas(c->pg, c->group, topic, partition, stored, start, &moved, err, sizeof(err));
    if (st != PG_OK)
        log_warn("cannot store the new offset; the next batch will",
                 "topic=%s partition=%" PRId32 " error=%s", topic, partition,
                 log_quote(q, sizeof(q), err));
    return st == PG_OK && moved;
}

/*
 * A stored offset outside [low, high]: never skipped past silently. With
 * offset.out_of_range = fail the partition is stuck (the caller pauses
 * it) until reset-offsets moves its stored offset; with earliest or
 * latest it goes on from low or high, stored at once so that status and
 * the next assignment agree. low/high < 0: unknown (the fetch failed).
 */
static void out_of_range(consumer_t *c, const char *topic, int32_t partition, int64_t stored,
                         int64_t low, int64_t high, placement_t *pl)
{
    pl->expected = stored;
    if (c->oor != OFFSET_OOR_FAIL && (low < 0 || high < 0)) {
        /* watermarks unknown: the logical offsets say the same */
        pl->start = c->oor == OFFSET_OOR_EARLIEST ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
        pl->stuck = 0;
        log_warn("stored offset outside the partition; going on from its "
                 "other end as offset.out_of_range says",
                 "topic=%s partition=%" PRId32 " stored=%" PRId64 " policy=%s start=%s", topic,
                 partition, stored, oor_name(c->oor),
                 c->oor == OFFSET_OOR_EARLIEST ? "beginning" : "end");
        return;
    }
    if (c->oor == OFFSET_OOR_FAIL) {
        log_error("stored offset outside the partition; not applying the "
                  "partition until `tidemark-worker reset-offsets` moves it",
                  "topic=%s partition=%" PRId32 " stored=%" PRId64 " low=%" PRId64 " high=%" PRId64
                  " policy=%s",
                  topic, partition, stored, low, high, oor_name(c->oor));
        pl->start = stored;
        pl->stuck = 1;
        return;
    }
    pl->start = c->oor == OFFSET_OOR_EARLIEST ? low : high;
    pl->stuck = 0;
    log_warn("stored offset outside the partition; going on from its "
             "other end as offset.out_of_range says",
             "topic=%s partition=%" PRId32 " stored=%" PRId64 " low=%" PRId64 " high=%" PRId64
             " policy=%s start=%" PRId64,
             topic, partition, stored, low, high, oor_name(c->oor), pl->start);
    if (store_start(c, topic, partition, stored, pl->start))
        pl->expected = pl->start;
}

/* Where a partition whose stored offset is stored (-1: no row) starts:
 * there when it lies within the partition's watermarks, else as
 * offset.out_of_range says. */
static void place(consumer_t *c, const char *topic, int32_t partition, int64_t stored,
                  placement_t *pl)
{
    int64_t low = -1, high = -1;
    rd_kafka_resp_err_t err;

    pl->expected = stored;
    pl->start = stored;
    pl->stuck = 0;
    if (stored < 0) {
        pl->start = RD_KAFKA_OFFSET_BEGINNING;
        return;
    }
    if (isotime_monotonic_ms() < c->wm_skip_until)
        return; /* the fetch finds out (auto.offset.reset = error) */
    err = rd_kafka_query_watermark_offsets(c->rk, topic, partition, &low, &high,
                                           WATERMARK_TIMEOUT_MS);
    if (err) {
        log_warn("cannot check the stored offset against the partition; "
                 "the fetch will",
                 "topic=%s partition=%" PRId32 " stored=%" PRId64 " error=%s", topic, partition,
                 stored, rd_kafka_err2name(err));
        c->wm_skip_until = isotime_monotonic_ms() + WATERMARK_BACKOFF_MS;
        return;
    }
    if (stored < low || stored > high)
        out_of_range(c, topic, partition, stored, low, high, pl);
}

static void log_partitions(const char *msg, const rd_kafka_topic_partition_list_t *parts)
{
    strbuf_t sb;
    char *s;
    int i;

    strbuf_init(&sb);
    for (i = 0; i < parts->cnt; i++)
        strbuf_appendf(&sb, "%s%s:%" PRId32, i ? "," : "", parts->elems[i].topic,
                       parts->elems[i].partition);
    s = strbuf_take(&sb);
    log_info(msg, "partitions=%s", s && *s ? s : "none");
    free(s);
}

/* Reads the group's stored offsets, retrying transient failures until it
 * works or the worker is stopping. */
static int read_stored(consumer_t *c, stored_offsets_t *so)
{
    char err[512], qb[600];
    int attempt;

    for (attempt = 0;; attempt++) {
        pg_status_t st = pg_ensure(c->pg, err, sizeof(err));

        if (st == PG_OK)
            st = offsets_read_group(c->pg, c->group, so, err, sizeof(err));
        if (st == PG_OK)
            return 0;
        log_warn("cannot read stored offsets; retrying", "error=%s",
                 log_quote(qb, sizeof(qb), err));
        if (backoff_sleep(attempt) < 0)
            return -1;
    }
}

static void on_assign(consumer_t *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      int coop)
{
    stored_offsets_t so = {NULL, 0}; /* stays empty if never read */
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int i, ok = read_stored(c, &so) == 0;

    for (i = 0; ok && i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];
        placement_t pl;

        place(c, p->topic, p->partition, offsets_lookup(&so, p->topic, p->partition), &pl);
        p->offset = pl.start;
        if (add_tp(c, p->topic, p->partition, &pl) < 0)
            ok = 0;
    }
    offsets_clear(&so); /* also when an add_tp() failed after the read */
    if (!ok) {
        /* stopping (or out of memory): take nothing, so that no batch is
         * read from a position the database did not give */
        log_error("partitions not taken: stored offsets unavailable", "partitions=%d", parts->cnt);
        for (i = 0; i < parts->cnt; i++)
            remove_tp(c, parts->elems[i].topic, parts->elems[i].partition);
        parts = NULL;
    }
    if (ok)
        log_partitions("partitions assigned", parts);
    if (coop)
        error = parts ? rd_kafka_incremental_assign(rk, parts) : NULL;
    else
        err = rd_kafka_assign(rk, parts);
    if (error) {
        log_error("incremental assign failed", "error=%s",
                  rd_kafka_err2name(rd_kafka_error_code(error)));
        rd_kafka_error_destroy(error);
    } else if (err) {
        log_error("assign failed", "error=%s", rd_kafka_err2name(err));
    }
    for (i = 0; parts && i < parts->cnt; i++) {
        const assigned_tp_t *tp = find_tp(c, parts->elems[i].topic, parts->elems[i].partition);

        /* a pause survives in librdkafka across assignments: set both */
        if (tp)
            set_paused(c, tp->topic, tp->partition, tp->stuck);
    }
}

static void on_revoke(consumer_t *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      int coop)
{
    rd_kafka_error_t *error = NULL;
    int i;

    if (c->hooks.before_revoke)
        c->hooks.before_revoke(c->hooks.ctx, !coop);
    log_partitions("partitions revoked", parts);
    if (coop) {
        for (i = 0; i < parts->cnt; i++)
            remove_tp(c, parts->elems[i].topic, parts->elems[i].partition);
        error = rd_kafka_incremental_unassign(rk, parts);
    } else {
        clear_tps(c);
        rd_kafka_assign(rk, NULL);
    }
    if (error) {
        log_error("incremental unassign failed", "error=%s",
                  rd_kafka_err2name(rd_kafka_error_code(error)));
        rd_kafka_error_destroy(error);
    }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    consumer_t *c = opaque;
    int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");

    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        on_assign(c, rk, parts, coop);
    else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        on_revoke(c, rk, parts, coop);
    else {
        log_error("rebalance failed", "error=%s", rd_kafka_err2name(err));
        clear_tps(c);
        rd_kafka_assign(rk, NULL);
    }
}

static void commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    (void)offsets;
    (void)opaque;
    /* Kafka's group offsets only serve lag tools; the database is the
     * truth, so a failed commit is not an error of the worker. */
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        log_debug("kafka offset commit failed", "error=%s", rd_kafka_err2name(err));
}

consumer_t *consumer_new(const tm_config_t *conf, pg_t *pg, const consumer_hooks_t *hooks,
                         char *errstr, size_t errstr_size)
{
    consumer_t *c = calloc(1, sizeof(*c));

    if (!c) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    c->pg = pg;
    c->group = conf->group_id;
    c->oor = conf->offset_out_of_range;
    if (hooks)
        c->hooks = *hooks;
    /* never a silent jump: consumer_poll() handles the error */
    static const kafka_prop_t props[] = {{"auto.offset.reset", "error"}};
    const kafka_client_opts_t opts = {
        .client_id = "tidemark-worker",
        .group_id = conf->group_id,
        .manual_offsets = 1,
        .props = props,
        .n_props = sizeof(props) / sizeof(props[0]),
        .opaque = c,
        .rebalance_cb = rebalance_cb,
        .offset_commit_cb = commit_cb,
    };
    c->rk = kafka_client_new(conf, RD_KAFKA_CONSUMER, &opts, errstr, errstr_size);
    if (!c->rk) {
        free(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk);
    return c;
}

int consumer_subscribe(consumer_t *c, const char *const *topics, size_t n, char *errstr,
                       size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
    rd_kafka_resp_err_t err;
    size_t i;

    for (i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topics[i], RD_KAFKA_PARTITION_UA);
    err = rd_kafka_subscribe(c->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        errstr_set(errstr, errstr_size, "subscribe: %s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static int is_coop(const consumer_t *c)
{
    return !strcmp(rd_kafka_rebalance_protocol(c->rk), "COOPERATIVE");
}

/*
 * Starts the fetchers of the partitions whose restart_at is set again
 * there, and resumes them. A fetcher stopped by the reset error cannot be
 * sought (librdkafka answers _STATE): only an assignment starts it again.
 * COOPERATIVE: those partitions are unassigned and assigned anew. EAGER
 * (assign() replaces the whole assignment): every partition is assigned
 * anew, the others at their stored offsets, so the caller must hold no
 * batch (the runner's hook, or a caller at an empty batch). 0 or -1
 * (logged; restart_at is then left for the next try).
 */
static int restart(consumer_t *c)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)c->n_tps + 1);
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    size_t i;
    int n = 0, coop = is_coop(c);

    for (i = 0; i < c->n_tps; i++) {
        assigned_tp_t *tp = &c->tps[i];
        int64_t at = tp->restart_at != RESTART_NONE ? tp->restart_at
                     : tp->expected >= 0            ? tp->expected
                                                    : RD_KAFKA_OFFSET_BEGINNING;

        n += tp->restart_at != RESTART_NONE;
        if (coop && tp->restart_at == RESTART_NONE)
            continue;
        rd_kafka_topic_partition_list_add(l, tp->topic, tp->partition)->offset = at;
    }
    if (n == 0) {
        rd_kafka_topic_partition_list_destroy(l);
        return 0;
    }
    if (coop) {
        error = rd_kafka_incremental_unassign(c->rk, l);
        if (!error)
            error = rd_kafka_incremental_assign(c->rk, l);
        if (error)
            err = rd_kafka_error_code(error);
    } else {
        err = rd_kafka_assign(c->rk, l);
    }
    rd_kafka_topic_partition_list_destroy(l);
    if (error)
        rd_kafka_error_destroy(error);
    if (err) {
        log_warn("cannot restart the partitions' fetchers", "error=%s", rd_kafka_err2name(err));
        return -1;
    }
    for (i = 0; i < c->n_tps; i++) {
        assigned_tp_t *tp = &c->tps[i];

        if (tp->restart_at != RESTART_NONE) {
            tp->floor = tp->restart_at >= 0 ? tp->restart_at : -1;
            tp->restart_at = RESTART_NONE;
            set_paused(c, tp->topic, tp->partition, 0);
        } else if (!coop) {
            tp->floor = tp->expected;
            set_paused(c, tp->topic, tp->partition, tp->stuck);
        }
    }
    return 0;
}

/*
 * The fetcher found its position outside the partition (the topic was
 * recreated, retention passed it): librdkafka does not jump by itself
 * (auto.offset.reset = error) and has stopped the fetcher.
 */
static void on_offset_reset(consumer_t *c, const char *topic, int32_t partition, int64_t at)
{
    assigned_tp_t *tp = find_tp(c, topic, partition);
    int64_t low = -1, high = -1;
    placement_t pl;

    if (!tp || tp->stuck)
        return;
    log_warn("fetch position outside the partition",
             "topic=%s partition=%" PRId32 " position=%" PRId64 " stored=%" PRId64, topic,
             partition, at, tp->expected);
    /* the partition restarts from a committed position: apply the batch
     * in hand first (an EAGER restart moves every partition) */
    if (c->oor != OFFSET_OOR_FAIL && c->hooks.before_revoke)
        c->hooks.before_revoke(c->hooks.ctx, 0);
    if (!(tp = find_tp(c, topic, partition)))
        return;
    if (rd_kafka_query_watermark_offsets(c->rk, topic, partition, &low, &high,
                                         WATERMARK_TIMEOUT_MS))
        low = high = -1;
    out_of_range(c, topic, partition, tp->expected, low, high, &pl);
    tp->stuck = pl.stuck;
    tp->expected = pl.expected;
    if (pl.stuck) {
        set_paused(c, topic, partition, 1);
        return;
    }
    tp->restart_at = pl.start;
    (void)restart(c); /* a failure is retried by the idle check */
}

/* Handles an error event from the consumer queue. */
static void on_error_message(consumer_t *c, const rd_kafka_message_t *m)
{
    char errstr[512];
    rd_kafka_resp_err_t ferr;

    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return;
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        ferr = rd_kafka_fatal_error(c->rk, errstr, sizeof(errstr));
        log_error("fatal consumer error", "error=%s", rd_kafka_err2name(ferr));
        c->failed = 1;
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET && m->rkt) {
        on_offset_reset(c, rd_kafka_topic_name(m->rkt), m->partition, m->offset);
        return;
    }
    log_warn(rd_kafka_message_errstr(m), "error=%s topic=%s partition=%" PRId32,
             rd_kafka_err2name(m->err), m->rkt ? rd_kafka_topic_name(m->rkt) : "-", m->partition);
}

rd_kafka_message_t *consumer_poll(consumer_t *c, int timeout_ms)
{
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, timeout_ms);
    const assigned_tp_t *tp;

    if (!m)
        return NULL;
    if (m->err) {
        on_error_message(c, m);
        rd_kafka_message_destroy(m);
        return NULL;
    }
    tp = find_tp(c, rd_kafka_topic_name(m->rkt), m->partition);
    if (!tp || tp->stuck || (tp->floor >= 0 && m->offset < tp->floor)) {
        /* not ours any more, not applied (stuck), or fetched before a
         * seek */
        rd_kafka_message_destroy(m);
        return NULL;
    }
    return m;
}

int consumer_failed(const consumer_t *c)
{
    return c->failed;
}

int consumer_expected(const consumer_t *c, const char *topic, int32_t partition, int64_t *out)
{
    const assigned_tp_t *tp = find_tp(c, topic, partition);

    if (!tp)
        return -1;
    *out = tp->expected;
    return 0;
}

void consumer_set_expected(consumer_t *c, const char *topic, int32_t partition, int64_t next)
{
    assigned_tp_t *tp = find_tp(c, topic, partition);

    if (tp)
        tp->expected = next;
}

void consumer_commit_async(consumer_t *c, const rd_kafka_topic_partition_list_t *offsets)
{
    rd_kafka_resp_err_t err = rd_kafka_commit(c->rk, offsets, 1);

    if (err)
        log_debug("kafka offset commit not sent", "error=%s", rd_kafka_err2name(err));
}

/* Seeks every partition of l. Returns the number of partitions whose
 * seek failed (each one marked in its element's err; a failed call marks
 * them all). */
static int seek_all(consumer_t *c, rd_kafka_topic_partition_list_t *l)
{
    rd_kafka_error_t *error;
    int i, failed = 0;

    if (l->cnt == 0)
        return 0;
    error = rd_kafka_seek_partitions(c->rk, l, 5000);
    if (error) {
        log_warn("seek failed", "error=%s", rd_kafka_err2name(rd_kafka_error_code(error)));
        for (i = 0; i < l->cnt; i++)
            l->elems[i].err = rd_kafka_error_code(error);
        rd_kafka_error_destroy(error);
        return l->cnt;
    }
    for (i = 0; i < l->cnt; i++)
        if (l->elems[i].err) {
            log_warn("seek failed", "topic=%s partition=%" PRId32 " error=%s", l->elems[i].topic,
                     l->elems[i].partition, rd_kafka_err2name(l->elems[i].err));
            failed++;
        }
    return failed;
}

pg_status_t consumer_resync(consumer_t *c, int all, int *n_moved, char *errstr, size_t errstr_size)
{
    stored_offsets_t so;
    rd_kafka_topic_partition_list_t *l;
    assigned_tp_t **resumed;
    pg_status_t st;
    size_t i, n_resumed = 0;
    int j, failed;

    if (n_moved)
        *n_moved = 0;
    st = offsets_read_group(c->pg, c->group, &so, errstr, errstr_size);
    if (st != PG_OK)
        return st;
    if (!(resumed = calloc(c->n_tps + 1, sizeof(*resumed)))) {
        offsets_clear(&so);
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    l = rd_kafka_topic_partition_list_new((int)c->n_tps + 1);
    for (i = 0; i < c->n_tps; i++) {
        assigned_tp_t *tp = &c->tps[i];
        int64_t stored = offsets_lookup(&so, tp->topic, tp->partition);
        rd_kafka_topic_partition_t *e;
        placement_t pl;

        if (tp->restart_at != RESTART_NONE && stored == tp->expected) {
            resumed[n_resumed++] = tp; /* a restart that failed before */
            tp->pending_expected = tp->expected;
            continue;
        }
        /* a stuck partition waits for its stored offset to move */
        if ((!all || tp->stuck) && stored == tp->expected)
            continue;
        /* after a rolled-back batch the caller has logged why; an idle
         * check is the first to notice (reset-offsets while idle) */
        log_write(all ? (stored == tp->expected ? LOG_DEBUG : LOG_INFO) : LOG_WARN,
                  all ? "seeking to the stored offset"
                      : "offset moved under this worker; seeking to it",
                  "topic=%s partition=%" PRId32 " expected=%" PRId64 " stored=%" PRId64, tp->topic,
                  tp->partition, tp->expected, stored);
        if (stored == tp->expected) {
            pl.expected = stored;
            pl.start = stored >= 0 ? stored : RD_KAFKA_OFFSET_BEGINNING;
            pl.stuck = 0;
        } else {
            place(c, tp->topic, tp->partition, stored, &pl);
        }
        if (pl.stuck) {
            if (!tp->stuck)
                set_paused(c, tp->topic, tp->partition, 1);
            tp->stuck = 1;
            tp->expected = pl.expected;
            tp->restart_at = RESTART_NONE;
            continue;
        }
        if (tp->stuck || tp->restart_at != RESTART_NONE) {
            /* its fetcher may have stopped: only restart() starts it */
            tp->pending_expected = pl.expected;
            tp->restart_at = pl.start;
            resumed[n_resumed++] = tp;
            continue;
        }
        e = rd_kafka_topic_partition_list_add(l, tp->topic, tp->partition);
        e->offset = pl.start;
        e->opaque = (void *)tp; /* c->tps does not change during the seek */
        tp->pending_expected = pl.expected;
        tp->pending_floor = pl.start >= 0 ? pl.start : -1;
    }
    offsets_clear(&so);
    failed = seek_all(c, l);
    /* Only a partition whose position really moved may take the stored
     * offset as its expected one: a batch read from the old position
     * would pass the compare-and-set and skip (or repeat) messages. A
     * failed one keeps its old expected offset, so that the idle check
     * tries again and the next batch's compare-and-set (or the caller's
     * retry) catches it. */
    for (j = 0; j < l->cnt; j++) {
        assigned_tp_t *tp = l->elems[j].opaque;

        if (l->elems[j].err)
            continue;
        tp->expected = tp->pending_expected;
        tp->floor = tp->pending_floor;
    }
    if (n_moved)
        *n_moved = l->cnt - failed;
    rd_kafka_topic_partition_list_destroy(l);
    if (n_resumed > 0 && restart(c) < 0) {
        failed += (int)n_resumed;
    } else {
        for (i = 0; i < n_resumed; i++) {
            assigned_tp_t *tp = resumed[i];

            tp->stuck = 0;
            tp->expected = tp->pending_expected;
            log_info("partition resumed at its new stored offset",
                     "topic=%s partition=%" PRId32 " offset=%" PRId64, tp->topic, tp->partition,
                     tp->floor);
        }
        if (n_moved)
            *n_moved += (int)n_resumed;
    }
    free(resumed);
    if (failed) {
        errstr_set(errstr, errstr_size, "seek failed for %d partition%s", failed,
                   failed == 1 ? "" : "s");
        return PG_TRANSIENT;
    }
    return PG_OK;
}

size_t consumer_n_stuck(const consumer_t *c)
{
    size_t i, n = 0;

    for (i = 0; i < c->n_tps; i++)
        n += c->tps[i].stuck != 0;
    return n;
}

char *consumer_stuck_json(const consumer_t *c)
{
    json_t *a = json_array();
    char *text = NULL;
    size_t i;
    int bad = !a;

    for (i = 0; !bad && i < c->n_tps; i++) {
        char p[16];

        if (!c->tps[i].stuck)
            continue;
        snprintf(p, sizeof(p), "%" PRId32, c->tps[i].partition);
        bad = json_array_append_new(
                  a, json_pack("{s:s, s:s}", "topic", c->tps[i].topic, "partition", p)) < 0;
    }
    if (!bad)
        text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

size_t consumer_n_assigned(const consumer_t *c)
{
    return c->n_tps;
}

/* How long the worker waits for rd_kafka_destroy at exit (see below). */
#define DESTROY_WAIT_MS 10000

typedef struct destroyer {
    rd_kafka_t *rk;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
} destroyer_t;

static void *destroy_thread(void *arg)
{
    destroyer_t *d = arg;
    rd_kafka_destroy(d->rk);
    pthread_mutex_lock(&d->lock);
    d->done = 1;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/*
 * rd_kafka_destroy of a group consumer can hang for ever in librdkafka 2.0
 * (Debian 12's) once a partition's topic went away and came back: a
 * partition reference is leaked and a broker thread never ends
 * (confluentinc/librdkafka#4674). By then rd_kafka_consumer_close has
 * committed and left the group, and the process is about to exit: a
 * destroy that has not finished in DESTROY_WAIT_MS is abandoned (logged)
 * rather than keeping the worker from stopping. Its thread and state are
 * left to the exit.
 */
static void destroy_or_abandon(rd_kafka_t *rk)
{
    destroyer_t *d = calloc(1, sizeof(*d));
    pthread_t th;
    if (!d) {
        rd_kafka_destroy(rk);
        return;
    }
    d->rk = rk;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    if (pthread_create(&th, NULL, destroy_thread, d) != 0) {
        rd_kafka_destroy(rk);
        pthread_cond_destroy(&d->cond);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += DESTROY_WAIT_MS / 1000;
    pthread_mutex_lock(&d->lock);
    while (!d->done && pthread_cond_timedwait(&d->cond, &d->lock, &until) == 0)
        ;
    int done = d->done;
    pthread_mutex_unlock(&d->lock);
    if (!done) {
        pthread_detach(th);
        log_warn("the Kafka client did not finish shutting down; exiting without it",
                 "wait_ms=%d known_issue=librdkafka#4674", DESTROY_WAIT_MS);
        return; /* d is still the thread's: left to the exit */
    }
    pthread_join(th, NULL);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void consumer_close_destroy(consumer_t *c)
{
    rd_kafka_resp_err_t err;

    if (!c)
        return;
    err = rd_kafka_consumer_close(c->rk);
    if (err)
        log_warn("consumer close failed", "error=%s", rd_kafka_err2name(err));
    destroy_or_abandon(c->rk);
    clear_tps(c);
    free(c->tps);
    free(c);
}
