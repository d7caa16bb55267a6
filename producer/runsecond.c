/*
 * runsecond.c - the records endpoint walked a second time, when the first
 * walk may have missed records that the API served all along:
 *
 * - it paged by number (pageshift.h): a record that left the set during
 *   the walk shifted the later pages, and the record after the boundary
 *   was on none. Its version lies below the HWM the next runs walk from.
 * - in a full run, ids live in Kafka were not served (vanished): where
 *   paging by number (or a cursor or link token an API builds from an
 *   offset) hid them, deleting them downstream would delete live records.
 *
 * The second walk starts at the first walk's since (or, for a shift alone,
 * at the lowest since the first walk paged by number at) and publishes
 * each record the first one missed, as the first would have (a change of
 * it is no duplicate); every id it serves is spared from reconciliation.
 * A record is then missed only when both walks missed it. The HWM stays
 * as the first walk left it (r->confirming): the records it publishes
 * lie below it. A second walk that does not read every page, to an empty
 * one, fails the run: what it did not read may be what the first missed,
 * and the next run walks again from the last run record's HWM.
 */
#include "cursorval.h"
#include "errstr.h"
#include "isotime.h"
#include "log.h"
#include "recordid.h"
#include "runstate.h"
#include "source.h"

/* A record's cursor bucket, when it has a cursor that reads. */
static int record_bucket(const run_t *r, const json_t *rec, int64_t *bucket)
{
    json_t *cv = json_is_object(rec) ? json_object_get(rec, r->sc->cursor_field) : NULL;
    cursor_clock_t clock = hwm_clock(r->sc);
    char perr[200];
    int64_t ms;
    if (cursorval_read(&clock, cv, &ms, perr, sizeof(perr)) != 0)
        return 0;
    *bucket = hwm_bucket(&clock, ms);
    return 1;
}

/* A record of the second walk: handled as the first walk would have when
 * that walk missed it, else only seen. */
static int handle_second(run_t *r, source_t *src, const json_t *rec, const jsonpage_bad_t *bad,
                         const char *url, char *errstr, size_t errstr_size)
{
    char id[RECORD_ID_SIZE];
    if (record_id_read(rec, r->sc->id_field, r->id_uuid, id, sizeof(id)) != RECORD_ID_OK)
        return PRODUCER_OK; /* the first walk dead-lettered it, or it has none */
    int shifted = 0;
    int64_t bucket = 0;
    int has_bucket = r->shift && record_bucket(r, rec, &bucket);
    if (r->shift && pageshift_check(r->shift, id, has_bucket, bucket, &shifted) != PRODUCER_OK)
        return run_oom(errstr, errstr_size);
    if (!shifted && !(r->recon && reconcile_missed(r->recon, id)))
        return PRODUCER_OK;
    r->second_missed++;
    return run_handle_record(r, src, rec, bad, url, errstr, errstr_size);
}

/* Where the second walk starts; 0 when none is needed. *vanished: the
 * ids a full run would delete as things stand. */
static int second_walk_since(run_t *r, int *has_since, int64_t *since, size_t *vanished)
{
    *vanished = 0;
    if (r->recon && r->fetch_complete && r->sc->pagination != PAGINATION_NONE)
        *vanished = run_count_vanished(r);
    *has_since = r->walk_has_since;
    *since = r->walk_since;
    if (*vanished)
        return 1; /* from the first walk's since */
    return r->shift && pageshift_second_from(r->shift, has_since, since);
}

int run_second_walk(run_t *r, char *errstr, size_t errstr_size)
{
    int has_since;
    int64_t since;
    size_t vanished;
    if (!second_walk_since(r, &has_since, &since, &vanished))
        return PRODUCER_OK;
    source_t *src = source_new(r->sc, r->hc);
    if (!src)
        return run_oom(errstr, errstr_size);
    source_require_empty_end(src);
    source_start(src, has_since, since);
    r->confirming = 1;
    int rc = run_walk(r, src, handle_second, NULL, errstr, errstr_size);
    r->confirming = 0;
    if (rc == PRODUCER_OK && !source_complete(src)) {
        errstr_set(errstr, errstr_size,
                   "records endpoint: the second walk (the first %s) ended before an empty page: "
                   "what it did not read may be what the first walk missed",
                   vanished ? "left ids unserved that Kafka holds live" : "paged by number");
        rc = PRODUCER_FAILED;
    }
    source_destroy(src);
    if (rc != PRODUCER_OK)
        return rc;
    char from[ISOTIME_BUFSIZE] = "-";
    if (has_since)
        isotime_format(since, from, sizeof(from));
    log_info("records walked a second time: the first walk may have missed records",
             "stream=%s run_id=%s reason=%s since=%s missed=%lld", r->sc->name, r->run_id,
             vanished ? "vanished" : "paged_by_number", from, (long long)r->second_missed);
    if (vanished) {
        size_t left = run_count_vanished(r);
        log_info("vanished ids checked by a second walk",
                 "stream=%s run_id=%s vanished=%zu spared=%zu", r->sc->name, r->run_id, vanished,
                 vanished - left);
    }
    return PRODUCER_OK;
}
