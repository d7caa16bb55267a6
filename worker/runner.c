/*
 * runner.c - see runner.h.
 */
#include "runner.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "apply.h"
#include "backoff.h"
#include "batch.h"
#include "consumer.h"
#include "ddl.h"
#include "decodeahead.h"
#include "dlq_queue.h"
#include "errstr.h"
#include "fencing.h"
#include "isotime.h"
#include "log.h"
#include "metadata.h"
#include "offsets.h"
#include "pg.h"
#include "signals.h"
#include "streamhold.h"
#include "topics.h"
#include "stats.h"
#include "stats_lag.h"
#include "stats_metrics.h"
#include "metrics_health.h"

#define IDLE_POLL_MS     250  /* an empty batch returns after this */
#define IDLE_TICK_MS     2000 /* idle checks: moved offsets, completions */
#define REPORT_EVERY_MS  5000 /* info summary */
#define STARTUP_ATTEMPTS 10
#define SHRINK_AFTER     2     /* size failures of one batch before it is halved */
#define SHRINK_HOLD_MS   60000 /* batches grow back one step after this without one */
/* After SIGTERM, a PostgreSQL statement still running this long (a lock
 * wait) is cancelled: a batch's statements take far less */
#define STOP_GRACE_MS 2000

typedef struct runner {
    const tm_config_t *conf;
    pg_t *pg;
    consumer_t *consumer;
    fencing_t *fencing;
    dlq_queue_t *dlq;
    batch_t *batch; /* the batch in hand */
    decoded_t cur;  /* the batch in hand decoded ahead, when has_cur */
    int has_cur;
    batch_t *next;       /* collected while the batch in hand is applied */
    decodeahead_t ahead; /* decodes next meanwhile */
    decoded_t next_d;    /* next decoded, when has_next */
    int has_next;
    apply_ctx_t actx;
    int fatal;
    int schema_error;       /* the tables refused the schema: exit 2 */
    int revoking_all;       /* inside an EAGER revoke: every partition goes */
    int size_cap;           /* 0, or the most messages of a batch after batches
                               failed by their size (shrink_batch()) */
    int64_t size_cap_at_ms; /* monotonic: when size_cap last moved */
    int64_t last_idle_ms;
    int64_t last_passed_ms; /* store_passed_tick() */
    int64_t last_report_ms;
    int64_t events_at_report; /* stats' events at the last progress line */
    stream_holds_t holds;     /* streams whose table refuses writes */
    worker_stats_t stats;
    worker_metrics_t *metrics; /* [worker] metrics.listen, or NULL */
    json_t *tables;            /* topic -> its table's one name (name_tables()) */
} runner_t;

/* Logs msg with error=<err, quoted> and, when attempt >= 0, attempt=N. */
static void log_err(log_level_t level, const char *msg, const char *err, int attempt)
{
    char qb[1100];

    log_quote(qb, sizeof(qb), err);
    if (attempt >= 0)
        log_write(level, msg, "error=%s attempt=%d", qb, attempt);
    else
        log_write(level, msg, "error=%s", qb);
}

static void commit_kafka(runner_t *r, const apply_result_t *res)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)res->n_parts + 1);

    for (size_t i = 0; i < res->n_parts; i++) {
        const part_range_t *p = &res->parts[i];

        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->next;
    }
    fencing_committed(r->fencing, res->parts, res->n_parts);
    consumer_commit_async(r->consumer, l);
    worker_stats_lag(&r->stats, r->consumer, res->parts, res->n_parts);
    rd_kafka_topic_partition_list_destroy(l);
}

/* The batch's counts into the stats. */
static void count_batch(runner_t *r, const apply_result_t *res)
{
    batch_counts_t bc = {(int64_t)r->batch->n,
                         (int64_t)res->events,
                         (int64_t)res->upserts,
                         (int64_t)res->deletes,
                         (int64_t)res->run_records,
                         (int64_t)res->dead_letters,
                         -1,
                         isotime_now_ms()};

    for (size_t i = 0; i < r->batch->n; i++)
        if (r->batch->msgs[i].timestamp > bc.newest_ts_ms)
            bc.newest_ts_ms = r->batch->msgs[i].timestamp;
    worker_stats_batch(&r->stats, &bc);
    worker_stats_streams(&r->stats, r->actx.streams, res->per_stream);
}

static void report(runner_t *r, const apply_result_t *res)
{
    int64_t now = isotime_monotonic_ms();
    int64_t span = now - r->last_report_ms;
    worker_counters_t wc;

    count_batch(r, res);
    worker_stats_snapshot(&r->stats, &wc);
    log_debug("batch applied",
              "messages=%zu events=%zu upserts=%zu deletes=%zu runs=%zu "
              "dead_letters=%zu partitions=%zu",
              r->batch->n, res->events, res->upserts, res->deletes, res->run_records,
              res->dead_letters, res->n_parts);
    if (span >= REPORT_EVERY_MS) {
        int64_t events = wc.events - r->events_at_report;

        log_info("progress", "records=%" PRId64 " rate=%.0f/s total=%" PRId64, events,
                 (double)events * 1000.0 / (double)span, wc.events);
        r->events_at_report = wc.events;
        r->last_report_ms = now;
    }
}

static void on_fenced(runner_t *r, const apply_result_t *res, int64_t dead_letters_produced)
{
    worker_stats_fenced(&r->stats);
    fencing_log_fenced(r->fencing, res->fenced, dead_letters_produced);
    /* An EAGER revoke takes every partition: nothing keeps a position.
     * A COOPERATIVE one keeps some, and the dropped batch held theirs. */
    if (r->revoking_all)
        return;
    if (fencing_reseek(r->fencing, r->consumer) == OUTCOME_FATAL)
        r->fatal = 1;
}

/* Waits for the decode of r->next, if one runs: its result into
 * r->next_d. */
static void settle_ahead(runner_t *r)
{
    char err[512];

    if (!decodeahead_running(&r->ahead))
        return;
    r->has_next = decodeahead_finish(&r->ahead, &r->next_d, err, sizeof(err)) == 0;
    if (!r->has_next) /* decoded again on the main thread, which says why */
        decoded_clear(&r->next_d);
}

/* One attempt at the batch in hand: the first one with its decode ahead,
 * if any; any other decodes it here, once no other thread decodes. */
static outcome_t attempt_batch(runner_t *r, apply_result_t *res, char *err, size_t err_size)
{
    if (!r->has_cur) {
        settle_ahead(r);
        return apply_batch(&r->actx, r->batch, res, err, err_size);
    }
    outcome_t as = apply_decoded(&r->actx, r->batch, &r->cur, res, err, err_size);
    decoded_clear(&r->cur);
    r->has_cur = 0;
    return as;
}

/* /readyz names the first stream held back (streamhold.h), or none. */
static void publish_holds(runner_t *r)
{
    long i = stream_holds_first(&r->holds);
    char why[512] = "";

    if (i >= 0) {
        const worker_stream_t *ws = &r->actx.streams->items[i];
        size_t more = stream_holds_failing(&r->holds) - 1;
        /* the count first: long names and PostgreSQL's words may fill
         * the reason, and the others' hold is the part to keep */
        char others[64] = "";
        if (more)
            snprintf(others, sizeof(others), "%zu streams held back, the first: ", more + 1);
        errstr_set(why, sizeof(why), "%sstream %s held back: its table %s refuses writes (%s)",
                   others, ws->sc->name, ws->sc->table, r->holds.items[i].error);
    }
    worker_stats_set_held(&r->stats, why);
}

/* Holds stream i (its table refused the batch: err, after cost_ms): its
 * partitions are paused at their stored offsets and its messages leave
 * both batches in hand (r->next settled, its decode dropped). */
static void hold_stream(runner_t *r, size_t i, const char *err, int64_t cost_ms)
{
    const worker_stream_t *ws = &r->actx.streams->items[i];
    char qb[1100], qt[300];

    consumer_hold_topic(r->consumer, ws->topic);
    size_t n = batch_drop_topic(r->batch, ws->topic) + batch_drop_topic(r->next, ws->topic);
    int warn = stream_holds_hold(&r->holds, i, err, cost_ms, isotime_monotonic_ms());
    log_write(warn ? LOG_WARN : LOG_DEBUG,
              "stream held back: its table refuses writes; the other streams go on",
              "stream=%s table=%s error=%s retry_in_ms=%" PRId64 " messages=%zu", ws->sc->name,
              log_quote(qt, sizeof(qt), ws->sc->table), log_quote(qb, sizeof(qb), err),
              r->holds.items[i].retry_at_ms - isotime_monotonic_ms(), n);
}

/*
 * A batch failed transiently because one stream's table refused it
 * (apply_result_t.refused): with more than one stream, that stream (and
 * any other writing the same table) is held and the rest of the batch is
 * tried again at once. 1 when held, 0 when the failure is every
 * stream's (the whole batch is retried after a backoff).
 */
static int hold_refused(runner_t *r, const apply_result_t *res, const char *err, int64_t cost_ms)
{
    const worker_streams_t *streams = r->actx.streams;

    if (!res->refused || streams->n < 2 || res->refused_stream >= streams->n)
        return 0;
    settle_ahead(r); /* r->next is ours again */
    if (r->has_next)
        decoded_clear(&r->next_d);
    r->has_next = 0;
    /* by name, as streams.h judges a table shared: customers and
     * public.customers are one */
    const char *table = config_table_name(streams->items[res->refused_stream].sc->table);
    for (size_t i = 0; i < streams->n; i++)
        if (!strcmp(config_table_name(streams->items[i].sc->table), table))
            hold_stream(r, i, err, cost_ms);
    publish_holds(r);
    return 1;
}

/* After a batch committed: a stream released from its hold whose
 * messages were in it applies again. */
static void note_applied(runner_t *r)
{
    int changed = 0;

    for (size_t i = 0; stream_holds_failing(&r->holds) > 0 && i < r->holds.n; i++) {
        const worker_stream_t *ws = &r->actx.streams->items[i];

        if (!r->holds.items[i].failing || !batch_has_topic(r->batch, ws->topic))
            continue;
        /* its messages came though it is held: a rebalance assigned its
         * partitions anew, unpaused; the table took them */
        if (r->holds.items[i].held) {
            if (consumer_release_topic(r->consumer, ws->topic) < 0)
                continue;
            stream_holds_released(&r->holds, i);
        }
        if (!stream_holds_applied(&r->holds, i))
            continue;
        char qt[300];
        log_info("held stream applies again", "stream=%s table=%s", ws->sc->name,
                 log_quote(qt, sizeof(qt), ws->sc->table));
        changed = 1;
    }
    if (changed)
        publish_holds(r);
}

/* Lets the held streams whose retry is due go: their messages come again
 * from their stored offsets. Between batches. */
static void release_holds(runner_t *r)
{
    int64_t now = isotime_monotonic_ms();
    long i;

    while ((i = stream_holds_due(&r->holds, now)) >= 0) {
        const worker_stream_t *ws = &r->actx.streams->items[i];
        char qt[300];

        log_quote(qt, sizeof(qt), ws->sc->table);
        if (consumer_release_topic(r->consumer, ws->topic) < 0) {
            stream_holds_postpone(&r->holds, (size_t)i, now);
            continue;
        }
        stream_holds_released(&r->holds, (size_t)i);
        log_debug("held stream tried again", "stream=%s table=%s", ws->sc->name, qt);
        /* a rebalance gave its partitions to another member: not ours */
        if (!consumer_has_topic(r->consumer, ws->topic) &&
            stream_holds_applied(&r->holds, (size_t)i)) {
            log_info("held stream no longer assigned here", "stream=%s table=%s", ws->sc->name, qt);
            publish_holds(r);
        }
    }
}

/* After a retry was fenced: when the attempt before it sent its COMMIT
 * (unanswered: the connection was lost) and the stored offsets are exactly
 * past the batch, that COMMIT went through. The batch is applied, with
 * that attempt's counts, and the consumer is where it should be: no
 * re-seek. Returns 1 then, 0 when the batch was really fenced. */
static int applied_unanswered(runner_t *r, const apply_result_t *unanswered)
{
    if (!unanswered->commit_sent ||
        !fencing_applied(r->fencing, unanswered->parts, unanswered->n_parts))
        return 0;
    log_info("batch committed; only the reply was lost", "messages=%zu partitions=%zu", r->batch->n,
             unanswered->n_parts);
    metadata_log_completed(unanswered->completed_runs);
    commit_kafka(r, unanswered);
    report(r, unanswered);
    return 1;
}

/* A transient failure of attempt (0-based): logged and counted; *res is
 * emptied, into *unanswered when its COMMIT was sent. 0 after the backoff
 * before the next attempt, -1 when the worker stops instead. */
static int on_retry(runner_t *r, apply_result_t *res, apply_result_t *unanswered, const char *err,
                    int attempt, int64_t dead_letters_produced)
{
    char qb[1100];
    worker_counters_t wc;

    worker_stats_retry(&r->stats);
    worker_stats_snapshot(&r->stats, &wc);
    /* the lag goes on growing while the batch waits: say so */
    worker_stats_lag(&r->stats, r->consumer, NULL, 0);
    /* dead letters Kafka acknowledged before the rollback are produced
     * again by the retry, unless it finds the batch's offsets moved
     * (fenced, or applied_unanswered()) */
    log_warn("batch rolled back; retrying",
             "error=%s attempt=%d retries_total=%" PRId64
             " backoff_ms=%d dead_letters_produced=%" PRId64,
             log_quote(qb, sizeof(qb), err), attempt + 1, wc.retries, backoff_delay_ms(attempt),
             dead_letters_produced);
    if (res->commit_sent) {
        apply_result_clear(unanswered);
        *unanswered = *res;
        memset(res, 0, sizeof(*res));
    }
    apply_result_clear(res);
    if (backoff_sleep(attempt) == 0)
        return 0;
    log_warn("stopping with a batch not applied; it will be consumed again", "messages=%zu",
             r->batch->n);
    return -1;
}

/*
 * A batch that the server's limits refuse again and again (a statement or
 * transaction timeout, out of memory: pg_error_shrinks()) would be
 * retried as it is for ever. It is dropped instead, its partitions sought
 * back to their stored offsets (its messages are consumed again; in an
 * EAGER revoke, by whoever gets them), and batches are held to half its
 * size, halved again while they still fail; they grow back a step per
 * SHRINK_HOLD_MS without such a failure (grow_batches()). 1 when it was
 * dropped; 0 when it cannot be smaller (one message).
 */
static int shrink_batch(runner_t *r, const char *err)
{
    char qb[1100];
    int half = (int)(r->batch->n / 2);

    if (half < 1)
        return 0;
    if (r->size_cap == 0 || half < r->size_cap) /* a batch collected before */
        r->size_cap = half;
    log_warn("batch too large for the server's limits; applying smaller ones",
             "error=%s messages=%zu batch_limit=%d", log_quote(qb, sizeof(qb), err), r->batch->n,
             r->size_cap);
    /* An EAGER revoke takes every partition: whoever gets them next
     * starts from the stored offsets (as on_fenced()). */
    if (!r->revoking_all && fencing_reseek(r->fencing, r->consumer) == OUTCOME_FATAL)
        r->fatal = 1;
    return 1;
}

/* After a transient failure: counts in *in_a_row those the batch's size
 * may cause; 1 when the batch was dropped to be applied smaller. */
static int shrunk_for_size(runner_t *r, const char *err, int *in_a_row)
{
    if (!pg_error_shrinks(pg_last_sqlstate(r->pg), err)) {
        *in_a_row = 0;
        return 0;
    }
    r->size_cap_at_ms = isotime_monotonic_ms(); /* no growing back for a while */
    return ++*in_a_row >= SHRINK_AFTER && shrink_batch(r, err);
}

/* After a batch applied: size_cap doubles (and goes once it no longer
 * limits) when SHRINK_HOLD_MS passed since it last moved or a batch last
 * failed by its size. */
static void grow_batches(runner_t *r)
{
    int64_t now = isotime_monotonic_ms();

    if (r->size_cap == 0 || now - r->size_cap_at_ms < SHRINK_HOLD_MS)
        return;
    r->size_cap_at_ms = now;
    r->size_cap = r->size_cap > INT32_MAX / 2 ? 0 : r->size_cap * 2;
    if (r->size_cap >= r->conf->batch_max_records)
        r->size_cap = 0;
    log_info("batches grow back", "batch_limit=%d", r->size_cap ? r->size_cap : -1);
}

/* Applies the batch in hand, retrying transient failures (never skipping
 * them); empties it. Returns 1 when it was applied (or empty), 0 when it
 * was not (fenced, failed, or the worker stops). */
static int flush_batch(runner_t *r)
{
    char err[1024];
    apply_result_t res, unanswered; /* the last attempt whose COMMIT was sent */
    int attempt, applied = r->batch->n == 0, size_failures = 0;

    memset(&unanswered, 0, sizeof(unanswered));
    worker_stats_batch_start(&r->stats);
    for (attempt = 0; r->batch->n > 0 && !r->fatal; attempt++) {
        int64_t dl_before = dlq_queue_count(r->dlq);
        pg_forget_sqlstate(r->pg); /* so that a failure before any SQL has none */
        int64_t started = isotime_monotonic_ms();
        outcome_t as = attempt_batch(r, &res, err, sizeof(err));
        worker_counters_t wc;

        if (as == OUTCOME_OK) {
            applied = 1;
            note_applied(r);
            commit_kafka(r, &res);
            report(r, &res);
            grow_batches(r);
            worker_stats_snapshot(&r->stats, &wc);
            if (attempt > 0)
                log_info("batch applied after retries", "attempts=%d retries_total=%" PRId64,
                         attempt + 1, wc.retries);
        } else if (as == OUTCOME_FENCED) {
            applied = applied_unanswered(r, &unanswered);
            if (!applied)
                on_fenced(r, &res, dlq_queue_count(r->dlq) - dl_before);
        } else if (as == OUTCOME_FATAL) {
            log_err(LOG_ERROR, "batch failed; stopping", err, -1);
            r->fatal = 1;
        } else if (hold_refused(r, &res, err, isotime_monotonic_ms() - started)) {
            /* the other streams' messages go in at once; none left: done */
            apply_result_clear(&res);
            applied = r->batch->n == 0;
            continue;
        } else if (!shrunk_for_size(r, err, &size_failures) &&
                   on_retry(r, &res, &unanswered, err, attempt,
                            dlq_queue_count(r->dlq) - dl_before) == 0) {
            continue;
        }
        apply_result_clear(&res);
        break;
    }
    apply_result_clear(&unanswered);
    /* that batch's, whatever became of it */
    r->actx.immediate_constraints = 0;
    if (r->has_cur) /* not tried: the worker stopped */
        decoded_clear(&r->cur);
    r->has_cur = 0;
    batch_reset(r->batch);
    /* a batch's decoded events are freed by now: hand the pages back, so
     * that the heap does not keep one batch's peak on top of the next */
    malloc_trim(0);
    return applied;
}

/* The batch collected ahead (r->next, with its decode) becomes the batch
 * in hand, which is empty. The contents move, not the pointers: a
 * batch_collect() in progress keeps filling the batch it was given. */
static void promote_next(runner_t *r)
{
    batch_t held = *r->batch;

    *r->batch = *r->next;
    *r->next = held;
    r->cur = r->next_d;
    r->has_cur = r->has_next;
    memset(&r->next_d, 0, sizeof(r->next_d));
    r->has_next = 0;
}

/* Forgets r->next: the batch before it was not applied, so neither may it
 * be (on_fenced() re-sought its partitions; a failure stops the worker). */
static void drop_next(runner_t *r)
{
    if (r->has_next)
        decoded_clear(&r->next_d);
    r->has_next = 0;
    batch_reset(r->next);
}

/* Applies everything in hand: the batch, then the one collected after it. */
static void flush_all(runner_t *r)
{
    settle_ahead(r);
    int applied = flush_batch(r);

    if (r->next->n == 0)
        return;
    if (!applied) {
        drop_next(r);
        return;
    }
    promote_next(r);
    flush_batch(r);
}

static void before_revoke(void *ctx, int all)
{
    runner_t *r = ctx;

    r->revoking_all = all;
    flush_all(r);
    r->revoking_all = 0;
}

/* When idle, or while a partition is stuck out of range: notice offsets
 * moved by reset-offsets (which also resumes a stuck partition), and
 * complete runs whose last events another worker committed concurrently
 * with ours. Every IDLE_TICK_MS at most. The batches in hand are applied
 * first: a partition sought to a moved offset must not then commit a
 * batch collected before the seek (its fence would expect the moved
 * offset and pass). */
static void idle_tick(runner_t *r)
{
    char err[512];
    int64_t now = isotime_monotonic_ms();

    if (now - r->last_idle_ms < IDLE_TICK_MS)
        return;
    flush_all(r);
    if (r->fatal)
        return;
    r->last_idle_ms = now;
    /* a stream let go with nothing of it left to apply (another member
     * applied it, reset-offsets moved past it): it holds nothing back */
    for (size_t i = 0; i < r->holds.n; i++) {
        const worker_stream_t *ws = &r->actx.streams->items[i];

        if (r->holds.items[i].failing && !r->holds.items[i].held &&
            consumer_topic_caught_up(r->consumer, ws->topic) &&
            stream_holds_applied(&r->holds, i)) {
            char qt[300];
            log_info("held stream has nothing left to apply", "stream=%s table=%s", ws->sc->name,
                     log_quote(qt, sizeof(qt), ws->sc->table));
            publish_holds(r);
        }
    }
    worker_stats_partitions(&r->stats, (int64_t)consumer_n_assigned(r->consumer),
                            (int64_t)consumer_n_stuck(r->consumer));
    worker_stats_lag(&r->stats, r->consumer, NULL, 0);
    if (fencing_resync(r->fencing, r->consumer, 0, NULL, err, sizeof(err)) != OUTCOME_OK) {
        log_err(LOG_WARN, "idle check failed", err, -1);
        return;
    }
    pg_status_t st = pg_cmd(r->pg, "BEGIN", err, sizeof(err));
    if (st == PG_OK) {
        char *stuck = consumer_stuck_json(r->consumer);
        PGresult *done = NULL;

        st = stuck ? metadata_complete_runs(r->pg, r->conf, stuck, r->actx.tables_json, &done, err,
                                            sizeof(err))
                   : PG_FATAL;
        if (!stuck)
            errstr_set(err, sizeof(err), "out of memory");
        free(stuck);
        st = st == PG_OK ? pg_cmd(r->pg, "COMMIT", err, sizeof(err)) : st;
        if (st == PG_OK)
            metadata_log_completed(done);
        else
            pg_rollback_quiet(r->pg);
        PQclear(done);
    }
    if (st != PG_OK)
        log_err(LOG_WARN, "idle check failed", err, -1);
}

/* Every IDLE_TICK_MS, busy or idle: the stored offsets of partitions
 * whose fetchers passed offsets that hold no message (another client's
 * aborted transactions) move up to where the fetchers are
 * (consumer_store_passed()). Between batches: no transaction is open, and
 * a partition with messages in hand is left alone. */
static void store_passed_tick(runner_t *r)
{
    int64_t now = isotime_monotonic_ms();

    if (now - r->last_passed_ms < IDLE_TICK_MS)
        return;
    r->last_passed_ms = now;
    consumer_store_passed(r->consumer);
}

/* sync_metadata is one per database (per schema): another group applying
 * runs here adds its counts to ours and completes runs for both. Said at
 * start, once; a group that is gone leaves its rows behind. */
static void warn_other_groups(runner_t *r)
{
    char err[512], *names = NULL, q[600], qg[600];

    if (offsets_other_groups(r->pg, r->conf->group_id, &names, err, sizeof(err)) != PG_OK)
        log_err(LOG_WARN, "cannot read the other groups' offsets", err, -1);
    else if (names)
        log_warn("other consumer groups keep their offsets in this database: sync_metadata "
                 "counts each run once for all of them, so one group's progress completes "
                 "another's runs. Give each group its own database or schema (conninfo "
                 "options=-csearch_path=...), or delete a gone group's rows from sync_offsets",
                 "group=%s other_groups=%s", log_quote(qg, sizeof(qg), r->conf->group_id),
                 log_quote(q, sizeof(q), names));
    free(names);
}

/* Connects and creates the tables, retrying a few times (PostgreSQL may
 * start after the worker). A table lock held elsewhere (a pg_dump, a
 * report's long transaction in front of an ALTER TABLE) is waited out
 * for as long as it lasts, in short waits (ddl.h) further and further
 * apart, a warning each time, never counted as a failed attempt: it goes
 * away by itself. */
static int startup_db(runner_t *r, const worker_streams_t *streams)
{
    const stream_sql_t **sqls = calloc(streams->n + 1, sizeof(*sqls));
    char err[1024];
    pg_status_t st = PG_FATAL;
    int failures = 0, lock_waits = 0;

    if (!sqls)
        return -1;
    for (size_t i = 0; i < streams->n; i++)
        sqls[i] = &streams->items[i].sql;
    for (int attempt = 0; failures < STARTUP_ATTEMPTS; attempt++) {
        st = pg_ensure(r->pg, err, sizeof(err));
        if (st == PG_OK)
            st = ddl_ensure(r->pg, r->conf->group_id, sqls, streams->n, &r->schema_error, err,
                            sizeof(err));
        if (st != PG_TRANSIENT)
            break;
        int locked = !strcmp(pg_last_sqlstate(r->pg), "55P03");
        log_err(LOG_WARN, "PostgreSQL not ready; retrying", err, attempt + 1);
        if (backoff_sleep(locked ? lock_waits++ : failures++) < 0)
            break;
    }
    free(sqls);
    if (st == PG_OK)
        warn_other_groups(r);
    if (st != PG_OK)
        log_err(LOG_ERROR,
                r->schema_error ? "the schema does not fit the table" : "cannot prepare PostgreSQL",
                err, -1);
    return st == PG_OK ? 0 : -1;
}

/* The topics Kafka refuses changed: /readyz says so (stats_metrics.c). */
static void on_refused(void *ctx, const char *why)
{
    runner_t *r = ctx;

    worker_stats_set_refused(&r->stats, why);
}

/* fencing_table_fn: the table of the stream that reads topic, as
 * ddl_table_names() names it; NULL for the run records' topic. */
static const char *table_of_topic(void *ctx, const char *topic)
{
    const runner_t *r = ctx;

    return json_string_value(json_object_get(r->tables, topic));
}

/* *tables_json with each table under its one name (ddl_table_names()),
 * kept in r->tables for table_of_topic(). 0 or -1. */
static int name_tables(runner_t *r, char **tables_json)
{
    char err[512], *named = NULL;

    if (ddl_table_names(r->pg, *tables_json, &named, err, sizeof(err)) != PG_OK) {
        log_err(LOG_ERROR, "cannot prepare PostgreSQL", err, -1);
        return -1;
    }
    if (named) {
        free(*tables_json);
        *tables_json = named;
    }
    r->tables = json_loads(*tables_json, 0, NULL);
    return r->tables ? 0 : -1;
}

static int start_kafka(runner_t *r, const worker_streams_t *streams)
{
    consumer_hooks_t hooks = {.before_revoke = before_revoke, .refused = on_refused, .ctx = r};
    const char **topics = calloc(streams->n + 1, sizeof(*topics));
    char err[512];
    int rc = -1;

    if (!topics)
        return -1;
    for (size_t i = 0; i < streams->n; i++)
        topics[i] = streams->items[i].topic;
    topics[streams->n] = r->actx.sync_runs_topic;
    r->dlq = dlq_queue_new(r->conf, err, sizeof(err));
    r->fencing = fencing_new(r->pg, r->conf->group_id);
    if (!r->fencing)
        errstr_set(err, sizeof(err), "out of memory");
    else
        fencing_set_tables(r->fencing, table_of_topic, r);
    if (r->dlq && r->fencing) {
        consumer_offsets_t offsets = fencing_offsets(r->fencing);

        r->consumer = consumer_new(r->conf, &hooks, &offsets, err, sizeof(err));
    }
    if (r->consumer &&
        consumer_subscribe(r->consumer, topics, streams->n + 1, err, sizeof(err)) == 0)
        rc = 0;
    if (rc < 0)
        log_err(LOG_ERROR, "cannot start the Kafka clients", err, -1);
    free(topics);
    return rc;
}

/* The most messages of one batch: half of batch.max.records, since two
 * are held at once (one applied, the next decoded), and the worker's
 * memory follows the messages it holds; less while size_cap is set. */
static int batch_limit(const runner_t *r)
{
    int n = r->conf->batch_max_records > 1 ? (r->conf->batch_max_records + 1) / 2 : 1;
    return r->size_cap > 0 && r->size_cap < n ? r->size_cap : n;
}

/*
 * Applies the batch in hand while the next one is decoded: decodes the
 * batch in hand (unless it was decoded ahead), takes what the consumer
 * holds ready into r->next without waiting, decodes that on the decode
 * thread while PostgreSQL applies the batch in hand, then makes it the
 * batch in hand. A rebalance while r->next is collected applies both
 * (before_revoke). Kafka offsets are committed only after their batch's
 * transaction, in batch order.
 */
static void apply_ahead(runner_t *r)
{
    char err[512];

    if (!r->has_cur) {
        r->has_cur = decode_batch_deferred(r->batch, r->actx.streams, r->actx.sync_runs_topic,
                                           &r->cur, err, sizeof(err)) == 0;
        if (!r->has_cur) /* decoded again by apply_batch(), which says why */
            decoded_clear(&r->cur);
    }
    if (r->has_cur && batch_collect_ready(r->next, r->consumer, batch_limit(r)) < 0) {
        log_err(LOG_ERROR, "cannot collect a batch", "out of memory", -1);
        r->fatal = 1;
    }
    if (r->batch->n == 0) { /* a rebalance applied it */
        promote_next(r);
        return;
    }
    /* Only a full enough batch is decoded ahead. Fewer ready messages mean
     * they arrive slower than we apply them (large messages through a
     * bounded prefetch, a quiet topic): taken ahead, each would become a
     * transaction of its own, a few messages long. Left undecoded, the
     * loop tops such a batch up for batch.max.ms as it did before. */
    if (r->next->n >= (size_t)batch_limit(r) / 2 && r->next->n > 0 &&
        decodeahead_start(&r->ahead, r->next, r->actx.streams, r->actx.sync_runs_topic) < 0)
        log_debug("no decode thread; decoding in turn", "messages=%zu", r->next->n);
    int applied = flush_batch(r);
    settle_ahead(r);
    if (!applied || r->fatal)
        drop_next(r);
    else
        promote_next(r);
}

static void loop(runner_t *r)
{
    while (tm_running && !r->fatal) {
        metrics_heartbeat();
        release_holds(r);
        /* a batch taken ahead but not decoded is topped up (apply_ahead) */
        int topup = r->batch->n > 0 && !r->has_cur && r->batch->n < (size_t)batch_limit(r);
        if ((r->batch->n == 0 || topup) &&
            batch_collect(r->batch, r->consumer, batch_limit(r), r->conf->batch_min_ms,
                          r->conf->batch_max_ms,
                          topup ? r->conf->batch_max_ms : IDLE_POLL_MS) < 0) {
            log_err(LOG_ERROR, "cannot collect a batch", "out of memory", -1);
            r->fatal = 1;
        }
        if (consumer_failed(r->consumer))
            r->fatal = 1;
        if (r->batch->n > 0 && !r->fatal) {
            apply_ahead(r);
            /* a stuck partition waits for reset-offsets even when busy */
            if (!r->fatal && consumer_n_stuck(r->consumer) > 0)
                idle_tick(r);
        } else if (!r->fatal) {
            idle_tick(r);
        }
        if (!r->fatal)
            store_passed_tick(r);
    }
    /* SIGTERM/SIGINT: the batches in hand go in (or are rolled back) */
    if (!r->fatal)
        flush_all(r);
}

int runner_run(const tm_config_t *conf, const worker_streams_t *streams)
{
    runner_t r;
    int rc = 1;
    char *tables_json = worker_streams_tables_json(streams);

    /* Buffers of 1 MiB and more (a batch's COPY text, built on the decode
     * thread: rowsahead.h) are mapped and unmapped whole. glibc's sliding
     * threshold would put them in that thread's arena among the decoded
     * events, whose heap they fragment: 12-15 MiB more peak RSS in make
     * bench (55 -> 67-70 MiB), back to 56 MiB with this. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    memset(&r, 0, sizeof(r));
    worker_stats_init(&r.stats);
    r.conf = conf;
    r.pg = pg_new(conf->pg_conninfo);
    if (r.pg)
        pg_set_lock_timeout(r.pg, conf->pg_lock_timeout_ms);
    if (r.pg && pg_cancel_on_stop(r.pg, STOP_GRACE_MS) < 0)
        log_warn("no thread to cancel a statement at stop; a stop waits for it", "grace_ms=%d",
                 STOP_GRACE_MS);
    r.batch = batch_new();
    r.next = batch_new();
    if (stream_holds_init(&r.holds, streams->n) < 0 || !tables_json)
        r.fatal = 1;
    r.last_report_ms = isotime_monotonic_ms();
    topic_sync_runs(conf, r.actx.sync_runs_topic, sizeof(r.actx.sync_runs_topic));
    if (!r.fatal && worker_metrics_start(conf, streams, &r.stats, &r.metrics) == 0 && r.pg &&
        r.batch && r.next && startup_db(&r, streams) == 0 && name_tables(&r, &tables_json) == 0 &&
        start_kafka(&r, streams) == 0) {
        r.actx.conf = conf;
        r.actx.pg = r.pg;
        r.actx.consumer = r.consumer;
        r.actx.fencing = r.fencing;
        r.actx.dlq = r.dlq;
        r.actx.streams = streams;
        r.actx.tables_json = tables_json;
        char qg[600];
        log_info("worker started", "group=%s streams=%zu",
                 log_quote(qg, sizeof(qg), conf->group_id), streams->n);
        loop(&r);
        rc = r.fatal ? 1 : 0;
    } else if (r.schema_error) {
        rc = 2; /* a configuration error, found against the database */
    }
    consumer_close(r.consumer); /* leaves the group: before fencing */
    settle_ahead(&r);
    if (r.has_next)
        decoded_clear(&r.next_d);
    if (r.has_cur)
        decoded_clear(&r.cur);
    batch_destroy(r.batch); /* their messages, before their client */
    batch_destroy(r.next);
    r.batch = r.next = NULL; /* the consumer's hooks still see r */
    consumer_close_destroy(r.consumer);
    fencing_destroy(r.fencing);
    dlq_queue_destroy(r.dlq);
    stream_holds_free(&r.holds);
    free(tables_json);
    json_decref(r.tables);
    pg_destroy(r.pg);
    worker_metrics_stop(r.metrics); /* before the stats it reads */
    worker_counters_t wc;
    worker_stats_snapshot(&r.stats, &wc);
    worker_stats_destroy(&r.stats);
    log_info("worker stopped",
             "status=%d events=%" PRId64 " batches=%" PRId64 " dead_letters=%" PRId64
             " retries=%" PRId64 " fenced=%" PRId64,
             rc, wc.events, wc.batches, wc.dead_letters, wc.retries, wc.fenced);
    return rc;
}
