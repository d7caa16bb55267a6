/*
 * source.c - URL building, body parsing and pagination (see source.h).
 */
#include "source.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwm.h"
#include "daytz.h"
#include "errstr.h"
#include "idset.h"
#include "isotime.h"
#include "jsonnum.h"
#include "link.h"
#include "url_redact.h"

struct source {
    const stream_conf_t *sc;
    http_client_t *hc;
    int has_since;
    int64_t since_ms;
    long page_no; /* page: 1.., offset: 0, size, ... */
    char *token;  /* cursor: next token; link: next URL */
    int done;
    jsonpage_t page;        /* current page: body, records, bad items */
    json_t *body;           /* current page (page.root) */
    char *url;              /* current page's URL */
    json_t *prev_first;     /* first record of the previous page (seek walk) */
    size_t max_served;      /* most records one page of this walk held (seek walk) */
    idset_t *followed;      /* tokens or Link URLs this walk requested */
    int complete;           /* the walk ended by its end rule */
    int empty_end;          /* a seek walk ends only on an empty page */
    int64_t started_at;     /* when its first request was sent; 0 before */
    int64_t api_started_at; /* source_api_started_at(); 0 before */
};

source_t *source_new(const stream_conf_t *sc, http_client_t *hc)
{
    source_t *s = calloc(1, sizeof *s);
    if (s) {
        s->sc = sc;
        s->hc = hc;
    }
    return s;
}

void source_destroy(source_t *s)
{
    if (!s)
        return;
    jsonpage_clear(&s->page);
    json_decref(s->prev_first);
    idset_destroy(s->followed);
    free(s->token);
    free(s->url);
    free(s);
}

static long first_page(const stream_conf_t *sc)
{
    return sc->pagination == PAGINATION_OFFSET ? 0 : 1;
}

void source_start(source_t *s, int has_since, int64_t since_ms)
{
    s->has_since = has_since;
    s->since_ms = since_ms;
    s->page_no = first_page(s->sc);
    free(s->token);
    s->token = NULL;
    json_decref(s->prev_first);
    s->prev_first = NULL;
    s->done = 0;
    s->max_served = 0;
    idset_destroy(s->followed);
    s->followed = NULL;
    s->complete = 0;
    s->started_at = 0;
    s->api_started_at = 0;
}

void source_require_empty_end(source_t *s)
{
    s->empty_end = 1;
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

char *source_url_with(const char *base, const char *const *pairs, size_t n_pairs)
{
    size_t cap = strlen(base) + 1, len = strlen(base);
    char *out = malloc(cap);
    if (!out)
        return NULL;
    memcpy(out, base, len + 1);
    int has_q = strchr(base, '?') != NULL;
    for (size_t i = 0; i < 2 * n_pairs; i += 2) {
        if (!pairs[i] || !pairs[i + 1] || !*pairs[i])
            continue;
        char *ev = http_escape(pairs[i + 1]);
        if (!ev) {
            free(out);
            return NULL;
        }
        size_t need = len + strlen(pairs[i]) + strlen(ev) + 3;
        char *grown = need > cap ? realloc(out, need) : out;
        if (!grown) {
            free(ev);
            free(out);
            return NULL;
        }
        out = grown;
        cap = need > cap ? need : cap;
        len += (size_t)sprintf(out + len, "%c%s=%s", has_q ? '&' : '?', pairs[i], ev);
        has_q = 1;
        free(ev);
    }
    return out;
}

void source_format_since(const cursor_clock_t *clock, int64_t ms, char *buf, size_t size)
{
    if (clock->precision == CURSOR_PRECISION_DATE)
        daytz_format_date(clock->timezone, ms, buf, size);
    else
        isotime_format(ms, buf, size);
}

char *source_page_url(const stream_conf_t *sc, int has_since, int64_t since_ms,
                      const char *page_token)
{
    char since[ISOTIME_BUFSIZE], size[24];
    cursor_clock_t clock = hwm_clock(sc);
    if (has_since)
        source_format_since(&clock, since_ms, since, sizeof since);
    snprintf(size, sizeof size, "%d", sc->page_size);
    int paged = sc->pagination != PAGINATION_NONE;
    const char *pairs[] = {
        sc->cursor_param,
        has_since ? since : NULL,
        paged ? sc->page_size_param : NULL,
        size,
        paged ? sc->page_param : NULL,
        page_token,
    };
    return source_url_with(sc->url, pairs, sizeof pairs / sizeof pairs[0] / 2);
}

int source_link_next(const char *link, const char *base_url, char **next, char *errstr,
                     size_t errstr_size)
{
    return link_find(link, "next", base_url, next, errstr, errstr_size);
}

size_t source_bad_items(const source_t *s, const jsonpage_bad_t **bad)
{
    *bad = s->page.bad;
    return s->page.n_bad;
}

/* For cursor pagination: the next token as text, or NULL when none. */
static char *next_token(json_t *body, const char *path)
{
    json_t *v = path ? jsonpage_at_path(body, path) : NULL;
    if (jsonnum_is(v)) /* a number beyond int64, or not an integer: as sent */
        return strdup(jsonnum_text(v));
    if (json_is_string(v) && json_string_length(v) > 0)
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        char buf[24];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return strdup(buf);
    }
    return NULL;
}

/* The cursor of a record, if it has a parsable one. */
static int record_cursor(const stream_conf_t *sc, json_t *rec, int64_t *ms)
{
    json_t *c = json_is_object(rec) ? json_object_get(rec, sc->cursor_field) : NULL;
    char e[64];
    return json_is_string(c) && isotime_parse(json_string_value(c), ms, NULL, e, sizeof e) == 0;
}

/* Decides the request after a full page of a seek walk. */
static void seek_advance(source_t *s, json_t *records)
{
    size_t n = json_array_size(records);
    int64_t last;
    const stream_conf_t *sc = s->sc;
    cursor_clock_t clock = hwm_clock(sc);
    if (n > 0 && record_cursor(sc, json_array_get(records, n - 1), &last) &&
        (!s->has_since || hwm_bucket(&clock, last) > hwm_bucket(&clock, s->since_ms))) {
        s->has_since = 1;
        s->since_ms = last;
        s->page_no = first_page(sc);
    } else {
        /* an offset moves by what was served: a capped page is shorter
         * than page.size, and page.size would skip the difference */
        s->page_no += sc->pagination == PAGINATION_OFFSET ? (long)n : 1;
    }
}

/*
 * Whether a page brings the previous non-empty page's first record again.
 * Inside a tie group larger than a page the seek walk pages by number at
 * one `since`; an API that ignores the page parameter then answers the
 * same page for ever. A cursor or Link API that ignores the token (and
 * mints a fresh one each time, as signed cursors do) does the same. For a
 * seek walk only pages after the first at one since count: a new since
 * starts with the previous page's last record. An empty page changes
 * nothing (a cursor walk goes on after one).
 */
static int repeats_previous_page(source_t *s, json_t *records)
{
    json_t *first = json_array_get(records, 0);
    if (!first)
        return 0;
    int seek = s->sc->pagination == PAGINATION_PAGE || s->sc->pagination == PAGINATION_OFFSET;
    int repeats = s->prev_first && (!seek || s->page_no != first_page(s->sc)) &&
                  json_equal(first, s->prev_first);
    json_decref(s->prev_first);
    s->prev_first = json_incref(first);
    return repeats;
}

/* FNV-1a 64 from a given offset basis. */
static uint64_t fnv1a(const char *p, uint64_t h)
{
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return h;
}

/*
 * Notes token (a cursor token or a Link URL) as requested in this walk:
 * 1 when it is new, 0 when the walk requested it before, -1 on ENOMEM.
 * A token too long for the set is kept as two 64-bit hashes and its
 * length: a collision would stop a walk with an error, never skip a page.
 */
static int follow_once(source_t *s, const char *token)
{
    char key[IDSET_MAX_KEY];
    size_t len = strlen(token), klen;
    if (len + 1 <= sizeof key) {
        key[0] = 's';
        memcpy(key + 1, token, len);
        klen = len + 1;
    } else {
        klen = (size_t)snprintf(key, sizeof key, "h%016llx%016llx%zu",
                                (unsigned long long)fnv1a(token, 0xcbf29ce484222325ULL),
                                (unsigned long long)fnv1a(token, 0x84222325cbf29ce4ULL), len);
    }
    if (!s->followed && !(s->followed = idset_new(0)))
        return -1;
    int added = 0;
    if (!idset_add(s->followed, key, klen, &added))
        return -1;
    return added;
}

/*
 * After a page: 1 when the walk is over, 0 when s->page_no/s->token say
 * what comes next, -1 with errstr on a pagination loop, a Link header that
 * cannot be followed, or ENOMEM.
 *
 * A seek walk ends on an empty page, or on a page shorter than one this
 * walk was already served: many APIs cap the page size whatever
 * page.size asks for, so a page shorter than page.size proves nothing.
 * With source_require_empty_end() only an empty page ends it: an API
 * that caps pages by bytes serves a short page mid-stream.
 */
static int advance(source_t *s, json_t *records, const http_response_t *resp, char *errstr,
                   size_t errstr_size)
{
    const stream_conf_t *sc = s->sc;
    size_t n = json_array_size(records);
    const char *what = "next cursor";
    switch (sc->pagination) {
    case PAGINATION_NONE:
        return 1;
    case PAGINATION_PAGE:
    case PAGINATION_OFFSET:
        if (n == 0 || (!s->empty_end && n < s->max_served))
            return 1;
        s->max_served = n;
        seek_advance(s, records);
        return 0;
    case PAGINATION_CURSOR:
        /* an empty page with a next token is no end: an API may filter
         * a page after paging it (permissions, a time-sliced scan) */
        free(s->token);
        s->token = next_token(s->body, sc->next_path);
        break;
    case PAGINATION_LINK: {
        free(s->token);
        s->token = NULL;
        /* relative targets resolve against the URL that answered */
        char why[1024], red[1024];
        if (source_link_next(resp->link, resp->url, &s->token, why, sizeof why) < 0) {
            errstr_set(errstr, errstr_size, "GET %s: %s", url_redact(resp->url, red, sizeof red),
                       why);
            return -1;
        }
        what = "Link rel=\"next\" URL";
        break;
    }
    }
    if (!s->token)
        return 1;
    int fresh = follow_once(s, s->token);
    if (fresh < 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (!fresh) {
        char red_url[1024], red_token[1024];
        errstr_set(errstr, errstr_size,
                   "GET %.300s: the API answered the %s '%.200s' a second time in one "
                   "walk: a pagination loop (following it would read the same pages again)",
                   url_redact(s->url, red_url, sizeof red_url), what,
                   url_redact(s->token, red_token, sizeof red_token));
        return -1;
    }
    return 0;
}

static char *current_url(source_t *s)
{
    const stream_conf_t *sc = s->sc;
    char num[24];
    switch (sc->pagination) {
    case PAGINATION_PAGE:
    case PAGINATION_OFFSET:
        snprintf(num, sizeof num, "%ld", s->page_no);
        return source_page_url(sc, s->has_since, s->since_ms, num);
    case PAGINATION_LINK:
        if (s->token)
            return strdup(s->token);
        return source_page_url(sc, s->has_since, s->since_ms, NULL);
    case PAGINATION_CURSOR:
        return source_page_url(sc, s->has_since, s->since_ms, s->token);
    case PAGINATION_NONE:
        break;
    }
    return source_page_url(sc, s->has_since, s->since_ms, NULL);
}

int source_next_page(source_t *s, json_t **records, const char **url, char *errstr,
                     size_t errstr_size)
{
    if (s->done)
        return 0;
    free(s->url);
    if (!(s->url = current_url(s))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    /* a Link walk's first URL counts as followed: a next link back to it
     * is a loop too */
    if (s->sc->pagination == PAGINATION_LINK && !s->token && follow_once(s, s->url) < 0) {
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
    char perr[256], red[1024];
    jsonpage_clear(&s->page);
    s->body = NULL;
    if (jsonpage_parse(resp.body, resp.body_len, s->sc->records_path, &s->page, perr,
                       sizeof perr) != 0) {
        errstr_set(errstr, errstr_size, "GET %s: body is not JSON: %s",
                   url_redact(s->url, red, sizeof red), perr);
        http_response_clear(&resp);
        return -1;
    }
    s->body = s->page.root;
    json_t *arr = jsonpage_at_path(s->body, s->sc->records_path);
    if (!json_is_array(arr)) {
        errstr_set(errstr, errstr_size, "GET %s: no array at records.path '%s'",
                   url_redact(s->url, red, sizeof red),
                   s->sc->records_path ? s->sc->records_path : "");
        http_response_clear(&resp);
        return -1;
    }
    pagination_t pg = s->sc->pagination;
    int seek = pg == PAGINATION_PAGE || pg == PAGINATION_OFFSET;
    if (seek && repeats_previous_page(s, arr)) {
        errstr_set(errstr, errstr_size,
                   "GET %s: the same records as the previous page: does the API "
                   "take '%s' as its page parameter?",
                   url_redact(s->url, red, sizeof red), s->sc->page_param);
        http_response_clear(&resp);
        return -1;
    }
    int adv = advance(s, arr, &resp, errstr, errstr_size);
    http_response_clear(&resp);
    if (adv < 0)
        return -1;
    /* after advance(): a token requested twice is the plainer diagnosis */
    if ((pg == PAGINATION_CURSOR || pg == PAGINATION_LINK) && repeats_previous_page(s, arr)) {
        if (pg == PAGINATION_CURSOR)
            errstr_set(errstr, errstr_size,
                       "GET %s: the same records as the previous page under a new next "
                       "cursor: does the API take '%s' as its cursor parameter?",
                       url_redact(s->url, red, sizeof red), s->sc->page_param);
        else
            errstr_set(errstr, errstr_size,
                       "GET %s: the same records as the previous page under a new "
                       "Link rel=\"next\" URL: the API ignores its own next link",
                       url_redact(s->url, red, sizeof red));
        return -1;
    }
    s->done = adv;
    s->complete = adv;
    *records = arr;
    *url = s->url;
    return 1;
}
