/*
 * pager.c - the table of pagination styles, the walk state, and what
 * pagers share: URL building and the loop and repeated-page guards (see
 * pager.h).
 */
#include "pager.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursorval.h"
#include "daytz.h"
#include "errstr.h"
#include "fnv1a.h"
#include "http.h"
#include "isotime.h"
#include "jsonnum.h"
#include "pageguess.h"
#include "url_redact.h"

/* One entry per pagination_t value, in its order. */
static const pager_t *const pagers[] = {
    [PAGINATION_NONE] = &pager_none,     [PAGINATION_PAGE] = &pager_page,
    [PAGINATION_OFFSET] = &pager_offset, [PAGINATION_CURSOR] = &pager_cursor,
    [PAGINATION_LINK] = &pager_link,     [PAGINATION_NEXT_URL] = &pager_next_url,
};

const pager_t *pager_for(pagination_t style)
{
    size_t i = (size_t)style;
    return i < sizeof(pagers) / sizeof(pagers[0]) ? pagers[i] : NULL;
}

/* What v is, for an error: "an array", ... */
static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_TRUE:
        return "true";
    case JSON_REAL:
        return "a number with a fraction";
    default:
        return "a value that is no token";
    }
}

int pager_next_text(json_t *body, const jsonpage_t *parsed, const char *key, const char *path,
                    char **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    const char *unreadable = jsonpage_unreadable(parsed, body);
    json_t *v = json_is_object(body) ? json_object_get(body, path) : NULL;
    for (const char *p = path; !v && *p && !unreadable;) {
        size_t len = strcspn(p, ".");
        if (!json_is_object(body)) {
            if (p == path)
                errstr_set(errstr, errstr_size, "%s '%s': the body is %s, not an object", key, path,
                           json_kind(body));
            else
                errstr_set(errstr, errstr_size, "%s '%s': '%.*s' is %s, not an object", key, path,
                           (int)(p - path - 1), path, json_kind(body));
            return -1;
        }
        json_t *next = json_object_getn(body, p, len);
        if (!next || (json_is_null(next) && p[len] == '.'))
            return 0; /* no such member (null on the way: Go's nil): the last page */
        p += len + (p[len] == '.');
        if (!*p)
            v = next;
        body = next;
        unreadable = jsonpage_unreadable(parsed, next);
    }
    if (!unreadable)
        unreadable = jsonpage_unreadable(parsed, v);
    if (unreadable) { /* read as none, the walk would end here without a word */
        errstr_set(errstr, errstr_size, "%s '%s': %s", key, path, unreadable);
        return -1;
    }
    if (!v || json_is_null(v) || json_is_false(v) ||
        (json_is_string(v) && json_string_length(v) == 0))
        return 0;
    char num[JSONNUM_INT_TEXT_SIZE];
    const char *text = NULL;
    if (jsonnum_is(v)) /* a number beyond int64, or not an integer: as sent */
        text = jsonnum_text(v);
    else if (json_is_string(v))
        text = json_string_value(v);
    else if (json_is_integer(v) && jsonnum_int_text(json_integer_value(v), num))
        text = num;
    if (!text) {
        errstr_set(errstr, errstr_size,
                   "%s '%s' holds %s, which is no next-page token (text or a number; null, "
                   "false or no member at all says the last page)",
                   key, path, json_kind(v));
        return -1;
    }
    if (!(*out = strdup(text))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 1;
}

int pager_guess_next_text(const char *path, const pager_answer_t *a, char **out)
{
    const char *leaf = strrchr(path, '.');
    json_t *v, *holder;
    char why[512];
    *out = NULL;
    if (!pageguess_last_value(a->body, a->len, path, &v) &&
        (!leaf || !pageguess_last_value(a->body, a->len, leaf + 1, &v)))
        return 0;
    if (!(holder = json_object()) || json_object_set_new(holder, "next", v) != 0) {
        json_decref(holder);
        if (!holder)
            json_decref(v);
        return 0;
    }
    /* read as the parsed page's member will be: the same rules */
    int rc = pager_next_text(holder, NULL, "next.path", "next", out, why, sizeof(why));
    json_decref(holder);
    return rc == 1;
}

/* The key under which id is kept in the tail: its type and its value
 * ("s" and the string, "i" and the integer, "j" and any other value's
 * JSON), so that ids are told apart as json_equal() tells them. A key
 * longer than an id set holds keeps its head and a digest of the whole,
 * its type in capitals ("S", "J": no short id's key looks like it): two
 * ids of more than a KiB that share that head and digest are taken for
 * one. Returns the key's length, 0 when it could not be made. */
static size_t tail_key(json_t *id, char *key, size_t size)
{
    char *text = NULL;
    const char *val;
    size_t len;
    char num[24];
    if (json_is_string(id) && !memchr(json_string_value(id), 0, json_string_length(id))) {
        key[0] = 's';
        val = json_string_value(id);
        len = json_string_length(id);
    } else if (json_is_integer(id)) {
        key[0] = 'i';
        len = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        val = num;
    } else if ((text = json_dumps(id, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY))) {
        key[0] = 'j';
        val = text;
        len = strlen(text); /* json_dumps escapes NUL */
    } else
        return 0;
    if (len + 1 > size - 1) { /* head and digest: "<TYPE><head>#<16 hex>" */
        size_t head = size - 1 - 1 - 17;
        key[0] = (char)(key[0] - 'a' + 'A');
        memcpy(key + 1, val, head);
        snprintf(key + 1 + head, 18, "#%016llx", (unsigned long long)fnv1a64(val, len));
        len = head + 17;
    } else
        memcpy(key + 1, val, len);
    key[1 + len] = '\0';
    free(text);
    return 1 + len;
}

int pager_keep_tail(pager_walk_t *w, json_t *records)
{
    cursor_clock_t clock = hwm_clock(w->sc);
    size_t n = json_array_size(records);
    int64_t last, c;
    char key[IDSET_MAX_KEY + 1];
    if (w->tail_ids)
        idset_clear(w->tail_ids);
    else if (!(w->tail_ids = idset_new(0)))
        goto nomem;
    if (!n || !cursorval_of_record(w->sc, json_array_get(records, n - 1), &last))
        return 0;
    for (size_t i = n; i-- > 0;) {
        json_t *rec = json_array_get(records, i);
        if (!cursorval_of_record(w->sc, rec, &c) ||
            hwm_bucket(&clock, c) != hwm_bucket(&clock, last))
            break;
        json_t *id = json_object_get(rec, w->sc->id_field);
        size_t len = id ? tail_key(id, key, sizeof(key)) : 0;
        if (id && (!len || !idset_add(w->tail_ids, key, len, NULL)))
            goto nomem;
    }
    return 0;
nomem:
    idset_destroy(w->tail_ids);
    w->tail_ids = NULL;
    return -1;
}

int pager_in_tail(const pager_walk_t *w, json_t *id)
{
    char key[IDSET_MAX_KEY + 1];
    size_t len = id && w->tail_ids ? tail_key(id, key, sizeof(key)) : 0;
    return len && idset_get(w->tail_ids, key, len);
}

void pager_walk_clear(pager_walk_t *w)
{
    free(w->token);
    w->token = NULL;
    json_decref(w->prev_first);
    w->prev_first = NULL;
    json_decref(w->carried_id);
    w->carried_id = NULL;
    json_decref(w->carried_cursor);
    w->carried_cursor = NULL;
    idset_destroy(w->tail_ids);
    w->tail_ids = NULL;
    idset_destroy(w->followed);
    w->followed = NULL;
}

void pager_walk_reset(pager_walk_t *w, const pager_t *pager, int has_since, int64_t since_ms)
{
    int exclusive = w->exclusive;
    pager_walk_clear(w);
    w->has_since = has_since;
    w->since_ms = since_ms;
    w->page_no = 0;
    w->max_served = 0;
    w->later_page = 0;
    w->empty_in_row = 0;
    w->head_from = 0;
    w->trusted_from = -1;
    w->start_has_since = has_since;
    w->start_since_ms = since_ms;
    w->carried = 0;
    w->moved_paging = 0;
    w->unserved_since = -1;
    w->reseeks = 0;
    w->exclusive = exclusive;
    pager->start(w);
}

char *pager_url_with(const char *base, const char *const *pairs, size_t n_pairs)
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

void pager_format_since(const cursor_clock_t *clock, int64_t ms, char *buf, size_t size)
{
    /* whole seconds, rounded down: the >= filter serves that second again */
    if (clock->format == CURSOR_FORMAT_UNIX)
        snprintf(buf, size, "%" PRId64, ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    else if (clock->format == CURSOR_FORMAT_UNIX_MS)
        snprintf(buf, size, "%" PRId64, ms);
    else if (clock->precision == CURSOR_PRECISION_DATE)
        daytz_format_date(clock->timezone, ms, buf, size);
    else if (clock->param_format && isotime_format_pattern(clock->param_format, ms, buf, size) == 0)
        ; /* the API's own spelling (checked with the configuration: it fits) */
    else
        isotime_format(ms, buf, size);
}

char *pager_page_url(const stream_conf_t *sc, int has_since, int64_t since_ms, int paged,
                     const char *page_token)
{
    char since[ISOTIME_PATTERN_BUFSIZE], size[24];
    cursor_clock_t clock = hwm_clock(sc);
    if (has_since)
        pager_format_since(&clock, since_ms, since, sizeof(since));
    snprintf(size, sizeof(size), "%d", sc->page_size);
    const char *pairs[] = {
        sc->cursor_param,
        has_since ? since : NULL,
        paged ? sc->page_size_param : NULL,
        size,
        paged ? sc->page_param : NULL,
        page_token,
    };
    return pager_url_with(sc->url, pairs, sizeof(pairs) / sizeof(pairs[0]) / 2);
}

/* FNV-1a 64 from a given offset basis. */
static uint64_t fnv1a(const char *p, uint64_t h)
{
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return h;
}

/*
 * A token too long for the set is kept as two 64-bit hashes and its
 * length: a collision would stop a walk with an error, never skip a page.
 */
int pager_note_requested(pager_walk_t *w, const char *token)
{
    char key[IDSET_MAX_KEY];
    size_t len = strlen(token), klen;
    if (len + 1 <= sizeof(key)) {
        key[0] = 's';
        memcpy(key + 1, token, len);
        klen = len + 1;
    } else {
        klen = (size_t)snprintf(key, sizeof(key), "h%016llx%016llx%zu",
                                (unsigned long long)fnv1a(token, 0xcbf29ce484222325ULL),
                                (unsigned long long)fnv1a(token, 0x84222325cbf29ce4ULL), len);
    }
    if (!w->followed && !(w->followed = idset_new(0)))
        return -1;
    int added = 0;
    if (!idset_add(w->followed, key, klen, &added))
        return -1;
    return added;
}

int pager_check_loop(pager_walk_t *w, const char *url, const char *what, char *errstr,
                     size_t errstr_size)
{
    int fresh = pager_note_requested(w, w->token);
    if (fresh < 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (!fresh) {
        char red_url[1024], red_token[1024];
        errstr_set(errstr, errstr_size,
                   "GET %.300s: the API answered the %s '%.200s' a second time in one "
                   "walk: a pagination loop (following it would read the same pages again)",
                   url_redact(url, red_url, sizeof(red_url)), what,
                   url_redact(w->token, red_token, sizeof(red_token)));
        return -1;
    }
    return 0;
}

/*
 * Inside a tie group larger than a page the seek walk pages by number at
 * one `since`; an API that ignores the page parameter then answers the
 * same page for ever. A cursor or Link API that ignores the token (and
 * mints a fresh one each time, as signed cursors do) does the same.
 */
int pager_refuse_repeat(pager_walk_t *w, const pager_page_t *page, int compare, const char *why,
                        char *errstr, size_t errstr_size)
{
    json_t *first = json_array_get(page->records, 0);
    if (!first)
        return 0;
    int repeats = compare && w->prev_first && json_equal(first, w->prev_first);
    json_decref(w->prev_first);
    /* a copy: the page's values go with the page (json_arena.h); without
     * one the next page could not be checked, so the walk fails */
    if (!(w->prev_first = json_deep_copy(first))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (!repeats)
        return 0;
    char red[1024];
    errstr_set(errstr, errstr_size, "GET %s: the same records as the previous page%s",
               url_redact(page->url, red, sizeof(red)), why);
    return -1;
}

int pager_count_empty(pager_walk_t *w, const pager_page_t *page, const char *what, char *errstr,
                      size_t errstr_size)
{
    if (++w->empty_in_row <= (long)w->sc->page_empty_max)
        return 0;
    char red[1024];
    errstr_set(errstr, errstr_size,
               "GET %.300s: %d empty pages in a row, each %s: does the API ever leave it out at "
               "the end?",
               url_redact(page->url, red, sizeof(red)), w->sc->page_empty_max, what);
    return -1;
}
