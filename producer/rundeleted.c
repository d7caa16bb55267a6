/*
 * rundeleted.c - the deleted endpoint of one run: its walk, which holds
 * each deletion (heldeletes.h) until the records walk has shown which are
 * stale (runheld.c publishes the rest after the records), and its second
 * walk over what it paged by number (pageshift.h).
 */
#include "cursorval.h"
#include "errstr.h"
#include "isotime.h"
#include "jsonnum.h"
#include "log.h"
#include "recordid.h"
#include "runstate.h"

/* deleted_at's clock: as the stream writes its cursor (cursor.format),
 * in full. */
static cursor_clock_t deleted_clock(const stream_conf_t *sc)
{
    return (cursor_clock_t){CURSOR_PRECISION_TIMESTAMP, NULL, sc->cursor_format,
                            sc->cursor_param_format};
}

/* A deleted-endpoint item as an object with id.field: an object as it
 * is, a bare id wrapped (a new reference; NULL on ENOMEM). */
static json_t *deleted_item_object(const run_t *r, const json_t *item)
{
    if (json_is_object(item))
        return json_incref((json_t *)item);
    json_t *wrap = json_object();
    if (wrap && json_object_set(wrap, r->sc->id_field, (json_t *)item) != 0) {
        json_decref(wrap);
        return NULL;
    }
    return wrap;
}

/* The id of a deleted-endpoint item: an id, or an object with id.field.
 * One that is not a value of its type is published as written: the
 * worker's PostgreSQL reads a uuid without hyphens as the row's, and
 * dead-letters a deletion that names no row. One refused: the DLQ
 * reason into why (NULL: not asked), naming the value, a bare one
 * (`[3, 8.0]`) as an object's. */
static int deleted_id(run_t *r, const json_t *item, char *id, size_t size, record_id_result_t *idr,
                      char *why, size_t why_size, char *errstr, size_t errstr_size)
{
    json_t *obj = deleted_item_object(r, item);
    if (!obj)
        return run_oom(errstr, errstr_size);
    *idr = record_id_read(obj, r->sc->id_field, r->id_type, id, size);
    if (record_id_has_text(*idr))
        *idr = RECORD_ID_OK;
    else if (why)
        record_id_refused(r->sc, obj, *idr, "deleted item: ", why, why_size);
    json_decref(obj);
    return PRODUCER_OK;
}

/*
 * When a deletion at ts is held, and published: at ts, but under
 * cursor.precision = date at the first instant of its day (in
 * cursor.timezone), as the records' versions are. A record restored later
 * the same day is served with that day as its cursor: dated 10:00, the
 * deletion outranked the restore's upsert at the worker for good; dated
 * by its day, the two are ordered by when they were published, the
 * restore last. (A version served on the deletion's day makes it stale:
 * runrecords.c.)
 */
static int64_t held_at(const run_t *r, int64_t ts, int undated)
{
    if (undated || r->sc->cursor_precision != CURSOR_PRECISION_DATE)
        return ts;
    cursor_clock_t clock = hwm_clock(r->sc);
    return hwm_bucket(&clock, ts);
}

/*
 * An item's deleted_at (deleted_clock()): 1 with *ts, 0 when it has none
 * (undated: *ts untouched), -1 with perr when it does not read.
 */
static int read_deleted_at(const run_t *r, const json_t *item, int64_t *ts, char *perr,
                           size_t perr_size)
{
    json_t *da = json_is_object(item) ? json_object_get(item, "deleted_at") : NULL;
    const cursor_clock_t dclock = deleted_clock(r->sc);
    /* a number that is not an int64 (1764750000.5) is kept as its text
     * (jsonnum.h), which json_is_number() does not see */
    if (!jsonnum_is_string(da) &&
        !(dclock.format != CURSOR_FORMAT_ISO8601 && (json_is_number(da) || jsonnum_is(da))))
        return 0;
    return cursorval_read(&dclock, da, ts, perr, perr_size) == 0 ? 1 : -1;
}

/*
 * Whether a deleted_at that reads names a day alone ("2026-12-02") in a
 * stream whose cursors are timestamps. The deletion happened at some time
 * of that day, which cannot be ordered against the day's versions: read
 * as its midnight, it lay below a version published earlier that day, and
 * was taken for stale. It is held as an undated one that a version of an
 * earlier day (a lagging index) does not make stale. (Under
 * cursor.precision = date the versions are days too: held_at().)
 */
static int dated_by_day_alone(const run_t *r, const json_t *item)
{
    if (r->sc->cursor_precision != CURSOR_PRECISION_TIMESTAMP || !json_is_object(item))
        return 0;
    json_t *da = json_object_get(item, "deleted_at");
    int64_t ms;
    int day = 0;
    char perr[64];
    return jsonnum_is_string(da) &&
           isotime_parse(json_string_value(da), &ms, &day, perr, sizeof(perr)) == 0 && day;
}

/* Where src's page in hand was asked, as pageshift.h takes it. */
static pageshift_page_t deleted_shift_page(const source_t *src)
{
    source_asked_t asked = source_page_asked(src);
    return (pageshift_page_t){.has_since = asked.has_since,
                              .since_bucket = asked.since_ms,
                              .by_number = asked.by_number,
                              .exclusive = source_since_exclusive(src)};
}

/*
 * A deleted item without a usable id: dead-lettered once a run at most.
 * A seek walk is served the item that set its since again, and the next
 * runs are served it as long as the endpoint lists it: one dated is kept
 * at the deleted HWM under a stand-in id (hwm_standin_id(), as
 * runrecords.c keeps a record without one), so that the runs that walk
 * from that HWM skip it. Served again below the HWM's bucket (lookback,
 * an endpoint that ignores since), or undated (or with a deleted_at past
 * the API's clock, which the HWM may not take), it is dead-lettered once
 * a run (run_first_dead_letter()).
 */
static int deleted_unidentified(run_t *r, source_t *src, const json_t *item,
                                const jsonpage_bad_t *bad, const char *why, const char *url,
                                char *errstr, size_t errstr_size)
{
    char digest[HWM_DIGEST_SIZE], standin[HWM_STANDIN_SIZE], perr[200];
    if ((bad ? hwm_digest_bytes(bad->raw, bad->raw_len, digest, sizeof(digest))
             : hwm_digest(item, digest, sizeof(digest))) != 0)
        return run_oom(errstr, errstr_size);
    const cursor_clock_t clock = deleted_clock(r->sc);
    int64_t ts = 0;
    int dated = !bad && read_deleted_at(r, item, &ts, perr, sizeof(perr)) == 1 &&
                !run_past_api_clock(clock.precision, ts, source_page_api_now(src));
    hwm_standin_id(digest, standin);
    int first = dated && hwm_should_skip(&r->del_tracker, &clock, standin, ts, digest)
                    ? 0
                    : run_first_dead_letter(r, digest);
    if (first < 0)
        return run_oom(errstr, errstr_size);
    if (!first) {
        r->stats.skipped++;
        return PRODUCER_OK;
    }
    if ((bad ? run_dead_letter_raw(r, NULL, bad, url, errstr, errstr_size)
             : run_dead_letter(r, NULL, item, why, url, errstr, errstr_size)) != 0)
        return PRODUCER_FAILED;
    /* the second walk moves no HWM (handle_deleted()) */
    if (dated && !r->del_second && hwm_observe(&r->del_tracker, &clock, standin, ts, digest) != 0)
        return run_oom(errstr, errstr_size);
    return PRODUCER_OK;
}

/*
 * One item of the deleted endpoint. bad: as for a record of the records
 * walk (item is the stand-in). The clock mark of an item without
 * deleted_at is when the walk's first request was sent, not when an
 * answer came: a deletion after that may be missing from the answers,
 * and a mark past it would skip it for good. The first walk notes what
 * it was served for its second walk (r->del_shift).
 */
static int handle_deleted(run_t *r, source_t *src, const json_t *item, const jsonpage_bad_t *bad,
                          const char *url, char *errstr, size_t errstr_size)
{
    char id[RECORD_ID_SIZE], why[512];
    record_id_result_t idr = RECORD_ID_MISSING;
    if (deleted_id(r, item, id, sizeof(id), &idr, why, sizeof(why), errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (idr != RECORD_ID_OK)
        return deleted_unidentified(r, src, item, bad, why, url, errstr, errstr_size);
    /* the documented clock stand-in, in the API's clock: the lower of the
     * walk's first request and its answer's Date less a second. An API
     * whose clock runs behind ours stamps a deletion made after the walk
     * below our send time, and a mark at our send time skipped it for
     * good (its HWM; the hold below keeps the send time) */
    int64_t ts = source_api_started_at(src);
    char perr[200];
    int dated = read_deleted_at(r, item, &ts, perr, sizeof(perr));
    int undated = dated == 0;
    if (r->del_shift && !r->del_second) {
        pageshift_page_t page = deleted_shift_page(src);
        if (pageshift_served(r->del_shift, &page, id, dated == 1, ts) != PRODUCER_OK)
            return run_oom(errstr, errstr_size);
    }
    if (dated < 0) {
        if (bad)
            return run_dead_letter_raw(r, id, bad, url, errstr, errstr_size);
        errstr_set(why, sizeof(why), "deleted_at: %s", perr);
        return run_dead_letter(r, id, item, why, url, errstr, errstr_size);
    }
    const cursor_clock_t dclock = deleted_clock(r->sc);
    /* paged by number, deletions are walked by deleted_at (the seek walk) */
    pagination_t pg = r->sc->deleted_pagination;
    int future = !undated && run_past_api_clock(dclock.precision, ts, source_page_api_now(src));
    if (!undated && !future && r->sc->deleted_sorted &&
        (pg == PAGINATION_PAGE || pg == PAGINATION_OFFSET) &&
        run_check_order(r, &dclock, ts, NULL,
                        "set deleted.sorted = false to walk the API's own order", errstr,
                        errstr_size) != PRODUCER_OK)
        return PRODUCER_FAILED;
    /* A deletion is stored with digest "", a dead-lettered bad item with
     * its bytes' digest: once the API mends the item, it is no longer
     * taken as the one already handled; one dated by its day alone with
     * HWM_DIGEST_DAY_ALONE, which its record's next upsert supersedes. */
    char digest[HWM_DIGEST_SIZE] = "";
    if (bad && hwm_digest_bytes(bad->raw, bad->raw_len, digest, sizeof(digest)) != 0)
        return run_oom(errstr, errstr_size);
    int day_alone = !bad && !undated && dated_by_day_alone(r, item);
    if (day_alone)
        snprintf(digest, sizeof(digest), "%s", HWM_DIGEST_DAY_ALONE);
    const cursor_clock_t *clock = &dclock;
    if (hwm_should_skip(&r->del_tracker, clock, id, ts, digest)) {
        r->stats.skipped++;
        return PRODUCER_OK;
    }
    /* A deletion waits for the records walk (heldeletes.h). One dated by
     * its day alone is held as an undated one, at the walk's clock mark
     * (a version the API still serves makes it stale; it is published
     * past every cursor); its day still moves the deleted HWM. */
    int as_undated = undated || day_alone;
    int64_t hold_at = as_undated ? source_started_at(src) : held_at(r, ts, undated);
    if (bad ? run_dead_letter_raw(r, id, bad, url, errstr, errstr_size)
        : heldeletes_hold(r->held, id, hold_at, as_undated) != 0 ? run_oom(errstr, errstr_size)
                                                                 : PRODUCER_OK)
        return PRODUCER_FAILED;
    if (!bad && r->recon)
        reconcile_deleting(r->recon, id); /* its deletion is this endpoint's */
    if (day_alone)
        heldeletes_stale_from(r->held, id, ts);
    /* a deleted_at past the API's clock would move the deleted HWM past
     * every deletion to come (run_past_api_clock()) */
    if (future) {
        char at[ISOTIME_BUFSIZE], q[300];
        isotime_format(ts, at, sizeof(at));
        log_warn("deletion with a deleted_at past the API's clock: held, the deleted HWM not "
                 "moved to it",
                 "stream=%s run_id=%s id=%s deleted_at=%s", r->sc->name, r->run_id,
                 log_quote(q, sizeof(q), id), at);
        return PRODUCER_OK;
    }
    /* The second walk moves no HWM: the first walk's hold stands (an
     * unsorted walk's, at its start: a deletion listed late may lie below
     * what the second walk serves). One it holds at the HWM's bucket is
     * noted there, or the next run would hold it again. */
    if (r->del_second && !hwm_in_bucket(&r->del_tracker, clock, ts))
        return PRODUCER_OK;
    if (hwm_observe(&r->del_tracker, clock, id, ts, digest) != 0)
        return run_oom(errstr, errstr_size);
    return PRODUCER_OK; /* published, and checkpointed, after the records walk */
}

/*
 * The deleted endpoint as a stream of its own for source.h: its URL and
 * parameter, its paging keys (deleted.* or the main ones), and deleted_at
 * as the seek walk's cursor. Borrows sc's strings.
 */
static stream_conf_t deleted_conf(const stream_conf_t *sc)
{
    stream_conf_t d = *sc;
    d.url = sc->deleted_url;
    d.cursor_field = (char *)"deleted_at";
    d.cursor_param = sc->deleted_param;
    d.cursor_precision = CURSOR_PRECISION_TIMESTAMP;
    d.pagination = sc->deleted_pagination;
    d.cursor_sorted = sc->deleted_sorted; /* cursor.sorted speaks of the records */
    d.records_path = sc->deleted_records_path;
    d.next_path = sc->deleted_next_path;
    d.more_path = sc->deleted_more_path;
    return d;
}

/* The first walk's page end, noted for its second walk (an empty page
 * asked by number may be where a shifted item went missing). */
static int deleted_page_done(run_t *r, source_t *src, const json_t *items, const char *url,
                             char *errstr, size_t errstr_size)
{
    (void)url;
    (void)errstr;
    (void)errstr_size;
    if (r->del_shift && !r->del_second) {
        pageshift_page_t page = deleted_shift_page(src);
        pageshift_page_end(r->del_shift, &page, json_array_size(items));
    }
    return PRODUCER_OK;
}

/* An item of the second walk: held as the first walk would have when
 * that walk missed it, else only seen. */
static int handle_deleted_again(run_t *r, source_t *src, const json_t *item,
                                const jsonpage_bad_t *bad, const char *url, char *errstr,
                                size_t errstr_size)
{
    char id[RECORD_ID_SIZE], perr[200];
    record_id_result_t idr = RECORD_ID_MISSING;
    if (deleted_id(r, item, id, sizeof(id), &idr, NULL, 0, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (idr != RECORD_ID_OK)
        return PRODUCER_OK; /* the first walk dead-lettered it, or it has none */
    int64_t at = 0;
    int dated = read_deleted_at(r, item, &at, perr, sizeof(perr)) == 1;
    /* in deleted_at order, an item past the last range: the rest of the
     * walk holds nothing the first may have missed */
    if (dated && r->sc->deleted_sorted && at > r->del_second_until)
        r->walk_ended = 1;
    int missed = 0;
    if (pageshift_check(r->del_shift, id, dated, at, &missed) != PRODUCER_OK)
        return run_oom(errstr, errstr_size);
    if (!missed)
        return PRODUCER_OK;
    r->del_second_missed++;
    return handle_deleted(r, src, item, bad, url, errstr, errstr_size);
}

/*
 * A second walk that ended unproven read part of what the first may have
 * missed: the deleted HWM is held at the lowest since paged at, but never
 * below where the run started (prev: the next walk starts lookback below
 * it, at or below every since paged at, or each such run would move it
 * back by lookback). Paged from no since (no deleted HWM yet), there is
 * no HWM to keep: the deleted endpoint fails, as an unsorted first walk
 * that ends so does (run_hold_unproven()), and the next run reads every
 * deletion again; unless the first walk ended so too (an API with a
 * warning on every answer would fail every run): its HWM stands. From an
 * API that filters `>` (exclusive), one unit below the mark.
 */
static int hold_second_unproven(run_t *r, const stream_conf_t *dsc, int has_since, int64_t since,
                                int had, int64_t prev, int first_complete, int exclusive,
                                char *errstr, size_t errstr_size)
{
    const cursor_clock_t clock = deleted_clock(r->sc);
    if (!has_since && !first_complete)
        return PRODUCER_OK;
    if (!has_since) {
        errstr_set(errstr, errstr_size,
                   "the deleted endpoint's second walk ended before its end (an empty page that "
                   "says it is an error), and there is no deleted HWM yet: none can be kept from "
                   "this run");
        return PRODUCER_FAILED;
    }
    int64_t mark = had && prev > since ? prev : since;
    /* the next run asks an API that filters `>` its since as it is */
    hwm_tracker_cap(&r->del_tracker, &clock, exclusive ? cursorval_since_below(dsc, mark) : mark);
    return PRODUCER_OK;
}

/*
 * The deleted endpoint walked a second time over what the first walk
 * paged by number, as the records are (runsecond.c): an item that left
 * the list during the first walk (a restore, a purge) shifted its later
 * pages, and the deletion after the boundary was on none of them. Its
 * deleted_at lies below the deleted HWM the next runs walk from, so the
 * record stayed live downstream until a full run. One that ends
 * unproven (an empty page that says it is an error) keeps the deleted
 * HWM at the lowest since paged at, where the next run reads it again.
 */
static int second_deleted_walk(run_t *r, const stream_conf_t *dsc, int had, int64_t prev,
                               int first_complete, int exclusive, char *errstr, size_t errstr_size)
{
    int has_since;
    int64_t since;
    const hwm_tracker_t *t = &r->del_tracker;
    /* the next run asks its since as it is until it finds the API
     * filters `>` anew: it would not read the HWM's bucket again */
    if (!pageshift_second_from(r->del_shift, t->has_value && !exclusive, t->value_ms, &has_since,
                               &since, &r->del_second_until))
        return PRODUCER_OK;
    /* It ends as the first walk did (no empty page required: an API that
     * answers 404 past its last page would fail every run). */
    const run_again_t again = {dsc, has_since, since, exclusive, 0};
    int complete;
    r->del_second = 1;
    int rc =
        run_walk_again(r, &again, handle_deleted_again, NULL, &complete, NULL, errstr, errstr_size);
    r->del_second = 0;
    if (rc != PRODUCER_OK)
        return rc;
    char from[ISOTIME_BUFSIZE] = "-";
    if (has_since)
        isotime_format(since, from, sizeof(from));
    if (!complete) {
        if (hold_second_unproven(r, dsc, has_since, since, had, prev, first_complete, exclusive,
                                 errstr, errstr_size) != 0)
            return PRODUCER_FAILED;
        log_warn("second walk of the deleted endpoint not provably complete: the deleted HWM "
                 "held where the next run reads it again",
                 "stream=%s run_id=%s since=%s", r->sc->name, r->run_id, from);
        return PRODUCER_OK;
    }
    log_info("deleted endpoint walked a second time: the first walk paged by number",
             "stream=%s run_id=%s since=%s missed=%lld", r->sc->name, r->run_id, from,
             (long long)r->del_second_missed);
    return PRODUCER_OK;
}

int run_fetch_deleted(run_t *r, char *errstr, size_t errstr_size)
{
    stream_conf_t dsc = deleted_conf(r->sc);
    if (!(r->held = heldeletes_new()))
        return run_oom(errstr, errstr_size);
    /* a walk that pages by number may miss items: noted for a second walk */
    if ((dsc.pagination == PAGINATION_PAGE || dsc.pagination == PAGINATION_OFFSET) &&
        !(r->del_shift = pageshift_new(dsc.cursor_sorted)))
        return run_oom(errstr, errstr_size);
    source_t *src = source_new(&dsc, r->hc);
    if (!src)
        return run_oom(errstr, errstr_size);
    int had = r->del_tracker.has_value;
    int64_t prev = r->del_tracker.value_ms;
    r->del_walk_has_since = had;
    r->del_walk_since = prev - r->sc->lookback_ms;
    source_start(src, had, r->del_walk_since);
    int rc = run_walk(r, src, handle_deleted, deleted_page_done, errstr, errstr_size);
    int complete = source_complete(src), exclusive = source_since_exclusive(src);
    /* Not sorted (paged by cursor or link, or deleted.sorted = false),
     * deletions come in the API's own order (by id, say), as the records
     * may: the same hold. (Sorted, a seek walk asks them by deleted_at,
     * filtered >= since.) */
    if (rc == PRODUCER_OK && !dsc.cursor_sorted) {
        run_hold_at_walk_start(r, &r->del_tracker, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP),
                               source_api_started_at(src), "deleted");
        if (!complete)
            rc = run_hold_unproven(r, &r->del_tracker, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP),
                                   had, prev, "deleted", errstr, errstr_size);
    }
    source_destroy(src);
    if (rc == PRODUCER_OK && r->del_shift && pageshift_walk_done(r->del_shift) != PRODUCER_OK)
        rc = run_oom(errstr, errstr_size);
    /* an unsorted walk that ended unproven keeps its HWM where it was: the
     * next run reads its pages again anyway */
    if (rc == PRODUCER_OK && r->del_shift && (dsc.cursor_sorted || complete))
        rc = second_deleted_walk(r, &dsc, had, prev, complete, exclusive, errstr, errstr_size);
    return rc;
}
