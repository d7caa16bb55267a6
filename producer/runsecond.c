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
 * lie below it. A second walk that fails fails the run; one that ends
 * unproven holds the HWM back (hold_second_unproven()).
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
    cursor_clock_t clock = hwm_clock(r->sc);
    int64_t ms;
    if (!cursorval_of_record(r->sc, rec, &ms))
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
    record_id_result_t idr = record_id_read(rec, r->sc->id_field, r->id_type, id, sizeof(id));
    /* The first walk dead-lettered it, or missed it (a page shift): which
     * of the two, nothing tells. Either way the run was served a record it
     * cannot name, which may be any id taken for vanished: counted, so
     * that a full run deletes none (walk_proves_vanished()). */
    if (!record_id_has_text(idr)) {
        r->second_unidentified++;
        return PRODUCER_OK;
    }
    int shifted = 0;
    int64_t bucket = 0;
    int has_bucket = r->shift && record_bucket(r, rec, &bucket);
    /* in cursor order, a record past the last range: the rest of the
     * walk holds nothing the first may have missed */
    if (has_bucket && r->sc->cursor_sorted && bucket > r->second_until)
        r->walk_ended = 1;
    if (r->shift && pageshift_check(r->shift, id, has_bucket, bucket, &shifted) != PRODUCER_OK)
        return run_oom(errstr, errstr_size);
    if (!shifted && !(r->recon && reconcile_missed(r->recon, id)))
        return PRODUCER_OK;
    r->second_missed++;
    return run_handle_record(r, src, rec, bad, url, errstr, errstr_size);
}

/* Whether the first walk paged by number, and where a second walk of
 * what it paged over starts. An unsorted walk that ended unproven (on an
 * empty page that says it is an error) keeps its HWM where it was
 * (run_hold_unproven()): the next run reads its pages again anyway. */
static int shift_since(const run_t *r, int *has_since, int64_t *since, int64_t *until)
{
    cursor_clock_t clock = hwm_clock(r->sc);
    const hwm_tracker_t *t = &r->tracker;
    /* the next run asks its since as it is until it finds the API
     * filters `>` anew: it would not read the HWM's bucket again */
    int has_hwm = t->has_value && !r->since_exclusive;
    return r->shift && (r->sc->cursor_sorted || r->fetch_complete) &&
           pageshift_second_from(r->shift, has_hwm, has_hwm ? hwm_bucket(&clock, t->value_ms) : 0,
                                 has_since, since, until);
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
    r->second_until = INT64_MAX;
    if (*vanished)
        return 1; /* from the first walk's since, to the end */
    return shift_since(r, has_since, since, &r->second_until);
}

/* The second walk's page end: where the page was asked, for
 * hold_second_unproven(). */
static int second_page_done(run_t *r, source_t *src, const json_t *items, const char *url,
                            char *errstr, size_t errstr_size)
{
    (void)items;
    (void)url;
    (void)errstr;
    (void)errstr_size;
    r->second_last_page = source_page_asked(src);
    return PRODUCER_OK;
}

/*
 * A second walk that ended unproven (on an empty page that says it is an
 * error: some APIs put a warning beside every answer) read part of what
 * the first may have missed. A full run deletes nothing
 * (r->second_unproven), and the HWM is held where the next run reads it
 * all again: in cursor order at the since of the page it ended on (every
 * record below it was read again), else where the run started; never
 * below where the run started (the next walk starts lookback below that,
 * at or below every since paged by number), or each such run would move
 * it back by lookback. A first run has no start to hold: its HWM stays as
 * the first walk left it. From an API that filters `>`, one unit below
 * that mark: the next run asks it as it is.
 */
static void hold_second_unproven(run_t *r)
{
    int has_since = 0, has_mark = 0;
    int64_t since = 0, until, mark = 0;
    r->second_unproven = 1;
    log_warn("second walk not provably complete: no id treated as vanished, and the HWM held "
             "where the next run reads it again",
             "stream=%s run_id=%s", r->sc->name, r->run_id);
    if (!shift_since(r, &has_since, &since, &until))
        return;
    if (r->sc->cursor_sorted && r->second_last_page.has_since) {
        has_mark = 1;
        mark = r->second_last_page.since_ms;
    }
    if (r->walk_has_since && (!has_mark || r->walk_since + r->sc->lookback_ms > mark)) {
        has_mark = 1;
        mark = r->walk_since + r->sc->lookback_ms;
    }
    /* an API that filters `>` is asked the HWM as it is by the next run
     * (until it finds that anew): below the mark's bucket, or it would
     * not serve it */
    if (has_mark && r->since_exclusive)
        mark = cursorval_since_below(r->sc, mark);
    cursor_clock_t clock = hwm_clock(r->sc);
    if (has_mark)
        hwm_tracker_cap(&r->tracker, &clock, mark);
}

/*
 * A second walk read to its end through a page whose records came beside
 * an "error" member (a query cut short, or a warning the API puts beside
 * every answer): it spares only the ids it served, so a full run deletes
 * no id as vanished (r->second_unproven), or it deleted a live record the
 * page left out (t_full_second_walk_cut). The HWM moves as after a first
 * walk that read such a page: held back, it never moved again under an
 * API that warns beside every answer with records, and every run
 * published every tie group since once more.
 */
static void second_proves_nothing(run_t *r)
{
    r->second_unproven = 1;
    log_warn("second walk served records beside an error: no id treated as vanished",
             "stream=%s run_id=%s", r->sc->name, r->run_id);
}

int run_second_walk(run_t *r, char *errstr, size_t errstr_size)
{
    int has_since;
    int64_t since;
    size_t vanished;
    if (!second_walk_since(r, &has_since, &since, &vanished))
        return PRODUCER_OK;
    const run_again_t again = {r->sc, has_since, since, r->since_exclusive, 1};
    int complete, proves_all;
    r->confirming = 1;
    int rc = run_walk_again(r, &again, handle_second, second_page_done, &complete, &proves_all,
                            errstr, errstr_size);
    r->confirming = 0;
    if (rc != PRODUCER_OK)
        return rc;
    if (!complete) {
        hold_second_unproven(r);
        return PRODUCER_OK;
    }
    if (!proves_all)
        second_proves_nothing(r);
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
