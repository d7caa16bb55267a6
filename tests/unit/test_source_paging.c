/*
 * test_source_paging.c - producer/source.c and http.c against a small
 * loopback API (libmicrohttpd on 127.0.0.1): seek pagination survives a
 * page shift, ties larger than a page, cursor and Link pagination, retries
 * on 5xx and no retry on 404; the walk's end rule under a page-size cap,
 * offsets moving by what was served, pagination loops (repeated cursor
 * tokens and Link URLs) and the walk's clock mark.
 *
 * The fake API serves records sorted by (cursor, id) with a >= filter on
 * `since`, like the demo API. Mutations happen inside the request handler
 * (after a given request), so nothing depends on timing.
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
#include <microhttpd.h>

#include "isotime.h"
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
    int requests;
    int fail_next;     /* answer this many requests with 500 */
    int status_always; /* if set, answer every request with it */
    int move_after;    /* after request #move_after, move move_id to the end */
    int move_id;
    int mode;                 /* 0 page, 1 cursor (next token = offset), 2 link, 3 offset */
    int cap;                  /* if set, serve at most this many records a page */
    int wrap;                 /* if set, next offsets wrap around: a pagination loop */
    int long_tokens;          /* cursor tokens of 2000+ characters ("<offset>-xxx...") */
    int64_t handled_at;       /* wall clock when the last request was answered */
    int64_t first_handled_at; /* ... and the first since requests = 0 */
    int delay_ms;             /* then wait this long before replying */
    int ignore_page;          /* serve page 1 whatever page is asked for */
    int short_at;             /* answer request #short_at with two records (a cap by bytes) */
    int fresh_tokens;         /* cursor/link: a token or URL never seen before, each answer */
    int empty_at;             /* cursor: answer request #empty_at with no records and a
                               * fresh token for the same position ("<offset>-e") */
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

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body,
                             const char *link)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (link)
        MHD_add_response_header(r, "Link", link);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)url, (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
    api_t *a = cls;
    a->requests++;
    a->handled_at = isotime_now_ms();
    if (a->requests == 1)
        a->first_handled_at = a->handled_at;
    if (a->delay_ms > 0) {
        struct timespec ts = {0, (long)a->delay_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (a->status_always)
        return reply(c, (unsigned)a->status_always, strdup("{}"), NULL);
    if (a->fail_next > 0) {
        a->fail_next--;
        return reply(c, 500, strdup("{}"), NULL);
    }
    int64_t since = INT64_MIN;
    char err[64];
    const char *s = arg(c, "since");
    if (s && isotime_parse(s, &since, NULL, err, sizeof err) != 0)
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
        isotime_format(a->recs[i].ts, iso, sizeof iso);
        json_array_append_new(data, json_pack("{s:i, s:s, s:i}", "id", a->recs[i].id, "updated",
                                              iso, "v", a->recs[i].version));
    }
    if (a->mode == 1 && a->empty_at && a->requests == a->empty_at) {
        /* a page filtered after paging: nothing left, but more to come */
        char tok[32];
        snprintf(tok, sizeof tok, "%d-e", skip);
        json_t *body = json_pack("{s:[], s:s}", "data", "next", tok);
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        json_decref(data);
        return reply(c, 200, text, NULL);
    }
    int more = i < a->n || a->wrap;
    int next = a->wrap ? (skip + size) % a->wrap : skip + size;
    json_t *body = json_pack("{s:o}", "data", data);
    char link[256], *linkp = NULL;
    if (a->mode == 1 && more && a->long_tokens) {
        char tok[2100];
        int k = snprintf(tok, sizeof tok, "%d-", next);
        memset(tok + k, 'x', 2000);
        tok[k + 2000] = '\0';
        json_object_set_new(body, "next", json_string(tok));
    } else if (a->mode == 1 && more && a->fresh_tokens) {
        char tok[32];
        snprintf(tok, sizeof tok, "%d-n%d", next, a->requests);
        json_object_set_new(body, "next", json_string(tok));
    } else if (a->mode == 1 && more) {
        json_object_set_new(body, "next", json_integer(next));
    }
    if (a->mode == 2 && more) {
        if (a->fresh_tokens)
            snprintf(link, sizeof link, "<%s?size=%d&p=%d&n=%d>; rel=\"next\"", a->base, size, next,
                     a->requests);
        else if (next == 0) /* the walk's first URL */
            snprintf(link, sizeof link, "<%s?size=%d>; rel=\"next\"", a->base, size);
        else
            snprintf(link, sizeof link, "<%s?size=%d&p=%d>; rel=\"next\"", a->base, size, next);
        linkp = link;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (a->requests == a->move_after) /* a change during the walk */
        for (i = 0; i < a->n; i++)
            if (a->recs[i].id == a->move_id) {
                a->recs[i].ts = a->recs[a->n - 1].ts + 1000;
                a->recs[i].version++;
                qsort(a->recs, (size_t)a->n, sizeof a->recs[0], cmp_rec);
                break;
            }
    return reply(c, 200, text, linkp);
}

static int setup(void **state)
{
    api_t *a = calloc(1, sizeof *a);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, a,
                            MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    assert_non_null(a->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(a->base, sizeof a->base, "http://127.0.0.1:%u/items", (unsigned)info->port);
    char err[128];
    assert_int_equal(http_global_init(err, sizeof err), 0);
    signals_install();
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    api_t *a = *state;
    MHD_stop_daemon(a->d);
    http_global_cleanup();
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
    return sc;
}

/* Fills n records; ts_step 0 makes them all tie. */
static void fill(api_t *a, int n, int64_t ts_step)
{
    a->n = n;
    a->requests = 0;
    a->move_after = 0;
    a->ignore_page = 0;
    a->cap = 0;
    a->wrap = 0;
    a->long_tokens = 0;
    a->empty_at = 0;
    a->fresh_tokens = 0;
    a->short_at = 0;
    a->mode = 0;
    for (int i = 0; i < n; i++)
        a->recs[i] = (rec_t){i + 1, 1795608000000LL + i * ts_step, 1};
}

/* What the last walk's source said at its end. */
static int last_complete;
static int64_t last_started_at;
static int require_empty_end; /* the next walks call source_require_empty_end() */

/* Walks the whole scan; seen[id] = highest version seen. Returns #pages or -1. */
static int walk(api_t *a, const stream_conf_t *sc, int max_retries, int seen[MAX_RECS + 1],
                char *err, size_t errsize)
{
    http_client_t *hc = http_client_new(NULL, 5000, max_retries, err, errsize);
    assert_non_null(hc);
    source_t *src = source_new(sc, hc);
    if (require_empty_end)
        source_require_empty_end(src);
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
    source_destroy(src);
    http_client_destroy(hc);
    return rc < 0 ? -1 : pages;
}

static void test_seek_survives_page_shift(void **state)
{
    api_t *a = *state;
    fill(a, 10, 1000);
    /* After page 1 (ids 1-3) id 1 changes: a plain page walk would now
     * serve 5,6,7 as page 2 and never see id 4. */
    a->move_after = 1;
    a->move_id = 1;
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    assert_true(walk(a, &sc, 0, seen, err, sizeof err) > 0);
    for (int id = 1; id <= 10; id++)
        if (!seen[id])
            fail_msg("id %d missed", id);
    assert_int_equal(seen[1], 2); /* the changed version was seen too */
}

static void test_ties_larger_than_a_page(void **state)
{
    api_t *a = *state;
    fill(a, 7, 0); /* all at one timestamp */
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    /* page 1 without since; since moves to the tie and page 1 is read again
     * (3 skipped later by digest), then pages 2 and 3 at the same since */
    assert_int_equal(walk(a, &sc, 0, seen, err, sizeof err), 4);
    for (int id = 1; id <= 7; id++)
        assert_int_equal(seen[id], 1);
}

/* An API that ignores the page parameter would keep a tie group's walk
 * on one page for ever: the walk must stop with an error instead. */
static void test_ignored_page_param_is_an_error(void **state)
{
    api_t *a = *state;
    fill(a, 7, 0);
    a->ignore_page = 1;
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    char err[256];
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "the same records as the previous page"));
    assert_non_null(strstr(err, "'p'"));
}

static void test_cursor_and_link(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
    } cases[] = {{1, PAGINATION_CURSOR}, {2, PAGINATION_LINK}};
    for (size_t k = 0; k < 2; k++) {
        fill(a, 8, 1000);
        a->mode = cases[k].mode;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        int seen[MAX_RECS + 1] = {0};
        char err[256];
        assert_int_equal(walk(a, &sc, 0, seen, err, sizeof err), 3);
        for (int id = 1; id <= 8; id++)
            assert_int_equal(seen[id], 1);
    }
    a->mode = 0;
}

/* A cursor page left empty (filtered after paging) that still names a
 * next token is no end: the walk follows the token. */
static void test_cursor_empty_page_with_token(void **state)
{
    api_t *a = *state;
    fill(a, 8, 1000);
    a->mode = 1;
    a->empty_at = 2;
    stream_conf_t sc = stream_for(a, PAGINATION_CURSOR, 3);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    /* 1-3, (empty, token "3-e"), 4-6, 7-8 */
    assert_int_equal(walk(a, &sc, 0, seen, err, sizeof err), 4);
    assert_true(last_complete);
    for (int id = 1; id <= 8; id++)
        if (!seen[id])
            fail_msg("id %d missed", id);
    a->mode = 0;
    a->empty_at = 0;
}

/* A cursor or Link API that ignores the token and mints a fresh one with
 * every answer serves its first page for ever: the walk fails at the
 * second page, naming the parameter, before handing out the repeat. */
static void test_cursor_ignored_is_an_error(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
        const char *what;
    } cases[] = {
        {1, PAGINATION_CURSOR, "does the API take 'p' as its cursor parameter?"},
        {2, PAGINATION_LINK, "the API ignores its own next link"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fill(a, 8, 1000);
        a->mode = cases[k].mode;
        a->ignore_page = 1;
        a->fresh_tokens = 1;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        int seen[MAX_RECS + 1] = {0};
        char err[1024];
        assert_int_equal(walk(a, &sc, 0, seen, err, sizeof err), -1);
        if (!strstr(err, "the same records as the previous page") || !strstr(err, cases[k].what))
            fail_msg("case %zu: %s", k, err);
        assert_int_equal(a->requests, 2);
        assert_false(last_complete);
    }
    /* honoured fresh tokens are fine */
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fill(a, 8, 1000);
        a->mode = cases[k].mode;
        a->fresh_tokens = 1;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        int seen[MAX_RECS + 1] = {0};
        char err[1024];
        if (walk(a, &sc, 0, seen, err, sizeof err) != 3)
            fail_msg("case %zu: %s", k, err);
        for (int id = 1; id <= 8; id++)
            assert_int_equal(seen[id], 1);
    }
    fill(a, 0, 1000);
}

/* An API that caps the page size below page.size: a short page is no end.
 * The walk goes on until a page is empty or shorter than one it served. */
static void test_page_cap(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
    } cases[] = {{0, PAGINATION_PAGE}, {3, PAGINATION_OFFSET}};
    for (size_t k = 0; k < 2; k++) {
        fill(a, 10, 1000);
        a->mode = cases[k].mode;
        a->cap = 3;
        stream_conf_t sc = stream_for(a, cases[k].pg, 5);
        int seen[MAX_RECS + 1] = {0};
        char err[256];
        /* 1-3; since 3: 3-5; since 5: 5-7; since 7: 7-9; since 9: 9,10 (short) */
        assert_int_equal(walk(a, &sc, 0, seen, err, sizeof err), 5);
        assert_true(last_complete);
        for (int id = 1; id <= 10; id++)
            if (!seen[id])
                fail_msg("mode %d: id %d missed", cases[k].mode, id);
    }
}

/* An API that caps pages by bytes serves a short page mid-stream. The
 * cheap end rule stops there (fine for an incremental run: the next run
 * goes on); a walk that must be complete ends only on an empty page. */
static void test_short_page_mid_stream(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
    } cases[] = {{0, PAGINATION_PAGE}, {3, PAGINATION_OFFSET}};
    for (size_t k = 0; k < 2; k++) {
        for (int strict = 0; strict <= 1; strict++) {
            fill(a, 12, 1000);
            a->mode = cases[k].mode;
            a->short_at = 2; /* 1-3; since 3: just 3, 4 */
            stream_conf_t sc = stream_for(a, cases[k].pg, 3);
            int seen[MAX_RECS + 1] = {0};
            char err[256];
            require_empty_end = strict;
            int pages = walk(a, &sc, 0, seen, err, sizeof err);
            require_empty_end = 0;
            if (!strict) {
                assert_int_equal(pages, 2); /* the cheap rule: ended early */
                assert_false(seen[5]);
                continue;
            }
            /* 1-3; since 3: 3,4 (short); since 4: 4-6; since 6: 6-8; since 8:
             * 8-10; since 10: 10-12; since 12: 12; page 2 at since 12: empty */
            assert_int_equal(pages, 8);
            assert_true(last_complete);
            for (int id = 1; id <= 12; id++)
                if (!seen[id])
                    fail_msg("mode %d: id %d missed", cases[k].mode, id);
        }
    }
    fill(a, 0, 1000);
}

/* Inside a tie group an offset moves by the records served (3), not by
 * page.size (5), which would skip two records of each capped page. */
static void test_offset_moves_by_served(void **state)
{
    api_t *a = *state;
    fill(a, 11, 0);
    a->mode = 3;
    a->cap = 3;
    stream_conf_t sc = stream_for(a, PAGINATION_OFFSET, 5);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    /* 1-3; since the tie: offsets 0, 3, 6, 9 (10, 11: short) */
    assert_int_equal(walk(a, &sc, 0, seen, err, sizeof err), 5);
    for (int id = 1; id <= 11; id++)
        if (!seen[id])
            fail_msg("id %d missed", id);
}

/* The end rule itself: a first page shorter than page.size needs one more
 * request; an empty first page ends at once. */
static void test_walk_end_rule(void **state)
{
    api_t *a = *state;
    char err[256];
    fill(a, 2, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 5);
    /* 1,2; since 2: just 2, shorter than the 2 served: the end */
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof err), 2);
    assert_int_equal(a->requests, 2);
    assert_true(last_complete);

    fill(a, 0, 1000);
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof err), 1);
    assert_int_equal(a->requests, 1);
    assert_true(last_complete);

    /* a failed walk is not complete */
    fill(a, 4, 1000);
    a->status_always = 404;
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof err), -1);
    assert_false(last_complete);
    a->status_always = 0;
}

/* A cursor token or Link URL answered twice in one walk is a loop: the
 * walk fails at once instead of reading the same pages again and again. */
static void test_pagination_loops(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode, long_tokens;
        pagination_t pg;
        int requests;
        const char *what;
    } cases[] = {
        /* none, 3, 0 (new), then 3 again */
        {1, 0, PAGINATION_CURSOR, 3, "next cursor '3'"},
        /* the same with tokens too long for the set: kept as hashes */
        {1, 1, PAGINATION_CURSOR, 3, "next cursor '3-xxx"},
        /* the first URL, p=3, then a link back to the first URL */
        {2, 0, PAGINATION_LINK, 2, "Link rel=\"next\" URL"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fill(a, 20, 1000);
        a->mode = cases[k].mode;
        a->long_tokens = cases[k].long_tokens;
        a->wrap = 6;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        char err[1024];
        assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof err), -1);
        if (!strstr(err, "a second time in one walk: a pagination loop") ||
            !strstr(err, cases[k].what))
            fail_msg("case %zu: %s", k, err);
        assert_int_equal(a->requests, cases[k].requests);
        assert_false(last_complete);
    }
    /* a token repeated straight away */
    fill(a, 20, 1000);
    a->mode = 1;
    a->wrap = 3;
    stream_conf_t sc = stream_for(a, PAGINATION_CURSOR, 3);
    char err[512];
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "pagination loop"));
    assert_int_equal(a->requests, 2); /* none -> 0, which names 0 again */
    a->mode = 0;
    a->wrap = 0;
}

/* The walk's clock mark is when its first request was sent. */
static void test_walk_started_at(void **state)
{
    api_t *a = *state;
    char err[256];
    fill(a, 7, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    int64_t before = isotime_now_ms();
    a->delay_ms = 50;
    assert_true(walk(a, &sc, 0, NULL, err, sizeof err) > 2);
    a->delay_ms = 0;
    assert_true(last_started_at >= before);
    assert_true(last_started_at <= a->first_handled_at);
}

static void test_retries(void **state)
{
    api_t *a = *state;
    fill(a, 2, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_NONE, 3);
    char err[256];
    a->fail_next = 2;
    assert_int_equal(walk(a, &sc, 2, NULL, err, sizeof err), 1);
    assert_int_equal(a->requests, 3);

    a->requests = 0;
    a->fail_next = 2;
    assert_int_equal(walk(a, &sc, 1, NULL, err, sizeof err), -1);
    assert_int_equal(a->requests, 2);
    assert_non_null(strstr(err, "HTTP status 500"));
    assert_non_null(strstr(err, a->base)); /* names the URL */
    a->fail_next = 0;

    a->requests = 0;
    a->status_always = 404; /* fatal: no retry */
    assert_int_equal(walk(a, &sc, 5, NULL, err, sizeof err), -1);
    assert_int_equal(a->requests, 1);
    a->status_always = 0;
}

/* The deleted endpoint's clock mark (no deleted_at) must not be later than
 * the moment the API looked at its data: a deletion in between would be
 * missing from this answer and below the next poll's `since`. The walk's
 * mark is when its first request was sent. */
static void test_mark_is_request_time(void **state)
{
    api_t *a = *state;
    fill(a, 2, 1000);
    char err[256];
    stream_conf_t sc = stream_for(a, PAGINATION_NONE, 5);
    a->delay_ms = 300;
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof err), 1);
    a->delay_ms = 0;
    assert_true(last_started_at > 0);
    assert_true(last_started_at <= a->handled_at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seek_survives_page_shift),
        cmocka_unit_test(test_ties_larger_than_a_page),
        cmocka_unit_test(test_ignored_page_param_is_an_error),
        cmocka_unit_test(test_cursor_and_link),
        cmocka_unit_test(test_cursor_empty_page_with_token),
        cmocka_unit_test(test_cursor_ignored_is_an_error),
        cmocka_unit_test(test_page_cap),
        cmocka_unit_test(test_offset_moves_by_served),
        cmocka_unit_test(test_short_page_mid_stream),
        cmocka_unit_test(test_walk_end_rule),
        cmocka_unit_test(test_pagination_loops),
        cmocka_unit_test(test_walk_started_at),
        cmocka_unit_test(test_retries),
        cmocka_unit_test(test_mark_is_request_time),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
