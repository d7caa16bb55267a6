/*
 * pager.h - one pagination style per pager: which URL a walk requests
 * first, which one next from the page just read, and when the walk is
 * over. The page reader (source.h) fetches and parses each page and asks
 * the stream's pager (pager_for(sc->pagination)) what to do; a pager
 * never touches the network.
 *
 * The styles (the configuration's `pagination` and `deleted.pagination`
 * keys; the deleted endpoint is walked by the same pagers, with its own
 * stream_conf_t):
 *
 * - none (pager_none.c): requests without paging parameters. An answer in
 *   ascending cursor order is followed by one at since = its last
 *   record's cursor, as a seek walk moves (an API may cap its answer),
 *   until an answer brings no record the walk was not served; an answer
 *   out of that order, or from an API that ignores since, is the walk.
 * - page, offset (pager_page.c, pager_offset.c): the *seek walk*
 *   (pager_seek.c). Page 1 (offset 0) at `since`; after a page whose last
 *   record lies in a later bucket than since, since moves to that
 *   record's cursor and paging starts again at page 1; otherwise the next
 *   page is requested at the same since (a page number moves on by one,
 *   an offset by the number of records served). A plain page walk over a
 *   set that changes during the run would skip records (a changed record
 *   moves to the end and shifts the pages), and a skipped record below
 *   the HWM is lost for good. Records seen again are the caller's to skip
 *   (hwm.h). The seek walk ends on an empty page, or on a page shorter
 *   than one the API already served in this walk (only on an empty page
 *   when the walk's empty_end is set: source_require_empty_end()); never
 *   merely because a page is shorter than page.size, since APIs cap the
 *   page size whatever is asked for. So a walk that reads anything takes
 *   one request more than it has pages. With `more.path`, the body's flag
 *   alone ends the walk: a page that says more pages follow is walked
 *   past even when it is empty or short (an API that filters a page after
 *   paging it: permissions, hidden rows), and the walk ends on the page
 *   that says none. A page that repeats the previous
 *   page's first record at a later page number at the same since fails
 *   the walk (an API that ignores the page parameter).
 * - cursor (pager_cursor.c): next.path in the body gives the token sent
 *   back as page.param.
 * - link (pager_link.c): the rel="next" target of the answer's Link
 *   headers (every line, RFC 8288; relative targets resolved against the
 *   URL that answered; link.h) is followed.
 * - next_url (pager_link.c): next.path in the body gives the next page's
 *   URL (OData's "@odata.nextLink", Salesforce's "nextRecordsUrl", HAL's
 *   "_links.next.href"), followed as a Link target is.
 *   Cursor, link and next_url walks end when there is no next token (an empty page
 *   that names one is followed: an API may filter a page after paging
 *   it); a token or URL this walk has already requested fails the walk (a
 *   pagination loop), checked in O(1) per page (idset.h), and so does a
 *   page that repeats the previous non-empty page's first record under a
 *   fresh token (an API that ignores the token and mints a new one each
 *   time). A link walk's first URL counts as requested.
 * A page a pager fails on is not handed out.
 *
 * Where to add a style: a value in pagination_t (common/config.h) and its
 * name in `paginations` (common/config.c), both in the same order; a file
 * producer/pager_NAME.c defining `const pager_t pager_NAME` (start, url,
 * advance; the helpers below build URLs and guard against loops); its
 * entry in the table of pager.c and its declaration below. If its pages
 * come in ascending cursor order, the cursor.sorted default in
 * common/config.c names it. Its walks are tested in
 * tests/unit/test_source_paging.c.
 *
 * Owns: a pager_walk_t owns its token, the first record it keeps
 * (prev_first) and the set of requested tokens (pager_walk_reset and
 * pager_walk_clear free them); the stream conf is borrowed. The pagers
 * are constant tables: any thread; a walk: one thread. Fails with -1 and
 * errstr (a loop, a repeated page, a Link that cannot be followed,
 * ENOMEM), or NULL from url() on ENOMEM.
 */
#ifndef TIDEMARK_PAGER_H
#define TIDEMARK_PAGER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "config.h"
#include "hwm.h"
#include "idset.h"
#include "jsonpage.h"

/* Where one walk is: what the pager reads and moves between pages. */
typedef struct pager_walk {
    const stream_conf_t *sc;
    int has_since; /* 0: no cursor param (everything) */
    int64_t since_ms;
    long page_no;        /* page: 1.., offset: 0, served, ... */
    char *token;         /* cursor: next token; link: next URL; NULL first */
    size_t max_served;   /* most records one page of this walk held (seek) */
    int empty_end;       /* a seek walk ends only on an empty page */
    int check_since;     /* a seek walk fails when the API ignores since */
    int later_page;      /* seek: the request is not the first at its since */
    int moved_paging;    /* seek: paging by number at a since whose first page held only
                          * moved records (pager_seek.c carried_moved_alone()) */
    long empty_in_row;   /* seek with more.path, cursor: empty pages in a row saying more
                            (at most page.empty_max: an API that never says none
                            would be walked for ever) */
    long head_from;      /* offset with more.path: where the page's first record first led */
    long trusted_from;   /* offset with more.path: first page moved past by page.size, or -1 */
    json_t *prev_first;  /* first record of the previous non-empty page */
    int start_has_since; /* where the walk started (a seek walk may start again) */
    int64_t start_since_ms;
    int carried;            /* seek: the page asked is the first at a since that the last
                             * record of the page before set: it should start in its bucket */
    int64_t carried_bucket; /* that record's bucket */
    json_t *carried_id;     /* that record's id (a copy), or NULL */
    json_t *carried_cursor; /* its cursor value as served (a copy), or NULL */
    idset_t *tail_ids;      /* none, seek: ids of the last answer's records in its last
                             * bucket (pager_keep_tail()), or NULL at the walk's start */
    int64_t unserved_since; /* seek, `>`: the since whose page last failed to serve its
                             * record (read again once from the page before), or -1 */
    int reseeks;            /* seek: how many times the walk moved its since */
    int before_has_since;   /* seek: the since before the last move */
    int64_t before_since_ms;
    int exclusive;     /* seek: the API filters cursor.param as `>`: ask below each since (kept
                        * by pager_walk_reset() for the walks after, source_start()) */
    idset_t *followed; /* tokens or Link URLs this walk requested */
} pager_walk_t;

/* The page just read, as a pager sees it (all borrowed). */
typedef struct pager_page {
    json_t *body;             /* the parsed body */
    json_t *records;          /* the array at records.path */
    const char *url;          /* the URL requested (url()) */
    const char *answered_url; /* the URL that answered, after redirects */
    const char *link;         /* its Link field lines joined by '\n', or NULL */
    int no_content;           /* a 204 No Content answer (body and records: []) */
    /* The page body is (parsed->root): which of its values outside the
     * records cannot be read (jsonpage_unreadable(); NULL: all can). A
     * pager that reads the body (next.path, more.path) asks it first. */
    const jsonpage_t *parsed;
} pager_page_t;

/* What pager_t.guess reads: the answer to the page w named last, before
 * its body is parsed (all borrowed). */
typedef struct pager_answer {
    const char *body; /* its bytes, not necessarily NUL-terminated */
    size_t len;
    const char *link;         /* its Link field lines joined by '\n', or NULL */
    const char *asked_url;    /* the URL requested (url()) */
    const char *answered_url; /* the URL that answered, after redirects */
} pager_answer_t;

/* pager_t.advance(): drop this page, ask the one w names. */
#define PAGER_AGAIN 2
/* pager_t.advance(): drop this page, the walk is over (it brought nothing
 * the walk was not served). */
#define PAGER_END 3
/* pager_t.advance(): as PAGER_END, but that answer cannot tell whether the
 * walk was served every record: it is as large as the largest, and the
 * API may cap its answers there, with nothing that reaches past the cap
 * (source_proves_all()). */
#define PAGER_END_UNPROVEN 4
/* pager_t.advance(): as 1 (the walk's last page), but as
 * PAGER_END_UNPROVEN it cannot tell whether the API served every
 * record. */
#define PAGER_LAST_UNPROVEN 5

typedef struct pager {
    const char *name; /* as the configuration spells the style */
    /* Sets w (has_since/since_ms already set, the rest reset) to the
     * walk's first page. */
    void (*start)(pager_walk_t *w);
    /* The URL of the page to request now (caller frees); NULL on ENOMEM. */
    char *(*url)(pager_walk_t *w);
    /* After page was read: 1 when it was the walk's last, 0 when w names
     * the next one, PAGER_AGAIN when the page is not to be handed out and
     * w names the request to make instead, PAGER_END (or
     * PAGER_END_UNPROVEN) when it is not to be handed out and the walk is
     * over (PAGER_LAST_UNPROVEN: as 1), -1 with errstr when the page is
     * not to be handed out (the walk fails). */
    int (*advance)(pager_walk_t *w, const pager_page_t *page, char *errstr,
                   size_t errstr_size) TM_WARN_UNUSED;
    /* Optional (NULL: no guess). From the answer to the page w named
     * last, before its body is parsed and advance() runs: the URL
     * (caller frees) that advance() most likely names next, with
     * *later_page as it would set it; NULL for none (ENOMEM included).
     * Never trusted (source.c requests it ahead and takes its answer
     * only when url() names it after advance()), so it may be wrong; but
     * never a URL advance() refuses to follow (url_check_follow: it is
     * requested before advance() could refuse it). w is not changed. */
    char *(*guess)(const pager_walk_t *w, const pager_answer_t *a, int *later_page);
} pager_t;

extern const pager_t pager_none, pager_page, pager_offset, pager_cursor, pager_link, pager_next_url;

/* The pager of a style; NULL for a value that names none. */
const pager_t *pager_for(pagination_t style);

/* Frees what w holds and sets it to a walk of pager at since. */
void pager_walk_reset(pager_walk_t *w, const pager_t *pager, int has_since, int64_t since_ms);

/* Frees what w holds (token, prev_first, followed). */
void pager_walk_clear(pager_walk_t *w);

/* ---- helpers for pagers (pure ones exposed for unit tests) ---- */

/*
 * Keeps in w->tail_ids the ids of records' last records that share the
 * last one's cursor bucket: what the next answer, asked at that bucket,
 * may serve again. A set, not a list: an answer that is one tie group of
 * n records (an initial import) would otherwise cost n * n comparisons at
 * the next answer. -1 on ENOMEM, with w->tail_ids NULL.
 */
int pager_keep_tail(pager_walk_t *w, json_t *records) TM_WARN_UNUSED;

/* Whether id is one of w->tail_ids (0 without a kept tail). */
int pager_in_tail(const pager_walk_t *w, json_t *id);

/*
 * The next-page token or URL at path (next.path) in body, as text into
 * *out (caller frees): 1 with one; 0 when the page names none (no such
 * member, or null, false or ""): the walk's last page; -1 with errstr
 * (naming `key`) when the member holds no token (true, a fraction, an
 * array such as search_after's, an object), the path runs through
 * something that is not an object (an array, a body that is the array),
 * or the member or a value on the way cannot be read (parsed: the page
 * body is from, jsonpage_unreadable(); NULL: all can): taken for "none",
 * every walk would end after its first page, and a full run would delete
 * the records after it. A member whose own name is the whole path
 * ("@odata.nextLink") is taken before the dotted walk.
 */
int pager_next_text(json_t *body, const jsonpage_t *parsed, const char *key, const char *path,
                    char **out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * A guess at what pager_next_text() will read at path in a's body, from
 * its bytes (pageguess.h): the value of the last member named path, or
 * else named as path's last component (a dotted path), read as
 * pager_next_text() reads it. 1 with *out (caller frees); 0 for none (no
 * such member, a value that names no next page or is no token, ENOMEM).
 */
int pager_guess_next_text(const char *path, const pager_answer_t *a, char **out) TM_WARN_UNUSED;

/*
 * base plus "?"/"&" and each name=value pair (values URL-escaped) of
 * pairs = {name, value, name, value, ...} (n_pairs pairs); a pair whose
 * name or value is NULL is left out. Caller frees. NULL on ENOMEM.
 */
char *pager_url_with(const char *base, const char *const *pairs, size_t n_pairs);

/* The cursor value as the API's parameter: ISO timestamp or date. */
void pager_format_since(const cursor_clock_t *clock, int64_t ms, char *buf, size_t size);

/*
 * The stream's URL with the cursor param at since (when has_since), and,
 * when paged, page.size_param = page.size and page.param = page_token
 * (left out when NULL). Caller frees; NULL on ENOMEM.
 */
char *pager_page_url(const stream_conf_t *sc, int has_since, int64_t since_ms, int paged,
                     const char *page_token);

/*
 * Notes token (a cursor token or a Link URL) as requested in this walk:
 * 1 when it is new, 0 when the walk requested it before, -1 on ENOMEM.
 */
int pager_note_requested(pager_walk_t *w, const char *token) TM_WARN_UNUSED;

/*
 * The loop guard of a token walk, after advance set w->token: 0 when the
 * token is new, -1 with errstr when this walk requested it before
 * (`what` names it: "next cursor") or on ENOMEM. url: the page's.
 */
int pager_check_loop(pager_walk_t *w, const char *url, const char *what, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/*
 * The repeated-page guard: -1 with errstr ("GET <url>: the same records
 * as the previous page<why>") when compare is set and page brings the
 * previous non-empty page's first record again; 0 otherwise. Remembers
 * the page's first record for the next page; an empty page changes
 * nothing.
 */
int pager_refuse_repeat(pager_walk_t *w, const pager_page_t *page, int compare, const char *why,
                        char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * One more empty page in a row (w->empty_in_row) that names a next one
 * (a cursor walk's token, a link walk's URL; what says which, "naming a
 * new next cursor (next.path 'c')"): 0 to go on (the API may filter a
 * page after paging it), -1 with errstr past page.empty_max of them (an
 * API that names a new page for ever would be walked for ever).
 */
int pager_count_empty(pager_walk_t *w, const pager_page_t *page, const char *what, char *errstr,
                      size_t errstr_size) TM_WARN_UNUSED;

/* The seek walk of page and offset (pager_seek.c): first is the first
 * page number (page 1, offset 0); by_served: the number moves by the
 * records served (offset), else by one. */
char *pager_seek_url(pager_walk_t *w);
/* Whether records (a page at w's since) start with a record further below
 * that since than any rounding of it explains: the API ignores since.
 * *first_ms: that record's cursor. */
int pager_seek_below_since(const pager_walk_t *w, json_t *records, int64_t *first_ms);
int pager_seek_advance(pager_walk_t *w, const pager_page_t *page, long first, int by_served,
                       char *errstr, size_t errstr_size) TM_WARN_UNUSED;
/* pager_t.guess of the seek walk: seek_next()'s choice made on the
 * body's last cursor value (pageguess.h), as if the page were full and
 * in order. by_served (offset): only a move of since is guessed, as the
 * number of records served is not known before the parse. */
char *pager_seek_guess(const pager_walk_t *w, const pager_answer_t *a, long first, int by_served,
                       int *later_page);

#endif
