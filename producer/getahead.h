/*
 * getahead.h - one GET made ahead on a guess: the page reader's fetch
 * thread (source.c) asks for the URL its pager guesses comes next
 * (pager_t.guess) while it parses the page in hand, and takes that answer
 * only when the parsed page names the same URL; otherwise the guess is
 * cancelled and its answer dropped, and the reader requests what the
 * page names. The walk so reads the same URLs in the same order and is
 * handed the same answers as without a guess; a wrong guess costs one
 * request (the one at a walk's end, after its last page, among them).
 *
 * Why: with pages of thousands of records the fetch thread took turns
 * between waiting for the API's answer and parsing it, since the next URL
 * comes from the parsed page; the API sat idle while the page was parsed,
 * and that thread bounded the producer's rate.
 *
 * The GET runs on a thread of the getahead's own (started at the first
 * guess, ended by getahead_destroy()), by the
 * caller's fetch function, which has the HTTP client to itself (one
 * request at a time) from getahead_start() until getahead_take() or
 * getahead_drop() returns (http_client_scrub() excepted: it may run
 * beside it). It is given a cancel flag that drop sets, and
 * so does the caller's stop (getahead_cancel(), or a stop flag set before
 * the guess started).
 *
 * Owns: the guessed URL, the thread and the answer until taken. The
 * fetch function's opaque and the stop flag are borrowed. Calls: one
 * thread (the fetch thread), getahead_cancel() from any. Fails: start
 * with -1 (no guess made), take with GETAHEAD_NONE or GETAHEAD_MISSED
 * (request it yourself).
 */
#ifndef TIDEMARK_GETAHEAD_H
#define TIDEMARK_GETAHEAD_H

#include "compiler.h"
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* An answer as the reader's own request would have had it. */
typedef struct getahead_answer {
    int rc;       /* the fetch function's: 0, or -1 with errstr */
    int past_end; /* its *past_end */
    http_response_t resp;
    int64_t answered_at_ms; /* wall clock when the answer was in */
    char errstr[1024];
} getahead_answer_t;

/* How a page is requested: url, asked as a later page at one since
 * (later_page) or not, into *resp; *past_end as source.c's
 * fetch_answer(). cancel: the request ends (failed) once it is set. */
typedef int (*getahead_fetch_fn)(void *opaque, const char *url, int later_page,
                                 const atomic_int *cancel, http_response_t *resp, int *past_end,
                                 char *errstr, size_t errstr_size);

typedef struct getahead getahead_t;

/* NULL on ENOMEM. stop_flag (may be NULL): the caller's own stop, which
 * a guess started after it was set honours. */
getahead_t *getahead_new(const atomic_int *stop_flag, getahead_fetch_fn fetch, void *opaque);
/* Drops a guess under way (cancelled, waited for) and frees g. */
void getahead_destroy(getahead_t *g);

/* Starts GET url (copied) on a thread of its own. The client is the
 * guess's until take or drop. 0, or -1 when no guess runs (ENOMEM, no
 * thread; one already under way). */
int getahead_start(getahead_t *g, const char *url, int later_page) TM_WARN_UNUSED;

/* getahead_take(): no guess was under way; the guess was that request;
 * the guess was another (dropped). */
#define GETAHEAD_NONE   0
#define GETAHEAD_TAKEN  1
#define GETAHEAD_MISSED 2

/*
 * The answer to url asked as later_page: GETAHEAD_TAKEN when the guess
 * under way was that request (waited for; *ans is the caller's to clear
 * with http_response_clear); else the caller requests url itself, and
 * the guess, if any, was dropped (GETAHEAD_MISSED).
 */
int getahead_take(getahead_t *g, const char *url, int later_page,
                  getahead_answer_t *ans) TM_WARN_UNUSED;

/* Cancels the guess under way, waits for it, drops its answer. */
void getahead_drop(getahead_t *g);

/* From any thread: the guess under way (if any) ends at once (its answer,
 * if taken, is the interrupted request's). The reader's stop. */
void getahead_cancel(getahead_t *g);

#endif
