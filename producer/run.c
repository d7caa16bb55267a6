/*
 * run.c - one run of one stream (see run.h): its set-up, the order of its
 * steps (runstate.h names the module of each) and its end.
 */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daytz.h"
#include "errstr.h"
#include "checkpoint.h"
#include "isotime.h"
#include "random.h"
#include "topics.h"
#include "log.h"
#include "runstate.h"
#include "schemapub.h"
#include "schemareg.h"
#include "signals.h"
#include "url.h"

/* "run completed" or "run failed" (error) with this run's counters. */
static void log_done(const run_t *r, const char *msg, const char *error)
{
    char hwm[ISOTIME_BUFSIZE] = "-", q[600];
    const producer_stats_t *st = &r->stats;
    if (error ? r->durable.has_value : r->tracker.has_value)
        isotime_format(error ? r->durable.value_ms : r->tracker.value_ms, hwm, sizeof(hwm));
    log_write(error ? LOG_ERROR : LOG_INFO, msg,
              "stream=%s run_id=%s mode=%s fetched=%lld published=%lld deletes=%lld "
              "vanished=%lld stale_deletes=%lld revived=%lld skipped=%lld failed=%lld "
              "page_guesses=%lld page_guesses_taken=%lld hwm=%s duration_ms=%lld%s%s",
              r->sc->name, r->run_id, r->mode.full ? "full" : "incremental",
              (long long)st->records_read, (long long)st->upserts, (long long)st->deletes,
              (long long)st->vanished, (long long)st->stale_deletes, (long long)st->revived,
              (long long)st->skipped, (long long)st->dead_lettered, (long long)st->page_guesses,
              (long long)st->guesses_taken, hwm, (long long)(isotime_now_ms() - r->started_at),
              error ? " error=" : "", error ? log_quote(q, sizeof(q), error) : "");
}

/* How far past this host's clock a checkpoint's mark may lie before it
 * is taken for one an older build moved there: clocks of hosts and APIs
 * differ by minutes, dates in a zone 14 h ahead by a day at most. */
#define MARK_PAST_CLOCK_MS (24 * 3600 * 1000LL)

/*
 * A deleted mark past the clock: builds before 2026-12-03 moved it to a
 * deleted_at that lay in the future (a sentinel's 2099: t_cursor_future),
 * and every run asked the deleted endpoint from there, full runs too,
 * publishing no deletion again, with no word (t_deleted_mark_future).
 * It is dropped: the endpoint is read from its start, and every deletion
 * served is asked of the topic (late_delete()): those it already holds
 * are skipped as stale, where they were published again.
 */
static void drop_mark_past_clock(run_t *r)
{
    if (!r->del_tracker.has_value || r->del_tracker.value_ms <= r->started_at + MARK_PAST_CLOCK_MS)
        return;
    char mark[ISOTIME_BUFSIZE];
    isotime_format(r->del_tracker.value_ms, mark, sizeof(mark));
    log_warn("the deleted endpoint's mark lies past this host's clock (an older build moved it "
             "there): the endpoint is read from its start",
             "stream=%s run_id=%s deleted_hwm=%s", r->sc->name, r->run_id, mark);
    /* del_durable keeps it: a run that fails before its deletions writes
     * it back, and the next run drops it (and asks the topic) again;
     * cleared, that run asked the topic about none of them and published
     * each again (t_deleted_mark_fail_doubles) */
    hwm_tracker_clear(&r->del_tracker);
    r->del_mark_dropped = 1;
}

static int run_init(run_t *r, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    topic_for_stream(r->conf, sc->name, r->topic, sizeof(r->topic));
    topic_dlq(r->conf, r->dlq_topic, sizeof(r->dlq_topic));
    topic_sync_runs(r->conf, r->runs_topic, sizeof(r->runs_topic));
    publisher_warm_topic(r->pub, r->runs_topic);
    publisher_warm_topic(r->pub, r->topic);
    r->started_at = isotime_now_ms();
    run_id_make(sc->name, r->started_at, r->run_id, sizeof(r->run_id));
    r->last_full_at = r->cp ? r->cp->last_full_at_ms : 0;
    if (r->cp && (run_hwm_copy(&r->durable, &r->cp->hwm) != 0 ||
                  run_hwm_copy(&r->del_durable, &r->cp->deleted_hwm) != 0))
        return run_oom(errstr, errstr_size);
    /* A full run re-reads everything (a resumed one from where it got to);
     * the deleted endpoint keeps its HWM. */
    if (r->cp && (((!r->mode.full || r->mode.resumed) &&
                   checkpoint_load_tracker(&r->tracker, &r->cp->hwm, sc->name) != 0) ||
                  checkpoint_load_tracker(&r->del_tracker, &r->cp->deleted_hwm, sc->name) != 0))
        return run_oom(errstr, errstr_size);
    drop_mark_past_clock(r);
    r->hc = http_client_for_stream(sc, r->auth, errstr, errstr_size);
    if (!r->hc)
        return PRODUCER_FAILED;
    http_client_set_observer(r->hc, producer_stats_http, (void *)sc->name);
    http_client_set_wait_limit(r->hc, r->wait_limit_ms);
    /* before the first event: its id frames every event (schemareg.h) */
    schemareg_result_t reg =
        r->registry ? schemareg_ensure(r->conf, r->registry, r->topic, r->es, errstr, errstr_size)
                    : SCHEMAREG_OK;
    if (reg == SCHEMAREG_REFUSED && r->registry_refused)
        *r->registry_refused = 1; /* retrying will not help: the caller stops */
    if (reg != SCHEMAREG_OK)
        return PRODUCER_FAILED;
    /* before the first event: a worker on another schema version needs it */
    return schemapub_publish(r->conf, r->pub, r->es, errstr, errstr_size) == 0 ? PRODUCER_OK
                                                                               : PRODUCER_FAILED;
}

static void run_free(run_t *r)
{
    http_client_destroy(r->hc);
    hwm_tracker_clear(&r->tracker);
    hwm_tracker_clear(&r->del_tracker);
    run_hwm_clear(&r->durable);
    run_hwm_clear(&r->del_durable);
    reconcile_destroy(r->recon);
    pageshift_destroy(r->shift);
    pageshift_destroy(r->del_shift);
    heldeletes_destroy(r->held);
    idset_destroy(r->dlq_digests);
    idset_destroy(r->page_decider);
    idset_destroy(r->future_ids);
    free(r->later);
}

/* The deletions a deleted walk that failed had held: a part of a walk
 * proves nothing, so none is published. Reconciliation took the ids it
 * listed for this endpoint's to delete; they are vanished again unless
 * the records walk serves them, or a full run would delete none of them
 * for as long as the endpoint fails so. */
static void drop_held(run_t *r)
{
    size_t pos = 0;
    const char *id;
    int64_t at;
    int undated, stale;
    while (r->recon && r->held && heldeletes_next(r->held, &pos, &id, &at, &undated, &stale))
        reconcile_undeleting(r->recon, id);
    heldeletes_destroy(r->held);
    r->held = NULL;
}

/* The run once it is set up: mark its start, walk, delete, mark its end. */
static int run_body(run_t *r, char *errstr, size_t errstr_size)
{
    if (run_mark_start(r, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (r->mode.resumed)
        log_info("full run resumed from the last progress checkpoint: no reconciliation "
                 "(it needs a walk over every record)",
                 "stream=%s run_id=%s resumed_run_id=%s", r->sc->name, r->run_id, r->cp->run_id);
    else if (r->mode.full && run_scan_topic(r, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    /* The deleted endpoint first: its deletions are held until the
     * records walk has shown which are stale (heldeletes.h). One that
     * fails for good must not make every run publish the same records
     * again: the records go on and their HWM moves, the deleted HWM stays,
     * and the run fails with the deleted endpoint's error. Reconciliation
     * needs only the complete records walk, so a full run still does it.
     * So too when it asked to wait longer than a stream's turn (follow
     * mode) from another origin than the records': they are asked all the
     * same (the stream then sits out), or a deleted endpoint that keeps
     * asking would stop them. From the same origin, the API asked not to
     * be asked: the run ends there, until max.retries runs in a row have
     * so ended. Then that endpoint has had the retries --once gives it,
     * and is failing for good: the records are read, or one that never
     * recovers would stop them for ever. */
    char del_err[1024] = "";
    if (r->sc->deleted_url && run_fetch_deleted(r, errstr, errstr_size) != 0) {
        if (!tm_running)
            return PRODUCER_FAILED;
        if (http_client_retry_due(r->hc) && url_same_origin(r->sc->url, r->sc->deleted_url)) {
            r->deleted_deferred = 1;
            if (r->deleted_deferrals < r->sc->max_retries)
                return PRODUCER_FAILED;
        }
        http_client_resume(r->hc);
        errstr_set(del_err, sizeof(del_err), "deleted endpoint: %s", errstr);
        drop_held(r);
    }
    /* the deleted endpoint's answers are held until the records walk: a
     * run deferred before that walk's first answer loses nothing */
    http_client_set_wait_limit(r->hc, r->wait_limit_ms);
    if (run_fetch_records(r, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (r->held && run_publish_held(r, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (!r->sc->deleted_url)
        r->deletes_done = 1;
    /* Only here: a records walk that failed or was interrupted never gets
     * here. */
    if (r->recon && run_publish_vanished(r, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (del_err[0]) {
        errstr_set(errstr, errstr_size, "%s", del_err);
        return PRODUCER_FAILED;
    }
    return run_mark_completed(r, errstr, errstr_size);
}

int run_once(const tm_config_t *conf, const stream_conf_t *sc, envelope_schema_t *es,
             publisher_t *pub, const run_record_t *cp, const run_opts_t *opts, char *errstr,
             size_t errstr_size)
{
    run_t r = {.conf = conf,
               .sc = sc,
               .es = es,
               .pub = pub,
               .cp = cp,
               .allow_mass_delete = opts && opts->allow_mass_delete,
               .auth = opts ? opts->auth : NULL,
               .registry = opts ? opts->registry : NULL,
               .registry_refused = opts ? opts->registry_refused : NULL,
               .absent = opts ? opts->absent : NULL,
               .wait_limit_ms = opts ? opts->wait_limit_ms : 0,
               .deleted_deferrals = opts ? opts->deleted_deferrals : 0};
    const schema_field_t *idf = record_schema_field(envelope_schema_record(es), sc->id_field);
    r.id_type = idf ? idf->type : FT_STRING;
    char stale[256]; /* another stream's run left it (runs take turns on this thread) */
    if (daytz_take_failure(stale, sizeof(stale)) != 0)
        log_debug("a time zone failure of an earlier run dropped", "stream=%s", sc->name);
    run_source_digest(sc->url, r.source);
    r.mode = run_mode_decide(cp, r.source, opts && opts->force_full, conf->full_sync_every_ms,
                             isotime_now_ms());
    if (r.mode.source_unknown)
        log_warn("the checkpoint does not say which url its HWM is for (an older build wrote "
                 "it): if url changed, records below it were never read here; a full run reads "
                 "every record",
                 "stream=%s", sc->name);
    else if (r.mode.source_changed)
        log_warn("url changed since the checkpoint: its HWM is another endpoint's, and records "
                 "below it were never read here; a full run reads every record",
                 "stream=%s", sc->name);
    else if (r.mode.last_full_ahead)
        log_warn("the last full sync is dated past this host's clock (a clock that ran ahead "
                 "then): full_sync.every would never come due; a full run now",
                 "stream=%s", sc->name);
    publisher_reset(pub);
    int rc = run_init(&r, errstr, errstr_size);
    if (rc == PRODUCER_OK) {
        log_info("run started", "stream=%s run_id=%s mode=%s", sc->name, r.run_id,
                 r.mode.full ? "full" : "incremental");
        rc = run_body(&r, errstr, errstr_size);
    }
    if (rc == PRODUCER_OK) {
        r.stats.runs_completed++;
        log_done(&r, "run completed", NULL);
    } else {
        r.stats.runs_failed++;
        if (r.run_id[0])
            run_mark_failed(&r, errstr);
        log_done(&r, "run failed", errstr);
    }
    producer_stats_flush(sc->name, &r.flushed, &r.stats);
    producer_stats_run_end(sc->name, r.mode.full, rc == PRODUCER_OK, &r.durable);
    if (opts && opts->retry_due_ms)
        *opts->retry_due_ms = r.hc ? http_client_retry_due(r.hc) : 0;
    if (opts && opts->records_walked)
        *opts->records_walked = r.records_done;
    if (opts && opts->deleted_deferred)
        *opts->deleted_deferred = r.deleted_deferred;
    run_free(&r);
    return rc;
}
