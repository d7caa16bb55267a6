/*
 * http.c - GET with retries over libcurl (see http.h).
 */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "isotime.h"
#include "log.h"
#include "signals.h"

#define BACKOFF_START_MS 200
#define BACKOFF_CAP_MS 5000
#define SLEEP_SLICE_MS 100

struct http_client {
    CURL *curl;
    struct curl_slist *headers;
    int64_t timeout_ms;
    int max_retries;
};

int http_global_init(char *errstr, size_t errstr_size)
{
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        snprintf(errstr, errstr_size, "curl_global_init: %s", curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

http_client_t *http_client_new(const char *auth_header, int64_t timeout_ms,
                               int max_retries, char *errstr,
                               size_t errstr_size)
{
    http_client_t *hc = calloc(1, sizeof *hc);
    if (!hc || !(hc->curl = curl_easy_init())) {
        snprintf(errstr, errstr_size, "cannot create a curl handle");
        free(hc);
        return NULL;
    }
    hc->headers = curl_slist_append(NULL, "Accept: application/json");
    if (hc->headers && auth_header && *auth_header) {
        struct curl_slist *h = curl_slist_append(hc->headers, auth_header);
        if (!h) {
            curl_slist_free_all(hc->headers);
            hc->headers = NULL;
        } else {
            hc->headers = h;
        }
    }
    if (!hc->headers) {
        snprintf(errstr, errstr_size, "out of memory");
        http_client_destroy(hc);
        return NULL;
    }
    hc->timeout_ms = timeout_ms;
    hc->max_retries = max_retries;
    return hc;
}

void http_client_destroy(http_client_t *hc)
{
    if (!hc)
        return;
    if (hc->curl)
        curl_easy_cleanup(hc->curl);
    curl_slist_free_all(hc->headers);
    free(hc);
}

void http_response_clear(http_response_t *resp)
{
    free(resp->body);
    free(resp->link);
    memset(resp, 0, sizeof *resp);
}

char *http_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *out = e ? strdup(e) : NULL;
    curl_free(e);
    return out;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *opaque)
{
    http_response_t *resp = opaque;
    size_t n = size * nmemb;
    char *b = realloc(resp->body, resp->body_len + n + 1);
    if (!b)
        return 0; /* curl reports CURLE_WRITE_ERROR */
    memcpy(b + resp->body_len, data, n);
    resp->body = b;
    resp->body_len += n;
    b[resp->body_len] = '\0';
    return n;
}

/* Keeps the value of a "Link:" header line (trimmed). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *opaque)
{
    http_response_t *resp = opaque;
    size_t n = size * nmemb;
    if (n > 5 && strncasecmp(data, "link:", 5) == 0) {
        const char *v = data + 5;
        size_t len = n - 5;
        while (len && isspace((unsigned char)*v)) {
            v++;
            len--;
        }
        while (len && isspace((unsigned char)v[len - 1]))
            len--;
        char *copy = strndup(v, len);
        if (!copy)
            return 0;
        free(resp->link);
        resp->link = copy;
    }
    return n;
}

static int transient_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* Sleeps ms in slices; returns 0 if tm_running was cleared meanwhile. */
static int sleep_watching(int64_t ms)
{
    int64_t end = isotime_monotonic_ms() + ms;
    while (tm_running) {
        int64_t left = end - isotime_monotonic_ms();
        if (left <= 0)
            return 1;
        if (left > SLEEP_SLICE_MS)
            left = SLEEP_SLICE_MS;
        struct timespec ts = {left / 1000, (long)(left % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* One attempt. Returns 0 ok, 1 transient, -1 fatal; errstr set unless 0. */
static int attempt(http_client_t *hc, const char *url, http_response_t *resp,
                   char *errstr, size_t errstr_size)
{
    char cerr[CURL_ERROR_SIZE] = "";
    CURL *c = hc->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hc->headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)hc->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
    int64_t sent_at = isotime_now_ms();
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL); /* cerr dies here */
    if (rc != CURLE_OK) {
        snprintf(errstr, errstr_size, "GET %s: %s", url,
                 cerr[0] ? cerr : curl_easy_strerror(rc));
        return transient_curl(rc) ? 1 : -1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    resp->sent_at_ms = sent_at;
    if (resp->status >= 200 && resp->status < 300) {
        if (!resp->body && !(resp->body = strdup("")))
            return -1;
        return 0;
    }
    snprintf(errstr, errstr_size, "GET %s: HTTP status %ld", url, resp->status);
    return (resp->status == 429 || resp->status >= 500) ? 1 : -1;
}

int http_get(http_client_t *hc, const char *url, http_response_t *resp,
             char *errstr, size_t errstr_size)
{
    int64_t backoff = BACKOFF_START_MS;
    for (int tries = 0;; tries++) {
        http_response_clear(resp);
        int rc = attempt(hc, url, resp, errstr, errstr_size);
        if (rc == 0)
            return 0;
        if (rc < 0 || tries >= hc->max_retries) {
            if (rc > 0) {
                size_t n = strlen(errstr);
                snprintf(errstr + n, errstr_size - n, " (after %d retries)", tries);
            }
            http_response_clear(resp);
            return -1;
        }
        char q[512];
        log_warn("http request failed, retrying", "error=%s attempt=%d backoff_ms=%lld",
                 log_quote(q, sizeof q, errstr), tries + 1, (long long)backoff);
        if (!sleep_watching(backoff)) {
            http_response_clear(resp);
            snprintf(errstr, errstr_size, "GET %s: interrupted", url);
            return -1;
        }
        backoff = backoff * 2 > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : backoff * 2;
    }
}
