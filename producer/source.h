/*
 * source.h - one stream's pages from the REST API: builds the URLs (cursor
 * param, page params, URL-escaped values), parses each body (records.path),
 * and follows the stream's pagination.
 *
 * For pagination = page | offset | none it uses *seek pagination*: page 1
 * (offset 0) at `since`; after a page whose last record lies in a later
 * bucket than since, since moves to that record's cursor and paging starts
 * again at page 1; otherwise the next page is requested at the same since
 * (an offset moves on by the number of records served). A plain page walk
 * over a set that changes during the run would skip records (a changed
 * record moves to the end and shifts the pages), and a skipped record
 * below the HWM is lost for good. Records seen again are the caller's to
 * skip (hwm.h).
 * The seek walk ends on an empty page, or on a page shorter than one the
 * API already served in this walk (only on an empty page after
 * source_require_empty_end()); never merely because a page is shorter
 * than page.size, since APIs cap the page size whatever is asked for. So
 * a walk that reads anything takes one request more than it has pages.
 * For cursor, next.path in the body gives the token sent back as
 * page.param; for link, the rel="next" target of the answer's Link
 * headers (every line, RFC 8288; relative targets resolved against the
 * URL that answered) is followed.
 * Either ends when there is no next token (an empty page that names one
 * is followed: an API may filter a page after paging it); a token or URL
 * this walk has already requested fails the walk (a pagination loop),
 * checked in O(1) per page (idset.h). A page walk fails the same way when
 * a page repeats the previous one's first record at a later page number,
 * and a cursor or Link walk when a page repeats the previous non-empty
 * page's first record under a fresh token (an API that ignores the token
 * and mints a new one each time); the repeated page is not handed out.
 *
 * Bodies are read by jsonpage.h: a record with a bad byte, escape or
 * token is a bad item (source_bad_items) while the rest of the page goes
 * on; numbers that are not int64 keep their text (jsonnum.h).
 *
 * Owns: source_t owns the current page's parsed body and the set of
 * tokens the walk followed (freed by source_start/destroy); the records
 * array and bad items handed out are borrowed until the next
 * source_next_page() or source_destroy(). The http client and stream
 * conf are borrowed. One
 * thread.
 */
#ifndef TIDEMARK_SOURCE_H
#define TIDEMARK_SOURCE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "config.h"
#include "hwm.h"
#include "http.h"
#include "jsonpage.h"

typedef struct source source_t;

source_t *source_new(const stream_conf_t *sc, http_client_t *hc);
void source_destroy(source_t *s);

/* Starts a scan at since (has_since = 0: no cursor param: everything). */
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
 * 1 once the walk has ended by its end rule (the last page was handed
 * out): every page was read. 0 before, and after any failure.
 */
int source_complete(const source_t *s);

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
 * before the stamp); without a Date (date_ms 0) the producer's clock
 * when the request was sent (sent_at_ms).
 */
int64_t source_api_mark(int64_t date_ms, int64_t sent_at_ms, int64_t answered_at_ms);

/* ---- pure helpers, exposed for unit tests ---- */

/*
 * base plus "?"/"&" and each name=value pair (values URL-escaped) of
 * pairs = {name, value, name, value, ...} (n_pairs pairs); a pair whose
 * name or value is NULL is left out. Caller frees. NULL on ENOMEM.
 */
char *source_url_with(const char *base, const char *const *pairs, size_t n_pairs);

/* The cursor value as the API's parameter: ISO timestamp or date. */
void source_format_since(const cursor_clock_t *clock, int64_t ms, char *buf, size_t size);

/*
 * The target of rel="next" in link (every Link field line of an answer,
 * joined by '\n'; may be NULL), resolved against base_url, the URL that
 * answered (link.h: link_find). 1 with *next (caller frees), 0 when there
 * is none, -1 with errstr when it cannot be followed (not http/https,
 * https to http, unresolvable) or the header is malformed.
 */
int source_link_next(const char *link, const char *base_url, char **next, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/*
 * The page URL the scan state describes (exposed for tests): page_token is
 * the page number, offset or cursor token as text (NULL on the first
 * page of a cursor/link walk).
 */
char *source_page_url(const stream_conf_t *sc, int has_since, int64_t since_ms,
                      const char *page_token);

#endif
