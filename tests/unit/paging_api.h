/*
 * paging_api.h - the loopback API of the page reader's walk tests
 * (test_source_paging.c: seek walks; test_source_tokens.c: cursor and
 * Link walks): libmicrohttpd on 127.0.0.1 serving records sorted by
 * (cursor, id) with a >= filter on `since`, like the demo API, paged by
 * page number, offset, cursor token or Link header, with the faults the
 * tests ask for (caps, short pages, ignored parameters, loops, 5xx).
 * Mutations happen inside the request handler (after a given request),
 * so nothing depends on timing.
 *
 * Header only, included by one test file each (static functions; every
 * test file uses them all): owns the api_t of a test group (setup,
 * teardown); the MHD thread calls handler, the test thread the rest. Fails
 * through cmocka's assertions.
 */
#ifndef TIDEMARK_TEST_PAGING_API_H
#define TIDEMARK_TEST_PAGING_API_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "isotime.h"
#include "loopback.h"
#include "signals.h"
#include "source.h"

#define MAX_RECS 64

typedef struct rec {
    int id;
    int64_t ts;
    int version;
} rec_t;

typedef struct api {
    struct MHD_Daemon *d;
    char base[128];
    rec_t recs[MAX_RECS];
    int n;
    atomic_int requests; /* the server thread counts, the test reads */
    atomic_int answered; /* ... and those it has answered (wait_answered) */
    int fail_next;       /* answer this many requests with 500 */
    int fail_from;       /* if set, answer request #fail_from and later with 500 */
    int retry_after;     /* if set, fail_from's answers are 429 with this Retry-After (s) */
    int status_always;   /* if set, answer every request with it */
    int move_after;      /* after request #move_after, move move_id to the end */
    int move_id;
    int mode;           /* 0 page, 1 cursor (next token = offset), 2 link, 3 offset, 4 next_url (the
                         * link's URL at "next" in the body) */
    int cap;            /* if set, serve at most this many records a page */
    int wrap;           /* if set, next offsets wrap around: a pagination loop */
    int long_tokens;    /* cursor tokens of 2000+ characters ("<offset>-xxx...") */
    int64_t handled_at; /* wall clock when the last request was answered */
    int64_t first_handled_at; /* ... and the first since requests = 0 */
    int delay_ms;             /* then wait this long before replying */
    int delay_from;           /* ... from this request on (0: every one) */
    int ignore_page;          /* serve page 1 whatever page is asked for */
    int short_at;             /* answer request #short_at with two records (a cap by bytes) */
    int fresh_tokens;         /* cursor/link: a token or URL never seen before, each answer */
    int empty_at;             /* cursor: answer request #empty_at with no records and a
                               * fresh token for the same position ("<offset>-e") */
    int trailer;           /* a member named as the cursor after the records, of another value: the
                            * page reader's guess at the next page (source_guess_from) misses */
    int end_404;           /* page mode: a page after the first with no records is a 404, as
                            * Django REST Framework's page numbers answer past the last page */
    atomic_int served_404; /* ... how many were */
} api_t;

static int cmp_rec(const void *a, const void *b)
{
    const rec_t *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->id - y->id;
}

static const char *arg(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

/* Answers status with body (freed with the answer) and, if not NULL, a
 * header (name, value). */
static enum MHD_Result reply_with(struct MHD_Connection *c, unsigned status, char *body,
                                  const char *name, const char *value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (name)
        MHD_add_response_header(r, name, value);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Answers status with body and, if not NULL, a Link header. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body,
                             const char *link)
{
    return reply_with(c, status, body, link ? "Link" : NULL, link);
}

/* The records at or after since, after skipping skip of them, at most
 * size; *more: some are left after them. */
static json_t *page_of(const api_t *a, int64_t since, int skip, int size, int *more)
{
    json_t *data = json_array();
    int matched = 0, i;
    for (i = 0; i < a->n; i++) {
        if (a->recs[i].ts < since)
            continue;
        if (matched++ < skip)
            continue;
        if ((int)json_array_size(data) == size)
            break;
        char iso[ISOTIME_BUFSIZE];
        isotime_format(a->recs[i].ts, iso, sizeof(iso));
        json_array_append_new(data, json_pack("{s:i, s:s, s:i}", "id", a->recs[i].id, "updated",
                                              iso, "v", a->recs[i].version));
    }
    *more = i < a->n;
    return data;
}

/* Cursor mode: the next token naming offset next. */
static json_t *next_token(const api_t *a, int next)
{
    char tok[2100];
    if (a->long_tokens) {
        int k = snprintf(tok, sizeof(tok), "%d-", next);
        memset(tok + k, 'x', 2000);
        tok[k + 2000] = '\0';
        return json_string(tok);
    }
    if (a->fresh_tokens) {
        snprintf(tok, sizeof(tok), "%d-n%d", next, a->requests);
        return json_string(tok);
    }
    return json_integer(next);
}

/* Link and next_url modes: the URL of offset next. */
static void next_url(const api_t *a, int size, int next, char *url, size_t n)
{
    if (a->fresh_tokens)
        snprintf(url, n, "%s?size=%d&p=%d&n=%d", a->base, size, next, (int)a->requests);
    else if (next == 0) /* the walk's first URL */
        snprintf(url, n, "%s?size=%d", a->base, size);
    else
        snprintf(url, n, "%s?size=%d&p=%d", a->base, size, next);
}

/* Link mode: the Link header naming offset next. */
static void next_link(const api_t *a, int size, int next, char *link, size_t n)
{
    char url[200];
    next_url(a, size, next, url, sizeof(url));
    snprintf(link, n, "<%s>; rel=\"next\"", url);
}

static enum MHD_Result answer(api_t *a, struct MHD_Connection *c)
{
    a->requests++;
    a->handled_at = isotime_now_ms();
    if (a->requests == 1)
        a->first_handled_at = a->handled_at;
    if (a->delay_ms > 0 && a->requests >= a->delay_from) {
        struct timespec ts = {a->delay_ms / 1000, (long)(a->delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (a->status_always)
        return reply(c, (unsigned)a->status_always, strdup("{}"), NULL);
    if (a->fail_from && a->requests >= a->fail_from && a->retry_after) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", a->retry_after);
        return reply_with(c, 429, strdup("{}"), "Retry-After", secs);
    }
    if (a->fail_from && a->requests >= a->fail_from)
        return reply(c, 500, strdup("{}"), NULL);
    if (a->fail_next > 0) {
        a->fail_next--;
        return reply(c, 500, strdup("{}"), NULL);
    }
    int64_t since = INT64_MIN;
    char err[64];
    const char *s = arg(c, "since");
    if (s && isotime_parse(s, &since, NULL, err, sizeof(err)) != 0)
        return reply(c, 400, strdup("{}"), NULL);
    const char *ps = arg(c, "size"), *pp = arg(c, "p");
    int size = ps ? atoi(ps) : 1000;
    if (a->cap && size > a->cap)
        size = a->cap; /* as many real APIs do, whatever was asked */
    if (a->short_at && a->requests == a->short_at)
        size = 2; /* a large record filled the page's bytes */
    int skip = a->mode == 0 ? ((pp ? atoi(pp) : 1) - 1) * size : (pp ? atoi(pp) : 0);
    if (a->ignore_page)
        skip = 0;
    int more;
    json_t *data = page_of(a, since, skip, size, &more);
    if (a->end_404 && a->mode == 0 && skip > 0 && json_array_size(data) == 0) {
        json_decref(data);
        a->served_404++;
        return reply(c, 404, strdup("{\"detail\":\"Invalid page.\"}"), NULL);
    }
    if (a->mode == 1 && a->empty_at && a->requests == a->empty_at) {
        /* a page filtered after paging: nothing left, but more to come */
        char tok[32];
        snprintf(tok, sizeof(tok), "%d-e", skip);
        json_t *body = json_pack("{s:[], s:s}", "data", "next", tok);
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        json_decref(data);
        return reply(c, 200, text, NULL);
    }
    more = more || a->wrap;
    int next = a->wrap ? (skip + size) % a->wrap : skip + size;
    json_t *body = json_pack("{s:o}", "data", data);
    char link[256], *linkp = NULL;
    if (a->trailer) /* after "data": jansson keeps the order of insertion */
        json_object_set_new(body, "updated", json_string("2001-01-01T00:00:00Z"));
    if (a->mode == 1 && more)
        json_object_set_new(body, "next", next_token(a, next));
    if (a->mode == 2 && more) {
        next_link(a, size, next, link, sizeof(link));
        linkp = link;
    }
    if (a->mode == 4 && more) {
        next_url(a, size, next, link, sizeof(link));
        json_object_set_new(body, "next", json_string(link));
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (a->move_after && a->requests == a->move_after) /* a change during the walk */
        for (int i = 0; i < a->n; i++)
            if (a->recs[i].id == a->move_id) {
                a->recs[i].ts = a->recs[a->n - 1].ts + 1000;
                a->recs[i].version++;
                qsort(a->recs, (size_t)a->n, sizeof(a->recs[0]), cmp_rec);
                break;
            }
    return reply(c, 200, text, linkp);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)url, (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
    api_t *a = cls;
    enum MHD_Result ret = answer(a, c);
    a->answered++;
    return ret;
}

/* Until every request the API took is answered: a request held (delay_ms)
 * past the end of the walk that asked it must not answer from the next
 * test's records and settings. */
static void wait_answered(api_t *a)
{
    int64_t deadline = isotime_monotonic_ms() + 15000;
    while (a->answered < a->requests) {
        if (isotime_monotonic_ms() > deadline)
            fail_msg("the API still holds a request after 15 s");
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static int setup(void **state)
{
    api_t *a = calloc(1, sizeof(*a));
    a->d = loopback_start(handler, a, "/items", a->base, sizeof(a->base));
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    api_t *a = *state;
    loopback_stop(a->d);
    free(a);
    return 0;
}

static stream_conf_t stream_for(api_t *a, pagination_t pg, int page_size)
{
    stream_conf_t sc = {0};
    sc.name = "items";
    sc.url = a->base;
    sc.id_field = "id";
    sc.cursor_field = "updated";
    sc.cursor_param = "since";
    sc.records_path = "data";
    sc.pagination = pg;
    sc.page_param = "p";
    sc.page_size_param = "size";
    sc.next_path = "next";
    sc.page_size = page_size;
    sc.page_first = 1;
    sc.page_empty_max = 1000;
    sc.cursor_sorted = pg == PAGINATION_NONE || pg == PAGINATION_PAGE || pg == PAGINATION_OFFSET;
    return sc;
}

/* Fills n records; ts_step 0 makes them all tie. Waits first for a
 * request held past the test before (wait_answered). */
static void fill(api_t *a, int n, int64_t ts_step)
{
    wait_answered(a);
    a->n = n;
    a->requests = 0;
    a->answered = 0;
    a->move_after = 0;
    a->ignore_page = 0;
    a->cap = 0;
    a->wrap = 0;
    a->long_tokens = 0;
    a->empty_at = 0;
    a->fresh_tokens = 0;
    a->short_at = 0;
    a->trailer = 0;
    a->end_404 = 0;
    a->served_404 = 0;
    a->fail_from = 0;
    a->retry_after = 0;
    a->delay_from = 0;
    a->mode = 0;
    for (int i = 0; i < n; i++)
        a->recs[i] = (rec_t){i + 1, 1795608000000LL + i * ts_step, 1};
}

/* What the last walk's source said at its end. */
static int last_complete;
static int64_t last_started_at;
static long last_guesses, last_taken, last_misses; /* source_guess_counts() */
static int require_empty_end; /* the next walks call source_require_empty_end() */
static int guess_all;         /* the next walks guess the next page from every body */

/* Walks the whole scan; seen[id] = highest version seen. Returns #pages or -1. */
static int walk(api_t *a, const stream_conf_t *sc, int max_retries, int seen[MAX_RECS + 1],
                char *err, size_t errsize)
{
    http_client_t *hc = http_client_new(NULL, 5000, max_retries, err, errsize);
    assert_non_null(hc);
    source_t *src = source_new(sc, hc);
    if (require_empty_end)
        source_require_empty_end(src);
    if (guess_all)
        source_guess_from(src, 0);
    source_start(src, 0, 0);
    json_t *recs;
    const char *url;
    int rc, pages = 0;
    while ((rc = source_next_page(src, &recs, &url, err, errsize)) == 1) {
        assert_non_null(strstr(url, a->base));
        pages++;
        size_t i;
        json_t *r;
        json_array_foreach(recs, i, r)
        {
            int id = (int)json_integer_value(json_object_get(r, "id"));
            int v = (int)json_integer_value(json_object_get(r, "v"));
            if (seen && v > seen[id])
                seen[id] = v;
        }
        assert_true(pages < 100);
    }
    last_complete = source_complete(src);
    last_started_at = source_started_at(src);
    source_guesses_t g;
    source_guess_counts(src, &g);
    last_guesses = g.made;
    last_taken = g.taken;
    last_misses = g.missed;
    source_destroy(src);
    http_client_destroy(hc);
    return rc < 0 ? -1 : pages;
}

/* Fails naming the first of ids 1..n the walk did not see. */
static void assert_seen_all(const int *seen, int n, const char *label)
{
    for (int id = 1; id <= n; id++)
        if (!seen[id])
            fail_msg("%s: id %d missed", label, id);
}

#endif
