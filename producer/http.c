/*
 * http.c - GET with redirects and retries over libcurl (see http.h).
 */
#include "http.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "backoff.h"
#include "errstr.h"
#include "isotime.h"
#include "link.h"
#include "log.h"
#include "url_redact.h"

#define RETRY_BACKOFF_CAP_MS      5000
#define DEFAULT_RETRY_MAX_WAIT_MS (5 * 60 * 1000LL)
#define DEFAULT_MAX_RESPONSE_SIZE (256LL * 1024 * 1024)
#define MAX_HEADER_BYTES          (1024 * 1024) /* every header line of one answer */
#define BODY_START_CAP            16384

struct http_client {
    CURL *curl;
    char *auth_header;
    char **auth_urls; /* the auth header goes to these URLs' origins */
    size_t n_auth_urls;
    int64_t timeout_ms;
    int max_retries;
    int64_t retry_max_wait_ms;
    int64_t max_response_size;
};

/* What one hop (one request/answer) collects besides resp. */
typedef struct hop {
    http_response_t *resp;
    size_t body_cap;
    int64_t max_body;
    int body_too_large;
    size_t header_bytes;
    int headers_too_large;
    int oom;
    char *retry_after;
    char *location;
    char *date;
    char **last; /* the field the last header line went to (folding) */
} hop_t;

int http_global_init(char *errstr, size_t errstr_size)
{
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        errstr_set(errstr, errstr_size, "curl_global_init: %s", curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

http_client_t *http_client_new(const char *auth_header, int64_t timeout_ms, int max_retries,
                               char *errstr, size_t errstr_size)
{
    http_client_t *hc = calloc(1, sizeof *hc);
    if (!hc || !(hc->curl = curl_easy_init())) {
        errstr_set(errstr, errstr_size, "cannot create a curl handle");
        free(hc);
        return NULL;
    }
    if (auth_header && *auth_header && !(hc->auth_header = strdup(auth_header))) {
        errstr_set(errstr, errstr_size, "out of memory");
        http_client_destroy(hc);
        return NULL;
    }
    hc->timeout_ms = timeout_ms;
    hc->max_retries = max_retries;
    hc->retry_max_wait_ms = DEFAULT_RETRY_MAX_WAIT_MS;
    hc->max_response_size = DEFAULT_MAX_RESPONSE_SIZE;
    return hc;
}

int http_client_allow_auth(http_client_t *hc, const char *url, char *errstr, size_t errstr_size)
{
    char red[512];
    if (!link_same_origin(url, url)) {
        errstr_set(errstr, errstr_size, "'%s' is not an http(s) URL with a host",
                   url_redact(url, red, sizeof red));
        return -1;
    }
    char **n = realloc(hc->auth_urls, (hc->n_auth_urls + 1) * sizeof *n);
    if (!n || !(n[hc->n_auth_urls] = strdup(url))) {
        if (n)
            hc->auth_urls = n;
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    hc->auth_urls = n;
    hc->n_auth_urls++;
    return 0;
}

void http_client_set_limits(http_client_t *hc, int64_t retry_max_wait_ms, int64_t max_response_size)
{
    hc->retry_max_wait_ms = retry_max_wait_ms < 0 ? 0 : retry_max_wait_ms;
    hc->max_response_size = max_response_size < 1 ? 1 : max_response_size;
}

http_client_t *http_client_for_stream(const stream_conf_t *sc, char *errstr, size_t errstr_size)
{
    http_client_t *hc =
        http_client_new(sc->auth_header, sc->timeout_ms, sc->max_retries, errstr, errstr_size);
    if (!hc)
        return NULL;
    http_client_set_limits(hc, sc->retry_max_wait_ms, sc->max_response_size);
    if (sc->auth_header && (http_client_allow_auth(hc, sc->url, errstr, errstr_size) != 0 ||
                            (sc->deleted_url && http_client_allow_auth(hc, sc->deleted_url, errstr,
                                                                       errstr_size) != 0))) {
        http_client_destroy(hc);
        return NULL;
    }
    return hc;
}

void http_client_destroy(http_client_t *hc)
{
    if (!hc)
        return;
    if (hc->curl)
        curl_easy_cleanup(hc->curl);
    for (size_t i = 0; i < hc->n_auth_urls; i++)
        free(hc->auth_urls[i]);
    free(hc->auth_urls);
    free(hc->auth_header);
    free(hc);
}

void http_response_clear(http_response_t *resp)
{
    free(resp->body);
    free(resp->link);
    free(resp->url);
    memset(resp, 0, sizeof *resp);
}

char *http_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *out = e ? strdup(e) : NULL;
    curl_free(e);
    return out;
}

int http_status_transient(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

int http_curl_transient(int curl_code)
{
    switch ((CURLcode)curl_code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static int is_ows(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int http_retry_after_ms(const char *value, int64_t now_ms, int64_t cap_ms, int64_t *wait_ms)
{
    if (!value)
        return -1;
    if (cap_ms < 0)
        cap_ms = 0;
    const char *s = value, *e = value + strlen(value);
    while (s < e && is_ows((unsigned char)*s))
        s++;
    while (e > s && is_ows((unsigned char)e[-1]))
        e--;
    if (s == e)
        return -1;
    if (isdigit((unsigned char)*s)) {
        /* delta-seconds = 1*DIGIT; saturates instead of overflowing */
        int64_t secs = 0;
        for (const char *p = s; p < e; p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            if (secs < INT64_MAX / 10000)
                secs = secs * 10 + (*p - '0');
        }
        int64_t ms = secs < INT64_MAX / 1000 ? secs * 1000 : INT64_MAX;
        *wait_ms = ms < cap_ms ? ms : cap_ms;
        return 0;
    }
    /* An HTTP-date starts with a day name and is about 29 characters. */
    char date[64];
    if (!isalpha((unsigned char)*s) || (size_t)(e - s) >= sizeof date)
        return -1;
    memcpy(date, s, (size_t)(e - s));
    date[e - s] = '\0';
    if (!strpbrk(date, "0123456789"))
        return -1;
    time_t t = curl_getdate(date, NULL);
    if (t == (time_t)-1)
        return -1;
    /* curl_getdate reads years that milliseconds in int64 cannot hold */
    int64_t at = (int64_t)t > INT64_MAX / 1000   ? INT64_MAX
                 : (int64_t)t < INT64_MIN / 1000 ? INT64_MIN
                                                 : (int64_t)t * 1000;
    int64_t ms = at > now_ms ? at - now_ms : 0;
    *wait_ms = ms < cap_ms ? ms : cap_ms;
    return 0;
}

int http_date_ms(const char *value, int64_t *ms)
{
    if (!value)
        return -1;
    const char *s = value, *e = value + strlen(value);
    while (s < e && is_ows((unsigned char)*s))
        s++;
    while (e > s && is_ows((unsigned char)e[-1]))
        e--;
    /* an HTTP-date starts with a day name and is about 29 characters;
     * curl_getdate() would make something of much less */
    char date[64];
    if (s == e || !isalpha((unsigned char)*s) || (size_t)(e - s) >= sizeof date)
        return -1;
    memcpy(date, s, (size_t)(e - s));
    date[e - s] = '\0';
    if (!strpbrk(date, "0123456789"))
        return -1;
    time_t t = curl_getdate(date, NULL);
    if (t == (time_t)-1 || t <= 0)
        return -1;
    *ms = (int64_t)t * 1000;
    return 0;
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
    hop_t *h = opaque;
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
static void keep_last_line(hop_t *h, char **slot, const char *v, size_t len)
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
    hop_t *h = opaque;
    http_response_t *resp = h->resp;
    size_t n = size * nmemb;
    h->header_bytes += n;
    if (h->header_bytes > MAX_HEADER_BYTES) {
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

static int auth_allowed(const http_client_t *hc, const char *url)
{
    for (size_t i = 0; i < hc->n_auth_urls; i++)
        if (link_same_origin(hc->auth_urls[i], url))
            return 1;
    return 0;
}

/* The request headers of one hop: the auth header only to its origins. */
static struct curl_slist *headers_for(const http_client_t *hc, const char *url)
{
    struct curl_slist *l = curl_slist_append(NULL, "Accept: application/json");
    if (l && hc->auth_header && auth_allowed(hc, url)) {
        struct curl_slist *l2 = curl_slist_append(l, hc->auth_header);
        if (!l2) {
            curl_slist_free_all(l);
            return NULL;
        }
        l = l2;
    }
    return l;
}

static int is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* "GET URL: reason", or "GET URL (redirected to CUR): reason". */
static void fail_msg(char *errstr, size_t errstr_size, const char *url, const char *cur,
                     const char *fmt, ...) TM_PRINTF(5, 6);
static void fail_msg(char *errstr, size_t errstr_size, const char *url, const char *cur,
                     const char *fmt, ...)
{
    char ru[1024], rc[1024], why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (cur && strcmp(cur, url) != 0)
        errstr_set(errstr, errstr_size, "GET %s (redirected to %s): %s",
                   url_redact(url, ru, sizeof ru), url_redact(cur, rc, sizeof rc), why);
    else
        errstr_set(errstr, errstr_size, "GET %s: %s", url_redact(url, ru, sizeof ru), why);
}

/* One hop: a request to cur. Returns the CURLcode; h collects the rest. */
static CURLcode perform(http_client_t *hc, const char *cur, hop_t *h, char *cerr)
{
    CURL *c = hc->curl;
    struct curl_slist *hdrs = headers_for(hc, cur);
    if (!hdrs) {
        h->oom = 1;
        return CURLE_OUT_OF_MEMORY;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, cur);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)hc->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* one hop at a time */
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRECTS);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL); /* cerr is the caller's */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->resp->status);
    return rc;
}

static void hop_clear(hop_t *h)
{
    free(h->retry_after);
    free(h->location);
    free(h->date);
    h->retry_after = h->location = h->date = NULL;
}

/*
 * One request with its redirects. Returns 0 ok, 1 transient, -1 fatal;
 * errstr set unless 0. *retry_after gets the failed answer's Retry-After
 * value (caller frees), if it had one.
 */
static int attempt(http_client_t *hc, const char *url, http_response_t *resp, char **retry_after,
                   char *errstr, size_t errstr_size)
{
    char why[1024];
    *retry_after = NULL;
    if (link_check_follow(NULL, url, why, sizeof why) != 0) {
        fail_msg(errstr, errstr_size, url, NULL, "%s", why);
        return -1;
    }
    char *cur = strdup(url);
    if (!cur) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int64_t sent_at = isotime_now_ms();
    int rc = -1;
    for (int hops = 0;; hops++) {
        char cerr[CURL_ERROR_SIZE] = "";
        hop_t h = {.resp = resp, .max_body = hc->max_response_size};
        http_response_clear(resp);
        CURLcode cc = perform(hc, cur, &h, cerr);
        if (h.body_too_large) {
            fail_msg(errstr, errstr_size, url, cur,
                     "the response is larger than max.response.size (%lld bytes after "
                     "decompression)",
                     (long long)hc->max_response_size);
        } else if (h.headers_too_large) {
            fail_msg(errstr, errstr_size, url, cur, "the response headers exceed %d bytes",
                     MAX_HEADER_BYTES);
        } else if (h.oom) {
            fail_msg(errstr, errstr_size, url, cur, "out of memory");
        } else if (cc != CURLE_OK) {
            fail_msg(errstr, errstr_size, url, cur, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
            rc = http_curl_transient(cc) ? 1 : -1;
        } else if (is_redirect(resp->status) && h.location) {
            char *next = NULL;
            if (hops >= HTTP_MAX_REDIRECTS) {
                fail_msg(errstr, errstr_size, url, cur, "more than %d redirects",
                         HTTP_MAX_REDIRECTS);
            } else if (link_resolve(cur, h.location, &next, why, sizeof why) != 0 ||
                       link_check_follow(cur, next, why, sizeof why) != 0) {
                fail_msg(errstr, errstr_size, url, cur, "HTTP status %ld, Location: %s",
                         resp->status, why);
            } else {
                free(cur);
                cur = next;
                hop_clear(&h);
                continue;
            }
            free(next);
        } else if (resp->status >= 200 && resp->status < 300) {
            if (!resp->body && !(resp->body = strdup(""))) {
                fail_msg(errstr, errstr_size, url, cur, "out of memory");
            } else {
                resp->url = cur;
                cur = NULL;
                resp->sent_at_ms = sent_at;
                if (http_date_ms(h.date, &resp->date_ms) != 0)
                    resp->date_ms = 0; /* none, or not a date */
                rc = 0;
            }
        } else {
            fail_msg(errstr, errstr_size, url, cur, "HTTP status %ld%s", resp->status,
                     is_redirect(resp->status) ? " without a Location" : "");
            rc = http_status_transient(resp->status) ? 1 : -1;
            if (rc > 0) {
                *retry_after = h.retry_after;
                h.retry_after = NULL;
            }
        }
        hop_clear(&h);
        break;
    }
    free(cur);
    if (rc != 0)
        http_response_clear(resp);
    return rc;
}

int http_get(http_client_t *hc, const char *url, http_response_t *resp, char *errstr,
             size_t errstr_size)
{
    for (int tries = 0;; tries++) {
        char *ra = NULL;
        int rc = attempt(hc, url, resp, &ra, errstr, errstr_size);
        if (rc == 0)
            return 0;
        if (rc < 0 || tries >= hc->max_retries) {
            free(ra);
            if (rc > 0) {
                size_t n = strlen(errstr);
                errstr_set(errstr + n, errstr_size - n, " (after %d retries)", tries);
            }
            return -1;
        }
        /* Retry-After says when the server wants to hear from us again;
         * the backoff still applies when it asks for less. */
        int64_t wait = backoff_delay_capped_ms(tries, RETRY_BACKOFF_CAP_MS), ra_ms = 0, ra_full = 0;
        const char *source = "backoff";
        if (ra && http_retry_after_ms(ra, isotime_now_ms(), hc->retry_max_wait_ms, &ra_ms) == 0 &&
            http_retry_after_ms(ra, isotime_now_ms(), INT64_MAX, &ra_full) == 0 && ra_ms >= wait) {
            wait = ra_ms;
            source = ra_full > ra_ms ? "retry-after-capped" : "retry-after";
        }
        char q[768], qra[128];
        log_warn("http request failed, retrying",
                 "error=%s attempt=%d wait_ms=%lld wait_source=%s retry_after=%s",
                 log_quote(q, sizeof q, errstr), tries + 1, (long long)wait, source,
                 log_quote(qra, sizeof qra, ra ? ra : "-"));
        free(ra);
        if (backoff_sleep_ms(wait) != 0) {
            fail_msg(errstr, errstr_size, url, NULL, "interrupted");
            return -1;
        }
    }
}
