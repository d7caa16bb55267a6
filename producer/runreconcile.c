/*
 * runreconcile.c - reconciliation in a full run (reconcile.h): before the
 * records walk, which ids the stream's topic holds as live; after a walk
 * that completed, a delete (+ tombstone) for each of them the API no
 * longer served, unless that proves nothing or is a mass deletion (see
 * run.h).
 */
#include "errstr.h"
#include "isotime.h"
#include "log.h"
#include "recordid.h"
#include "runstate.h"
#include "signals.h"

int run_scan_topic(run_t *r, char *errstr, size_t errstr_size)
{
    /* Read before this run publishes anything: what earlier runs left. */
    int64_t t0 = isotime_monotonic_ms();
    if (!(r->recon = reconcile_new()))
        return run_oom(errstr, errstr_size);
    reconcile_id_type(r->recon, r->id_type);
    if (reconcile_scan(r->recon, r->conf, r->topic, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    reconcile_stats_t st;
    reconcile_get_stats(r->recon, &st);
    log_info("topic scanned for reconciliation",
             "stream=%s run_id=%s topic=%s messages=%lld keys=%zu live=%zu memory_kb=%zu "
             "duration_ms=%lld",
             r->sc->name, r->run_id, r->topic, (long long)st.messages, st.keys, st.live,
             st.memory / 1024, (long long)(isotime_monotonic_ms() - t0));
    return PRODUCER_OK;
}

/* What may_reconcile() decided. */
typedef enum reconcile_verdict {
    RECONCILE_DELETE = 1,            /* delete the vanished ids */
    RECONCILE_NOTHING = 0,           /* the walk proves nothing: delete none (logged) */
    RECONCILE_MASS = PRODUCER_FAILED /* too many: the run fails, errstr says why */
} reconcile_verdict_t;

/* Whether the walk proves anything: every page read, every record with an
 * id, not an empty answer. Logs why not. */
static int walk_proves_vanished(const run_t *r, const reconcile_stats_t *st)
{
    /* Every page read by the walk's end rule: never a walk cut short. */
    if (!r->fetch_proves_all) {
        log_warn("full fetch not provably complete: no id treated as vanished",
                 "stream=%s run_id=%s", r->sc->name, r->run_id);
        return 0;
    }
    /* A record without a usable id may be any of the live ids, whichever
     * walk served it. */
    if (r->stats.unidentified > 0 || r->second_unidentified > 0) {
        log_warn("full fetch served records without an id: no id treated as vanished",
                 "stream=%s run_id=%s unidentified=%lld second_walk_unidentified=%lld", r->sc->name,
                 r->run_id, (long long)r->stats.unidentified, (long long)r->second_unidentified);
        return 0;
    }
    /* An API that answers a full fetch with nothing at all is far more
     * likely broken (wrong filter, empty replica) than emptied: deleting
     * every row on its word is not worth the risk. */
    if (r->stats.records_read == 0 && st->live > 0) {
        log_warn("full fetch served no records: not treating every id as "
                 "vanished",
                 "stream=%s live=%zu", r->sc->name, st->live);
        return 0;
    }
    return 1;
}

size_t run_count_vanished(const run_t *r)
{
    size_t n = 0, pos = 0;
    const char *id;
    while (reconcile_next_vanished(r->recon, &pos, &id, NULL))
        n++;
    return n;
}

/*
 * Whether the ids this full run did not see may be deleted; more than
 * full_sync.max_delete_ratio of the live ids only with --allow-mass-delete.
 */
static reconcile_verdict_t may_reconcile(run_t *r, char *errstr, size_t errstr_size)
{
    reconcile_stats_t st;
    reconcile_get_stats(r->recon, &st);
    if (!walk_proves_vanished(r, &st))
        return RECONCILE_NOTHING;
    if (r->second_unproven)
        return RECONCILE_NOTHING; /* logged by runsecond.c */
    /* the vanished ids as the second walk (runsecond.c) left them: a page
     * shift in the first must not fail the run as a mass deletion either */
    size_t n = run_count_vanished(r);
    double ratio = r->conf->full_sync_max_delete_ratio;
    if (n == 0 || (double)n <= ratio * (double)st.live)
        return RECONCILE_DELETE;
    if (r->allow_mass_delete) {
        log_warn("deleting more vanished ids than full_sync.max_delete_ratio allows "
                 "(--allow-mass-delete)",
                 "stream=%s run_id=%s vanished=%zu live=%zu max_delete_ratio=%g", r->sc->name,
                 r->run_id, n, st.live, ratio);
        return RECONCILE_DELETE;
    }
    errstr_set(errstr, errstr_size,
               "full sync would delete %zu of the %zu ids live in Kafka (%.1f%%), more than "
               "full_sync.max_delete_ratio = %g allows: nothing deleted. Check the API; "
               "if those records are really gone, run `tidemark-producer run --once --full "
               "--allow-mass-delete --stream %s`",
               n, st.live, 100.0 * (double)n / (double)st.live, ratio, r->sc->name);
    return RECONCILE_MASS;
}

/*
 * A tombstone for each key written apart from its id's text whose upsert
 * would outlive the id's deletion on a compacted topic
 * (reconcile_next_stray()). The worker reads it as a tombstone of the id,
 * which is deleted or deleted now: the row stays as it is.
 */
static int tombstone_strays(run_t *r, char *errstr, size_t errstr_size)
{
    size_t pos = 0;
    const char *key;
    char qkey[300];

    while (reconcile_next_stray(r->recon, &pos, &key)) {
        if (run_publish_tombstone(r, key, NULL, errstr, errstr_size) != 0)
            return PRODUCER_FAILED;
        log_info("tombstone for a key written apart from its id's text",
                 "stream=%s run_id=%s key=%s", r->sc->name, r->run_id,
                 log_quote(qkey, sizeof(qkey), key));
    }
    return PRODUCER_OK;
}

/*
 * The source_ts of a vanished id's delete: the version the worker keeps
 * of it, which the delete outranks as the later produced of the two (the
 * version guard's tie-break). When the record vanished is unknown; dated
 * when it was found missing (the run's start, by the producer's clock),
 * the delete outranked a change made to the record while it was hidden (a
 * shard down), which the API serves again later with an older cursor: the
 * row stayed deleted for good while the topic said live. Not 1 ms past the
 * version either: under cursor.precision = date every version of a day is
 * its first instant, and a change made the same day would lose to it.
 * Without a version read (a stranger's value): the run's start, or past
 * the largest cursor published when the API's clock is ahead
 * (run_outrank()).
 */
static int64_t vanished_source_ts(const run_t *r, int64_t version)
{
    if (version != RECONCILE_VERSION_UNKNOWN)
        return version;
    return run_outrank(r, r->started_at);
}

int run_publish_vanished(run_t *r, char *errstr, size_t errstr_size)
{
    reconcile_verdict_t may = may_reconcile(r, errstr, errstr_size);
    if (may == RECONCILE_MASS)
        return PRODUCER_FAILED;
    size_t pos = 0;
    const char *id;
    int64_t version;
    while (may == RECONCILE_DELETE && reconcile_next_vanished(r->recon, &pos, &id, &version)) {
        if (!tm_running) {
            errstr_set(errstr, errstr_size, "interrupted");
            return PRODUCER_FAILED;
        }
        int dlqd;
        if (run_publish(r, CHANGE_OP_DELETE, id, vanished_source_ts(r, version), NULL, r->sc->url,
                        RECONCILE_VANISHED, &dlqd, errstr, errstr_size) != 0)
            return PRODUCER_FAILED;
        if (!dlqd) {
            r->stats.deletes++;
            r->stats.vanished++;
        }
        if (run_maybe_progress(r, errstr, errstr_size) != 0)
            return PRODUCER_FAILED;
    }
    if (may == RECONCILE_DELETE && tombstone_strays(r, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    r->reconciled = 1; /* decided: deleted, or nothing to delete */
    return PRODUCER_OK;
}
