/*
 * http_hop.c - one request and its answer (see http_hop.h).
 */
#include "http_hop.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signals.h"

#define BODY_START_CAP 16384

static int is_ows(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* *dst = *dst + sep + s[0..n) (or a copy of s when *dst is NULL). */
static int append_field(char **dst, const char *sep, const char *s, size_t n)
{
    size_t old = *dst ? strlen(*dst) : 0, sl = *dst ? strlen(sep) : 0;
    char *g = realloc(*dst, old + sl + n + 1);
    if (!g)
        return -1;
    memcpy(g + old, sep, sl);
    memcpy(g + old + sl, s, n);
    g[old + sl + n] = '\0';
    *dst = g;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *opaque)
{
    http_hop_t *h = opaque;
    http_response_t *resp = h->resp;
    size_t n = size * nmemb;
    /* n is after decompression: what max.response.size counts */
    if ((int64_t)n > h->max_body - (int64_t)resp->body_len) {
        h->body_too_large = 1;
        return 0; /* curl reports CURLE_WRITE_ERROR */
    }
    size_t need = resp->body_len + n + 1;
    if (need > h->body_cap) {
        size_t cap = h->body_cap ? h->body_cap : BODY_START_CAP;
        while (cap < need)
            cap *= 2;
        if ((int64_t)cap > h->max_body + 1 && (int64_t)need <= h->max_body + 1)
            cap = (size_t)h->max_body + 1;
        char *b = realloc(resp->body, cap);
        if (!b) {
            h->oom = 1;
            return 0;
        }
        resp->body = b;
        h->body_cap = cap;
    }
    memcpy(resp->body + resp->body_len, data, n);
    resp->body_len += n;
    resp->body[resp->body_len] = '\0';
    return n;
}

/* A single-valued header: its last line wins (a folded continuation is
 * appended by on_header through h->last). */
static void keep_last_line(http_hop_t *h, char **slot, const char *v, size_t len)
{
    free(*slot);
    *slot = NULL;
    h->last = slot;
    if (append_field(slot, "", v, len) != 0)
        h->oom = 1;
}

/* Keeps Link (every line), Retry-After, Location and Date of the current
 * answer; a status line starts a new answer (1xx, or a 3xx hop). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *opaque)
{
    http_hop_t *h = opaque;
    http_response_t *resp = h->resp;
    size_t n = size * nmemb;
    h->header_bytes += n;
    if (h->header_bytes > HTTP_MAX_HEADER_BYTES) {
        h->headers_too_large = 1;
        return 0;
    }
    const char *v = data, *e = data + n;
    while (e > v && is_ows((unsigned char)e[-1]))
        e--;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        free(resp->link);
        resp->link = NULL;
        free(h->retry_after);
        h->retry_after = NULL;
        free(h->location);
        h->location = NULL;
        free(h->date);
        h->date = NULL;
        h->last = NULL;
        return n;
    }
    if (n && (data[0] == ' ' || data[0] == '\t')) { /* obs-fold */
        while (v < e && is_ows((unsigned char)*v))
            v++;
        if (h->last && *h->last && append_field(h->last, " ", v, (size_t)(e - v)) != 0) {
            h->oom = 1;
            return 0;
        }
        return n;
    }
    const char *colon = memchr(data, ':', (size_t)(e - data));
    h->last = NULL;
    if (!colon)
        return n;
    size_t name_len = (size_t)(colon - data);
    v = colon + 1;
    while (v < e && is_ows((unsigned char)*v))
        v++;
    if (name_len == 4 && strncasecmp(data, "link", 4) == 0) {
        h->last = &resp->link;
        if (append_field(h->last, "\n", v, (size_t)(e - v)) != 0)
            h->oom = 1;
    } else if (name_len == 11 && strncasecmp(data, "retry-after", 11) == 0) {
        keep_last_line(h, &h->retry_after, v, (size_t)(e - v));
    } else if (name_len == 8 && strncasecmp(data, "location", 8) == 0) {
        keep_last_line(h, &h->location, v, (size_t)(e - v));
    } else if (name_len == 4 && strncasecmp(data, "date", 4) == 0) {
        keep_last_line(h, &h->date, v, (size_t)(e - v));
    }
    return h->oom ? 0 : n;
}

/* libcurl calls it at least once a second while a transfer runs: a
 * non-zero answer aborts the transfer. SIGTERM (tm_running) stops every
 * transfer, on any thread: a process manager kills a process that has not
 * exited some 10 s after SIGTERM, sooner than an answer that takes the
 * whole timeout; the caller's cancel flag (may be NULL) stops one. */
static int on_progress(void *cancel, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return !tm_running || (cancel && atomic_load((const atomic_int *)cancel) != 0);
}

CURLcode http_hop_perform(CURL *c, const char *url, struct curl_slist *headers, int64_t timeout_ms,
                          const atomic_int *cancel, http_hop_t *h, char *cerr)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* one hop at a time */
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRECTS);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (h->as_sent)
        curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    else
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    if (h->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    if (h->post_body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->post_body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(h->post_body));
    }
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)cancel);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL); /* cerr is the caller's */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    if (rc == CURLE_OK) {
        const char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->resp->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        if (ct && !(h->resp->content_type = strdup(ct)))
            rc = CURLE_OUT_OF_MEMORY;
    }
    return rc;
}

void http_hop_clear(http_hop_t *h)
{
    free(h->retry_after);
    free(h->location);
    free(h->date);
    h->retry_after = h->location = h->date = NULL;
}
