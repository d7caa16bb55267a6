/*
 * http.h - the HTTP client of both programs, the libcurl boundary: one GET
 * with an auth header and timeout, following redirects itself, retried
 * with backoff on transient failures.
 *
 * Failure classes: a connect/timeout/transfer error, an HTTP/2 stream
 * error, 408, 429 or 5xx is transient (retried up to max_retries times;
 * the wait is the answer's Retry-After, seconds or an HTTP-date
 * (http_date.h), capped by retry.max_wait, or else a backoff of 200 ms
 * doubling, capped at 5 s; backoff.h waits, and tm_running cuts it
 * short; under a wait limit a Retry-After longer than it fails the
 * request instead: http_client_set_wait_limit). Anything else is
 * fatal for the run: another status >= 300, more than HTTP_MAX_REDIRECTS
 * redirects, a redirect or URL that is not http/https or goes from https
 * to http, a response larger than max.response.size (counted after
 * decompression).
 *
 * Redirects are followed one hop at a time (libcurl's FOLLOWLOCATION is
 * off), so that each hop gets its own headers: the auth header goes only
 * to an origin (scheme, host, port) allowed by http_client_allow_auth();
 * for a stream, the origins of its url and deleted.url. A Location
 * resolves and is checked by url.h's rules. Link headers of the 3xx hops
 * are not kept. libcurl may speak only http and https. One hop is
 * http_hop.h's.
 *
 * An auth source (http_auth_t, e.g. common/oauth2.h) may stand in for a
 * fixed auth header: it is asked for the header line before each GET,
 * which then goes to the same origins. When one of them answers 401 to
 * it, the source is asked once for a new one (given the rejected line)
 * and the GET is sent again at once, not counted as a retry; a second 401
 * fails it.
 *
 * A POST (http_post) has the same TLS, timeout, retry and size rules, but
 * follows no redirect: a 3xx is fatal (see http_post).
 *
 * Error strings name the URL with credential-like query parameters
 * redacted (url_redact.h), never the auth header.
 *
 * Owns: http_client_t owns its CURL handle and a copy of the auth header
 * (an auth source and the stream name are borrowed);
 * http_response_t owns its body, Link field and URL (free with
 * http_response_clear). A client is used by one thread at a time.
 * http_global_init() once at start, on the main thread.
 */
#ifndef TIDEMARK_HTTP_H
#define TIDEMARK_HTTP_H

#include "compiler.h"
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define HTTP_MAX_REDIRECTS 5

typedef struct http_client http_client_t;

/*
 * Where the auth header of a client comes from when it changes (a token
 * that expires). header() puts into *line (caller frees) the whole header
 * line to send now, "Authorization: Bearer ...". rejected is NULL, or the
 * line an allowed origin just answered 401 to: then the source gets a new
 * one unless its current line differs already. cancel is the client's
 * (http_client_set_cancel), for a request the source makes itself.
 * Returns 0, or -1 with errstr (which must not hold the secret). Called
 * on the thread using the client; a source shared by several clients
 * guards itself.
 */
typedef struct http_auth {
    int (*header)(void *opaque, const char *rejected, const atomic_int *cancel, char **line,
                  char *errstr, size_t errstr_size);
    void *opaque;
} http_auth_t;

typedef struct http_response {
    long status;
    char *body; /* NUL-terminated */
    size_t body_len;
    /* Every Link field line of the final answer, in order, joined by '\n'
     * (producer/link.h parses it), or NULL. */
    char *link;
    /* The URL that answered: the one asked for, or the last redirect's
     * target. Relative Link targets resolve against it. */
    char *url;
    /* Wall clock when the request that got this answer was sent (the
     * first hop, when redirected). The answer shows the source as of some
     * moment after it, so a mark taken from it can only make the next poll
     * re-read, never skip (the time the answer arrived could be later than
     * a change it does not hold). */
    int64_t sent_at_ms;
    /* The final answer's Date header (the API's clock, 1 s resolution),
     * epoch ms; 0 when it had none or it is not an HTTP-date. */
    int64_t date_ms;
    /* The final answer's Content-Type as sent, or NULL. */
    char *content_type;
    /* The auth source's header line the answer was asked with (its last
     * attempt's: a renewal may have replaced the first), or NULL: what
     * http_client_scrub clears of an API's words about this answer. */
    char *auth_line;
} http_response_t;

int http_global_init(char *errstr, size_t errstr_size) TM_WARN_UNUSED;
void http_global_cleanup(void);

/*
 * auth_header (may be NULL) is copied; it is sent to no origin until
 * http_client_allow_auth() names one. retry.max_wait and
 * max.response.size take their defaults (5 min, 256 MiB) until
 * http_client_set_limits(). NULL with errstr on failure.
 */
http_client_t *http_client_new(const char *auth_header, int64_t timeout_ms, int max_retries,
                               char *errstr, size_t errstr_size);

/* The client a stream's run uses: its auth header or auth source (NULL:
 * none; borrowed, must outlive the client), allowed to the origins of url
 * and deleted.url, its timeout, retries and limits, and its name for the
 * retry warnings (sc must outlive the client). */
http_client_t *http_client_for_stream(const stream_conf_t *sc, const http_auth_t *auth,
                                      char *errstr, size_t errstr_size);

/* Verifies servers with the CA bundle (PEM) at ca_file (copied; NULL:
 * the system's CAs again), as libcurl's CURLOPT_CAINFO. 0, or -1 on
 * ENOMEM. A file that cannot be read fails each request (not retried). */
int http_client_set_ca(http_client_t *hc, const char *ca_file) TM_WARN_UNUSED;

/* From now on the auth header comes from auth (borrowed; NULL: back to
 * the fixed one), sent only to origins allowed by http_client_allow_auth. */
void http_client_set_auth(http_client_t *hc, const http_auth_t *auth);

/* Allows the auth header to the origin of url. 0, or -1 with errstr when
 * url does not parse or on ENOMEM. */
int http_client_allow_auth(http_client_t *hc, const char *url, char *errstr,
                           size_t errstr_size) TM_WARN_UNUSED;

/* retry_max_wait_ms caps a Retry-After; max_response_size (bytes, >= 1)
 * caps a decompressed body. */
void http_client_set_limits(http_client_t *hc, int64_t retry_max_wait_ms,
                            int64_t max_response_size);

/*
 * Clears s (in place) of the credentials a request of hc to url sent,
 * auth_line (http_response_t.auth_line of its answer, or NULL) among
 * them: the value of the auth header (the fixed one, or auth_line: the
 * auth source's line that request carried), whole and after its scheme
 * word, and url's secret-named parameter values (url_scrub_secrets), as
 * oauth2_scrub does. For an API's own words that echo what it was given.
 * The answer's own line, not the source's latest: a guessed request
 * (producer/getahead.h) may renew the token any number of times while
 * the page in hand is read. Any thread, also while another runs a
 * request of hc.
 */
void http_client_scrub(const http_client_t *hc, const char *auth_line, const char *url, char *s);

void http_client_destroy(http_client_t *hc);

/*
 * From now on a wait to retry ends, and so does a request under way
 * (within about a second), as soon as *cancel is non-zero: the GET fails
 * "interrupted". NULL: only SIGTERM (tm_running cleared) ends them, as
 * it always does on any thread. For a thread that GETs on behalf
 * of another, which may want it to stop (producer/source.c). Set it
 * while no GET runs; *cancel may change any time.
 */
void http_client_set_cancel(http_client_t *hc, const atomic_int *cancel);

/*
 * For follow mode, where one thread runs every stream's turn: from now
 * until the client is first served an answer, a wait to retry that the
 * API asks for (Retry-After) that would take the waits in place past
 * limit_ms (0: none, every wait is waited) is not waited, nor is one
 * that came with the last retry; the backoff (5 s at most) always is,
 * and so is every wait once an answer came (a run deferred mid-walk
 * would read its first pages again each time, and against a quota never
 * finish). The request fails with errstr saying "retry deferred" and
 * when the wait ends, which http_client_retry_due() then returns
 * (isotime_monotonic_ms() time; 0 while no wait was deferred), and every
 * later request of the client fails at once without being sent, until
 * http_client_resume(): the API asked not to hear from it before then.
 * Set again, the limit holds anew until the next answer (a run's records
 * walk after its deleted endpoint's).
 */
void http_client_set_wait_limit(http_client_t *hc, int64_t limit_ms);
int64_t http_client_retry_due(const http_client_t *hc);
void http_client_resume(http_client_t *hc);

/* The stream the client GETs for (borrowed; NULL: none), named by its
 * retry warnings. http_client_for_stream sets it. */
void http_client_set_stream(http_client_t *hc, const char *stream);

/*
 * fn(ctx, status, seconds) after every request that ended (each hop and
 * each retry): the answer's status, or 0 when none came (connection,
 * timeout, transfer error), and how long it took. It runs on the thread
 * that GETs. NULL: none.
 */
typedef void (*http_observer_fn)(void *ctx, long status, double seconds);
void http_client_set_observer(http_client_t *hc, http_observer_fn fn, void *ctx);

/*
 * GETs url into *resp (cleared first). Returns 0 on a 2xx answer, or -1
 * with errstr "GET URL: reason" after retries ran out, on a fatal
 * failure, or when tm_running was cleared (or the cancel flag set) while
 * it waited to retry or for an answer ("interrupted").
 */
int http_get(http_client_t *hc, const char *url, http_response_t *resp, char *errstr,
             size_t errstr_size) TM_WARN_UNUSED;

/* As http_get, but after an answer that is not retried (a 4xx), resp
 * keeps its status and body as http_post's does, for the caller to read
 * the server's reason; the caller clears resp either way. */
int http_get_answer(http_client_t *hc, const char *url, http_response_t *resp, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

/*
 * POSTs body (content_type) to url into *resp (cleared first), with one
 * more header line (may be NULL; a credential: it goes to url only and is
 * never logged). No auth header or source of the client is sent. Retries,
 * timeout, TLS and size as http_get. A redirect is not followed: its
 * status fails the POST, as its body may hold credentials that would go
 * wherever the Location points. Returns 0 on a 2xx answer, or -1 with
 * errstr "POST URL: reason"; after an answer that is not retried (a 4xx),
 * resp keeps its status and body, for the caller to read the server's
 * reason. The caller clears resp either way.
 */
int http_post(http_client_t *hc, const char *url, const char *content_type, const char *body,
              const char *header, http_response_t *resp, char *errstr,
              size_t errstr_size) TM_WARN_UNUSED;

void http_response_clear(http_response_t *resp);

/* The charset parameter of a Content-Type ("application/json;
 * charset=ISO-8859-1" -> "ISO-8859-1", quotes taken off) into buf (cut
 * to fit); "" when it has none (content_type may be NULL). Returns buf. */
const char *http_charset(const char *content_type, char *buf, size_t size);

/* URL-escapes s; caller frees. NULL on ENOMEM. */
char *http_escape(const char *s);

/* 1 when an answer with this status is worth retrying (408, 429, 5xx). */
int http_status_transient(long status);

/* 1 when a libcurl error (a CURLcode) is worth retrying. */
int http_curl_transient(int curl_code);

#endif
