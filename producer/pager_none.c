/*
 * pager_none.c - pagination = none: requests without page parameters.
 *
 * An API may cap its answer whatever it holds (a list endpoint's default
 * limit, Zendesk's time-based export), and a full run that took the first
 * answer for all the API serves deleted the rest as vanished. So an
 * answer in ascending cursor order is followed by a request at since =
 * its last record's cursor, as the seek walk moves (pager_seek.c, which
 * also finds an API that filters `>`), until an answer brings no record
 * the walk was not served: that answer is dropped (PAGER_END: what lies
 * below since, from an API that rounds since down or ignores it, was
 * served), so an API that answers everything at once costs one request
 * more and no event more. What the seek walk would ask as a later page at
 * one since (an answer as large as the largest, all in since's bucket,
 * with records not served before: more records share one cursor value
 * than the API answers at once) no request without page parameters can
 * reach, and the walk fails saying so; the same records again cannot be
 * told from a whole tie group that size, and the walk warns. An answer
 * out of cursor order, or a first one from an API that ignores since, is
 * the walk, as before: a re-seek there would skip records or read the
 * same answer again.
 */
#include "pager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursorval.h"
#include "errstr.h"
#include "fnv1a.h"
#include "log.h"
#include "url_redact.h"

static void none_start(pager_walk_t *w)
{
    w->page_no = 0;
}

static char *none_url(pager_walk_t *w)
{
    int64_t since =
        w->has_since && w->exclusive ? cursorval_since_below(w->sc, w->since_ms) : w->since_ms;
    return pager_page_url(w->sc, w->has_since, since, 0, NULL);
}

/* Whether every record's cursor can be read and none lies below the one
 * before it. */
static int ascending(const stream_conf_t *sc, json_t *records)
{
    int64_t prev = INT64_MIN, c;
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec)
    {
        if (!cursorval_of_record(sc, rec, &c) || c < prev)
            return 0;
        prev = c;
    }
    return 1;
}

/* Keeps the ids of the records in the last record's bucket: what the
 * next answer, at that bucket, may serve again (pager_keep_tail()). */
static int keep_tail(pager_walk_t *w, json_t *records, char *errstr, size_t errstr_size)
{
    if (pager_keep_tail(w, records) == 0)
        return 0;
    errstr_set(errstr, errstr_size, "out of memory keeping an answer's last ids");
    return -1;
}

/* Whether an answer at since holds a record the walk was not served: one
 * past since's bucket, or one in it that the answer before did not end
 * with. Records below it (an API that rounds since down, or ignores it)
 * were served by the answers before. *all_at: every record in since's
 * bucket. */
static int brings_new(const pager_walk_t *w, json_t *records, int *all_at)
{
    cursor_clock_t clock = hwm_clock(w->sc);
    int64_t since_bucket = hwm_bucket(&clock, w->since_ms), c;
    size_t i;
    json_t *rec;
    int news = 0;
    *all_at = 1;
    json_array_foreach(records, i, rec)
    {
        int64_t b = cursorval_of_record(w->sc, rec, &c) ? hwm_bucket(&clock, c) : since_bucket;
        if (b != since_bucket)
            *all_at = 0;
        if (b > since_bucket ||
            (b == since_bucket && !pager_in_tail(w, json_object_get(rec, w->sc->id_field))))
            news = 1;
    }
    return news;
}

/* Says msg of an answer of n records that may have been capped: with
 * pagination = none nothing asks past a cap, and nothing tells one from
 * the end (a whole tie group that size, an API that ignores since, one
 * that answers newest first). */
static void warn_maybe_capped(const char *msg, const pager_page_t *page, size_t n)
{
    char red[1200];
    log_warn(msg, "url=%s records=%zu", url_redact_quoted(page->url, red, sizeof(red)), n);
}

/* The way out, said by each warn_maybe_capped(). What the walk's being
 * unproven does is the run's to say (a full run's records walk: "full
 * fetch not provably complete"): the deleted endpoint walks here too. */
#define CAPPED_WAY_OUT                                                                             \
    "(pagination = none cannot ask past them: use page, offset, cursor, link or next_url if the "  \
    "API has one, or set none.uncapped = true if it answers every record at once)"

/* An answer at since that brings nothing new: the walk is over. Proof
 * that the API served every record only when it is smaller than the
 * largest answer (no cap at that many cut it), holds only the records
 * the answer before ended with, or the API is said to answer everything
 * at once (none.uncapped): else the records past it may lie beyond a
 * cap, and a full run that took them for vanished deleted live rows. */
static int end_of_walk(const pager_walk_t *w, const pager_page_t *page, int all_at)
{
    size_t n = json_array_size(page->records);
    int64_t first;
    if (n <= 1 || n < w->max_served || w->sc->none_uncapped)
        return PAGER_END;
    if (all_at) {
        warn_maybe_capped("an answer of records all at one cursor value, as many as the largest "
                          "answer of the walk: if the API caps its answers at that many, the "
                          "records past them are not read " CAPPED_WAY_OUT,
                          page, n);
        return PAGER_END_UNPROVEN;
    }
    if (cursorval_of_record(w->sc, json_array_get(page->records, 0), &first) &&
        first < w->since_ms) {
        warn_maybe_capped("an answer asked from the last record's cursor served records below "
                          "it, as many as the largest answer of the walk: the API ignores the "
                          "cursor parameter (or rounds it down), and if it caps its answers at "
                          "that many, the records past them are not read " CAPPED_WAY_OUT,
                          page, n);
        return PAGER_END_UNPROVEN;
    }
    return PAGER_END;
}

/* An answer in no cursor order (or under cursor.sorted = false) is the
 * walk: no since asked from it could reach past a cap (a newest-first
 * list with a default limit). Whether the API capped it, nothing tells
 * unless none.uncapped says it answers everything at once: said. */
static int one_answer(const pager_walk_t *w, const pager_page_t *page)
{
    size_t n = json_array_size(page->records);
    if (n <= 1 || w->sc->none_uncapped)
        return 1;
    warn_maybe_capped("an answer out of cursor order is the whole walk: if the API caps its "
                      "answers, the records past them are not read " CAPPED_WAY_OUT,
                      page, n);
    return PAGER_LAST_UNPROVEN;
}

static int none_advance(pager_walk_t *w, const pager_page_t *page, char *errstr, size_t errstr_size)
{
    int64_t first;
    size_t largest = w->max_served, n = json_array_size(page->records);
    int all_at;
    if (!w->sc->cursor_sorted || !ascending(w->sc, page->records))
        return one_answer(w, page);
    /* an answer at the last cursor with nothing new: the walk is over, and
     * the answer is dropped (what lies below since, from an API that
     * rounds since down or ignores it, would be published twice) */
    if (w->carried && !brings_new(w, page->records, &all_at))
        return end_of_walk(w, page, all_at);
    if (pager_seek_below_since(w, page->records, &first))
        return 1; /* the first answer from an API that ignores since: the walk */
    int rc = pager_seek_advance(w, page, 0, 0, errstr, errstr_size);
    if (rc == PAGER_AGAIN) { /* a `>` filter found: from the start again */
        idset_destroy(w->tail_ids);
        w->tail_ids = NULL;
    }
    if (rc != 0)
        return rc;
    if (!w->later_page) /* on at the last record's cursor */
        return keep_tail(w, page->records, errstr, errstr_size);
    /* all at since's bucket: at the walk's start since (the ties at the
     * HWM an idle run is served) nothing more to ask, as before; nor when
     * it is shorter than an answer before (the tie group, with records not
     * served before, fit in it: a walk that must end on an empty page, a
     * full run's, asks here) */
    if (!w->tail_ids || n < largest)
        return 1;
    char red[1024];
    errstr_set(errstr, errstr_size,
               "GET %s: an answer of %zu records, all at the cursor it was asked from, some not "
               "served before: the API caps its answers, and more records share one cursor "
               "value than one answer holds. pagination = none cannot ask past them: use page, "
               "offset, cursor, link or next_url if the API has one",
               url_redact(page->url, red, sizeof(red)), n);
    return -1;
}

const pager_t pager_none = {
    .name = "none",
    .start = none_start,
    .url = none_url,
    .advance = none_advance,
};
