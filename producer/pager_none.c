/*
 * pager_none.c - pagination = none: requests without page parameters.
 *
 * An API may cap its answer whatever it holds (a list endpoint's default
 * limit, Zendesk's time-based export), and a full run that took the first
 * answer for all the API serves deleted the rest as vanished. So an
 * answer in ascending cursor order is followed by a request at since =
 * its last record's cursor, as the seek walk moves (pager_seek.c, which
 * also finds an API that filters `>`), until an answer brings no record
 * the walk was not served: for an API that answers everything at once,
 * one request more than one. What the seek walk would ask as a later page
 * at one since (an answer as large as the largest, all in since's bucket,
 * with records not served before: more records share one cursor value
 * than the API answers at once) no request without page parameters can
 * reach, and the walk fails saying so. An answer out of cursor order, or
 * from an API that ignores since, is the walk, as before: a re-seek there
 * would skip records or read the same answer again.
 */
#include "pager.h"

#include <stdio.h>

#include "cursorval.h"
#include "errstr.h"
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

/* Keeps copies of the ids of the records in the last record's bucket:
 * what the next answer, at that bucket, may serve again. */
static void keep_tail(pager_walk_t *w, json_t *records)
{
    cursor_clock_t clock = hwm_clock(w->sc);
    size_t n = json_array_size(records);
    int64_t last, c;
    json_decref(w->tail_ids);
    w->tail_ids = json_array();
    if (!w->tail_ids || !n || !cursorval_of_record(w->sc, json_array_get(records, n - 1), &last))
        return;
    for (size_t i = n; i-- > 0;) {
        json_t *rec = json_array_get(records, i);
        if (!cursorval_of_record(w->sc, rec, &c) ||
            hwm_bucket(&clock, c) != hwm_bucket(&clock, last))
            break;
        /* a copy: the page's values go with the page (json_arena.h) */
        json_t *id = json_object_get(rec, w->sc->id_field);
        if (id)
            (void)json_array_append_new(w->tail_ids, json_deep_copy(id));
    }
}

/* Whether each record in since's bucket is one of the kept tail's (ENOMEM
 * there: no). Records below it (an API that rounds since down, or serves
 * more than it asks) were served by the answers before. */
static int all_served(const pager_walk_t *w, json_t *records)
{
    cursor_clock_t clock = hwm_clock(w->sc);
    int64_t since_bucket = hwm_bucket(&clock, w->since_ms), c;
    size_t i, j;
    json_t *rec, *kept;
    json_array_foreach(records, i, rec)
    {
        if (cursorval_of_record(w->sc, rec, &c) && hwm_bucket(&clock, c) < since_bucket)
            continue;
        json_t *id = json_object_get(rec, w->sc->id_field);
        int found = 0;
        json_array_foreach(w->tail_ids, j, kept) if (id && json_equal(id, kept))
        {
            found = 1;
            break;
        }
        if (!found)
            return 0;
    }
    return 1;
}

static int none_advance(pager_walk_t *w, const pager_page_t *page, char *errstr, size_t errstr_size)
{
    int64_t first;
    if (!w->sc->cursor_sorted || !ascending(w->sc, page->records))
        return 1;
    /* an answer at its last cursor that starts below that cursor's bucket:
     * the API does not filter by since as asked (ignores it, rounds it
     * down), and what lies below was served; handed out, every run would
     * publish it twice */
    if (w->carried && json_array_size(page->records) &&
        cursorval_of_record(w->sc, json_array_get(page->records, 0), &first)) {
        cursor_clock_t clock = hwm_clock(w->sc);
        if (hwm_bucket(&clock, first) < hwm_bucket(&clock, w->since_ms))
            return PAGER_END;
    }
    if (pager_seek_below_since(w, page->records, &first))
        return 1; /* the first answer from an API that ignores since: the walk */
    size_t largest = w->max_served, n = json_array_size(page->records);
    int rc = pager_seek_advance(w, page, 0, 0, errstr, errstr_size);
    if (rc == PAGER_AGAIN) { /* a `>` filter found: from the start again */
        json_decref(w->tail_ids);
        w->tail_ids = NULL;
    }
    if (rc != 0)
        return rc;
    if (!w->later_page) { /* on at the last record's cursor */
        keep_tail(w, page->records);
        return 0;
    }
    /* all at since's bucket: at the walk's start since (the ties at the
     * HWM an idle run is served) nothing more to ask, as before; nor when
     * it brings nothing new, or is shorter than an answer before (the tie
     * group fit in it: a walk that must end on an empty page, a full
     * run's, asks here) */
    if (!w->tail_ids || all_served(w, page->records) || n < largest)
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
