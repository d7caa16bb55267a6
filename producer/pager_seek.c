/*
 * pager_seek.c - the seek walk that the page and offset styles share
 * (see pager.h): re-seek at the last record's cursor when it moved to a
 * later bucket, else the next page at the same since. Pages not in cursor
 * order (cursor.sorted = false) are walked by number at the walk's since:
 * a re-seek there would skip every later record below the last cursor.
 */
#include "pager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursorval.h"
#include "errstr.h"
#include "isotime.h"
#include "jsonnum.h"
#include "jsonpage.h"
#include "log.h"
#include "pageguess.h"
#include "url_redact.h"
#include "utf8.h"

char *pager_seek_url(pager_walk_t *w)
{
    char num[24];
    snprintf(num, sizeof(num), "%ld", w->page_no);
    int64_t since =
        w->has_since && w->exclusive ? cursorval_since_below(w->sc, w->since_ms) : w->since_ms;
    return pager_page_url(w->sc, w->has_since, since, 1, num);
}

/* Decides the request after a full page. */
static void seek_next(pager_walk_t *w, json_t *records, long first, int by_served)
{
    size_t n = json_array_size(records);
    int64_t last;
    cursor_clock_t clock = hwm_clock(w->sc);
    if (w->sc->cursor_sorted && n > 0 &&
        cursorval_of_record(w->sc, json_array_get(records, n - 1), &last) &&
        (!w->has_since || hwm_bucket(&clock, last) > hwm_bucket(&clock, w->since_ms))) {
        w->before_has_since = w->has_since;
        w->before_since_ms = w->since_ms;
        w->reseeks++;
        w->has_since = 1;
        w->since_ms = last;
        w->page_no = first;
        w->later_page = 0;
        w->moved_paging = 0;
        w->carried = 1;
        w->carried_bucket = hwm_bucket(&clock, last);
        /* a copy: the page's values go with the page (json_arena.h);
         * without one (ENOMEM) the bucket alone is checked */
        json_decref(w->carried_id);
        w->carried_id =
            json_deep_copy(json_object_get(json_array_get(records, n - 1), w->sc->id_field));
        json_decref(w->carried_cursor);
        w->carried_cursor =
            json_deep_copy(json_object_get(json_array_get(records, n - 1), w->sc->cursor_field));
        /* without it (ENOMEM leaves tail_ids NULL), carried_moved_alone()
         * never answers yes, and the walk goes on as before */
        if (pager_keep_tail(w, records) != 0)
            log_debug("no tail kept at a new since: out of memory", "stream=%s", w->sc->name);
    } else {
        /* an offset moves by what was served: a capped page is shorter
         * than page.size, and page.size would skip the difference */
        w->page_no += by_served ? (long)n : 1;
        w->later_page = 1;
    }
}

char *pager_seek_guess(const pager_walk_t *w, const pager_answer_t *a, long first, int by_served,
                       int *later_page)
{
    json_t *v;
    int64_t last;
    char why[200];
    if (!w->sc->cursor_sorted || !pageguess_last_value(a->body, a->len, w->sc->cursor_field, &v))
        return NULL;
    cursor_clock_t clock = hwm_clock(w->sc);
    int read = cursorval_read(&clock, v, &last, why, sizeof(why)) == 0;
    json_decref(v);
    if (!read)
        return NULL;
    /* a copy of the scalars url() reads; its pointers stay w's */
    pager_walk_t next = *w;
    if (!w->has_since || hwm_bucket(&clock, last) > hwm_bucket(&clock, w->since_ms)) {
        next.has_since = 1;
        next.since_ms = last;
        next.page_no = first;
        next.later_page = 0;
    } else if (by_served) {
        return NULL;
    } else {
        next.page_no++;
        next.later_page = 1;
    }
    *later_page = next.later_page;
    return pager_seek_url(&next);
}

/*
 * How far below since a page may start and the API still be filtering by
 * it: an API that rounds since down (to the second, the hour, its own
 * day in a zone up to 14 h off UTC) serves that much more.
 */
#define SINCE_ROUNDING_MS ((24 + 14) * 3600 * 1000LL)

/*
 * The first page at a since whose first record lies further below it than
 * any rounding explains: the API ignores the cursor parameter (a typo, or
 * a name it does not know, which most APIs ignore). Walked on, every
 * re-seek would start from the API's first record again: a quadratic
 * number of requests, each record published again and again.
 */
int pager_seek_below_since(const pager_walk_t *w, json_t *records, int64_t *first_ms)
{
    /* the since asked: one unit below it from an API that filters `>` */
    int64_t asked = w->exclusive ? cursorval_since_below(w->sc, w->since_ms) : w->since_ms;
    return w->has_since && json_array_size(records) > 0 &&
           cursorval_of_record(w->sc, json_array_get(records, 0), first_ms) &&
           *first_ms < asked - SINCE_ROUNDING_MS;
}

static int check_filtered(const pager_walk_t *w, json_t *records, char *errstr, size_t errstr_size)
{
    int64_t c, asked = w->exclusive ? cursorval_since_below(w->sc, w->since_ms) : w->since_ms;
    if (!pager_seek_below_since(w, records, &c))
        return 0;
    char at[ISOTIME_BUFSIZE], since[ISOTIME_BUFSIZE];
    isotime_format(c, at, sizeof(at));
    isotime_format(asked, since, sizeof(since));
    errstr_set(errstr, errstr_size,
               "the first page at %s=%s starts with a record of %s: the API does not filter by "
               "that parameter; does it take '%s' as its cursor parameter (cursor.param)?",
               w->sc->cursor_param, since, at, w->sc->cursor_param);
    return -1;
}

/* Whether a more.path value says no more pages: false, null, 0 (or 0.0),
 * or the text "", "0", "false" or "none"/"null" in any case (APIs that
 * write booleans as strings: a Python one's str(False) is "False", which
 * read as a token walked a thousand empty pages and failed the run). */
static int says_none(json_t *v)
{
    if (json_is_false(v) || json_is_null(v))
        return 1;
    if (json_is_number(v))
        return json_number_value(v) == 0;
    /* 1.0 or 0.0 as the page reader keeps it (jsonnum.h): a string whose
     * text, read as one, was "" (none) and ended every walk */
    if (jsonnum_is(v))
        return strtod(jsonnum_text(v), NULL) == 0;
    if (json_is_string(v)) {
        static const char *const none[] = {"", "0", "false", "none", "null", NULL};
        for (size_t i = 0; none[i]; i++)
            if (!strcasecmp(json_string_value(v), none[i]))
                return 1;
    }
    return 0;
}

/*
 * more.path's word on a page: 1 more pages follow (true, or any other
 * value that is not none: a next page's number or URL), 0 this page is
 * the last, -1 with errstr when the body lacks it. A missing flag is an
 * error, not an end: a misspelt path would otherwise end every walk on
 * its first page, and a full run would delete every record after it.
 * A 204 No Content has no body to hold the flag, and is no end either
 * unless more.end_on_204 says so: it may be the empty page past the last
 * (an API whose flag says "the page was full", or that answers "nothing
 * new" so), or a page whose records the API hid after paging, more
 * following, which is what more.path is for; taken for the end, a full
 * run would delete the records after it. The error says so.
 */
static int says_more(const pager_walk_t *w, const pager_page_t *page, char *errstr,
                     size_t errstr_size)
{
    char red[1024];
    if (page->no_content && w->sc->more_end_on_204)
        return 0;
    if (page->no_content) {
        errstr_set(errstr, errstr_size,
                   "GET %s: a 204 No Content answer has no '%s' to say whether more pages "
                   "follow (more.path, or deleted.more.path for the deleted endpoint): it may "
                   "be the page past the last or a page whose records the API hid (set "
                   "more.end_on_204 = true if it never hides any)",
                   url_redact(page->url, red, sizeof(red)), w->sc->more_path);
        return -1;
    }
    /* one that cannot be read (jsonpage.h), read as none, would end the
     * walk without a word */
    const char *unreadable = jsonpage_unreadable_at(page->parsed, w->sc->more_path);
    if (unreadable) {
        errstr_set(errstr, errstr_size, "GET %s: more.path '%s': %s",
                   url_redact(page->url, red, sizeof(red)), w->sc->more_path, unreadable);
        return -1;
    }
    json_t *v = jsonpage_at_path(page->body, w->sc->more_path);
    if (v)
        return !says_none(v);
    errstr_set(errstr, errstr_size,
               "GET %s: the answer has no '%s' to say whether more pages follow (more.path, or "
               "deleted.more.path for the deleted endpoint)",
               url_redact(page->url, red, sizeof(red)), w->sc->more_path);
    return -1;
}

/*
 * An empty page that says more pages follow: the API hid every record of
 * it. A page number moves on by one. An offset must not move past a row
 * no page showed, so by no more than the API pages (its cap, unknown):
 * by the most records a page of this walk held, which is never more; or,
 * before any page held one, by page.size on trust. That trust is checked
 * by the first page that holds records (verify_hidden_steps()).
 */
static int skip_hidden_page(pager_walk_t *w, const pager_page_t *page, int by_served, char *errstr,
                            size_t errstr_size)
{
    if (++w->empty_in_row > (long)w->sc->page_empty_max) {
        char red[1024];
        errstr_set(errstr, errstr_size,
                   "GET %s: %d empty pages in a row, each saying more pages follow (more.path "
                   "'%s'): does that flag ever say none?",
                   url_redact(page->url, red, sizeof(red)), w->sc->page_empty_max,
                   w->sc->more_path);
        return -1;
    }
    if (by_served && !w->max_served && w->trusted_from < 0)
        w->trusted_from = w->page_no;
    w->page_no += by_served ? (long)(w->max_served ? w->max_served : (size_t)w->sc->page_size) : 1;
    w->later_page = 1;
    return 0;
}

/*
 * The first page with records after offsets moved by page.size on trust:
 * a page of page.size records shows the API pages that many, and the
 * steps skipped nothing. A shorter one may show a cap below page.size,
 * past which those steps skipped rows no page showed: the walk goes back
 * to where it began trusting and moves by what this page held (never
 * more than the API pages). Returns 1 when it went back.
 */
static int verify_hidden_steps(pager_walk_t *w, size_t n)
{
    long from = w->trusted_from;
    w->trusted_from = -1;
    if (from < 0 || n >= (size_t)w->sc->page_size)
        return 0;
    w->page_no = from;
    w->later_page = 1;
    return 1;
}

/* The walk on after a page, when more.path says where it ends. */
static int advance_by_flag(pager_walk_t *w, const pager_page_t *page, long first, int by_served,
                           char *errstr, size_t errstr_size)
{
    int more = says_more(w, page, errstr, errstr_size);
    if (more <= 0)
        return more < 0 ? -1 : 1;
    size_t n = json_array_size(page->records);
    if (n == 0)
        return skip_hidden_page(w, page, by_served, errstr, errstr_size);
    w->empty_in_row = 0;
    if (n > w->max_served)
        w->max_served = n;
    if (!verify_hidden_steps(w, n))
        seek_next(w, page->records, first, by_served);
    return 0;
}

/*
 * The repeated-page guard of an offset walk under more.path. There an
 * offset moves by the records served, fewer than the API paged when it
 * hid some, so the next page overlaps this one and may start with the
 * same record: as long as the offset moved less than the API pages since
 * that record first led a page, which is at most page.size. Once it moved
 * that far, the API ignores the offset (at the second page when it serves
 * full pages).
 */
static int refuse_repeat_overlapping(pager_walk_t *w, const pager_page_t *page, long first,
                                     const char *why, char *errstr, size_t errstr_size)
{
    json_t *head = json_array_get(page->records, 0);
    if (!head)
        return 0;
    int same = w->page_no != first && w->prev_first && json_equal(head, w->prev_first);
    if (!same)
        w->head_from = w->page_no;
    if (pager_refuse_repeat(w, page, 0, why, errstr, errstr_size) != 0)
        return -1;
    if (!same || w->page_no - w->head_from < (long)w->sc->page_size)
        return 0;
    char red[1024];
    errstr_set(errstr, errstr_size,
               "GET %s: the same first record as at offset %ld, %ld (page.size) and more "
               "records before%s",
               url_redact(page->url, red, sizeof(red)), w->head_from, (long)w->sc->page_size, why);
    return -1;
}

/*
 * Whether a page at a since that the last record of the page before set
 * serves that record again, as a `>=` filter does. With clock: the record
 * itself (by id) before any record past its bucket, or a page all in its
 * bucket that holds its exact cursor value as served (a tie group larger
 * than a page, the record further on); not the bucket alone: an API that
 * keeps microseconds and filters `>` serves records later in the same
 * millisecond first, past the record's exact ties, a page of them too.
 * Without (pages out of cursor order): the record anywhere on it.
 * Without an id kept: yes. A cursor it cannot read counts as in the bucket.
 */
static int serves_carried(const pager_walk_t *w, const pager_page_t *page,
                          const cursor_clock_t *clock)
{
    size_t i;
    json_t *rec;
    int64_t c;
    int exact = !w->carried_cursor;
    if (!w->carried_id)
        return 1;
    json_array_foreach(page->records, i, rec)
    {
        json_t *id = json_object_get(rec, w->sc->id_field);
        if (id && json_equal(id, w->carried_id))
            return 1;
        if (clock && cursorval_of_record(w->sc, rec, &c) &&
            hwm_bucket(clock, c) > w->carried_bucket)
            return 0;
        if (!exact && json_equal(json_object_get(rec, w->sc->cursor_field), w->carried_cursor))
            exact = 1;
    }
    return clock != NULL && exact;
}

/* The walk already asks one unit below each since and the API still did
 * not serve the record that set it: what lies at and after that record's
 * cursor would be skipped, so the walk fails. */
static int carried_not_served(const pager_walk_t *w, const pager_page_t *page, char *errstr,
                              size_t errstr_size)
{
    char red[1024], asked[ISOTIME_PATTERN_BUFSIZE], id[128] = "";
    cursor_clock_t clock = hwm_clock(w->sc);
    pager_format_since(&clock, cursorval_since_below(w->sc, w->since_ms), asked, sizeof(asked));
    char *id_text = w->carried_id ? json_dumps(w->carried_id, JSON_ENCODE_ANY) : NULL;
    if (id_text)
        snprintf(id, sizeof(id), " (id %.*s)", utf8_cut(id_text, 100), id_text);
    free(id_text);
    errstr_set(errstr, errstr_size,
               "GET %s: asked %s=%s, one unit below the cursor of the last record before%s, the "
               "API did not serve that record again but %s: the records at and after it would "
               "be skipped. Does the API compare %s as text written otherwise (a space for the "
               "'T', another zone or number of digits), or round it up?",
               url_redact(page->url, red, sizeof(red)), w->sc->cursor_param, asked, id,
               json_array_size(page->records) ? "later records" : "an empty page",
               w->sc->cursor_param);
    return -1;
}

/*
 * The first page at a since that the last record of the page before set
 * should serve that record again (serves_carried()): a `>=` filter does.
 * One that starts past its bucket, or passes it, or is empty (unless
 * more.path says more pages follow: the API hid its records), came from
 * an API that filters `>` (updated_after): every record sharing that
 * cursor after the page boundary was skipped, a bulk update's whole tie
 * group but one page. From then on the walk asks one unit below each since
 * (cursorval_since_below()), and so do the run's later walks (source.h),
 * and the page is dropped (PAGER_AGAIN): its records lie past the skipped
 * ties, and a checkpoint taken after them would pass them for good. At
 * the walk's first move the walk starts again where it started (its first
 * since was asked as it was); at a later one (a `>=` API whose record
 * moved between the two requests, or one that drops since's
 * milliseconds, whose earlier moves skipped nothing) from the since before
 * that move. Either way the cost is a page or a group read again. Says so
 * once. Already asking below, the walk reads the page that served the
 * record again, once for that since (a record changed or deleted between
 * the two requests is not served where it was, and nothing is lost); not
 * served then either, the walk fails (carried_not_served()): an API that
 * compares the parameter as text spelled otherwise never serves the rest
 * of that day, however it is asked. Returns 1 (start again), 0, or -1
 * with errstr.
 */
static int restart_if_exclusive(pager_walk_t *w, const pager_page_t *page, long first, char *errstr,
                                size_t errstr_size)
{
    int carried = w->carried;
    w->carried = 0;
    if (!carried)
        return 0;
    char red[1200], qp[300];
    int64_t c;
    cursor_clock_t clock = hwm_clock(w->sc);
    json_t *head = json_array_get(page->records, 0);
    if (head && (!cursorval_of_record(w->sc, head, &c) ||
                 (hwm_bucket(&clock, c) <= w->carried_bucket && serves_carried(w, page, &clock))))
        return 0;
    char perr[64];
    if (!head && w->sc->more_path && says_more(w, page, perr, sizeof(perr)) != 0)
        return 0; /* a page whose records the API hid (or no flag: advance fails it) */
    if (w->exclusive && serves_carried(w, page, NULL))
        return 0; /* out of cursor order, it still holds the record */
    if (w->exclusive && w->unserved_since == w->since_ms)
        return carried_not_served(w, page, errstr, errstr_size);
    if (w->exclusive) {
        /* the record may have changed (or gone) between the two requests:
         * the page that served it is read again, once for this since */
        log_info("the record that set since was not served again: reading the page before once "
                 "more (it may have changed in between)",
                 "url=%s param=%s", url_redact_quoted(page->url, red, sizeof(red)),
                 log_quote(qp, sizeof(qp), w->sc->cursor_param));
        w->unserved_since = w->since_ms;
    } else {
        log_warn("the API serves records after the cursor parameter, not from it: asking one "
                 "unit below each since from now on",
                 "url=%s param=%s", url_redact_quoted(page->url, red, sizeof(red)),
                 log_quote(qp, sizeof(qp), w->sc->cursor_param));
        w->exclusive = 1;
    }
    w->has_since = w->reseeks > 1 ? w->before_has_since : w->start_has_since;
    w->since_ms = w->reseeks > 1 ? w->before_since_ms : w->start_since_ms;
    w->page_no = first;
    w->later_page = 0;
    w->max_served = 0;
    json_decref(w->prev_first);
    w->prev_first = NULL;
    return 1;
}

/*
 * Whether a page at the since the carried record set holds only records
 * of the page before's last bucket (that record's and its ties'), each at
 * a later cursor: they changed between the two requests, and nothing was
 * served between since and them; what lies past them is asked by number
 * at this since (page_on_moved()). An API whose cursor moves at every
 * request (COALESCE(updated_at, now()), a serializer that fills a missing
 * time with now) serves its records so at every since, and the walk
 * chased them for ever, publishing them once a request (with one such
 * record alone in its bucket, and with two or more, in a page or more).
 * Only once the walk asks one unit below each since: an API that filters
 * `>` serves a page so too, the records tied with the carried one left
 * out, and restart_if_exclusive() must find that first. Not under
 * more.path, whose flag says whether more pages follow.
 */
static int carried_moved_alone(const pager_walk_t *w, const pager_page_t *page)
{
    size_t n = json_array_size(page->records), i;
    json_t *rec;
    int64_t c;
    cursor_clock_t clock = hwm_clock(w->sc);
    if (!w->carried || !w->tail_ids || !w->exclusive || w->sc->more_path || n == 0)
        return 0;
    json_array_foreach(page->records, i, rec)
    {
        if (!pager_in_tail(w, json_object_get(rec, w->sc->id_field)) ||
            !cursorval_of_record(w->sc, rec, &c) || hwm_bucket(&clock, c) <= w->carried_bucket)
            return 0;
    }
    return 1;
}

/*
 * After a page of moved records at a since (carried_moved_alone()): the
 * rest of what lies past since is asked by number at that since, not by
 * seeking past the last record's cursor, which such records move past at
 * every request. The walk ends as a walk does: on an empty page, or, in
 * an incremental run, a page shorter than the longest served (an API
 * that caps its pages below page.size serves the moved records a page at
 * a time; ended at its first capped page, a walk never asked for those
 * past the cap, and they were never published).
 */
static int page_on_moved(pager_walk_t *w, const pager_page_t *page, int by_served)
{
    size_t n = json_array_size(page->records);
    w->carried = 0;
    if (n == 0 || (!w->empty_end && n < w->max_served))
        return 1;
    if (n > w->max_served)
        w->max_served = n;
    w->moved_paging = 1;
    w->page_no += by_served ? (long)n : 1;
    w->later_page = 1;
    return 0;
}

/*
 * Whether a page asked by number past moved records (page_on_moved())
 * starts with the previous page's first id: an API that answers a page
 * number past its last with the last page again (Magento) serves them
 * again at new cursors, which the whole-record comparison of
 * pager_refuse_repeat() never takes for a repeat, and no page gets
 * shorter: the walk asked page after page for ever
 * (t_cursor_request_time_clamped).
 */
static int moved_page_repeats(const pager_walk_t *w, const pager_page_t *page)
{
    json_t *head = json_array_get(page->records, 0);
    return w->moved_paging && head && w->prev_first &&
           json_equal(json_object_get(head, w->sc->id_field),
                      json_object_get(w->prev_first, w->sc->id_field));
}

/*
 * Only pages after the first at one since are compared for a repeat: a
 * new since starts with the previous page's last record.
 *
 * The walk ends on an empty page, or on a page shorter than one this
 * walk was already served: many APIs cap the page size whatever
 * page.size asks for, so a page shorter than page.size proves nothing.
 * With empty_end only an empty page ends it: an API that caps pages by
 * bytes serves a short page mid-stream. With more.path only the page
 * that says so ends it (advance_by_flag()).
 */
int pager_seek_advance(pager_walk_t *w, const pager_page_t *page, long first, int by_served,
                       char *errstr, size_t errstr_size)
{
    char why[512];
    /* the second cause: a full run asks past the last page for an empty
     * one, and an API that clamps the page number (Magento's
     * currentPage) serves the last one again */
    snprintf(why, sizeof(why),
             ": does the API take '%s' as its page parameter? Or does it answer a page past "
             "its last with the last one again (a clamped page number)? Then no walk can "
             "tell its end: use pagination = offset, cursor or link if the API has one",
             w->sc->page_param);
    if (moved_page_repeats(w, page)) {
        char red[1024];
        if (!w->empty_end)
            return 1; /* an incremental walk ends there, as on a short page */
        errstr_set(errstr, errstr_size, "GET %s: the same records as the previous page%s",
                   url_redact(page->url, red, sizeof(red)), why);
        return -1;
    }
    int rc = w->sc->more_path && by_served
                 ? refuse_repeat_overlapping(w, page, first, why, errstr, errstr_size)
                 : pager_refuse_repeat(w, page, w->page_no != first, why, errstr, errstr_size);
    if (rc != 0)
        return -1;
    if (w->check_since && w->page_no == first &&
        check_filtered(w, page->records, errstr, errstr_size) != 0)
        return -1;
    if (w->sc->cursor_sorted && (w->moved_paging || carried_moved_alone(w, page)))
        return page_on_moved(w, page, by_served);
    if (w->sc->cursor_sorted) {
        int again = restart_if_exclusive(w, page, first, errstr, errstr_size);
        if (again != 0)
            return again < 0 ? -1 : PAGER_AGAIN;
    }
    if (w->sc->more_path)
        return advance_by_flag(w, page, first, by_served, errstr, errstr_size);
    size_t n = json_array_size(page->records);
    if (n == 0 || (!w->empty_end && n < w->max_served))
        return 1;
    w->max_served = n;
    seek_next(w, page->records, first, by_served);
    return 0;
}
