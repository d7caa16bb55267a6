/*
 * source.c - the page reader: fetch, parse, records.path, and the
 * stream's pager for what comes next (see source.h, pager.h).
 */
#include "source.h"

#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "isotime.h"
#include "pager.h"
#include "url_redact.h"

struct source {
    const stream_conf_t *sc;
    http_client_t *hc;
    const pager_t *pager;
    pager_walk_t walk;
    int done;
    jsonpage_t page;        /* current page: body, records, bad items */
    char *url;              /* current page's URL */
    int complete;           /* the walk ended by its end rule */
    int64_t started_at;     /* when its first request was sent; 0 before */
    int64_t api_started_at; /* source_api_started_at(); 0 before */
};

source_t *source_new(const stream_conf_t *sc, http_client_t *hc)
{
    const pager_t *pager = pager_for(sc->pagination);
    if (!pager)
        return NULL;
    source_t *s = calloc(1, sizeof(*s));
    if (s) {
        s->sc = sc;
        s->hc = hc;
        s->pager = pager;
        s->walk.sc = sc;
    }
    return s;
}

void source_destroy(source_t *s)
{
    if (!s)
        return;
    jsonpage_clear(&s->page);
    pager_walk_clear(&s->walk);
    free(s->url);
    free(s);
}

void source_start(source_t *s, int has_since, int64_t since_ms)
{
    pager_walk_reset(&s->walk, s->pager, has_since, since_ms);
    s->done = 0;
    s->complete = 0;
    s->started_at = 0;
    s->api_started_at = 0;
}

void source_require_empty_end(source_t *s)
{
    s->walk.empty_end = 1;
}

int source_complete(const source_t *s)
{
    return s->complete;
}

int64_t source_started_at(const source_t *s)
{
    return s->started_at;
}

int64_t source_api_started_at(const source_t *s)
{
    return s->api_started_at;
}

int64_t source_api_mark(int64_t date_ms, int64_t sent_at_ms, int64_t answered_at_ms)
{
    if (date_ms <= 0)
        return sent_at_ms;
    int64_t took = answered_at_ms > sent_at_ms ? answered_at_ms - sent_at_ms : 0;
    return date_ms - 1000 - took;
}

size_t source_bad_items(const source_t *s, const jsonpage_bad_t **bad)
{
    *bad = s->page.bad;
    return s->page.n_bad;
}

/*
 * Parses resp's body into s->page: the array at records.path, or NULL
 * with errstr when the body is not JSON or has no array there.
 */
static json_t *read_records(source_t *s, const http_response_t *resp, char *errstr,
                            size_t errstr_size)
{
    char perr[256], red[1024];
    jsonpage_clear(&s->page);
    if (jsonpage_parse(resp->body, resp->body_len, s->sc->records_path, &s->page, perr,
                       sizeof(perr)) != 0) {
        errstr_set(errstr, errstr_size, "GET %s: body is not JSON: %s",
                   url_redact(s->url, red, sizeof(red)), perr);
        return NULL;
    }
    json_t *arr = jsonpage_at_path(s->page.root, s->sc->records_path);
    if (!json_is_array(arr)) {
        errstr_set(errstr, errstr_size, "GET %s: no array at records.path '%s'",
                   url_redact(s->url, red, sizeof(red)),
                   s->sc->records_path ? s->sc->records_path : "");
        return NULL;
    }
    return arr;
}

int source_next_page(source_t *s, json_t **records, const char **url, char *errstr,
                     size_t errstr_size)
{
    if (s->done)
        return 0;
    free(s->url);
    if (!(s->url = s->pager->url(&s->walk))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    http_response_t resp = {0};
    if (http_get(s->hc, s->url, &resp, errstr, errstr_size) != 0)
        return -1;
    if (!s->started_at) {
        s->started_at = resp.sent_at_ms;
        s->api_started_at = source_api_mark(resp.date_ms, resp.sent_at_ms, isotime_now_ms());
    }
    json_t *arr = read_records(s, &resp, errstr, errstr_size);
    int adv = -1;
    if (arr) {
        pager_page_t page = {.body = s->page.root,
                             .records = arr,
                             .url = s->url,
                             .answered_url = resp.url,
                             .link = resp.link};
        adv = s->pager->advance(&s->walk, &page, errstr, errstr_size);
    }
    http_response_clear(&resp);
    if (adv < 0)
        return -1;
    s->done = adv;
    s->complete = adv;
    *records = arr;
    *url = s->url;
    return 1;
}
