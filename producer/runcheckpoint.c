/*
 * runcheckpoint.c - the run records one run writes to <prefix>.sync-runs:
 * `running` at its start and as it goes (run_maybe_progress()), then
 * `completed` or `failed` (see runstate.h for which HWM each may hold,
 * checkpoint.h for how a record and its chunks are written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "daytz.h"
#include "errstr.h"
#include "isotime.h"
#include "log.h"
#include "run.h"
#include "runstate.h"

/* Writes a run record with the given HWMs and status; own: hwm is the
 * records walk's own progress (a tracker's), not the durable one. */
static int write_record(run_t *r, run_status_t status, const run_hwm_t *hwm, const run_hwm_t *del,
                        int own, const char *error, char *errstr, size_t errstr_size)
{
    run_record_t rr = {0};
    /* a local date asked for or bucketed as UTC's: the HWM may lie past
     * changes the API was never asked for, so no record may keep it */
    if (status != RUN_STATUS_FAILED && daytz_take_failure(errstr, errstr_size) != 0) {
        r->dates_unknown = 1; /* nor the failed record (run_mark_failed) */
        return PRODUCER_FAILED;
    }
    rr.stream = r->sc->name;
    rr.run_id = r->run_id;
    rr.mode = r->mode.full ? RUN_MODE_FULL : RUN_MODE_INCREMENTAL;
    rr.status = status;
    rr.hwm = *hwm; /* borrowed: rr is only serialized, never destroyed */
    rr.deleted_hwm = *del;
    rr.records = r->stats.upserts;
    rr.deletes = r->stats.deletes;
    rr.failed_records = r->stats.dead_lettered;
    rr.started_at_ms = r->started_at;
    rr.finished_at_ms = status == RUN_STATUS_RUNNING ? 0 : isotime_now_ms();
    rr.last_full_at_ms = run_mode_counts_as_full(r->mode, r->last_full_at, status, r->reconciled)
                             ? r->started_at
                             : r->last_full_at;
    rr.error = (char *)error;
    rr.source = r->source;
    /* A full run started afresh keeps the HWM from before it until its
     * walk makes its own durable. A run after it failed or died took that
     * HWM for where the full walk got to and resumed from there, reading
     * nothing below it: rows deleted for --full to restore stayed
     * missing, and a url widened to serve more never had the rest read.
     * Said so, the next run starts it again. A periodic full run resumes:
     * the changes since flow while a page deep down fails, and, not
     * counted as the full sync, it is due again after that run. */
    rr.restart_full = r->mode.afresh && !(own || r->own_hwm) && status != RUN_STATUS_COMPLETED;
    if (publisher_end_offsets(r->pub, r->topic, &rr.end_offsets, &rr.n_end_offsets) != 0)
        return run_oom(errstr, errstr_size);
    int rc = checkpoint_write(r->pub, r->runs_topic, &rr, errstr, errstr_size);
    free(rr.end_offsets);
    if (rc != 0)
        return PRODUCER_FAILED;
    r->stats.checkpoints++;
    if (!r->stale_dropped && r->cp) {
        /* chunks no head uses (a crash between chunk writes, an older
         * set): only tidy-up, so a failure here is only logged */
        char derr[256], q[600];
        r->stale_dropped = 1;
        if (checkpoint_drop_keys(r->pub, r->runs_topic, r->cp->stale_chunks, r->cp->n_stale_chunks,
                                 derr, sizeof(derr)) != 0)
            log_warn("stale checkpoint chunks not dropped", "stream=%s error=%s", r->sc->name,
                     log_quote(q, sizeof(q), derr));
    }
    return PRODUCER_OK;
}

/*
 * What a run record may hold for one side: the tracker when use_tracker
 * (its chunks written first, checkpoint.h), else a copy of the durable
 * HWM. *head is zeroed first; the caller run_hwm_clear()s it.
 */
static int head_of(run_t *r, int use_tracker, hwm_tracker_t *t, const run_hwm_t *durable,
                   run_hwm_t *head, char *errstr, size_t errstr_size)
{
    if (use_tracker)
        return checkpoint_prepare(r->pub, r->runs_topic, r->sc->name, r->run_id, &r->chunk_seq, t,
                                  head, errstr, errstr_size);
    if (run_hwm_copy(head, durable) != 0)
        return run_oom(errstr, errstr_size);
    return PRODUCER_OK;
}

/*
 * Writes a checkpoint (run record with status and error) whose HWMs are
 * records (a tracker; NULL: the durable one) and the deleted tracker where
 * deletes says so (else the durable one): the
 * chunks it needs, then the run record. Only after both does it become the
 * durable HWM; then the chunks the previous one used and this one does not
 * are dropped. Its cost follows what changed since the last one, not the
 * size of the id set. The caller has flushed the events it covers.
 */
static int write_checkpoint(run_t *r, run_status_t status, hwm_tracker_t *records, int deletes,
                            const char *error, char *errstr, size_t errstr_size)
{
    run_hwm_t head = {0}, del = {0};
    int rc = head_of(r, records != NULL, records, &r->durable, &head, errstr, errstr_size);
    if (rc == 0)
        rc = head_of(r, deletes, &r->del_tracker, &r->del_durable, &del, errstr, errstr_size);
    if (rc == 0)
        rc = write_record(r, status, &head, &del, records != NULL, error, errstr, errstr_size);
    if (rc != 0) {
        run_hwm_clear(&head);
        run_hwm_clear(&del);
        return PRODUCER_FAILED;
    }
    /* the old chunks are only tidied up: a failure is only logged */
    char derr[256], q[600];
    if (checkpoint_drop_unused(r->pub, r->runs_topic, &r->durable, &head, derr, sizeof(derr)) !=
            0 ||
        checkpoint_drop_unused(r->pub, r->runs_topic, &r->del_durable, &del, derr, sizeof(derr)) !=
            0)
        log_warn("unused checkpoint chunks not dropped", "stream=%s error=%s", r->sc->name,
                 log_quote(q, sizeof(q), derr));
    if (records)
        r->own_hwm = 1; /* the walk's, not the one from before it */
    run_hwm_clear(&r->durable);
    run_hwm_clear(&r->del_durable);
    r->durable = head; /* moved */
    r->del_durable = del;
    r->since_progress = 0;
    return PRODUCER_OK;
}

/* Flushes, then write_checkpoint() (status running or completed). */
static int checkpoint_at(run_t *r, run_status_t status, hwm_tracker_t *records, int deletes,
                         char *errstr, size_t errstr_size)
{
    if (publisher_flush(r->pub, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    return write_checkpoint(r, status, records, deletes, NULL, errstr, errstr_size);
}

int run_mark_start(run_t *r, char *errstr, size_t errstr_size)
{
    /* the checkpoint is another run's `running` record: it never ended */
    const run_record_t *cp = r->cp;
    if (cp && cp->status == RUN_STATUS_RUNNING && cp->run_id && strcmp(cp->run_id, r->run_id) &&
        checkpoint_write_abandoned(r->pub, r->runs_topic, cp, r->run_id, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    /* hwm unchanged, so a crash is harmless */
    return write_record(r, RUN_STATUS_RUNNING, &r->durable, &r->del_durable, 0, NULL, errstr,
                        errstr_size);
}

int run_mark_completed(run_t *r, char *errstr, size_t errstr_size)
{
    return checkpoint_at(r, RUN_STATUS_COMPLETED, &r->tracker, 1, errstr, errstr_size);
}

void run_mark_failed(run_t *r, const char *error)
{
    char werr[512], q[600];
    /* Settle the delivery reports first, so the record's end_offsets
     * cover what this run did get acknowledged; its failure, if any,
     * is the one being reported. */
    int acked = publisher_flush(r->pub, werr, sizeof(werr)) == 0;
    if (!acked)
        log_debug("flush before the failed run record", "stream=%s", r->sc->name);
    /* A walk that was read to its end and acknowledged is durable (the
     * records before a failing deleted endpoint); else the last durable
     * HWM stays, and the next run re-reads from there. */
    char why[256];
    if (daytz_take_failure(why, sizeof(why)) != 0) { /* the run failed for another reason */
        log_warn("this run's local dates were not known", "stream=%s error=%s", r->sc->name,
                 log_quote(q, sizeof(q), why));
        r->dates_unknown = 1;
    }
    int trusted = acked && !r->dates_unknown;
    if (write_checkpoint(r, RUN_STATUS_FAILED, trusted && r->records_done ? &r->tracker : NULL,
                         trusted && r->deletes_done, error, werr, sizeof(werr)) != 0)
        log_error("cannot write the failed run record", "stream=%s run_id=%s error=%s", r->sc->name,
                  r->run_id, log_quote(q, sizeof(q), werr));
}

/*
 * The records' HWM a progress checkpoint may hold. The tracker is safe
 * once their walk is over, and during it only when the pages come in
 * cursor order (cursor.sorted): then no record below the largest cursor
 * seen is still to come. Cursor or Link pages in the API's own order (by
 * id, say) prove nothing of the kind: a record with a smaller cursor may
 * be on the next page, and a resume past it would skip it for good. And
 * once a walk in cursor order has paged by number (pageshift.h), a record
 * a shift hid may lie as low as the since it paged at, until the second
 * walk is over: no further than that (*held, with no ids), and no lower
 * than the durable HWM (a full run's own: not the one from before a run
 * started afresh). NULL: the durable HWM.
 */
static hwm_tracker_t *progress_records(run_t *r, hwm_tracker_t *held)
{
    int has_since;
    int64_t since;
    if (r->records_done)
        return &r->tracker;
    if (!r->sc->cursor_sorted)
        return NULL;
    if (!r->shift || !pageshift_hold(r->shift, &has_since, &since))
        return &r->tracker;
    /* a full run started afresh holds the HWM from before it (write_record:
     * restart_full) until it writes one of its own: that one, past the
     * whole walk, says nothing of where this walk got to */
    int durable_ours = !r->mode.afresh || r->own_hwm;
    if (!has_since || (durable_ours && r->durable.has_value && r->durable.value_ms >= since))
        return NULL;
    held->has_value = 1;
    held->value_ms = since;
    return held;
}

/* Past SYNC_PROGRESS_EVERY events, the clock is read every this many:
 * once per event it would cost about 1% of a fast run. */
#define PROGRESS_CLOCK_EVERY 256

/*
 * A checkpoint first waits until Kafka has acknowledged every event sent
 * so far, which drains the producer's pipeline: every 20000 events, at
 * 400k events a second, that was 6-8% of a run's time (a remote broker's
 * round trip costs more). After a run's first progress checkpoint,
 * progress.interval bounds what a failure costs by time instead, as Kafka
 * Connect's offset.flush.interval.ms does. The first comes at 20000
 * events whatever the time: a run that fails a few seconds in, at every
 * run (an API's request quota), still gets further each time, as a long
 * first load on a flaky API must (t_progress_quota).
 */
static int progress_due(const run_t *r)
{
    int64_t n = r->since_progress + 1;
    if (n < SYNC_PROGRESS_EVERY || (n - SYNC_PROGRESS_EVERY) % PROGRESS_CLOCK_EVERY != 0)
        return 0;
    return !r->progress_at ||
           isotime_monotonic_ms() - r->progress_at >= r->conf->progress_interval_ms;
}

/* The deleted tracker is safe only once the deleted walk is over (items
 * without deleted_at all carry the walk's clock mark). When neither may
 * move, nothing is written. */
int run_maybe_progress(run_t *r, char *errstr, size_t errstr_size)
{
    int due = progress_due(r);
    r->since_progress++;
    if (!due)
        return PRODUCER_OK;
    /* decided once: the clock read again could say otherwise */
    if (run_settle_deferred(r, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    hwm_tracker_t held = {0};
    hwm_tracker_t *records = progress_records(r, &held);
    if (!records && !r->deletes_done) {
        if (!r->progress_off_logged && !r->sc->cursor_sorted)
            log_info("no progress checkpoint: the pages are not in cursor order "
                     "(cursor.sorted = false); the HWM moves when the walk is over",
                     "stream=%s run_id=%s", r->sc->name, r->run_id);
        r->progress_off_logged = 1;
        r->since_progress = 0;
        return PRODUCER_OK;
    }
    int rc = checkpoint_at(r, RUN_STATUS_RUNNING, records, r->deletes_done, errstr, errstr_size);
    hwm_tracker_clear(&held);
    if (rc == PRODUCER_OK)
        r->progress_at = isotime_monotonic_ms();
    return rc;
}
