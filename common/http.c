/*
 * http.c - GET with redirects and retries over libcurl (see http.h).
 */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "backoff.h"
#include "errstr.h"
#include "http_date.h"
#include "http_hop.h"
#include "isotime.h"
#include "log.h"
#include "oauth2_token.h"
#include "url.h"
#include "url_redact.h"

#define RETRY_BACKOFF_CAP_MS      5000
#define DEFAULT_RETRY_MAX_WAIT_MS (5 * 60 * 1000LL)
#define DEFAULT_MAX_RESPONSE_SIZE (256LL * 1024 * 1024)

struct http_client {
    CURL *curl;
    char *auth_header;
    const http_auth_t *auth; /* stands in for auth_header when set */
    char **auth_urls;        /* the auth header goes to these URLs' origins */
    size_t n_auth_urls;
    int64_t timeout_ms;
    int max_retries;
    int64_t retry_max_wait_ms;
    int64_t max_response_size;
    char *ca_file;            /* http_client_set_ca(), or NULL: the system's CAs */
    const atomic_int *cancel; /* http_client_set_cancel() */
    http_observer_fn observe; /* http_client_set_observer() */
    void *observe_ctx;
    const char *stream;    /* http_client_set_stream(), or NULL */
    int64_t wait_limit_ms; /* http_client_set_wait_limit(), or 0 */
    int64_t waited_ms;     /* waited to retry in place under the limit */
    int64_t retry_due_ms;  /* a wait to retry was not waited: when it ends (monotonic) */
    int deferred;          /* since then, requests fail unsent (http_client_resume()) */
};

void http_client_set_stream(http_client_t *hc, const char *stream)
{
    hc->stream = stream;
}

void http_client_set_wait_limit(http_client_t *hc, int64_t limit_ms)
{
    hc->wait_limit_ms = limit_ms;
    hc->waited_ms = 0;
}

int64_t http_client_retry_due(const http_client_t *hc)
{
    return hc->retry_due_ms;
}

void http_client_resume(http_client_t *hc)
{
    hc->deferred = 0;
}

/* The wall clock time of monotonic time mono_ms, for messages. */
static void format_mono(int64_t mono_ms, char when[ISOTIME_BUFSIZE])
{
    isotime_format(isotime_now_ms() + (mono_ms - isotime_monotonic_ms()), when, ISOTIME_BUFSIZE);
}

void http_client_set_observer(http_client_t *hc, http_observer_fn fn, void *ctx)
{
    hc->observe = fn;
    hc->observe_ctx = ctx;
}

void http_client_set_cancel(http_client_t *hc, const atomic_int *cancel)
{
    hc->cancel = cancel;
}

/* backoff_sleep_ms() in slices that also end when hc's cancel flag is
 * set: 0 when the time is up, -1 when stopped. */
static int retry_sleep(const http_client_t *hc, int64_t ms)
{
    if (!hc->cancel)
        return backoff_sleep_ms(ms);
    for (;;) {
        if (atomic_load(hc->cancel))
            return -1;
        int64_t slice = ms < 100 ? ms : 100;
        if (backoff_sleep_ms(slice) != 0)
            return -1;
        if ((ms -= slice) <= 0)
            return atomic_load(hc->cancel) ? -1 : 0;
    }
}

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
    http_client_t *hc = calloc(1, sizeof(*hc));
    if (!hc || !(hc->curl = curl_easy_init())) {
        errstr_set(errstr, errstr_size, "cannot create a curl handle");
        http_client_destroy(hc);
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
    if (!url_same_origin(url, url)) {
        errstr_set(errstr, errstr_size, "'%s' is not an http(s) URL with a host",
                   url_redact(url, red, sizeof(red)));
        return -1;
    }
    char **n = realloc(hc->auth_urls, (hc->n_auth_urls + 1) * sizeof(*n));
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

int http_client_set_ca(http_client_t *hc, const char *ca_file)
{
    char *copy = ca_file ? strdup(ca_file) : NULL;
    if (ca_file && !copy)
        return -1;
    free(hc->ca_file);
    hc->ca_file = copy;
    return 0;
}

void http_client_set_auth(http_client_t *hc, const http_auth_t *auth)
{
    hc->auth = auth;
}

http_client_t *http_client_for_stream(const stream_conf_t *sc, const http_auth_t *auth,
                                      char *errstr, size_t errstr_size)
{
    http_client_t *hc =
        http_client_new(sc->auth_header, sc->timeout_ms, sc->max_retries, errstr, errstr_size);
    if (!hc)
        return NULL;
    http_client_set_limits(hc, sc->retry_max_wait_ms, sc->max_response_size);
    http_client_set_auth(hc, auth);
    http_client_set_stream(hc, sc->name);
    if ((sc->auth_header || auth) &&
        (http_client_allow_auth(hc, sc->url, errstr, errstr_size) != 0 ||
         (sc->deleted_url &&
          http_client_allow_auth(hc, sc->deleted_url, errstr, errstr_size) != 0))) {
        http_client_destroy(hc);
        return NULL;
    }
    return hc;
}

/* An auth header line's value out of s: whole, and its credentials
 * after a scheme word ("Bearer <token>"). */
static void scrub_header(char *s, const char *line)
{
    const char *colon = line ? strchr(line, ':') : NULL;
    if (!colon)
        return;
    const char *v = colon + 1 + strspn(colon + 1, " \t");
    oauth2_scrub(s, v);
    const char *sp = strpbrk(v, " \t");
    if (sp)
        oauth2_scrub(s, sp + strspn(sp, " \t"));
}

void http_client_scrub(const http_client_t *hc, const char *auth_line, const char *url, char *s)
{
    if (!s)
        return;
    scrub_header(s, hc->auth_header);
    scrub_header(s, auth_line);
    url_scrub_secrets(url, s);
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
    free(hc->ca_file);
    free(hc);
}

void http_response_clear(http_response_t *resp)
{
    free(resp->body);
    free(resp->link);
    free(resp->url);
    free(resp->content_type);
    free(resp->auth_line);
    memset(resp, 0, sizeof(*resp));
}

const char *http_charset(const char *content_type, char *buf, size_t size)
{
    const char *p = content_type ? strchr(content_type, ';') : NULL;
    size_t n = 0;
    if (size)
        buf[0] = '\0';
    while (p && size) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) != 0) {
            p = strchr(p, ';');
            continue;
        }
        p += 8;
        int quoted = *p == '"';
        p += quoted;
        while (p[n] && p[n] != (quoted ? '"' : ';') && p[n] != ' ' && n + 1 < size)
            n++;
        memcpy(buf, p, n);
        buf[n] = '\0';
        break;
    }
    return buf;
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

/* One request: what differs between a GET and a POST. */
typedef struct request {
    const char *method; /* "GET" or "POST", for messages */
    const char *url;    /* the one asked for */
    const char *body;   /* POST: the body; NULL for a GET */
    const char *content_type;
    const char *header; /* POST: one more line, to url only */
    int keep_refusal;   /* a 4xx answer stays in resp for the caller */
    char *auth;         /* GET: the auth source's line for now (owned), or NULL */
} request_t;

static int auth_allowed(const http_client_t *hc, const char *url)
{
    for (size_t i = 0; i < hc->n_auth_urls; i++)
        if (url_same_origin(hc->auth_urls[i], url))
            return 1;
    return 0;
}

/* l + line, or NULL (l freed) on ENOMEM. */
static struct curl_slist *add_header(struct curl_slist *l, const char *line)
{
    struct curl_slist *l2 = l ? curl_slist_append(l, line) : NULL;
    if (!l2)
        curl_slist_free_all(l);
    return l2;
}

/* The request headers of one hop: the auth header only to its origins
 * (*sent_auth = 1 when it is in). */
static struct curl_slist *headers_for(const http_client_t *hc, const request_t *rq, const char *url,
                                      int *sent_auth)
{
    struct curl_slist *l = curl_slist_append(NULL, "Accept: application/json");
    if (rq->content_type) {
        char ct[256];
        snprintf(ct, sizeof(ct), "Content-Type: %s", rq->content_type);
        l = add_header(l, ct);
    }
    if (rq->header)
        l = add_header(l, rq->header);
    const char *auth = rq->body ? NULL : hc->auth ? rq->auth : hc->auth_header;
    *sent_auth = auth && auth_allowed(hc, url);
    if (*sent_auth)
        l = add_header(l, auth);
    return l;
}

static int is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* "GET URL: reason", or "GET URL (redirected to CUR): reason". */
static void fail_msg(char *errstr, size_t errstr_size, const request_t *rq, const char *cur,
                     const char *fmt, ...) TM_PRINTF(5, 6);
static void fail_msg(char *errstr, size_t errstr_size, const request_t *rq, const char *cur,
                     const char *fmt, ...)
{
    const char *url = rq->url;
    char ru[1024], rc[1024], why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (cur && strcmp(cur, url) != 0)
        errstr_set(errstr, errstr_size, "%s %s (redirected to %s): %s", rq->method,
                   url_redact(url, ru, sizeof(ru)), url_redact(cur, rc, sizeof(rc)), why);
    else
        errstr_set(errstr, errstr_size, "%s %s: %s", rq->method, url_redact(url, ru, sizeof(ru)),
                   why);
}

/*
 * The hop asked again, its body taken as it comes, after libcurl refused
 * the answer's Content-Encoding as one it does not know: an API that
 * labels plain JSON "UTF-8" (PHP's header('Content-Encoding: UTF-8'), a
 * proxy's "none") failed every run, where clients that do not decode
 * read it (t_content_encoding_unknown). A body really encoded so then
 * fails as not JSON, after this warning naming the cause.
 */
static CURLcode perform_as_sent(http_client_t *hc, const char *cur, struct curl_slist *hdrs,
                                http_hop_t *h, char *cerr)
{
    char red[1024];
    log_warn("the answer's Content-Encoding is none libcurl decodes: asked again, its body read "
             "as it comes",
             "url=%s curl=\"%s\"", url_redact_quoted(cur, red, sizeof(red)), cerr);
    http_response_clear(h->resp);
    h->as_sent = 1;
    h->body_cap = h->header_bytes = 0;
    return http_hop_perform(hc->curl, cur, hdrs, hc->timeout_ms, hc->cancel, h, cerr);
}

/*
 * One hop: a request to cur (url is the one first asked for, for the
 * message). 0 when an answer came, whatever its status; else 1
 * (transient) or -1 (fatal) with errstr.
 */
static int one_hop(http_client_t *hc, const request_t *rq, const char *cur, http_hop_t *h,
                   char *errstr, size_t errstr_size)
{
    char cerr[CURL_ERROR_SIZE] = "";
    http_response_clear(h->resp);
    h->post_body = rq->body;
    h->ca_file = hc->ca_file;
    struct curl_slist *hdrs = headers_for(hc, rq, cur, &h->sent_auth);
    CURLcode cc = CURLE_OUT_OF_MEMORY;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (hdrs)
        cc = http_hop_perform(hc->curl, cur, hdrs, hc->timeout_ms, hc->cancel, h, cerr);
    else
        h->oom = 1;
    /* a coding it does not know, not a known one's bytes that do not
     * decode (a body cut short: that fails as before) */
    if (cc == CURLE_BAD_CONTENT_ENCODING && !h->as_sent &&
        strstr(cerr, "nrecognized content encoding"))
        cc = perform_as_sent(hc, cur, hdrs, h, cerr);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (hdrs && hc->observe && cc != CURLE_ABORTED_BY_CALLBACK)
        hc->observe(hc->observe_ctx, cc == CURLE_OK ? h->resp->status : 0,
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    curl_slist_free_all(hdrs);
    if (h->body_too_large) {
        fail_msg(errstr, errstr_size, rq, cur,
                 "the response is larger than max.response.size (%lld bytes after "
                 "decompression)",
                 (long long)hc->max_response_size);
    } else if (h->headers_too_large) {
        fail_msg(errstr, errstr_size, rq, cur, "the response headers exceed %d bytes",
                 HTTP_MAX_HEADER_BYTES);
    } else if (h->oom) {
        fail_msg(errstr, errstr_size, rq, cur, "out of memory");
    } else if (cc == CURLE_ABORTED_BY_CALLBACK) {
        fail_msg(errstr, errstr_size, rq, cur, "interrupted");
    } else if (cc != CURLE_OK) {
        fail_msg(errstr, errstr_size, rq, cur, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
        return http_curl_transient(cc) ? 1 : -1;
    } else {
        return 0;
    }
    return -1;
}

/*
 * The redirect policy: the next URL after a redirect answer from cur with
 * a Location, hops redirects followed so far. At most HTTP_MAX_REDIRECTS;
 * the Location resolves against cur and must pass url_check_follow (http
 * or https, never from https to http). 0 with *next (caller frees), or -1
 * with errstr (fatal).
 */
static int redirect_next(const request_t *rq, const char *cur, const http_hop_t *h, int hops,
                         char **next, char *errstr, size_t errstr_size)
{
    char why[1024];
    *next = NULL;
    if (hops >= HTTP_MAX_REDIRECTS) {
        fail_msg(errstr, errstr_size, rq, cur, "more than %d redirects", HTTP_MAX_REDIRECTS);
        return -1;
    }
    if (url_resolve(cur, h->location, next, why, sizeof(why)) != 0 ||
        url_check_follow(cur, *next, why, sizeof(why)) != 0) {
        free(*next);
        *next = NULL;
        fail_msg(errstr, errstr_size, rq, cur, "HTTP status %ld, Location: %s", h->resp->status,
                 why);
        return -1;
    }
    return 0;
}

/* A 2xx answer from *cur: resp takes *cur, the time sent, the Date and
 * the auth line sent. 0, or -1 with errstr on ENOMEM. */
static int take_answer(http_hop_t *h, char **cur, int64_t sent_at, const request_t *rq,
                       char *errstr, size_t errstr_size)
{
    http_response_t *resp = h->resp;
    if ((!resp->body && !(resp->body = strdup(""))) ||
        (rq->auth && !(resp->auth_line = strdup(rq->auth)))) {
        fail_msg(errstr, errstr_size, rq, *cur, "out of memory");
        return -1;
    }
    resp->url = *cur;
    *cur = NULL;
    resp->sent_at_ms = sent_at;
    if (http_date_ms(h->date, &resp->date_ms) != 0)
        resp->date_ms = 0; /* none, or not a date */
    return 0;
}

/* Any other answer: 1 (transient: 408, 429, 5xx; *retry_after takes its
 * Retry-After value) or -1, with errstr. */
static int answer_failed(http_hop_t *h, const request_t *rq, const char *cur, char **retry_after,
                         char *errstr, size_t errstr_size)
{
    long status = h->resp->status;
    fail_msg(errstr, errstr_size, rq, cur, "HTTP status %ld%s", status,
             is_redirect(status) ? " without a Location" : "");
    if (!http_status_transient(status))
        return -1;
    *retry_after = h->retry_after;
    h->retry_after = NULL;
    return 1;
}

/*
 * One request with its redirects, each hop with its own headers (a POST
 * follows none). Returns 0 ok, 1 transient, -1 fatal; errstr set unless
 * 0. *retry_after gets the failed answer's Retry-After value (caller
 * frees), if it had one; *auth_refused = 1 when the answer was a 401 to
 * the auth header.
 */
static int attempt(http_client_t *hc, const request_t *rq, http_response_t *resp,
                   char **retry_after, int *auth_refused, char *errstr, size_t errstr_size)
{
    char why[1024];
    *retry_after = NULL;
    *auth_refused = 0;
    if (url_check_follow(NULL, rq->url, why, sizeof(why)) != 0) {
        fail_msg(errstr, errstr_size, rq, NULL, "%s", why);
        return -1;
    }
    char *cur = strdup(rq->url);
    if (!cur) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int64_t sent_at = isotime_now_ms();
    int rc;
    for (int hops = 0;; hops++) {
        http_hop_t h = {.resp = resp, .max_body = hc->max_response_size};
        rc = one_hop(hc, rq, cur, &h, errstr, errstr_size);
        if (rc == 0 && is_redirect(resp->status) && rq->body) {
            /* never with credentials: the Basic header and the body would
             * go to another origin, and a 303 would turn it into a GET */
            fail_msg(errstr, errstr_size, rq, cur,
                     "HTTP status %ld: a redirect of a POST is not followed (it would take the "
                     "credentials elsewhere)",
                     resp->status);
            rc = -1;
        } else if (rc == 0 && is_redirect(resp->status) && h.location) {
            char *next;
            rc = redirect_next(rq, cur, &h, hops, &next, errstr, errstr_size);
            if (rc == 0) {
                free(cur);
                cur = next;
                http_hop_clear(&h);
                continue;
            }
        } else if (rc == 0 && resp->status >= 200 && resp->status < 300) {
            rc = take_answer(&h, &cur, sent_at, rq, errstr, errstr_size);
        } else if (rc == 0) {
            rc = answer_failed(&h, rq, cur, retry_after, errstr, errstr_size);
            *auth_refused = resp->status == 401 && h.sent_auth;
        }
        http_hop_clear(&h);
        break;
    }
    free(cur);
    if (rc > 0 || (rc < 0 && !rq->keep_refusal))
        http_response_clear(resp); /* a POST's refusal stays for its caller */
    return rc;
}

/* rq->auth = the auth source's line now; refused: the current one got a
 * 401. 0, or -1 with errstr (fatal: the source ran its own retries). */
static int auth_now(http_client_t *hc, request_t *rq, int refused, char *errstr, size_t errstr_size)
{
    if (!hc->auth || rq->body)
        return 0;
    char why[1024] = "";
    char *line = NULL;
    int rc = hc->auth->header(hc->auth->opaque, refused ? rq->auth : NULL, hc->cancel, &line, why,
                              sizeof(why));
    free(rq->auth);
    rq->auth = line;
    if (rc == 0 && line)
        return 0;
    fail_msg(errstr, errstr_size, rq, NULL, "%s", rc == 0 ? "no auth header" : why);
    return -1;
}

/* What asked for a wait before a retry; the log's wait_source= names it. */
typedef enum wait_source { WAIT_BACKOFF, WAIT_RETRY_AFTER, WAIT_RETRY_AFTER_CAPPED } wait_source_t;

static const char *const wait_source_names[] = {"backoff", "retry-after", "retry-after-capped"};

/* The wait before a retry: how long, and what asked for it. */
typedef struct retry_wait {
    int64_t ms;
    wait_source_t source;
} retry_wait_t;

/* The wait before retry tries + 1: Retry-After (ra, may be NULL) when it
 * asks for more than the backoff, capped. */
static retry_wait_t retry_wait(const http_client_t *hc, int tries, const char *ra)
{
    /* Retry-After says when the server wants to hear from us again;
     * the backoff still applies when it asks for less. */
    retry_wait_t w = {backoff_delay_capped_ms(tries, RETRY_BACKOFF_CAP_MS), WAIT_BACKOFF};
    int64_t ra_ms = 0, ra_full = 0;
    if (ra && http_retry_after_ms(ra, isotime_now_ms(), hc->retry_max_wait_ms, &ra_ms) == 0 &&
        http_retry_after_ms(ra, isotime_now_ms(), INT64_MAX, &ra_full) == 0 && ra_ms >= w.ms) {
        w.ms = ra_ms;
        w.source = ra_full > ra_ms ? WAIT_RETRY_AFTER_CAPPED : WAIT_RETRY_AFTER;
    }
    return w;
}

/* The log's "stream=NAME " field in buf when the client has a stream,
 * else "". Returns buf. */
static const char *stream_field(const http_client_t *hc, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", hc->stream ? "stream=" : "", hc->stream ? hc->stream : "",
             hc->stream ? " " : "");
    return buf;
}

/* The retry's warning: the request's error and the wait, with the stream
 * when the client has one. */
static void log_retry(const http_client_t *hc, int tries, const retry_wait_t *w, const char *ra,
                      const char *errstr)
{
    char q[768], qra[128], sf[96];
    log_warn("http request failed, retrying",
             "%serror=%s attempt=%d wait_ms=%lld wait_source=%s retry_after=%s",
             stream_field(hc, sf, sizeof(sf)), log_quote(q, sizeof(q), errstr), tries + 1,
             (long long)w->ms, wait_source_names[w->source],
             log_quote(qra, sizeof(qra), ra ? ra : "-"));
}

/* Whether a wait the API asked for (Retry-After) is not to be waited:
 * under a wait limit, before the client's first answer, when it would
 * take the waits in place past the limit. A backoff (5 s at most) is
 * always waited, and counted: a run far into a long walk must not fail at
 * its first 503. */
static int past_limit(http_client_t *hc, const retry_wait_t *w)
{
    if (!hc->wait_limit_ms)
        return 0;
    if (w->source != WAIT_BACKOFF && hc->waited_ms + w->ms > hc->wait_limit_ms)
        return 1;
    hc->waited_ms += w->ms;
    return 0;
}

/* The wait w is not waited: the client's retry_due_ms is when it ends,
 * later requests fail unsent, and errstr says so. */
static void defer(http_client_t *hc, const retry_wait_t *w, char *errstr, size_t errstr_size)
{
    char when[ISOTIME_BUFSIZE];
    int64_t due = isotime_monotonic_ms() + w->ms;
    if (due > hc->retry_due_ms) /* a longer wait asked before still holds */
        hc->retry_due_ms = due;
    hc->deferred = 1;
    format_mono(hc->retry_due_ms, when);
    size_t n = strlen(errstr);
    errstr_set(errstr + n, errstr_size - n,
               " (retry deferred: its wait of %lld ms (%s) would hold the other streams' "
               "turns; no request before %s)",
               (long long)w->ms, wait_source_names[w->source], when);
}

/* Once a wait to retry was deferred, every later request of the client
 * fails at once (1, with errstr), until http_client_resume(). */
static int deferred_before(const http_client_t *hc, const request_t *rq, char *errstr,
                           size_t errstr_size)
{
    if (!hc->deferred)
        return 0;
    char when[ISOTIME_BUFSIZE];
    format_mono(hc->retry_due_ms, when);
    fail_msg(errstr, errstr_size, rq, NULL,
             "not sent: an earlier request's retry was deferred (its wait ends at %s)", when);
    return 1;
}

/* A 401 to the auth source's line: 1 when it is to be sent again with a
 * new line (the first time), 0 when not (errstr says a second one was
 * refused too), -1 when no new line came (errstr). */
static int renew_auth(http_client_t *hc, request_t *rq, int *renewed, char *errstr,
                      size_t errstr_size)
{
    if (*renewed) {
        size_t n = strlen(errstr);
        errstr_set(errstr + n, errstr_size - n, " (a new token was refused too)");
        return 0;
    }
    char ru[1200], sf[96];
    log_warn("the API refused the auth header (401): getting a new one, then sending the "
             "request again",
             "%surl=%s", stream_field(hc, sf, sizeof(sf)),
             url_redact_quoted(rq->url, ru, sizeof(ru)));
    *renewed = 1;
    return auth_now(hc, rq, 1, errstr, errstr_size) != 0 ? -1 : 1;
}

/* After a failed attempt (rc: 1 transient, -1 fatal) number tries, with
 * Retry-After ra: 0 once the wait to retry is over, or -1 (errstr) when
 * it is not retried: fatal, out of retries, deferred or interrupted. */
static int before_retry(http_client_t *hc, const request_t *rq, int rc, int tries, const char *ra,
                        char *errstr, size_t errstr_size)
{
    if (rc < 0)
        return -1;
    retry_wait_t w = retry_wait(hc, tries, ra);
    if (tries >= hc->max_retries) {
        size_t n = strlen(errstr);
        errstr_set(errstr + n, errstr_size - n, " (after %d retries)", tries);
        /* a wait the API asks for with the last retry that a turn could
         * not hold still holds: not asked before it; one it could is a
         * failure for good, as without a limit */
        if (past_limit(hc, &w))
            defer(hc, &w, errstr, errstr_size);
        return -1;
    }
    if (past_limit(hc, &w)) {
        defer(hc, &w, errstr, errstr_size);
        return -1;
    }
    log_retry(hc, tries, &w, ra, errstr);
    if (retry_sleep(hc, w.ms) != 0) {
        fail_msg(errstr, errstr_size, rq, NULL, "interrupted");
        return -1;
    }
    return 0;
}

/* The request with its retries, and one new auth header after a 401. */
static int perform(http_client_t *hc, request_t *rq, http_response_t *resp, char *errstr,
                   size_t errstr_size)
{
    int renewed = 0;
    if (deferred_before(hc, rq, errstr, errstr_size))
        return -1;
    for (int tries = 0;; tries++) {
        char *ra = NULL;
        int refused = 0;
        /* asked before every attempt: a retry after a long wait must not
         * send a token that ran out meanwhile */
        if (auth_now(hc, rq, 0, errstr, errstr_size) != 0)
            return -1;
        int rc = attempt(hc, rq, resp, &ra, &refused, errstr, errstr_size);
        if (rc == 0) {
            /* served: from now on every wait is waited (a run deferred
             * mid-walk would walk its first pages again each time, and
             * against a quota never finish) */
            hc->wait_limit_ms = 0;
            return 0;
        }
        int again = refused && hc->auth ? renew_auth(hc, rq, &renewed, errstr, errstr_size) : 0;
        if (again > 0) {
            free(ra);
            tries--; /* not a retry of a transient failure */
            continue;
        }
        if (again == 0)
            again = before_retry(hc, rq, rc, tries, ra, errstr, errstr_size);
        free(ra);
        if (again < 0)
            return -1;
    }
}

static int get(http_client_t *hc, const char *url, int keep_refusal, http_response_t *resp,
               char *errstr, size_t errstr_size)
{
    request_t rq = {.method = "GET", .url = url, .keep_refusal = keep_refusal};
    int rc = perform(hc, &rq, resp, errstr, errstr_size);
    free(rq.auth);
    return rc;
}

int http_get(http_client_t *hc, const char *url, http_response_t *resp, char *errstr,
             size_t errstr_size)
{
    return get(hc, url, 0, resp, errstr, errstr_size);
}

int http_get_answer(http_client_t *hc, const char *url, http_response_t *resp, char *errstr,
                    size_t errstr_size)
{
    return get(hc, url, 1, resp, errstr, errstr_size);
}

int http_post(http_client_t *hc, const char *url, const char *content_type, const char *body,
              const char *header, http_response_t *resp, char *errstr, size_t errstr_size)
{
    request_t rq = {.method = "POST",
                    .url = url,
                    .body = body ? body : "",
                    .content_type = content_type,
                    .header = header,
                    .keep_refusal = 1};
    return perform(hc, &rq, resp, errstr, errstr_size);
}
