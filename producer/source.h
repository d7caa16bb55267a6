/*
 * source.h - the page reader: one stream's pages from the REST API. It
 * asks the stream's pager (pager.h: one per pagination style) for each
 * page's URL, GETs it (http.h), reads the body (jsonpage.h) and the array
 * at records.path, and hands the page to the pager, which says what
 * comes next and when the walk is over (the end rules, the loop and
 * repeated-page guards of each style are in pager.h).
 *
 * Bodies are read by jsonpage.h: a record with a bad byte, escape or
 * token is a bad item (source_bad_items) while the rest of the page goes
 * on; numbers that are not int64 keep their text (jsonnum.h).
 *
 * Prefetch: while the caller handles a page, a fetch thread of the
 * source's own GETs, parses and pages on to the next ones, up to two
 * pages ahead (and frees the pages the caller is done with), so that the
 * API's answer time and the parsing overlap the caller's work. It starts at the first
 * source_next_page() of a walk and ends after the walk's last answer (a page that ends the walk, or
 * a failure), or when source_start() or source_destroy() stops it: at once while it waits, after
 * the request under way when it fetches (a wait to retry ends at once: http_client_set_cancel()).
 * The walk reads the same URLs in the same order, and answers the same, as without it; at most two
 * pages more are requested before the caller has seen the ones before (when a walk fails in the
 * caller, those were read for nothing), and one more on a guess: while the fetch thread parses a
 * large page, the page its pager guesses comes next is requested (getahead.h), its answer taken
 * only when the parsed page names that URL (a wrong guess, and the one after a walk's last page,
 * cost a request each). So three pages and the body of a fourth may be held at once. Not for a
 * stream whose cursor.precision = date has a time zone other than UTC: daytz.h sets TZ, which no
 * second thread may do at the same time (such a source reads its pages on the caller's thread).
 *
 * Owns: source_t owns three pages (the one handed out, and those read
 * ahead), its walk (pager_walk_t: the token and the set of tokens
 * the walk followed; freed by source_start/destroy), its fetch thread
 * and the guessed request's (getahead_t).
 * The records array and bad items handed out are borrowed until the next
 * source_next_page() or source_destroy(). The http client and stream
 * conf are borrowed; the http client must not be used by anyone else
 * from the first source_next_page() of a walk until the walk ended or
 * source_start()/source_destroy(). Calls: one thread (the fetch thread is
 * internal). Fails with -1 and errstr (source_next_page).
 */
#ifndef TIDEMARK_SOURCE_H
#define TIDEMARK_SOURCE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "config.h"
#include "http.h"
#include "jsonpage.h"

typedef struct source source_t;

/* A reader of sc's pages (sc->pagination picks the pager). NULL on
 * ENOMEM or a pagination value that names no pager. */
source_t *source_new(const stream_conf_t *sc, http_client_t *hc);
void source_destroy(source_t *s);

/* Ends the fetch thread, as source_destroy() does first: a request under
 * way is aborted, pages read ahead stay unread, and the counts
 * (source_guess_counts) are final. For a reader done with the walk. */
void source_stop(source_t *s);

/* Starts a walk at since (has_since = 0: no cursor param: everything). */
void source_start(source_t *s, int has_since, int64_t since_ms);

/*
 * Fetches the next page. Returns 1 with *records (a JSON array, borrowed)
 * and *url (the page's URL, borrowed), 0 when the scan is done, -1 with
 * errstr on an HTTP failure, a body that is not JSON or has no array at
 * records.path, a repeated page or a pagination loop. The elements at the
 * indexes of the page's bad items (source_bad_items) are stand-ins, never
 * to be published.
 */
int source_next_page(source_t *s, json_t **records, const char **url, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/* Starts bringing element index of the current page's records into the
 * CPU's caches (jsonpage_prefetch): the walk asks a few elements ahead. */
void source_prefetch_item(const source_t *s, size_t index);

/* The current page's bad items (*bad borrowed, ordered by index). */
size_t source_bad_items(const source_t *s, const jsonpage_bad_t **bad);

/*
 * From now on (every later source_start too) a seek walk ends only on an
 * empty page, never on a page shorter than one it was already served: an
 * API that caps pages by bytes serves a short page mid-stream. For a walk
 * whose completeness matters (full-sync reconciliation); it costs one
 * request more per walk, and more at a tie group's end.
 */
void source_require_empty_end(source_t *s);

/*
 * From now on a seek walk fails when a since's first page starts further
 * below that since than any rounding explains: the API ignores the cursor
 * parameter, and the walk would read its first pages again at every since
 * and publish every record again at every run. For the records walk; a
 * deleted endpoint that ignores since is walked on (its items are few,
 * and an undated one has no cursor to tell).
 */
void source_check_since(source_t *s);

/* Guesses the next page's URL from bodies of min_body bytes and more
 * (default 256 KiB; see getahead.h). For tests, whose pages are small. */
void source_guess_from(source_t *s, size_t min_body);

/* Requests asked on a guess since source_new(): made; of them, those
 * whose answer the walk took; and those dropped because the walk named
 * another page (missed). The rest of made were dropped at a walk's end
 * or a stop. Any time from the reader's thread (the fetch thread counts:
 * a guess under way may not be in taken or missed yet). */
typedef struct source_guesses {
    long made, taken, missed;
} source_guesses_t;

void source_guess_counts(const source_t *s, source_guesses_t *out);

/*
 * 1 once the walk has ended by its end rule: every page was read. 0
 * before, and after any failure. Ask only after source_next_page
 * answered 0 (the walk is over): with the read-ahead the fetch thread
 * sets it when it reads the last page, which may be before the caller
 * was handed that page.
 */
int source_complete(const source_t *s);

/*
 * source_complete(), and no answer left it open whether the API served
 * every record (PAGER_END_UNPROVEN, PAGER_LAST_UNPROVEN: `none` answers
 * that may be capped, with nothing that asks past the cap; a page with
 * records beside an "error" or "errors" member). What a full run needs
 * before it deletes an id it was not served.
 */
int source_proves_all(const source_t *s);

/* 1 once an answer of the walk left it open whether the API served every
 * record (what source_proves_all() denies a complete walk): so far, for a
 * walk its caller ends early. */
int source_unproven(const source_t *s);

/*
 * When the walk's first request was sent (wall clock, ms; 0 before it):
 * a clock mark no later than the moment the API looked at its data for
 * any page of the walk.
 */
int64_t source_started_at(const source_t *s);

/*
 * A clock mark in the API's clock no later than the moment the API looked
 * at its data for any page of the walk (0 before the first answer):
 * source_api_mark() of the first answer. A record that changes during the
 * walk gets a cursor at or after it.
 */
int64_t source_api_started_at(const source_t *s);

/*
 * The API's clock when it looked at its data for an answer: its Date
 * header (date_ms, 1 s resolution, stamped when the answer was made)
 * less 1 s and less the time from sending the request to having the
 * answer (answered_at_ms - sent_at_ms: the look may have come that much
 * before the stamp); but never after the producer's clock when the
 * request was sent (sent_at_ms), nor without a Date (date_ms 0): the
 * clock that stamps the records may be behind the one that stamps the
 * Date (a web tier's drifted ahead of its database's), and a mark too
 * late holds nothing back, while one too early only re-reads records.
 */
int64_t source_api_mark(int64_t date_ms, int64_t sent_at_ms, int64_t answered_at_ms);

/*
 * No earlier than the API's clock when it made an answer: its Date header
 * (date_ms, 1 s resolution) plus 1 s; without a Date (date_ms 0) the
 * producer's clock when the answer came (answered_at_ms). A record's
 * cursor past it (more than a clock's skew) is not a time the API has
 * reached yet.
 */
int64_t source_api_now(int64_t date_ms, int64_t answered_at_ms);

/* source_api_now() of the page in hand (the producer's clock when none). */
int64_t source_page_api_now(const source_t *s);

/* How the page in hand was asked for. */
typedef struct source_asked {
    int has_since;    /* at since_ms (0: no cursor param) */
    int64_t since_ms; /* the seek walk's since, which moves as it seeks */
    /* a later page at that since, by its number or offset (page,
     * offset): where a record before it leaves the set during the walk,
     * the pages after shift and one record is on none of them */
    int by_number;
} source_asked_t;

/*
 * Whether a walk of s found that the API filters cursor.param as `>`
 * (updated_after) and asks one unit below each since (pager_seek.c). Ask
 * once the walk is over. source_set_since_exclusive() makes the walks s
 * starts after it (source_start()) ask so from their first page: a run's
 * later walks of the same endpoint.
 */
int source_since_exclusive(const source_t *s);
void source_set_since_exclusive(source_t *s);

/* source_asked_t of the page in hand (all 0 when none). */
source_asked_t source_page_asked(const source_t *s);

#endif
