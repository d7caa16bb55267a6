/*
 * jsonpage.c - a strict JSON reader for page bodies that isolates bad
 * records and keeps numbers exact (see jsonpage.h): values, the records
 * array and the page, over the tokens of jsonscan.h.
 *
 * One recursive descent over the body. Outside a records element a
 * syntax error fails the page, and a problem in a value (a string's bytes
 * or escapes, a bad token) makes it an unreadable value's stand-in.
 * Inside one, a problem in a value is noted (the first one is the item's
 * reason) and the value becomes null, so the element still yields a
 * lenient stand-in; a syntax error stops the element, and a scan that
 * knows strings and brackets finds where it ends.
 */
#include "jsonpage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "jsonscan.h"
#include "utf8.h"

#define SKIP_MAX_DEPTH 32768 /* nesting the end-of-item scan follows */

/* ---- values -------------------------------------------------------------- */

static json_t *read_value(jsonscan_t *r, const char *path, int on_path);

/* The array at records_path: each element read on its own. */
static json_t *read_records(jsonscan_t *r);

/*
 * At an array's or object's opening bracket: moves past it, and past
 * close too when the container is empty (then 1); 0 when an element
 * follows.
 */
static int open_container(jsonscan_t *r, int close)
{
    r->pos++;
    jsonscan_skip_ws(r);
    if (jsonscan_peek(r) != close)
        return 0;
    r->pos++;
    return 1;
}

/*
 * After an element of an array or object: 0 past a ',' (another element
 * follows), 1 past close (the container ends), -1 when neither is there
 * (failed: wanted names what was expected).
 */
static int after_element(jsonscan_t *r, int close, const char *wanted)
{
    jsonscan_skip_ws(r);
    int c = jsonscan_peek(r);
    if (c != ',' && c != close) {
        jsonscan_unexpected(r, wanted);
        return -1;
    }
    r->pos++;
    return c == close;
}

static json_t *read_array(jsonscan_t *r)
{
    json_t *arr = json_array();
    if (!arr)
        return jsonscan_oom(r);
    if (open_container(r, ']'))
        return arr;
    for (;;) {
        jsonscan_skip_ws(r);
        json_t *v = read_value(r, NULL, 0);
        if (!v || json_array_append_new(arr, v) != 0) {
            json_decref(arr);
            return v ? jsonscan_oom(r) : NULL;
        }
        int end = after_element(r, ']', "',' or ']'");
        if (end < 0) {
            json_decref(arr);
            return NULL;
        }
        if (end)
            return arr;
    }
}

/* Does the member name k[0..n) match the next segment of path? */
static const char *path_next(const char *path, const char *k, size_t n)
{
    const char *dot = strchr(path, '.');
    size_t seg = dot ? (size_t)(dot - path) : strlen(path);
    if (seg != n || memcmp(path, k, n) != 0)
        return NULL;
    return dot ? dot + 1 : path + seg;
}

/*
 * One member at r->pos (its name's opening quote) into obj; path and
 * on_path as for read_value. 0, or -1 when the element or page fails.
 */
static int read_member(jsonscan_t *r, json_t *obj, const char *path, int on_path)
{
    const char *k;
    size_t kn;
    int poisoned;
    if (jsonscan_string(r, &k, &kn, &poisoned) != 0)
        return -1;
    /* A name from sbuf would be overwritten by the value's strings. */
    char small[128], *kcopy = NULL;
    if (k == r->sbuf) {
        kcopy = kn < sizeof(small) ? small : malloc(kn + 1);
        if (!kcopy) {
            jsonscan_oom(r);
            return -1;
        }
        memcpy(kcopy, k, kn);
        k = kcopy;
    }
    const char *child = on_path && *path && !poisoned ? path_next(path, k, kn) : NULL;
    jsonscan_skip_ws(r);
    json_t *v = NULL;
    if (jsonscan_peek(r) != ':')
        jsonscan_unexpected(r, "':'");
    else {
        r->pos++;
        jsonscan_skip_ws(r);
        v = read_value(r, child ? child : "", child != NULL);
    }
    int rc = -1;
    if (v && poisoned) { /* a bad name: its member is left out */
        json_decref(v);
        rc = 0;
    } else if (v) {
        rc = json_object_setn_new_nocheck(obj, k, kn, v);
        if (rc != 0)
            jsonscan_oom(r);
    }
    if (kcopy != small)
        free(kcopy);
    return rc;
}

static json_t *read_object(jsonscan_t *r, const char *path, int on_path)
{
    json_t *obj = json_object();
    if (!obj)
        return jsonscan_oom(r);
    if (open_container(r, '}'))
        return obj;
    for (;;) {
        jsonscan_skip_ws(r);
        if (jsonscan_peek(r) != '"') {
            json_decref(obj);
            return jsonscan_unexpected(r, "a member name");
        }
        int end = read_member(r, obj, path, on_path);
        if (end == 0)
            end = after_element(r, '}', "',' or '}'");
        if (end < 0) {
            json_decref(obj);
            return NULL;
        }
        if (end)
            return obj;
    }
}

static json_t *read_value(jsonscan_t *r, const char *path, int on_path)
{
    int c = jsonscan_peek(r);
    json_t *v;
    if (c == '"') {
        const char *s;
        size_t n;
        int poisoned;
        if (jsonscan_string(r, &s, &n, &poisoned) != 0)
            return NULL;
        if (poisoned)
            return jsonscan_bad_value(r);
        v = json_stringn_nocheck(s, n);
        return v ? v : jsonscan_oom(r);
    }
    if (c == '{' || c == '[') {
        if (r->depth >= JSONPAGE_MAX_DEPTH)
            return jsonscan_fail(r, r->pos, "nested deeper than %d levels", JSONPAGE_MAX_DEPTH);
        r->depth++;
        if (c == '[' && on_path && !*path)
            v = read_records(r);
        else if (c == '[')
            v = read_array(r);
        else
            v = read_object(r, path, on_path);
        r->depth--;
        return v;
    }
    if (c == '-' || jsonscan_is_digit(c))
        return jsonscan_number(r);
    if (c < 0)
        return jsonscan_unexpected(r, "a value");
    return jsonscan_literal(r);
}

/* ---- records ------------------------------------------------------------- */

/*
 * Where the element that starts at start ends: the ',' or ']' that
 * follows it outside strings and brackets; -1 when there is none (the
 * body ends, or brackets do not match). The quote at stray (SIZE_MAX:
 * none) is read as a byte of its string, not as the string's end.
 */
static long long skip_item(const jsonscan_t *r, size_t start, size_t stray)
{
    unsigned char open[SKIP_MAX_DEPTH / 8]; /* bit set: '[', clear: '{' */
    size_t depth = 0;
    const unsigned char *b = r->b;
    for (size_t i = start; i < r->len; i++) {
        unsigned char c = b[i];
        if (c == '"') {
            for (i++; i < r->len && (b[i] != '"' || i == stray); i++)
                if (b[i] == '\\')
                    i++;
            if (i >= r->len)
                return -1;
        } else if (c == '[' || c == '{') {
            if (depth >= SKIP_MAX_DEPTH)
                return -1;
            if (c == '[')
                open[depth / 8] |= (unsigned char)(1u << depth % 8);
            else
                open[depth / 8] &= (unsigned char)~(1u << depth % 8);
            depth++;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                return c == ']' ? (long long)i : -1;
            depth--;
            if (((open[depth / 8] >> depth % 8) & 1) != (c == ']'))
                return -1;
        } else if (c == ',' && depth == 0) {
            return (long long)i;
        }
    }
    return -1;
}

/*
 * The quote that may be a stray one in the element that starts at start
 * and has a syntax error at at: the one that ends a string just before
 * the error, as in "a 13" screen" (an unescaped inch mark); SIZE_MAX when
 * the error follows no string.
 */
static size_t stray_quote(const jsonscan_t *r, size_t start, size_t at)
{
    size_t k = at < r->len ? at : r->len;
    while (k > start && (r->b[k - 1] == ' ' || r->b[k - 1] == '\t' || r->b[k - 1] == '\n' ||
                         r->b[k - 1] == '\r'))
        k--;
    return k > start + 1 && r->b[k - 1] == '"' ? k - 1 : SIZE_MAX;
}

/*
 * Where a record with a syntax error at at ends (as skip_item()), or -1.
 * An unescaped quote inside a string ends the string early for the
 * reader, and a scan that counts quotes from there stays out of step
 * until another such quote (or an escaped one, in a later record) puts it
 * back: it would take the good records in between for part of this one,
 * and they would be lost in its dead letter. So the end is also found as
 * if the quote before the error were a stray one, and the nearer of the
 * two ends wins: a wrong guess cuts this record short (its rest is read
 * as elements of their own: more bad items, or the page fails). Which
 * reading it took goes to *read_stray (the stray quote, or SIZE_MAX),
 * for span_holds_boundary().
 */
static long long item_end(const jsonscan_t *r, size_t start, size_t at, size_t *read_stray)
{
    long long end = skip_item(r, start, SIZE_MAX);
    size_t stray = stray_quote(r, start, at);
    *read_stray = SIZE_MAX;
    if (stray == SIZE_MAX)
        return end;
    long long other = skip_item(r, start, stray);
    if (end < 0 || (other >= 0 && other < end)) {
        *read_stray = stray;
        return other;
    }
    return end;
}

/* Records element index, body[start..end), as a bad item: why at at. */
static int add_bad(jsonscan_t *r, size_t index, size_t start, size_t end, const char *why,
                   size_t at)
{
    jsonpage_t *pg = r->page;
    while (end > start && (r->b[end - 1] == ' ' || r->b[end - 1] == '\t' || r->b[end - 1] == '\n' ||
                           r->b[end - 1] == '\r'))
        end--;
    if ((pg->n_bad & (pg->n_bad - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        jsonpage_bad_t *grown = realloc(pg->bad, (pg->n_bad ? 2 * pg->n_bad : 1) * sizeof(*grown));
        if (!grown)
            return -1;
        pg->bad = grown;
    }
    jsonpage_bad_t *bad = &pg->bad[pg->n_bad];
    if (!(bad->raw = malloc(end - start + 1)))
        return -1;
    memcpy(bad->raw, r->b + start, end - start);
    bad->raw[end - start] = '\0';
    bad->raw_len = end - start;
    bad->index = index;
    bad->offset = start;
    snprintf(bad->reason, sizeof(bad->reason), "%s at offset %zu of the record", why, at - start);
    pg->n_bad++;
    return 0;
}

/*
 * Element index of the records array, at r->pos: its value, or its
 * stand-in when it is a bad item (added to the page). NULL when the page
 * fails (ENOMEM, or an element whose end cannot be found).
 */
static int is_json_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whether b[at + 1..end) starts with white space, then c: its index, or
 * 0 (never one: at precedes it). */
static size_t next_is(const unsigned char *b, size_t at, size_t end, unsigned char c)
{
    size_t k = at + 1;
    while (k < end && is_json_ws(b[k]))
        k++;
    return k < end && b[k] == c ? k : 0;
}

/* Whether an object follows b[at] (a ','): a '{', and inside a string
 * (member) the '"' of its first member too, as a record starts. */
static int object_follows(const unsigned char *b, size_t at, size_t end, int member)
{
    size_t k = next_is(b, at, end, '{');
    return k && (!member || next_is(b, k, end, '"'));
}

/*
 * Whether body[start..end), read as item_end() read it (the quote at stray
 * inside its string), may hold the start of another record: a ',' then
 * '{"' inside a string (a quote astray took the next record into it, as a
 * record cut short inside a string does), or a ',' then '{' at the
 * record's own level, where no member starts with '{'. A nested array of objects, [{…},{…}],
 * is none. Where the records end is a guess there, and isolating the span
 * as one bad item could lose a good record in its dead letter: the page
 * fails instead, and the run with it, retried by the next one.
 */
static int span_holds_boundary(const jsonscan_t *r, size_t start, size_t end, size_t stray)
{
    const unsigned char *b = r->b;
    size_t depth = 0;
    for (size_t i = start; i < end; i++) {
        unsigned char c = b[i];
        if (c == '"') {
            for (i++; i < end && (b[i] != '"' || i == stray); i++) {
                /* a backslash before a byte no escape starts with (a
                 * string cut right after one: "C:\, {"id":2) escapes
                 * nothing: the byte is read as itself */
                if (b[i] == '\\' && i + 1 < end && b[i + 1] && strchr("\"\\/bfnrtu", b[i + 1]))
                    i++;
                else if (b[i] == ',' && object_follows(b, i, end, 1))
                    return 1;
            }
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        } else if (c == ',' && depth == 1 && object_follows(b, i, end, 0)) {
            return 1;
        }
    }
    return 0;
}

static json_t *read_record(jsonscan_t *r, size_t index)
{
    size_t start = r->pos;
    r->in_record = 1;
    r->bad = 0;
    json_t *v = read_value(r, NULL, 0);
    r->in_record = 0;
    if (!v && r->oom)
        return NULL;
    if (v) {
        if (r->bad && add_bad(r, index, start, r->pos, r->bad_reason, r->bad_at) != 0) {
            json_decref(v);
            return jsonscan_oom(r);
        }
        return v;
    }
    /* a syntax error: the item ends where the scan says */
    size_t stray;
    long long end = item_end(r, start, r->fail_at, &stray);
    if (end <= (long long)start) { /* none, or an empty item: not JSON */
        char why[JSONPAGE_REASON_SIZE];
        snprintf(why, sizeof(why), "%s", r->reason);
        r->failed = 0;
        return jsonscan_fail(r, r->fail_at, "record %zu: %s", index, why);
    }
    if (span_holds_boundary(r, start, (size_t)end, stray)) {
        char why[JSONPAGE_REASON_SIZE];
        snprintf(why, sizeof(why), "%s", r->reason);
        r->failed = 0;
        return jsonscan_fail(r, r->fail_at,
                             "record %zu: %s (where the record ends cannot be told, and a "
                             "guess might take the next records into its dead letter)",
                             index, why);
    }
    /* the first problem is the reason: a noted one came before */
    const char *why = r->bad ? r->bad_reason : r->reason;
    size_t at = r->bad ? r->bad_at : r->fail_at;
    r->failed = 0;
    r->pos = (size_t)end;
    if (add_bad(r, index, start, (size_t)end, why, at) != 0 || !(v = json_null()))
        return jsonscan_oom(r);
    return v;
}

/* Notes that the next element's values lie in [from, from + len) of the
 * arena (len 0: they are not in one range). */
static int add_extent(jsonpage_t *page, const char *from, size_t len)
{
    if (page->n_extents == page->cap_extents) {
        size_t cap = page->cap_extents ? 2 * page->cap_extents : 256;
        jsonpage_extent_t *e = realloc(page->extents, cap * sizeof(*e));
        if (!e)
            return -1;
        page->extents = e;
        page->cap_extents = cap;
    }
    page->extents[page->n_extents++] = (jsonpage_extent_t){
        .at = from,
        .len = len < JSONPAGE_EXTENT_MAX ? len : JSONPAGE_EXTENT_MAX,
    };
    return 0;
}

void jsonpage_prefetch(const jsonpage_t *page, size_t index)
{
    if (index >= page->n_extents)
        return;
    const jsonpage_extent_t *e = &page->extents[index];
    for (size_t off = 0; off < e->len; off += 64) /* a cache line */
        __builtin_prefetch(e->at + off);
}

static json_t *read_records(jsonscan_t *r)
{
    if (r->records)
        return jsonscan_fail(r, r->pos, "a second array at records.path");
    json_t *arr = json_array();
    if (!arr)
        return jsonscan_oom(r);
    int end = open_container(r, ']');
    for (size_t index = 0; !end; index++) {
        jsonscan_skip_ws(r);
        const char *from = json_arena_cursor(r->page->arena);
        json_t *v = read_record(r, index);
        if (!v) {
            json_decref(arr);
            return NULL;
        }
        if (add_extent(r->page, from, json_arena_carved_since(r->page->arena, from)) != 0) {
            json_decref(v);
            json_decref(arr);
            return jsonscan_oom(r);
        }
        if (json_array_append_new(arr, v) != 0) { /* v is dropped too */
            json_decref(arr);
            return jsonscan_oom(r);
        }
        if ((end = after_element(r, ']', "',' or ']' after a record")) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    r->records = json_incref(arr);
    return arr;
}

/* ---- the page ------------------------------------------------------------ */

void jsonpage_clear(jsonpage_t *page)
{
    if (!page)
        return;
    /* the body's values go with their arena, all at once, when jansson
     * allocates through it (not one by one through free()) */
    if (!json_arena_owns(page->arena, page->root))
        json_decref(page->root);
    for (size_t i = 0; i < page->n_unreadable; i++) /* the page's references */
        if (!json_arena_owns(page->arena, page->unreadable[i].value))
            json_decref((json_t *)page->unreadable[i].value);
    free(page->unreadable);
    json_arena_destroy(page->arena);
    for (size_t i = 0; i < page->n_bad; i++)
        free(page->bad[i].raw);
    free(page->bad);
    free(page->extents);
    memset(page, 0, sizeof(*page));
}

json_t *jsonpage_at_path(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path ? path : "";
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        cur = json_is_object(cur) ? json_object_getn(cur, p, len) : NULL;
        p += len + (dot ? 1 : 0);
    }
    return cur;
}

const char *jsonpage_unreadable(const jsonpage_t *page, const json_t *v)
{
    for (size_t i = 0; page && v && i < page->n_unreadable; i++)
        if (page->unreadable[i].value == v)
            return page->unreadable[i].reason;
    return NULL;
}

const char *jsonpage_unreadable_at(const jsonpage_t *page, const char *path)
{
    json_t *cur = page ? page->root : NULL;
    const char *p = path ? path : "", *why = NULL;
    while (cur && !(why = jsonpage_unreadable(page, cur)) && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        cur = json_is_object(cur) ? json_object_getn(cur, p, len) : NULL;
        p += len + (dot ? 1 : 0);
    }
    return why;
}

int jsonpage_says_error(const json_t *root)
{
    static const char *const names[] = {"error", "errors"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *e = json_object_get(root, names[i]);
        if (e && !json_is_null(e) && !json_is_false(e) &&
            !(json_is_integer(e) && json_integer_value(e) == 0) &&
            !(json_is_string(e) && json_string_length(e) == 0) &&
            !(json_is_array(e) && json_array_size(e) == 0) &&
            !(json_is_object(e) && json_object_size(e) == 0))
            return 1;
    }
    return 0;
}

/*
 * null at records.path, as Go's encoding/json writes an empty (nil)
 * slice, is an empty page: an empty array put in its place (in the
 * page's arena, which the caller has entered). Not in an answer that says
 * it is an error: that page is none, and the caller fails it. Returns the
 * array, or NULL.
 */
static json_t *null_as_empty(json_t *root, const char *path)
{
    const char *dot = strrchr(path, '.');
    json_t *parent = root;
    if (dot) {
        char *head = strndup(path, (size_t)(dot - path));
        parent = head ? jsonpage_at_path(root, head) : NULL;
        free(head);
    }
    if (!json_is_object(parent) || jsonpage_says_error(root))
        return NULL;
    json_t *empty = json_array();
    if (!empty || json_object_set_new(parent, dot ? dot + 1 : path, empty) != 0)
        return NULL; /* out of memory (json_object_set_new took empty) */
    return empty;
}

/* Creates the missing objects of path under root and the empty array at
 * its end: the array, or NULL (a segment that is no object, ENOMEM). */
static json_t *make_path(json_t *root, const char *path)
{
    json_t *cur = root;
    for (const char *p = path;;) {
        size_t len = strcspn(p, ".");
        int last = p[len] == '\0';
        json_t *next = json_object_getn(cur, p, len);
        if (!next) {
            next = last ? json_array() : json_object();
            if (!next || json_object_setn_new(cur, p, len, next) != 0)
                return NULL; /* ENOMEM (json_object_setn_new took next) */
        } else if (last || !json_is_object(next)) {
            return NULL; /* there after all, or no object to go into */
        }
        if (last)
            return next;
        cur = next;
        p += len + 1;
    }
}

json_t *jsonpage_absent_as_empty(jsonpage_t *page, const char *path)
{
    if (!path || !*path || !json_is_object(page->root) || jsonpage_says_error(page->root) ||
        jsonpage_unreadable_at(page, path) || jsonpage_at_path(page->root, path))
        return NULL;
    json_arena_t *prev = json_arena_enter(page->arena);
    json_t *arr = make_path(page->root, path);
    json_arena_leave(prev);
    if (arr)
        page->records = arr;
    return arr;
}

int jsonpage_parse(const char *body, size_t len, const char *records_path, jsonpage_t *page,
                   char *errstr, size_t errstr_size)
{
    jsonscan_t r = {.b = (const unsigned char *)body, .len = len, .page = page};
    const char *path = records_path ? records_path : "";
    memset(page, 0, sizeof(*page));
    /* UTF-16 (or UTF-32) with its byte order mark, as some Windows
     * services write: said so, not "unexpected byte 0xff" */
    if (len >= 2 && ((r.b[0] == 0xff && r.b[1] == 0xfe) || (r.b[0] == 0xfe && r.b[1] == 0xff))) {
        errstr_set(errstr, errstr_size,
                   "it starts with a UTF-16 byte order mark (%02X %02X): JSON between systems is "
                   "UTF-8 (RFC 8259), which is what tidemark reads",
                   r.b[0], r.b[1]);
        return -1;
    }
    if (!(page->arena = json_arena_new())) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    /* a page's thousands of values are dropped together: one arena */
    json_arena_t *prev = json_arena_enter(page->arena);
    r.pos = utf8_bom(body, len);
    jsonscan_skip_ws(&r);
    json_t *root = read_value(&r, path, 1);
    if (root) {
        jsonscan_skip_ws(&r);
        if (r.pos < r.len) {
            jsonscan_unexpected(&r, "the end of the body");
            json_decref(root);
            root = NULL;
        }
    }
    if (root) {
        page->root = root;
        json_t *arr = jsonpage_at_path(root, path);
        if (json_is_null(arr) && *path)
            arr = null_as_empty(root, path);
        if (r.records && arr != r.records) { /* a later member of the same name won */
            jsonscan_fail(&r, 0, "records.path names more than one member");
        } else {
            page->records = json_is_array(arr) ? arr : NULL;
        }
    }
    json_decref(r.records);
    json_arena_leave(prev);
    free(r.sbuf);
    if (r.failed) {
        if (r.oom)
            errstr_set(errstr, errstr_size, "out of memory");
        else
            errstr_set(errstr, errstr_size, "%s at byte %zu", r.reason, r.fail_at);
        jsonpage_clear(page);
        return -1;
    }
    return 0;
}
