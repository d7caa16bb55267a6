/*
 * runheld.c - the deleted endpoint's held deletions, once the records
 * walk is over (see run.h): the check of late deletions against the topic
 * (keylatest.h), the records walked again for undated ones, and the
 * publishing of those that are not stale.
 */
#include "isotime.h"
#include "keylatest.h"
#include "log.h"
#include "runstate.h"

/*
 * Whether held deletion (at, undated) is one the walks cannot vouch for
 * (check_late_deletes()): older than the records walk's start (since, its
 * bucket), undated, or dated below the deleted walk's own since. The
 * last is an endpoint that ignores since, serving every deletion it ever
 * made, each one published before (a held deletion is at its deleted_at
 * then, but a date cursor holds it at its day, which its day's own
 * deletions would be below).
 */
static int late_delete(const run_t *r, int64_t since, int64_t at, int undated)
{
    if (r->walk_has_since && (undated || at < since))
        return 1;
    /* a mark dropped (drop_mark_past_clock()): every deletion the
     * endpoint serves from its start may be one published before */
    if (r->del_mark_dropped)
        return 1;
    return !undated && r->del_walk_has_since && at < r->del_walk_since &&
           r->sc->cursor_precision != CURSOR_PRECISION_DATE;
}

/*
 * The deletions the walks cannot vouch for: one older than the records
 * walk's start may concern a restore that an earlier run published and
 * this walk did not serve again; so may an undated one that the walk did
 * not serve (see recheck_undated()); one below the deleted walk's since
 * may be on the topic already. Asks the topic about them (keylatest.h);
 * *kl is NULL when there are none.
 */
static int check_late_deletes(run_t *r, keylatest_t **kl, char *errstr, size_t errstr_size)
{
    *kl = NULL;
    cursor_clock_t clock = hwm_clock(r->sc);
    int64_t since = hwm_bucket(&clock, r->walk_since);
    size_t pos = 0, late = 0;
    const char *id;
    int64_t at;
    int stale, undated;
    keylatest_t *k = keylatest_new();
    if (!k)
        return run_oom(errstr, errstr_size);
    while (heldeletes_next(r->held, &pos, &id, &at, &undated, &stale)) {
        if (stale || !late_delete(r, since, at, undated))
            continue;
        late++;
        if (keylatest_want(k, id) != 0) {
            keylatest_destroy(k);
            return run_oom(errstr, errstr_size);
        }
    }
    int64_t t0 = isotime_monotonic_ms();
    if (late == 0 || keylatest_scan(k, r->conf, r->topic, errstr, errstr_size) != 0) {
        keylatest_destroy(k);
        return late == 0 ? PRODUCER_OK : PRODUCER_FAILED;
    }
    log_info("topic read for late deletions", "stream=%s run_id=%s late=%zu duration_ms=%lld",
             r->sc->name, r->run_id, late, (long long)(isotime_monotonic_ms() - t0));
    *kl = k;
    return PRODUCER_OK;
}

/* What proves held deletion id gone (recheck_undated()). */
typedef enum undated_proof {
    PROOF_NOT_ASKED, /* dated, stale, or no upsert of it on the topic */
    PROOF_WALK,      /* its upsert is newer than the walk's start: the walk would serve it */
    PROOF_RECHECK    /* older, or a revival's: the records are walked again for it */
} undated_proof_t;

/* *whole: a revival's recheck reads the records from no since at all. */
static undated_proof_t undated_proof(const run_t *r, const keylatest_t *kl, const char *id,
                                     int undated, int stale, int64_t *upsert, int *whole)
{
    if (!undated || stale || keylatest_get(kl, id, upsert) != KEYLATEST_UPSERT)
        return PROOF_NOT_ASKED;
    if (keylatest_revived(kl, id)) {
        *whole = 1;
        return PROOF_RECHECK;
    }
    return *upsert < r->walk_since ? PROOF_RECHECK : PROOF_WALK;
}

/*
 * Withholds the undated deletions the records were walked again for,
 * when that walk ended before its end (an empty page that says it is an
 * error: a rate limit answered 200): an id it did not serve may be live.
 * Each is dropped as stale, and the deleted HWM held where this run's
 * deleted walk started, so the next run is listed them again and asks
 * again: dropped for good, a deletion that an endpoint honouring since
 * lists once was lost after a single rate limit; failing the run instead
 * failed every run on an API that says "errors" on its last, empty page
 * too. Records beside an "error" member do not count against the walk
 * here, as they do against a full run's vanished deletes: most such APIs
 * warn beside every answer, and none of their undated deletions would
 * ever be published (t_deleted_bare_ids_warnings). Returns how many.
 */
static size_t withhold_unproven(run_t *r, const keylatest_t *kl)
{
    size_t pos = 0, n = 0;
    const char *id;
    int64_t at, upsert;
    int stale, undated, whole = 0;
    while (heldeletes_next(r->held, &pos, &id, &at, &undated, &stale)) {
        if (undated_proof(r, kl, id, undated, stale, &upsert, &whole) != PROOF_RECHECK)
            continue;
        heldeletes_served(r->held, id, INT64_MAX);
        n++;
    }
    if (n == 0)
        return 0;
    if (r->del_walk_has_since)
        hwm_tracker_cap(&r->del_tracker, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP),
                        r->del_walk_since + r->sc->lookback_ms);
    else
        hwm_tracker_clear(&r->del_tracker); /* no HWM before: all again */
    log_warn("undated deletions not published: the records walked again for them ended before "
             "their end; the deleted HWM held to list them again",
             "stream=%s run_id=%s undated=%zu", r->sc->name, r->run_id, n);
    return n;
}

/*
 * An undated deletion has no time to compare with the versions the topic
 * holds: the deleted endpoint may list an id deleted and restored since
 * (or long ago, when it ignores `since`), and an earlier run may have
 * published the restore, which this run's records walk, begun at the HWM,
 * did not serve again. Only the API can tell whether the record lives:
 * where the topic's latest word on such an id is an upsert older than the
 * walk's start, the records endpoint is walked again from the oldest such
 * upsert's cursor (a live record's cursor is at least that), and a record
 * it serves makes its deletion stale. One whose upsert is newer than the
 * walk's start would have been served by the walk: it is gone. But a
 * revival's source_ts (keylatest_revived()) is past its record's cursor,
 * older or newer than the walk's start: neither the walk nor a walk from
 * it serves the record, and for such an id the records are walked again
 * whole (a full walk, at each run while the endpoint lists the id and
 * the record does not change: revivals are rare). A walk again that
 * ends before its end proves nothing gone (withhold_unproven()).
 */
static int recheck_undated(run_t *r, const keylatest_t *kl, char *errstr, size_t errstr_size)
{
    size_t pos = 0, n = 0;
    const char *id;
    int64_t at, upsert, since = INT64_MAX;
    int stale, undated, whole = 0, proven;
    if (!kl)
        return PRODUCER_OK;
    while (heldeletes_next(r->held, &pos, &id, &at, &undated, &stale)) {
        if (undated_proof(r, kl, id, undated, stale, &upsert, &whole) != PROOF_RECHECK)
            continue;
        n++;
        if (upsert < since)
            since = upsert;
    }
    if (n == 0)
        return PRODUCER_OK;
    int64_t t0 = isotime_monotonic_ms();
    if (run_recheck_held(r, !whole, since, &proven, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (!proven)
        withhold_unproven(r, kl);
    char from[ISOTIME_BUFSIZE] = "none";
    if (!whole)
        isotime_format(since, from, sizeof(from));
    log_info("records walked again for undated deletions of ids the topic holds live",
             "stream=%s run_id=%s undated=%zu since=%s duration_ms=%lld", r->sc->name, r->run_id, n,
             from, (long long)(isotime_monotonic_ms() - t0));
    return PRODUCER_OK;
}

/*
 * Publishes the held deletions, less the stale ones (a newer version was
 * served, or the topic already holds one), each with its tombstone, at its
 * deleted_at; an undated one (no deleted_at) at its clock mark or past
 * every cursor published (run_outrank()). Then the deleted HWM may move.
 */
int run_publish_held(run_t *r, char *errstr, size_t errstr_size)
{
    keylatest_t *kl;
    if (check_late_deletes(r, &kl, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (recheck_undated(r, kl, errstr, errstr_size) != 0) {
        keylatest_destroy(kl);
        return PRODUCER_FAILED;
    }
    size_t pos = 0;
    const char *id;
    int64_t at, newer;
    int stale, undated, rc = PRODUCER_OK;
    while (rc == PRODUCER_OK && heldeletes_next(r->held, &pos, &id, &at, &undated, &stale)) {
        /* the topic's last word on the id is already a delete: one more
         * would say nothing new (an endpoint that lists every deletion
         * it ever made, or ignores since, would have each one published
         * again at every run) */
        keylatest_state_t ks = kl ? keylatest_get(kl, id, &newer) : KEYLATEST_NONE;
        if (stale || ks == KEYLATEST_DELETE || (!undated && ks == KEYLATEST_UPSERT && newer > at)) {
            /* not published: a full run's reconciliation judges the id
             * (an old deletion of a record restored since, and purged
             * since without a word, stayed live for good) */
            if (r->recon)
                reconcile_undeleting(r->recon, id);
            r->stats.stale_deletes++;
            continue;
        }
        int dlqd;
        rc = run_publish(r, CHANGE_OP_DELETE, id, undated ? run_outrank(r, at) : at, NULL,
                         r->sc->deleted_url, NULL, &dlqd, errstr, errstr_size);
        if (rc == PRODUCER_OK && !dlqd)
            r->stats.deletes++;
        if (rc == PRODUCER_OK)
            rc = run_maybe_progress(r, errstr, errstr_size);
    }
    keylatest_destroy(kl);
    if (rc == PRODUCER_OK)
        r->deletes_done = 1;
    return rc == PRODUCER_OK ? PRODUCER_OK : PRODUCER_FAILED;
}
