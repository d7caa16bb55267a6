/*
 * http_hop.h - one request and its answer on a libcurl handle, for
 * http.c only: the body (capped by max.response.size, counted after
 * decompression), the Link lines of the final answer, and the
 * Retry-After, Location and Date values that the retry and redirect
 * decisions of http.c read. Redirects are not followed here.
 *
 * Owns: an http_hop_t owns its header values (http_hop_clear); the body
 * and Link lines go to the caller's http_response_t. The thread that owns
 * the handle. Fails through the hop's flags (body_too_large,
 * headers_too_large, oom) and the CURLcode.
 */
#ifndef TIDEMARK_HTTP_HOP_H
#define TIDEMARK_HTTP_HOP_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include <stdatomic.h>

#include "http.h"

#define HTTP_MAX_HEADER_BYTES (1024 * 1024) /* every header line of one answer */

typedef struct http_hop {
    http_response_t *resp; /* status, body and link of this hop */
    const char *post_body; /* NULL: a GET; else POSTed (NUL-terminated) */
    const char *ca_file;   /* CA bundle that verifies the server; NULL: the system's */
    int sent_auth;         /* the request carried the client's auth header */
    int64_t max_body;      /* max.response.size */
    size_t body_cap;
    int body_too_large;
    size_t header_bytes;
    int headers_too_large;
    int oom;
    int as_sent;       /* the body as it came, no Content-Encoding decoded */
    char *retry_after; /* the last value of each, or NULL */
    char *location;
    char *date;
    char **last; /* the field the last header line went to (folding) */
} http_hop_t;

/*
 * GETs url (or POSTs h->post_body) on curl (reset first) with headers, at most timeout_ms,
 * http/https only, no redirects followed, any Content-Encoding libcurl
 * knows (none with h->as_sent). cerr (CURL_ERROR_SIZE) gets libcurl's message. SIGTERM
 * (tm_running cleared), or a non-NULL cancel that becomes non-zero,
 * aborts the transfer within about a second (CURLE_ABORTED_BY_CALLBACK). Returns the CURLcode; on
 * CURLE_OK h->resp->status is the answer's status.
 */
CURLcode http_hop_perform(CURL *curl, const char *url, struct curl_slist *headers,
                          int64_t timeout_ms, const atomic_int *cancel, http_hop_t *h, char *cerr);

/* Frees the header values (not resp). */
void http_hop_clear(http_hop_t *h);

#endif
