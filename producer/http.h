/*
 * http.h - the libcurl boundary: one GET with the stream's auth header and
 * timeout, retried with exponential backoff on transient failures.
 *
 * Failure classes: a connect/timeout/transfer error, 429 or 5xx is
 * transient (retried up to max_retries times, backoff 200 ms doubling,
 * capped at 5 s, sleeping in short slices that watch tm_running); any
 * other status >= 400 is fatal for the run. Error strings name the URL,
 * never the auth header.
 *
 * Owns: http_client_t owns its CURL handle; http_response_t owns its body
 * and Link header (free with http_response_clear). A client is used by one
 * thread at a time. http_global_init() once at start, on the main thread.
 */
#ifndef TIDEMARK_HTTP_H
#define TIDEMARK_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

typedef struct http_client http_client_t;

typedef struct http_response {
    long status;
    char *body;      /* NUL-terminated */
    size_t body_len;
    char *link;      /* the last Link header's value, or NULL */
    /* Wall clock when the request that got this answer was sent. The
     * answer shows the source as of some moment after it, so a mark taken
     * from it can only make the next poll re-read, never skip (the time
     * the answer arrived could be later than a change it does not hold). */
    int64_t sent_at_ms;
} http_response_t;

int http_global_init(char *errstr, size_t errstr_size) TM_WARN_UNUSED;
void http_global_cleanup(void);

/* auth_header (may be NULL) is copied. NULL with errstr on failure. */
http_client_t *http_client_new(const char *auth_header, int64_t timeout_ms,
                               int max_retries, char *errstr,
                               size_t errstr_size);
void http_client_destroy(http_client_t *hc);

/*
 * GETs url into *resp (cleared first). Returns 0 on a 2xx answer, or -1
 * with errstr "GET URL: reason" after retries ran out, on a fatal status,
 * or when tm_running was cleared while waiting to retry.
 */
int http_get(http_client_t *hc, const char *url, http_response_t *resp,
             char *errstr, size_t errstr_size) TM_WARN_UNUSED;

void http_response_clear(http_response_t *resp);

/* URL-escapes s; caller frees. NULL on ENOMEM. */
char *http_escape(const char *s);

#endif
