/*
 * test_http.c - common/http.h: the retry classes (pure, table-driven),
 * then GETs against two loopback servers
 * (libmicrohttpd on 127.0.0.1, two ports = two origins): redirects followed
 * one hop at a time with the auth header only for the stream's origin, at
 * most HTTP_MAX_REDIRECTS, http/https only; Link lines of the final answer
 * only; the response size limit; Retry-After honoured and capped, and
 * not waited past a wait limit; an auth source renewed once after a
 * 401, and an answer's words scrubbed of the line it was asked with; POST with its body, no
 * redirects, a refusal's body kept for the caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <microhttpd.h>

#include "isotime.h"
#include "signals.h"
#include "http.h"
#include "loopback.h"

/* ---- pure ---------------------------------------------------------------- */

static void test_transient(void **state)
{
    (void)state;
    static const long yes[] = {408, 429, 500, 502, 503, 504, 599};
    static const long no[] = {200, 301, 304, 400, 401, 403, 404, 410, 422, 600};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!http_status_transient(yes[i]))
            fail_msg("%ld should be retried", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (http_status_transient(no[i]))
            fail_msg("%ld should not be retried", no[i]);
    assert_true(http_curl_transient(CURLE_HTTP2));
    assert_true(http_curl_transient(CURLE_HTTP2_STREAM));
    assert_true(http_curl_transient(CURLE_COULDNT_CONNECT));
    assert_true(http_curl_transient(CURLE_OPERATION_TIMEDOUT));
    assert_false(http_curl_transient(CURLE_WRITE_ERROR));
    assert_false(http_curl_transient(CURLE_UNSUPPORTED_PROTOCOL));
    assert_false(http_curl_transient(CURLE_BAD_CONTENT_ENCODING));
}

/* ---- loopback ------------------------------------------------------------ */

#define MAX_LOG 64

typedef struct reply {
    unsigned status;
    const char *hdr[6][2];
    const char *body; /* static, or NULL for "{}" */
    size_t body_len;  /* 0: strlen(body) */
} reply_t;

typedef struct srv srv_t;
typedef void (*script_fn)(srv_t *s, const char *path, int n, reply_t *r);

struct srv {
    struct MHD_Daemon *d;
    char base[64]; /* http://127.0.0.1:PORT */
    script_fn script;
    int n;                   /* requests so far */
    char path[MAX_LOG][64];  /* each request's path */
    int auth[MAX_LOG];       /* whether it carried X-Auth */
    char xauth[MAX_LOG][32]; /* its X-Auth value */
    char authz[MAX_LOG][64]; /* its Authorization value */
    char ctype[MAX_LOG][64]; /* its Content-Type value */
    char body[256];          /* the last POST's body */
    size_t body_len;
    int64_t at[MAX_LOG]; /* when it arrived (monotonic ms) */
};

typedef struct env {
    srv_t a, b;
} env_t;

static env_t *E; /* for the scripts: the other server's base */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    srv_t *s = cls;
    if (loopback_post_body(method, upload, upload_size, con_cls, s, s->body, sizeof(s->body),
                           &s->body_len))
        return MHD_YES;
    int n = s->n++;
    if (n < MAX_LOG) {
        snprintf(s->path[n], sizeof(s->path[n]), "%s", url);
        const char *xa = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Auth");
        const char *az = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        s->auth[n] = xa != NULL;
        snprintf(s->xauth[n], sizeof(s->xauth[n]), "%s", xa ? xa : "");
        snprintf(s->authz[n], sizeof(s->authz[n]), "%s", az ? az : "");
        snprintf(s->ctype[n], sizeof(s->ctype[n]), "%s", ct ? ct : "");
        s->at[n] = isotime_monotonic_ms();
    }
    reply_t r = {200, {{NULL, NULL}}, NULL, 0};
    if (s->script)
        s->script(s, url, n + 1, &r);
    const char *body = r.body ? r.body : "{}";
    size_t len = r.body_len ? r.body_len : strlen(body);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    for (int i = 0; i < 6 && r.hdr[i][0]; i++)
        MHD_add_response_header(resp, r.hdr[i][0], r.hdr[i][1]);
    enum MHD_Result ret = MHD_queue_response(c, r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void srv_start(srv_t *s)
{
    s->d = loopback_start(on_request, s, "", s->base, sizeof(s->base));
}

static int setup(void **state)
{
    env_t *e = calloc(1, sizeof(*e));
    srv_start(&e->a);
    srv_start(&e->b);
    E = e;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env_t *e = *state;
    loopback_stop(e->a.d);
    loopback_stop(e->b.d);
    free(e);
    E = NULL;
    return 0;
}

static void reset(env_t *e, script_fn a, script_fn b)
{
    e->a.n = e->b.n = 0;
    e->a.script = a;
    e->b.script = b;
}

/* A client like a stream's: auth for a's origin only. */
static http_client_t *client(env_t *e, int max_retries)
{
    char err[256];
    http_client_t *hc = http_client_new("X-Auth: s3cr3t", 5000, max_retries, err, sizeof(err));
    assert_non_null(hc);
    char url[128];
    snprintf(url, sizeof(url), "%s/items", e->a.base);
    assert_int_equal(http_client_allow_auth(hc, url, err, sizeof(err)), 0);
    return hc;
}

static char loc[128];

/* a: /start -> b: /landing (another origin), with a Link on the 3xx */
static void cross_a(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)n;
    if (strcmp(path, "/start") == 0) {
        snprintf(loc, sizeof(loc), "%s/landing", E->b.base);
        *r = (reply_t){302, {{"Location", loc}, {"Link", "</wrong>; rel=\"next\""}}, NULL, 0};
    }
}

static void cross_b(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)path, (void)n;
    *r = (reply_t){200,
                   {{"Link", "</p1>; rel=\"first\""}, {"Link", "</p2>; rel=\"next\""}},
                   "{\"data\":[]}",
                   0};
}

static void test_cross_origin_redirect(void **state)
{
    env_t *e = *state;
    reset(e, cross_a, cross_b);
    http_client_t *hc = client(e, 0);
    char url[128], err[512], want[128];
    snprintf(url, sizeof(url), "%s/start", e->a.base);
    http_response_t resp = {0};
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 1);
    assert_int_equal(e->b.n, 1);
    assert_true(e->a.auth[0]);  /* the stream's origin gets it */
    assert_false(e->b.auth[0]); /* the redirect target does not */
    snprintf(want, sizeof(want), "%s/landing", e->b.base);
    assert_string_equal(resp.url, want);
    /* both Link lines of the final answer, none of the 3xx */
    assert_string_equal(resp.link, "</p1>; rel=\"first\"\n</p2>; rel=\"next\"");
    assert_string_equal(resp.body, "{\"data\":[]}");
    http_response_clear(&resp);

    /* back on the stream's origin after a detour: it gets it again */
    e->b.script = NULL;
    reset(e, cross_a, NULL);
    snprintf(url, sizeof(url), "%s/items?x=1", e->a.base);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_true(e->a.auth[0]);
    http_response_clear(&resp);
    http_client_destroy(hc);
}

/* a: /r/N -> /r/N+1 (relative) until N = limit, then 200 */
static int redirect_limit;
static void chain(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)n;
    int k = atoi(path + 3);
    if (k < redirect_limit) {
        snprintf(loc, sizeof(loc), "/r/%d", k + 1);
        *r = (reply_t){k % 2 ? 301 : 307, {{"Location", loc}}, NULL, 0};
    }
}

static void test_redirect_limit(void **state)
{
    env_t *e = *state;
    http_client_t *hc = client(e, 3);
    char url[128], err[512];
    snprintf(url, sizeof(url), "%s/r/0", e->a.base);
    http_response_t resp = {0};

    reset(e, chain, NULL);
    redirect_limit = HTTP_MAX_REDIRECTS;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, HTTP_MAX_REDIRECTS + 1);
    for (int i = 0; i < e->a.n; i++)
        assert_true(e->a.auth[i]); /* same origin all the way */
    http_response_clear(&resp);

    reset(e, chain, NULL);
    redirect_limit = HTTP_MAX_REDIRECTS + 1;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "more than 5 redirects"));
    assert_int_equal(e->a.n, HTTP_MAX_REDIRECTS + 1); /* not retried */
    http_client_destroy(hc);
}

static void to_file(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)path, (void)n;
    *r = (reply_t){302, {{"Location", "file:///etc/passwd"}}, NULL, 0};
}

static void to_gopher(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)path, (void)n;
    *r = (reply_t){301, {{"Location", "gopher://127.0.0.1/x"}}, NULL, 0};
}

static void test_schemes(void **state)
{
    env_t *e = *state;
    http_client_t *hc = client(e, 3);
    char url[128], err[512];
    http_response_t resp = {0};
    snprintf(url, sizeof(url), "%s/x?api_key=SECRET", e->a.base);

    reset(e, to_file, NULL);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "scheme 'file' is not allowed"));
    assert_null(strstr(err, "SECRET"));
    assert_non_null(strstr(err, "api_key=***"));
    assert_int_equal(e->a.n, 1);

    reset(e, to_gopher, NULL);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "scheme 'gopher' is not allowed"));

    /* a URL handed to http_get directly is checked too */
    reset(e, NULL, NULL);
    assert_int_equal(http_get(hc, "file:///etc/passwd", &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "scheme 'file' is not allowed"));
    http_client_destroy(hc);
}

#define BIG (200 * 1024)
static char big[BIG];

static void big_body(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)path, (void)n;
    *r = (reply_t){200, {{NULL, NULL}}, big, BIG};
}

static void test_size_limit(void **state)
{
    env_t *e = *state;
    memset(big, 'x', sizeof(big));
    http_client_t *hc = client(e, 3);
    char url[128], err[512];
    http_response_t resp = {0};
    snprintf(url, sizeof(url), "%s/big", e->a.base);
    reset(e, big_body, NULL);

    http_client_set_limits(hc, 1000, BIG);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(resp.body_len, BIG);
    http_response_clear(&resp);

    http_client_set_limits(hc, 1000, BIG - 1);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "larger than max.response.size (204799 bytes"));
    assert_non_null(strstr(err, "/big"));
    assert_int_equal(e->a.n, 2); /* not retried */
    assert_null(resp.body);
    http_client_destroy(hc);
}

static const char *retry_after_value;
static long first_status;

static void busy_once(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)path;
    if (n == 1)
        *r = (reply_t){(unsigned)first_status, {{"Retry-After", retry_after_value}}, NULL, 0};
}

static void busy_always(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)n;
    busy_once(s, path, 1, r);
}

static void busy_second(srv_t *s, const char *path, int n, reply_t *r)
{
    busy_once(s, path, n - 1, r);
}

static void test_retry_after_honoured(void **state)
{
    env_t *e = *state;
    http_client_t *hc = client(e, 2);
    char url[128], err[512];
    http_response_t resp = {0};
    snprintf(url, sizeof(url), "%s/busy", e->a.base);

    /* 429, Retry-After: 1 -> the retry comes a second later, not 200 ms */
    reset(e, busy_once, NULL);
    retry_after_value = "1";
    first_status = 429;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    assert_true(e->a.at[1] - e->a.at[0] >= 950);
    http_response_clear(&resp);

    /* 503 asking for an hour, retry.max_wait = 300 ms */
    http_client_set_limits(hc, 300, 1 << 20);
    reset(e, busy_once, NULL);
    retry_after_value = "3600";
    first_status = 503;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    assert_true(e->a.at[1] - e->a.at[0] >= 250);
    assert_true(e->a.at[1] - e->a.at[0] < 3000);
    http_response_clear(&resp);

    /* 408 is retried; garbage in Retry-After falls back to the backoff */
    reset(e, busy_once, NULL);
    retry_after_value = "whenever";
    first_status = 408;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    http_response_clear(&resp);
    http_client_destroy(hc);
}

/* A wait limit: a backoff is waited whatever the limit, and a
 * Retry-After within it; a longer Retry-After fails the GET at once, says
 * when the wait ends, and every later GET of the client fails without
 * being sent. */
static void test_wait_limit(void **state)
{
    env_t *e = *state;
    http_client_t *hc = client(e, 8);
    char url[128], err[512];
    http_response_t resp = {0};
    snprintf(url, sizeof(url), "%s/busy", e->a.base);

    /* 408 with the 200 ms backoff, under a limit of 1 ms: waited */
    http_client_set_wait_limit(hc, 1);
    reset(e, busy_once, NULL);
    retry_after_value = "whenever";
    first_status = 408;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    assert_int_equal(http_client_retry_due(hc), 0);
    http_response_clear(&resp);

    /* 503, Retry-After: 1, under a limit of 5 s: waited */
    http_client_set_wait_limit(hc, 5000);
    reset(e, busy_once, NULL);
    retry_after_value = "1";
    first_status = 503;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    assert_int_equal(http_client_retry_due(hc), 0);
    http_response_clear(&resp);

    /* 503, Retry-After: 30, under a limit of 1 s: not waited */
    http_client_set_wait_limit(hc, 1000);
    reset(e, busy_once, NULL);
    retry_after_value = "30";
    first_status = 503;
    int64_t t0 = isotime_monotonic_ms();
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_int_equal(e->a.n, 1);
    /* not the 30 s wait (wide for a busy machine under ASan) */
    assert_true(isotime_monotonic_ms() - t0 < 10000);
    assert_non_null(strstr(err, "HTTP status 503 (retry deferred: its wait of 30000 ms"));
    int64_t due = http_client_retry_due(hc); /* monotonic: a clock stepped does not move it */
    assert_true(due >= t0 + 30000 && due < isotime_monotonic_ms() + 30000 + 1000);

    /* the next GET is not sent */
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_int_equal(e->a.n, 1);
    assert_non_null(strstr(err, "not sent: an earlier request's retry was deferred"));
    http_client_destroy(hc);

    /* the waits in place add up: Retry-After 1, then 1 again, under a
     * limit of 1.5 s: the second is not waited */
    hc = client(e, 8);
    http_client_set_wait_limit(hc, 1500);
    reset(e, busy_always, NULL);
    retry_after_value = "1";
    first_status = 503;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_int_equal(e->a.n, 2);
    assert_non_null(strstr(err, "retry deferred"));
    http_client_destroy(hc);

    /* a Retry-After with the last retry still holds: no request before it */
    hc = client(e, 0);
    http_client_set_wait_limit(hc, 5000);
    reset(e, busy_once, NULL);
    retry_after_value = "30";
    first_status = 503;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_true(http_client_retry_due(hc) > isotime_monotonic_ms() + 25000);
    /* ... and http_client_resume() lets requests go again */
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_int_equal(e->a.n, 1);
    http_client_resume(hc);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    http_response_clear(&resp);
    http_client_destroy(hc);

    /* once served, a Retry-After past the limit is waited: a run deferred
     * mid-walk would walk its first pages again, and never finish */
    hc = client(e, 8);
    http_client_set_wait_limit(hc, 500);
    reset(e, busy_second, NULL);
    retry_after_value = "1";
    first_status = 429;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    http_response_clear(&resp);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 3);
    assert_int_equal(http_client_retry_due(hc), 0);
    http_response_clear(&resp);
    http_client_destroy(hc);
}

static void dated(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s, (void)n;
    if (strcmp(path, "/hop") == 0) {
        r->status = 302;
        r->hdr[0][0] = "Location";
        r->hdr[0][1] = "/dated";
        r->hdr[1][0] = "Date";
        r->hdr[1][1] = "Sat, 05 Nov 1994 08:49:37 GMT"; /* a hop's: not kept */
        return;
    }
    r->hdr[0][0] = "Date";
    r->hdr[0][1] = "Sun, 06 Nov 1994 08:49:37 GMT";
}

/* date_ms is the final answer's Date header, after a redirect too. */
static void test_date_header(void **state)
{
    env_t *e = *state;
    http_client_t *hc = client(e, 0);
    char url[128], err[512];
    http_response_t resp = {0};
    reset(e, dated, NULL);
    snprintf(url, sizeof(url), "%s/hop", e->a.base);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(resp.date_ms, 784111777000LL);
    http_response_clear(&resp);
    assert_int_equal(resp.date_ms, 0);
    http_client_destroy(hc);
}

/* ---- an auth source ------------------------------------------------------ */

typedef struct fake_auth {
    int version;  /* the line is "X-Auth: tN" */
    int renewals; /* calls with a rejected line */
} fake_auth_t;

static int fake_header(void *opaque, const char *rejected, const atomic_int *cancel, char **line,
                       char *errstr, size_t errstr_size)
{
    (void)cancel, (void)errstr, (void)errstr_size;
    fake_auth_t *f = opaque;
    char cur[32];
    snprintf(cur, sizeof(cur), "X-Auth: t%d", f->version);
    if (rejected && !strcmp(rejected, cur)) {
        f->renewals++;
        snprintf(cur, sizeof(cur), "X-Auth: t%d", ++f->version);
    }
    *line = strdup(cur);
    return 0;
}

/* a: 401 unless X-Auth is t2 (or t-anything when accept_any) */
static int accept_any;
static void wants_t2(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)path;
    if (!accept_any && strcmp(s->xauth[n - 1], "t2") != 0)
        *r = (reply_t){401, {{"WWW-Authenticate", "Bearer error=\"invalid_token\""}}, NULL, 0};
}

static void test_auth_source_renewed_once(void **state)
{
    env_t *e = *state;
    fake_auth_t f = {.version = 1};
    http_auth_t auth = {fake_header, &f};
    http_client_t *hc = client(e, 3);
    http_client_set_auth(hc, &auth);
    char url[128], err[512];
    http_response_t resp = {0};
    snprintf(url, sizeof(url), "%s/items", e->a.base);

    /* 401 to t1: renewed to t2, sent again at once (no retry counted) */
    reset(e, wants_t2, NULL);
    accept_any = 0;
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    assert_string_equal(e->a.xauth[0], "t1");
    assert_string_equal(e->a.xauth[1], "t2");
    assert_int_equal(f.renewals, 1);
    assert_string_equal(resp.auth_line, "X-Auth: t2"); /* the line it was last asked with */
    http_response_clear(&resp);
    /* the next GET sends t2 without asking for a renewal */
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0);
    assert_int_equal(f.renewals, 1);
    http_response_clear(&resp);

    /* a second 401 fails it, after exactly one renewal */
    f.version = 5;
    f.renewals = 0;
    reset(e, wants_t2, NULL);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "HTTP status 401 (a new token was refused too)"));
    assert_null(resp.auth_line); /* no answer, no line */
    assert_int_equal(e->a.n, 2);
    assert_int_equal(f.renewals, 1);

    /* a 401 from an origin that never got the header renews nothing */
    f.renewals = 0;
    reset(e, cross_a, wants_t2);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), 0); /* /items: 200 on a */
    assert_string_equal(resp.auth_line, "X-Auth: t6");               /* the source's line then */
    snprintf(url, sizeof(url), "%s/start", e->a.base);
    assert_int_equal(http_get(hc, url, &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "HTTP status 401"));
    assert_int_equal(e->b.n, 1);
    assert_false(e->b.auth[0]);
    assert_int_equal(f.renewals, 0);
    http_client_destroy(hc);
}

/* An OAuth2-like source whose every line is a new token (one per request:
 * as renewals by a guessed request beside the page in hand). */
static int minting_header(void *opaque, const char *rejected, const atomic_int *cancel, char **line,
                          char *errstr, size_t errstr_size)
{
    (void)rejected, (void)cancel, (void)errstr, (void)errstr_size;
    int *minted = opaque;
    char cur[64];
    snprintf(cur, sizeof(cur), "Authorization: Bearer TOKSECRET%04d", ++*minted);
    *line = strdup(cur);
    return 0;
}

/* An API's words about a page are cleared of the token that page was
 * asked with, however many the source gave out since: the client kept its
 * last two lines, and a third renewal while the page was read left the
 * page's token in the log. */
static void test_scrub_the_answers_line(void **state)
{
    env_t *e = *state;
    int minted = 0;
    http_auth_t auth = {minting_header, &minted};
    http_client_t *hc = client(e, 0);
    http_client_set_auth(hc, &auth);
    char url[128], err[512];
    snprintf(url, sizeof(url), "%s/items", e->a.base);
    reset(e, NULL, NULL);
    http_response_t page = {0}, later = {0};
    assert_int_equal(http_get(hc, url, &page, err, sizeof(err)), 0);
    assert_string_equal(page.auth_line, "Authorization: Bearer TOKSECRET0001");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(http_get(hc, url, &later, err, sizeof(err)), 0);
        http_response_clear(&later);
    }
    assert_string_equal(e->a.authz[3], "Bearer TOKSECRET0004");
    char words[] = "{\"error\":\"key TOKSECRET0001 is deprecated\"}";
    http_client_scrub(hc, page.auth_line, url, words);
    assert_string_equal(words, "{\"error\":\"key *** is deprecated\"}");
    http_response_clear(&page);
    assert_null(page.auth_line);
    http_client_destroy(hc);
}

/* ---- POST ------------------------------------------------------------------ */

static void token_endpoint(srv_t *s, const char *path, int n, reply_t *r)
{
    (void)s;
    if (!strcmp(path, "/moved")) {
        snprintf(loc, sizeof(loc), "%s/token", E->b.base);
        *r = (reply_t){307, {{"Location", loc}}, NULL, 0};
    } else if (!strcmp(path, "/refuse")) {
        *r = (reply_t){401, {{NULL, NULL}}, "{\"error\":\"invalid_client\"}", 0};
    } else if (!strcmp(path, "/busy") && n == 1) {
        *r = (reply_t){503, {{"Retry-After", "0"}}, NULL, 0};
    } else {
        *r = (reply_t){200, {{NULL, NULL}}, "{\"access_token\":\"x\"}", 0};
    }
}

static void test_post(void **state)
{
    env_t *e = *state;
    http_client_t *hc = client(e, 2);
    char url[128], err[512];
    http_response_t resp = {0};
    static const char form[] = "application/x-www-form-urlencoded";
    reset(e, token_endpoint, token_endpoint);

    snprintf(url, sizeof(url), "%s/token", e->a.base);
    assert_int_equal(http_post(hc, url, form, "grant_type=client_credentials",
                               "Authorization: Basic YTpi", &resp, err, sizeof(err)),
                     0);
    assert_string_equal(resp.body, "{\"access_token\":\"x\"}");
    assert_string_equal(e->a.body, "grant_type=client_credentials");
    assert_string_equal(e->a.ctype[0], form);
    assert_string_equal(e->a.authz[0], "Basic YTpi");
    assert_false(e->a.auth[0]); /* the client's own auth header: not on a POST */
    http_response_clear(&resp);

    /* a redirect is not followed: the credentials stay where they were sent */
    snprintf(url, sizeof(url), "%s/moved", e->a.base);
    assert_int_equal(
        http_post(hc, url, form, "x=1", "Authorization: Basic YTpi", &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "HTTP status 307: a redirect of a POST is not followed"));
    assert_int_equal(e->b.n, 0);
    http_response_clear(&resp);

    /* a refusal keeps its body for the caller, and is not retried */
    reset(e, token_endpoint, NULL);
    snprintf(url, sizeof(url), "%s/refuse", e->a.base);
    assert_int_equal(http_post(hc, url, form, "x=1", NULL, &resp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "POST "));
    assert_int_equal(resp.status, 401);
    assert_string_equal(resp.body, "{\"error\":\"invalid_client\"}");
    assert_int_equal(e->a.n, 1);
    http_response_clear(&resp);

    /* a 503 is retried like a GET's */
    reset(e, token_endpoint, NULL);
    snprintf(url, sizeof(url), "%s/busy", e->a.base);
    assert_int_equal(http_post(hc, url, form, "x=1", NULL, &resp, err, sizeof(err)), 0);
    assert_int_equal(e->a.n, 2);
    assert_string_equal(e->a.body, "x=1");
    http_response_clear(&resp);
    http_client_destroy(hc);
}

/* The charset parameter of a Content-Type, as servers write it. */
static void test_charset(void **state)
{
    static const struct {
        const char *content_type, *charset;
    } cases[] = {
        {NULL, ""},
        {"application/json", ""},
        {"application/json; charset=utf-8", "utf-8"},
        {"application/json;charset=ISO-8859-1", "ISO-8859-1"},
        {"application/json; Charset=\"windows-1252\"", "windows-1252"},
        {"text/plain; format=flowed; charset=Shift_JIS; x=1", "Shift_JIS"},
        {"application/json; charset=utf-8 ; x=1", "utf-8"},
        {"application/json; charset=", ""},
        {"application/json; xcharset=utf-16", ""},
    };
    char buf[32];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (strcmp(http_charset(cases[i].content_type, buf, sizeof(buf)), cases[i].charset) != 0)
            fail_msg("'%s': '%s', want '%s'",
                     cases[i].content_type ? cases[i].content_type : "(null)", buf,
                     cases[i].charset);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_charset),

        cmocka_unit_test(test_transient),

        cmocka_unit_test_setup_teardown(test_date_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_origin_redirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schemes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_honoured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_source_renewed_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scrub_the_answers_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
