/*
 * runrecords.c - the records walk of one run: every record served is
 * skipped (already published unchanged at the HWM), published as an
 * upsert or a soft delete, or dead-lettered; the HWM tracker moves with
 * it (see runstate.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursorval.h"
#include "errstr.h"
#include "isotime.h"
#include "jsonnum.h"
#include "log.h"
#include "recordid.h"
#include "run.h"
#include "runstate.h"
#include "source.h"
#include "utf8.h"

/* What one record of a page is, as handle_record() reads it. */
typedef struct record_in {
    const json_t *rec;            /* the record, or a bad item's stand-in */
    const jsonpage_bad_t *bad;    /* a bad item of its page, or NULL */
    const char *url;              /* the page's */
    char id[RECORD_ID_SIZE];      /* when idr == RECORD_ID_OK */
    record_id_result_t idr;       /* what record_id_read() found */
    int id_not_of_type;           /* ... RECORD_ID_NOT_OF_TYPE, taken as OK */
    char digest[HWM_DIGEST_SIZE]; /* "" until in_digest() */
    int64_t cursor;               /* when has_cursor */
    int has_cursor;
    int64_t api_now; /* source_page_api_now() of its page */
    int future;      /* cursor_in_future(), once handle_record() asked */
    char why[512];   /* the DLQ reason, when it is dead-lettered */
} record_in_t;

static int dead_letter_in(run_t *r, const record_in_t *in, const char *id, char *errstr,
                          size_t errstr_size)
{
    return in->bad ? run_dead_letter_raw(r, id, in->bad, in->url, errstr, errstr_size)
                   : run_dead_letter(r, id, in->rec, in->why, in->url, errstr, errstr_size);
}

/* in->digest (once: the digest serializes the whole record). */
static int in_digest(record_in_t *in, char *errstr, size_t errstr_size)
{
    if (in->digest[0])
        return PRODUCER_OK;
    if ((in->bad ? hwm_digest_bytes(in->bad->raw, in->bad->raw_len, in->digest, sizeof(in->digest))
                 : hwm_digest(in->rec, in->digest, sizeof(in->digest))) != 0)
        return run_oom(errstr, errstr_size);
    return PRODUCER_OK;
}

/*
 * Digests later: a record put in the tracker at its bucket as a new id
 * gets its digest only if it is still there when the page ends or a
 * checkpoint reads the tracker: in a walk in cursor order almost every
 * record starts a new bucket and is gone at the next one, and the digest
 * (the record serialized with sorted keys) was the walk's largest cost.
 * Until then the tracker holds it with the empty digest, which no record
 * matches (it would be published again, never skipped), and no skip
 * decision reads it: settle_later() runs first (handle_identified).
 */
static int defer_digest(run_t *r, const json_t *rec, int64_t bucket, char *errstr,
                        size_t errstr_size)
{
    if (r->n_later && bucket != r->later_bucket)
        r->n_later = 0; /* the tracker drops the ids of the old bucket */
    r->later_bucket = bucket;
    if (r->n_later == r->cap_later) {
        size_t cap = r->cap_later ? 2 * r->cap_later : 64;
        const json_t **grown = realloc(r->later, cap * sizeof(*grown));
        if (!grown)
            return run_oom(errstr, errstr_size);
        r->later = grown;
        r->cap_later = cap;
    }
    r->later[r->n_later++] = rec;
    return PRODUCER_OK;
}

int run_settle_deferred(run_t *r, char *errstr, size_t errstr_size)
{
    cursor_clock_t clock = hwm_clock(r->sc);
    const hwm_tracker_t *t = &r->tracker;
    if (!t->has_value || hwm_bucket(&clock, t->value_ms) != r->later_bucket)
        r->n_later = 0;
    for (size_t i = 0; i < r->n_later; i++) {
        char id[RECORD_ID_SIZE], digest[HWM_DIGEST_SIZE];
        record_id_result_t idr =
            record_id_read(r->later[i], r->sc->id_field, r->id_type, id, sizeof(id));
        if (!record_id_has_text(idr))
            continue; /* cannot be: it was read the same way */
        if (hwm_digest(r->later[i], digest, sizeof(digest)) != 0 ||
            hwm_tracker_put(&r->tracker, id, strlen(id), digest, 1) != PRODUCER_OK)
            return run_oom(errstr, errstr_size);
    }
    r->n_later = 0;
    return PRODUCER_OK;
}

/* Where src's page in hand was asked, as pageshift.h takes it. */
static pageshift_page_t shift_page(const run_t *r, const source_t *src)
{
    cursor_clock_t clock = hwm_clock(r->sc);
    source_asked_t asked = source_page_asked(src);
    return (pageshift_page_t){.has_since = asked.has_since,
                              .since_bucket =
                                  asked.has_since ? hwm_bucket(&clock, asked.since_ms) : 0,
                              .by_number = asked.by_number,
                              .exclusive = source_since_exclusive(src)};
}

/* The walk's page end: no record of the page may stay deferred; the
 * page is noted for the second walk (an empty one asked by number may be
 * where a shifted record went missing); and a field the API left out of
 * every record of it is said (absentfields.h). */
static int page_done(run_t *r, source_t *src, const json_t *items, const char *url, char *errstr,
                     size_t errstr_size)
{
    if (r->shift && !r->confirming) {
        pageshift_page_t page = shift_page(r, src);
        pageshift_page_end(r->shift, &page, json_array_size(items));
    }
    if (r->absent)
        absentfields_page(r->absent, items, r->sc->name, url);
    return run_settle_deferred(r, errstr, errstr_size);
}

/*
 * Puts the identified record in in into the tracker: with its digest
 * computed now when digest_now (the id is there already, and a skip
 * decision just computed it; or the page's end does not settle deferred
 * digests: the second walk's); else a new id at the tracker's bucket or a
 * later one is deferred; an older bucket changes nothing.
 */
static int observe_identified(run_t *r, record_in_t *in, int digest_now, char *errstr,
                              size_t errstr_size)
{
    cursor_clock_t clock = hwm_clock(r->sc);
    const hwm_tracker_t *t = &r->tracker;
    int64_t b = hwm_bucket(&clock, in->cursor);
    int64_t cur = t->has_value ? hwm_bucket(&clock, t->value_ms) : 0;
    int later = !digest_now && !in->bad && (!t->has_value || b >= cur);
    if (later && defer_digest(r, in->rec, b, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (!later && (!t->has_value || b >= cur) && in_digest(in, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (hwm_observe(&r->tracker, &clock, in->id, in->cursor, later ? NULL : in->digest) != 0)
        return run_oom(errstr, errstr_size);
    return PRODUCER_OK;
}

/* Reads id and cursor of in->rec; in->why says what is wrong. */
static int read_record(run_t *r, record_in_t *in, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    (void)errstr;
    (void)errstr_size;
    in->idr = record_id_read(in->rec, sc->id_field, r->id_type, in->id, sizeof(in->id));
    /* published as written, as any other: the conversion dead-letters it,
     * naming the value; only reconciliation must know */
    in->id_not_of_type = in->idr == RECORD_ID_NOT_OF_TYPE;
    if (in->id_not_of_type)
        in->idr = RECORD_ID_OK;
    if (in->idr != RECORD_ID_OK)
        record_id_refused(sc, in->rec, in->idr, "", in->why, sizeof(in->why));
    json_t *cv = json_is_object(in->rec) ? json_object_get(in->rec, sc->cursor_field) : NULL;
    char perr[200];
    cursor_clock_t clock = hwm_clock(sc);
    in->has_cursor = cursorval_read(&clock, cv, &in->cursor, perr, sizeof(perr)) == 0;
    if (!in->has_cursor && in->idr == RECORD_ID_OK)
        errstr_set(in->why, sizeof(in->why), "cursor field '%s': %s", sc->cursor_field, perr);
    return PRODUCER_OK;
}

/* A record without a usable cursor: the HWM cannot cover it, and a walk
 * may serve it again (a seek walk at the same since), so it is
 * dead-lettered once a run. */
static int handle_no_cursor(run_t *r, record_in_t *in, char *errstr, size_t errstr_size)
{
    if (in_digest(in, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    int first = run_first_dead_letter(r, in->digest);
    if (first < 0)
        return run_oom(errstr, errstr_size);
    if (!first) {
        r->stats.skipped++;
        return PRODUCER_OK;
    }
    return dead_letter_in(r, in, in->idr == RECORD_ID_OK ? in->id : NULL, errstr, errstr_size);
}

/*
 * A cursor past the API's own clock (a sentinel such as 2099-01-01, a
 * node's clock ahead, a local time labelled UTC) is no time the API has
 * reached: taken into the HWM, it would make every later run ask past all
 * changes to come, and report them completed. Such a record is published
 * but not observed: the HWM stays below it, and the next run is served it
 * (and publishes it) again.
 */
static int cursor_in_future(const run_t *r, const record_in_t *in)
{
    return run_past_api_clock(r->sc->cursor_precision, in->cursor, in->api_now);
}

/*
 * A record cursor_in_future() holds back, under key (its id, or a stand-in
 * for one without), the first time this run at this cursor: counted (the
 * first one kept for the log), 0. Again (a seek walk asks from the last
 * cursor it saw, and is served it again): 1, and it is skipped as
 * handled. -1 on ENOMEM.
 */
static int future_seen(run_t *r, const char *key, const record_in_t *in)
{
    int added = 0;
    if (!r->future_ids && !(r->future_ids = idset_new(sizeof(int64_t))))
        return -1;
    int64_t *at = idset_add(r->future_ids, key, strlen(key), &added);
    if (!at)
        return -1;
    if (!added && *at == in->cursor)
        return 1;
    *at = in->cursor;
    if (r->future_cursors++ == 0) {
        r->future_first_cursor = in->cursor;
        r->future_first_api_now = in->api_now;
        snprintf(r->future_first_id, sizeof(r->future_first_id), "%.*s",
                 (int)sizeof(r->future_first_id) - 1, in->idr == RECORD_ID_OK ? in->id : "(none)");
    }
    return 0;
}

/* After the walk: one line for the records cursor_in_future() held back. */
static void log_future_cursors(const run_t *r)
{
    if (r->future_cursors == 0)
        return;
    char c[ISOTIME_BUFSIZE], now[ISOTIME_BUFSIZE], id[300];
    log_quote(id, sizeof(id), r->future_first_id);
    isotime_format(r->future_first_cursor, c, sizeof(c));
    isotime_format(r->future_first_api_now, now, sizeof(now));
    log_warn("records with a cursor past the API's clock: published, the HWM not moved to them",
             "stream=%s run_id=%s records=%" PRId64 " first_id=%s first_cursor=%s api_clock=%s",
             r->sc->name, r->run_id, r->future_cursors, id, c, now);
}

/*
 * A record with a cursor but no usable id: kept at the HWM under a
 * stand-in id made of its digest (hwm_standin_id()), so that the HWM
 * moves past it and it is not dead-lettered again.
 */
static int handle_unidentified(run_t *r, record_in_t *in, char *errstr, size_t errstr_size)
{
    if (in_digest(in, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    cursor_clock_t clock = hwm_clock(r->sc);
    char id[HWM_STANDIN_SIZE];
    hwm_standin_id(in->digest, id);
    int future = in->future, seen = future ? future_seen(r, id, in) : 0;
    if (seen < 0)
        return run_oom(errstr, errstr_size);
    if (seen || hwm_should_skip(&r->tracker, &clock, id, in->cursor, in->digest)) {
        r->stats.skipped++;
        return PRODUCER_OK;
    }
    if (dead_letter_in(r, in, NULL, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (!future && hwm_observe(&r->tracker, &clock, id, in->cursor, in->digest) != 0)
        return run_oom(errstr, errstr_size);
    return run_maybe_progress(r, errstr, errstr_size);
}

/*
 * soft_delete.field's word on a record: 1 deleted, 0 live, -1 neither.
 * JSON true and what an API writes for it from a database without
 * booleans (1 or 1.0, and "1", "true", "t", "yes", "y" in any case) say
 * deleted; false, null, no member, 0 or 0.0 and their strings say live. Read as JSON true
 * alone, a MySQL API's 1 kept every deleted record live downstream,
 * without a word.
 */
static int soft_deleted(const json_t *v)
{
    static const char *const yes[] = {"1", "true", "t", "yes", "y", NULL};
    static const char *const no[] = {"", "0", "false", "f", "no", "n", NULL};

    if (!v || json_is_null(v) || json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
        return (int)json_integer_value(v);
    if (jsonnum_is(v)) { /* 1.0, 0.0: a float or decimal column's, kept as text */
        double d = strtod(jsonnum_text(v), NULL);
        return d == 1 ? 1 : d == 0 ? 0 : -1;
    }
    if (!jsonnum_is_string(v))
        return -1;
    for (size_t i = 0; yes[i]; i++)
        if (!strcasecmp(json_string_value(v), yes[i]))
            return 1;
    for (size_t i = 0; no[i]; i++)
        if (!strcasecmp(json_string_value(v), no[i]))
            return 0;
    return -1;
}

/*
 * Where a revival goes at the least: past the run's start and both HWMs
 * of the last run record. Under cursor.precision = date, at their days'
 * first instants, which the revival outranks as the later produced: 1 ms
 * past them, it outranked every later version of that day (all dated its
 * first instant) for the rest of the day, and a change the API made the
 * same day was lost until the record changed on another.
 */
static int64_t revival_floor(const run_t *r)
{
    cursor_clock_t clock = hwm_clock(r->sc);
    int days = r->sc->cursor_precision == CURSOR_PRECISION_DATE;
    const run_hwm_t *hwms[] = {&r->durable, &r->del_durable};
    int64_t mark = hwm_bucket(&clock, r->started_at);

    for (size_t i = 0; i < sizeof(hwms) / sizeof(hwms[0]); i++) {
        if (!hwms[i]->has_value || hwms[i]->value_ms == INT64_MAX)
            continue;
        int64_t m = days ? hwm_bucket(&clock, hwms[i]->value_ms) : hwms[i]->value_ms + 1;
        if (m > mark)
            mark = m;
    }
    return mark;
}

/*
 * The source_ts of an upsert: the record's cursor, unless a full run's
 * scan found that the worker keeps its id deleted by an earlier full
 * run's delete of it as vanished, and no deletion of it is held in this
 * run. The API serves the record again, and when it serves it unchanged
 * (it was hidden for a while, restored without a new cursor) its cursor
 * is older than that deletion's source_ts: the worker kept the deletion,
 * while the topic's latest message said live, and no later run mended
 * it. Such an upsert goes out at that deletion's source_ts at least (the
 * later production wins the tie) and at revival_floor(): the row may hold
 * a version the topic no longer shows (compacted away: a cursor the API
 * set back, a revival a producer before 2026-12 dated by its clock),
 * which the deletion's tombstone kept. A deletion the deleted endpoint
 * announced is the API's word, at its own time: a record it still serves
 * (a lagging index) is not revived. A revival gets *reason
 * RECONCILE_REVIVED (else it stays NULL): its source_ts is no cursor of
 * the record's, which a later walk of the records from it would not serve
 * (keylatest.h, runheld.c).
 */
static int64_t upsert_source_ts(run_t *r, const record_in_t *in, const char **reason)
{
    int64_t deleted_ts;
    *reason = NULL;
    if (!r->recon || !reconcile_vanished(r->recon, in->id, &deleted_ts) ||
        (r->held && heldeletes_pending(r->held, in->id)))
        return in->cursor;
    int64_t mark = revival_floor(r);
    if (deleted_ts != RECONCILE_VERSION_UNKNOWN && deleted_ts > mark)
        mark = deleted_ts;
    if (in->cursor >= mark)
        return in->cursor;
    r->stats.revived++;
    *reason = RECONCILE_REVIVED;
    char q[300];
    log_debug("a deleted id served again: its upsert goes out past the deletion",
              "stream=%s run_id=%s id=%s cursor_ms=%" PRId64 " source_ts_ms=%" PRId64, r->sc->name,
              r->run_id, log_quote(q, sizeof(q), in->id), in->cursor, mark);
    return mark;
}

/*
 * An upsert of id was published: a deletion of it dated by its day alone
 * that the deleted HWM notes at its bucket as handled is no longer its
 * last word. Deleted again after this restore the same day, it names the
 * same day: it is then held and weighed anew, not skipped (the note's
 * digest becomes "?", which never matches).
 */
static int supersede_deletion(run_t *r, const char *id)
{
    const hwm_entry_t *e = hwm_find_id(&r->del_tracker, id);
    if (!e)
        return PRODUCER_OK; /* the common case: once per published upsert */
    hwm_entry_t day = hwm_digest_parse(HWM_DIGEST_DAY_ALONE);
    if (e->kind != day.kind || e->value != day.value)
        return PRODUCER_OK;
    return hwm_tracker_put(&r->del_tracker, id, strlen(id), "?", 1);
}

/* page_decider: every identified item of the page in hand with a cursor,
 * to the index of its id's deciding copy: the newest, the later one among
 * equal cursors. -1 on ENOMEM. */
static int index_page(run_t *r)
{
    char id[RECORD_ID_SIZE];
    if (r->page_decider)
        idset_clear(r->page_decider);
    else if (!(r->page_decider = idset_new(sizeof(size_t))))
        return -1;
    for (size_t j = 0; j < json_array_size(r->page_items); j++) {
        const json_t *item = json_array_get(r->page_items, j);
        int64_t c, cd;
        int added = 0;
        if (!record_id_has_text(
                record_id_read(item, r->sc->id_field, r->id_type, id, sizeof(id))) ||
            !cursorval_of_record(r->sc, item, &c))
            continue;
        size_t *decider = idset_add(r->page_decider, id, strlen(id), &added);
        if (!decider)
            return -1;
        if (added || !cursorval_of_record(r->sc, json_array_get(r->page_items, *decider), &cd) ||
            c >= cd)
            *decider = j;
    }
    r->page_decider_built = 1;
    return 0;
}

/*
 * Whether another copy of in's id on the page in hand, in the same cursor
 * bucket, decides for it (*other): the newest, the later one among equal
 * cursors. An API whose list query joins a child table without grouping
 * serves a record once per child row, with different content at one
 * cursor. At the HWM's bucket the tracker keeps one digest an id, the
 * last published copy's: every idle run found the other copy changed and
 * published both, for ever. One copy decides, as the last one applied
 * would; the newest, not merely the later on the page: under
 * cursor.precision = date a history endpoint newest first serves an
 * older version of the day after the change, which would then skip it
 * (t_id_twice_newest_first). Asked only of a record that differs from the
 * one kept at the HWM: the page is indexed once, when the first such
 * record comes. -1 on ENOMEM.
 */
static int other_copy_decides(run_t *r, const record_in_t *in, int *other)
{
    cursor_clock_t clock = hwm_clock(r->sc);
    int64_t c;
    *other = 0;
    if (!r->page_items || (!r->page_decider_built && index_page(r) != 0))
        return r->page_items ? -1 : 0;
    const size_t *decider = idset_get(r->page_decider, in->id, strlen(in->id));
    if (!decider || *decider == r->page_index)
        return 0;
    const json_t *copy = json_array_get(r->page_items, *decider);
    *other = cursorval_of_record(r->sc, copy, &c) &&
             hwm_bucket(&clock, c) == hwm_bucket(&clock, in->cursor);
    return 0;
}

/* A record with an id and a cursor: skipped, published or dead-lettered. */
static int handle_identified(run_t *r, record_in_t *in, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    cursor_clock_t clock = hwm_clock(sc);
    /* A version served, published now or before. Under cursor.precision =
     * date it counts past its day's first instant, where a deletion of
     * that day is held (rundeleted.c): served after the deleted endpoint
     * was read, it was restored after that deletion. */
    if (r->held)
        heldeletes_served(r->held, in->id,
                          in->cursor + (sc->cursor_precision == CURSOR_PRECISION_DATE));
    int future = in->future, seen = future ? future_seen(r, in->id, in) : 0;
    if (seen < 0)
        return run_oom(errstr, errstr_size);
    if (seen) {
        r->stats.skipped++;
        return PRODUCER_OK;
    }
    /* The skip rule reads a digest only for an id the tracker holds at
     * the record's bucket: then, and only then, it is computed, and the
     * deferred ones are settled first (the id may be one of them). */
    int at_hwm = hwm_in_bucket(&r->tracker, &clock, in->cursor);
    int found = at_hwm && hwm_find_id(&r->tracker, in->id);
    if (found && (run_settle_deferred(r, errstr, errstr_size) != 0 ||
                  in_digest(in, errstr, errstr_size) != 0))
        return PRODUCER_FAILED;
    if (found && hwm_should_skip(&r->tracker, &clock, in->id, in->cursor, in->digest)) {
        r->stats.skipped++;
        return PRODUCER_OK; /* already observed at this bucket with this digest */
    }
    int other = 0;
    if (found && other_copy_decides(r, in, &other) != 0)
        return run_oom(errstr, errstr_size);
    if (other) {
        r->stats.skipped++;
        return PRODUCER_OK; /* another copy on this page decides */
    }
    json_t *sd = sc->soft_delete_field ? json_object_get(in->rec, sc->soft_delete_field) : NULL;
    int deleted = soft_deleted(sd);
    change_op_t op = deleted == 1 ? CHANGE_OP_DELETE : CHANGE_OP_UPSERT;
    int dlqd = 1, rc;
    if (in->bad) {
        rc = run_dead_letter_raw(r, in->id, in->bad, in->url, errstr, errstr_size);
    } else if (deleted < 0) {
        char why[256], *text = jsonnum_dumps(sd, JSON_COMPACT | JSON_ENCODE_ANY);
        const char *shown = text ? text : "its value";
        errstr_set(why, sizeof(why), "soft_delete.field '%s': %.*s%s says neither deleted nor live",
                   sc->soft_delete_field, UTF8_SHOWN(shown));
        free(text);
        rc = run_dead_letter(r, in->id, in->rec, why, in->url, errstr, errstr_size);
    } else {
        const char *reason = NULL;
        int64_t source_ts = op == CHANGE_OP_UPSERT ? upsert_source_ts(r, in, &reason) : in->cursor;
        rc = run_publish(r, op, in->id, source_ts, in->rec, in->url, reason, &dlqd, errstr,
                         errstr_size);
    }
    if (rc != 0)
        return PRODUCER_FAILED;
    if (!dlqd) {
        if (op == CHANGE_OP_DELETE)
            r->stats.deletes++;
        else
            r->stats.upserts++;
    }
    if (!dlqd && op == CHANGE_OP_UPSERT && supersede_deletion(r, in->id) != PRODUCER_OK)
        return run_oom(errstr, errstr_size);
    /* A dead-lettered record is durably handled too: keep it at the HWM so
     * the next run does not dead-letter it again. The second walk
     * (runsecond.c) moves no HWM; but one it handles at the HWM's bucket
     * is noted there, or the next run, which reads that bucket again,
     * would publish it again. */
    if (!future && (!r->confirming || at_hwm) &&
        observe_identified(r, in, found || r->confirming, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    return run_maybe_progress(r, errstr, errstr_size);
}

/* The first walk served in: what its second walk needs (pageshift.h). */
static int note_served(run_t *r, const source_t *src, const record_in_t *in)
{
    cursor_clock_t clock = hwm_clock(r->sc);
    pageshift_page_t page = shift_page(r, src);
    int64_t bucket = in->has_cursor ? hwm_bucket(&clock, in->cursor) : 0;
    return pageshift_served(r->shift, &page, in->id, in->has_cursor, bucket);
}

/*
 * One record of the walk (README, "How it works"). bad: the record is a
 * bad item of its page (rec is its lenient stand-in, NULL-safe): it goes
 * to the DLQ as raw bytes, but its id and cursor, when they can be read,
 * still count (reconciliation, the HWM and the skip rule, with a digest of
 * its bytes), so that the next run does not dead-letter it again.
 */
int run_handle_record(run_t *r, source_t *src, const json_t *rec, const jsonpage_bad_t *bad,
                      const char *url, char *errstr, size_t errstr_size)
{
    record_in_t in = {.rec = rec, .bad = bad, .url = url, .api_now = source_page_api_now(src)};
    r->stats.records_read++;
    if (read_record(r, &in, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    /* which id it was, reconciliation cannot tell: a bad item's stand-in as
     * much as a well-formed record, or one whose id no id set can hold (it
     * may be any live id) */
    in.future = in.has_cursor && cursor_in_future(r, &in);
    if (in.has_cursor && !in.future && r->sc->cursor_sorted &&
        r->sc->pagination != PAGINATION_NONE) {
        cursor_clock_t clock = hwm_clock(r->sc);
        if (run_check_order(r, &clock, in.cursor, "records endpoint",
                            "set cursor.sorted = false to walk the API's own order", errstr,
                            errstr_size) != PRODUCER_OK)
            return PRODUCER_FAILED;
    }
    /* an id not of its type is no key: the row PostgreSQL reads it as
     * (a uuid without hyphens) is under another, taken for vanished */
    if (in.idr != RECORD_ID_OK || in.id_not_of_type)
        r->stats.unidentified++;
    else if (r->recon)
        reconcile_seen(r->recon, in.id); /* served, whatever becomes of it */
    if (in.idr == RECORD_ID_OK && r->shift && !r->confirming &&
        note_served(r, src, &in) != PRODUCER_OK)
        return run_oom(errstr, errstr_size);
    if (!in.has_cursor)
        return handle_no_cursor(r, &in, errstr, errstr_size);
    if (in.idr != RECORD_ID_OK)
        return handle_unidentified(r, &in, errstr, errstr_size);
    return handle_identified(r, &in, errstr, errstr_size);
}

/*
 * Once the records walk is over: the largest cursor this producer is
 * known to have published for the stream, from the tracker (every cursor
 * this walk served, and the HWM it started from) and the HWMs of the last
 * run record and of this run's last checkpoint.
 */
static void note_max_cursor(run_t *r)
{
    const int64_t v[3] = {r->tracker.value_ms, r->durable.value_ms,
                          r->cp ? r->cp->hwm.value_ms : 0};
    const int has[3] = {r->tracker.has_value, r->durable.has_value, r->cp && r->cp->hwm.has_value};
    for (int i = 0; i < 3; i++) {
        if (has[i] && (!r->has_max_cursor || v[i] > r->max_cursor))
            r->max_cursor = v[i];
        r->has_max_cursor = r->has_max_cursor || has[i];
    }
}

/*
 * A deletion without a time of its own happened after every version
 * published so far, so it must outrank them in the worker's version guard
 * even when the API's clock runs ahead of the producer's (the cursors are
 * the API's clock). Comparing the two clocks is not the point: the larger
 * one wins.
 */
int64_t run_outrank(const run_t *r, int64_t mark)
{
    if (r->has_max_cursor && r->max_cursor < INT64_MAX && r->max_cursor + 1 > mark)
        return r->max_cursor + 1;
    return mark;
}

int run_fetch_records(run_t *r, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    source_t *src = source_new(sc, r->hc);
    if (!src)
        return run_oom(errstr, errstr_size);
    /* A walk that feeds reconciliation must prove it read every page: a
     * short page mid-stream (a cap by bytes) is no end there. Elsewhere a
     * premature end only stops the HWM early; the next run goes on. */
    if (r->recon)
        source_require_empty_end(src);
    source_check_since(src);
    /* a walk that pages by number may miss records: noted for a second
     * walk (runsecond.c) */
    if ((sc->pagination == PAGINATION_PAGE || sc->pagination == PAGINATION_OFFSET) &&
        !(r->shift = pageshift_new(sc->cursor_sorted))) {
        source_destroy(src);
        return run_oom(errstr, errstr_size);
    }
    r->walk_has_since = r->tracker.has_value;
    r->walk_since = r->tracker.value_ms - sc->lookback_ms;
    int64_t prev = r->tracker.value_ms;
    source_start(src, r->walk_has_since, r->walk_since);
    int rc = run_walk(r, src, run_handle_record, page_done, errstr, errstr_size);
    r->since_exclusive = source_since_exclusive(src);
    log_future_cursors(r);
    if (rc == PRODUCER_OK && r->shift && pageshift_walk_done(r->shift) != PRODUCER_OK)
        rc = run_oom(errstr, errstr_size);
    r->fetch_complete = rc == PRODUCER_OK && source_complete(src);
    r->fetch_proves_all = r->fetch_complete && source_proves_all(src);
    if (rc == PRODUCER_OK) {
        note_max_cursor(r);
        cursor_clock_t clock = hwm_clock(sc);
        if (!sc->cursor_sorted)
            run_hold_at_walk_start(r, &r->tracker, &clock, source_api_started_at(src), "records");
        if (!sc->cursor_sorted && !r->fetch_complete)
            rc = run_hold_unproven(r, &r->tracker, &clock, r->walk_has_since, prev, "records",
                                   errstr, errstr_size);
    }
    source_destroy(src);
    if (rc == PRODUCER_OK)
        rc = run_second_walk(r, errstr, errstr_size);
    r->records_done = rc == PRODUCER_OK;
    return rc;
}

/* A record of a recheck walk: its id, served, makes held deletions stale. */
static int handle_recheck(run_t *r, source_t *src, const json_t *rec, const jsonpage_bad_t *bad,
                          const char *url, char *errstr, size_t errstr_size)
{
    (void)src;
    record_in_t in = {.rec = rec, .bad = bad, .url = url};
    if (read_record(r, &in, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (in.idr == RECORD_ID_OK && in.has_cursor)
        heldeletes_served(r->held, in.id, in.cursor);
    return PRODUCER_OK;
}

int run_recheck_held(run_t *r, int has_since, int64_t since, int *proven, char *errstr,
                     size_t errstr_size)
{
    *proven = 0;
    source_t *src = source_new(r->sc, r->hc);
    if (!src)
        return run_oom(errstr, errstr_size);
    source_require_empty_end(src); /* an id missed would be deleted */
    if (r->since_exclusive)
        source_set_since_exclusive(src);
    source_start(src, has_since, since);
    int rc = run_walk(r, src, handle_recheck, NULL, errstr, errstr_size);
    *proven = rc == PRODUCER_OK && source_complete(src);
    source_destroy(src);
    return rc;
}
