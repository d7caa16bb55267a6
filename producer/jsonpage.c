/*
 * jsonpage.c - a strict JSON reader for page bodies that isolates bad
 * records and keeps numbers exact (see jsonpage.h).
 *
 * One recursive descent over the body. Outside a records element every
 * problem fails the page. Inside one, a problem in a value (a string's
 * bytes or escapes, a bad token) is noted (the first one is the item's
 * reason) and the value becomes null, so the element still yields a
 * lenient stand-in; a syntax error stops the element, and a scan that
 * knows strings and brackets finds where it ends.
 */
#include "jsonpage.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "jsonnum.h"

#define SKIP_MAX_DEPTH 32768 /* nesting the end-of-item scan follows */

typedef struct rd {
    const unsigned char *b;
    size_t len, pos;
    int depth;
    int in_record; /* inside an element of the records array */
    int bad;       /* a value problem was noted in the current element */
    size_t bad_at;
    char bad_reason[JSONPAGE_REASON_SIZE];
    int failed; /* a syntax error, a problem outside records, or ENOMEM */
    int oom, outside;
    size_t fail_at;
    char reason[JSONPAGE_REASON_SIZE];
    char *sbuf; /* scratch for strings with escapes */
    size_t scap, slen;
    jsonpage_t *page;
    json_t *records; /* a reference to the array read at records_path */
} rd_t;

/* A syntax error (or, outside records, any problem) at byte at: the
 * element, or the page, cannot go on. Returns NULL. */
static json_t *fail(rd_t *r, size_t at, const char *fmt, ...) TM_PRINTF(3, 4);
static json_t *fail(rd_t *r, size_t at, const char *fmt, ...)
{
    if (r->failed)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->failed = 1;
    r->fail_at = at;
    return NULL;
}

static json_t *oom(rd_t *r)
{
    r->oom = 1;
    return fail(r, r->pos, "out of memory");
}

/* A problem in one value at byte at. Inside a record: noted (the first
 * one counts), 0, and the caller makes the value null. Outside: fails
 * the page, -1. */
static int note(rd_t *r, size_t at, const char *fmt, ...) TM_PRINTF(3, 4);
static int note(rd_t *r, size_t at, const char *fmt, ...)
{
    char msg[JSONPAGE_REASON_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!r->in_record) {
        fail(r, at, "%s", msg);
        r->outside = 1;
        return -1;
    }
    if (!r->bad) {
        r->bad = 1;
        r->bad_at = at;
        memcpy(r->bad_reason, msg, sizeof msg);
    }
    return 0;
}

static void skip_ws(rd_t *r)
{
    while (r->pos < r->len) {
        unsigned char c = r->b[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        r->pos++;
    }
}

static int peek(const rd_t *r)
{
    return r->pos < r->len ? r->b[r->pos] : -1;
}

static json_t *unexpected(rd_t *r, const char *wanted)
{
    if (r->pos >= r->len)
        return fail(r, r->pos, "unexpected end of the body (expected %s)", wanted);
    unsigned char c = r->b[r->pos];
    if (c >= 0x20 && c < 0x7f)
        return fail(r, r->pos, "unexpected '%c' (expected %s)", c, wanted);
    return fail(r, r->pos, "unexpected byte 0x%02x (expected %s)", c, wanted);
}

/* ---- strings ----------------------------------------------------------- */

/* Length of the valid UTF-8 sequence (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF) of a non-ASCII lead byte at p, or 0. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

static int sbuf_put(rd_t *r, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (r->slen + n > r->scap) {
        size_t cap = r->scap ? r->scap : 256;
        while (cap < r->slen + n)
            cap *= 2;
        char *grown = realloc(r->sbuf, cap);
        if (!grown)
            return -1;
        r->sbuf = grown;
        r->scap = cap;
    }
    memcpy(r->sbuf + r->slen, p, n);
    r->slen += n;
    return 0;
}

static int hex4(const unsigned char *p, size_t avail, unsigned *out)
{
    unsigned v = 0;
    if (avail < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 0;
}

static size_t utf8_put(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/*
 * One escape at r->pos (the backslash): appends its UTF-8 to sbuf and
 * moves past it. A bad escape is noted and skipped (*poisoned = 1).
 * -1 when the page fails.
 */
static int read_escape(rd_t *r, int *poisoned)
{
    size_t at = r->pos;
    const unsigned char *p = r->b + at;
    size_t avail = r->len - at;
    if (avail < 2)
        return fail(r, at, "unexpected end of the body in a string"), -1;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *e = p[1] ? strchr(from, p[1]) : NULL;
    if (e) {
        r->pos += 2;
        return sbuf_put(r, &to[e - from], 1) != 0 ? (oom(r), -1) : 0;
    }
    unsigned cp, lo;
    if (p[1] != 'u' || hex4(p + 2, avail - 2, &cp) != 0) {
        r->pos += 2;
        *poisoned = 1;
        if (p[1] == 'u')
            return note(r, at, "invalid \\u escape");
        if (p[1] >= 0x20 && p[1] < 0x7f)
            return note(r, at, "invalid escape \\%c", p[1]);
        return note(r, at, "invalid escape (byte 0x%02x)", p[1]);
    }
    r->pos += 6;
    if (cp == 0) {
        *poisoned = 1;
        return note(r, at, "\\u0000 in a string");
    }
    if (cp >= 0xd800 && cp <= 0xdbff && avail >= 12 && p[6] == '\\' && p[7] == 'u' &&
        hex4(p + 8, avail - 8, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        r->pos += 6;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
        *poisoned = 1;
        return note(r, at, "lone surrogate \\u%04x", cp);
    }
    char u[4];
    return sbuf_put(r, u, utf8_put(cp, u)) != 0 ? (oom(r), -1) : 0;
}

/*
 * The string at r->pos (its opening quote). On 0: *s, *n is its UTF-8
 * content (in the body, or in sbuf until the next string), *poisoned 1
 * when it had a bad byte or escape (noted; its content is then
 * meaningless). -1 when the page fails.
 */
static int read_string(rd_t *r, const char **s, size_t *n, int *poisoned)
{
    size_t start = ++r->pos;
    const unsigned char *b = r->b;
    *poisoned = 0;
    /* fast path: plain ASCII up to the closing quote, read in place */
    while (r->pos < r->len && b[r->pos] != '"' && b[r->pos] != '\\' && b[r->pos] >= 0x20 &&
           b[r->pos] < 0x80)
        r->pos++;
    if (r->pos < r->len && b[r->pos] == '"') {
        *s = (const char *)b + start;
        *n = r->pos - start;
        r->pos++;
        return 0;
    }
    r->slen = 0;
    if (sbuf_put(r, b + start, r->pos - start) != 0)
        return oom(r), -1;
    while (r->pos < r->len) {
        unsigned char c = b[r->pos];
        size_t at = r->pos;
        if (c == '"') {
            r->pos++;
            /* sbuf is still NULL when every byte was a bad one */
            *s = r->sbuf ? r->sbuf : "";
            *n = r->slen;
            return 0;
        }
        if (c == '\\') {
            if (read_escape(r, poisoned) != 0)
                return -1;
        } else if (c < 0x20) {
            r->pos++;
            *poisoned = 1;
            if (note(r, at, "control character 0x%02x in a string", c) != 0)
                return -1;
        } else if (c < 0x80) {
            size_t run = r->pos;
            while (run < r->len && b[run] != '"' && b[run] != '\\' && b[run] >= 0x20 &&
                   b[run] < 0x80)
                run++;
            if (sbuf_put(r, b + r->pos, run - r->pos) != 0)
                return oom(r), -1;
            r->pos = run;
        } else {
            size_t k = utf8_seq(b + r->pos, r->len - r->pos);
            if (k == 0) {
                r->pos++;
                *poisoned = 1;
                if (note(r, at, "invalid UTF-8 (byte 0x%02x)", c) != 0)
                    return -1;
            } else {
                if (sbuf_put(r, b + r->pos, k) != 0)
                    return oom(r), -1;
                r->pos += k;
            }
        }
    }
    fail(r, r->len, "unexpected end of the body in a string");
    return -1;
}

/* ---- numbers and literals ---------------------------------------------- */

static int is_delim(int c)
{
    return c < 0 || c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' ||
           c == '\r' || c == ':';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_token_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '+' ||
           c == '-' || c == '.';
}

/* A token that is no JSON value (NaN, Infinity, 01, tru): noted, null. */
static json_t *bad_token(rd_t *r, size_t start)
{
    size_t end = start;
    while (end < r->len && is_token_char(r->b[end]))
        end++;
    if (end == start)
        return unexpected(r, "a value");
    int shown = end - start > 40 ? 40 : (int)(end - start);
    if (note(r, start, "invalid value '%.*s%s'", shown, (const char *)r->b + start,
             end - start > 40 ? "..." : "") != 0)
        return NULL;
    r->pos = end;
    json_t *v = json_null();
    return v ? v : oom(r);
}

static json_t *read_number(rd_t *r)
{
    const unsigned char *b = r->b;
    size_t start = r->pos, p = start;
    int neg = 0, integral = 1;
    if (p < r->len && b[p] == '-')
        neg = 1, p++;
    if (p < r->len && b[p] == '0') {
        p++;
    } else if (p < r->len && b[p] >= '1' && b[p] <= '9') {
        while (p < r->len && is_digit(b[p]))
            p++;
    } else {
        return bad_token(r, start);
    }
    if (p < r->len && b[p] == '.') {
        integral = 0;
        if (++p >= r->len || !is_digit(b[p]))
            return bad_token(r, start);
        while (p < r->len && is_digit(b[p]))
            p++;
    }
    if (p < r->len && (b[p] == 'e' || b[p] == 'E')) {
        integral = 0;
        p++;
        if (p < r->len && (b[p] == '+' || b[p] == '-'))
            p++;
        if (p >= r->len || !is_digit(b[p]))
            return bad_token(r, start);
        while (p < r->len && is_digit(b[p]))
            p++;
    }
    if (!is_delim(p < r->len ? b[p] : -1))
        return bad_token(r, start);
    r->pos = p;
    if (integral) { /* int64 when it fits: the magnitude limit depends on the sign */
        uint64_t mag = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        size_t i = start + (size_t)neg;
        for (; i < p; i++) {
            unsigned d = (unsigned)(b[i] - '0');
            if (mag > (lim - d) / 10)
                break;
            mag = mag * 10 + d;
        }
        if (i == p) {
            json_int_t v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)mag)
                               : (json_int_t)mag;
            json_t *j = json_integer(v);
            return j ? j : oom(r);
        }
    }
    json_t *j = jsonnum_make((const char *)b + start, p - start);
    return j ? j : oom(r);
}

static json_t *read_literal(rd_t *r)
{
    static const struct {
        const char *word;
        size_t len;
    } lits[] = {{"true", 4}, {"false", 5}, {"null", 4}};
    for (size_t i = 0; i < 3; i++) {
        if (r->len - r->pos >= lits[i].len &&
            memcmp(r->b + r->pos, lits[i].word, lits[i].len) == 0 &&
            is_delim(r->pos + lits[i].len < r->len ? r->b[r->pos + lits[i].len] : -1)) {
            r->pos += lits[i].len;
            json_t *v = i == 0 ? json_true() : i == 1 ? json_false() : json_null();
            return v ? v : oom(r);
        }
    }
    return bad_token(r, r->pos);
}

/* ---- values -------------------------------------------------------------- */

static json_t *read_value(rd_t *r, const char *path, int on_path);

/* The array at records_path: each element read on its own. */
static json_t *read_records(rd_t *r);

static json_t *read_array(rd_t *r)
{
    json_t *arr = json_array();
    if (!arr)
        return oom(r);
    r->pos++;
    skip_ws(r);
    if (peek(r) == ']') {
        r->pos++;
        return arr;
    }
    for (;;) {
        skip_ws(r);
        json_t *v = read_value(r, NULL, 0);
        if (!v || json_array_append_new(arr, v) != 0) {
            json_decref(arr);
            return v ? oom(r) : NULL;
        }
        skip_ws(r);
        int c = peek(r);
        if (c == ',') {
            r->pos++;
        } else if (c == ']') {
            r->pos++;
            return arr;
        } else {
            json_decref(arr);
            return unexpected(r, "',' or ']'");
        }
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

static json_t *read_object(rd_t *r, const char *path, int on_path)
{
    json_t *obj = json_object();
    if (!obj)
        return oom(r);
    r->pos++;
    skip_ws(r);
    if (peek(r) == '}') {
        r->pos++;
        return obj;
    }
    for (;;) {
        skip_ws(r);
        if (peek(r) != '"') {
            json_decref(obj);
            return unexpected(r, "a member name");
        }
        const char *k;
        size_t kn;
        int poisoned;
        if (read_string(r, &k, &kn, &poisoned) != 0) {
            json_decref(obj);
            return NULL;
        }
        /* A name from sbuf would be overwritten by the value's strings. */
        char small[128], *kcopy = NULL;
        if (k == r->sbuf) {
            kcopy = kn < sizeof small ? small : malloc(kn + 1);
            if (!kcopy) {
                json_decref(obj);
                return oom(r);
            }
            memcpy(kcopy, k, kn);
            k = kcopy;
        }
        const char *child = on_path && *path && !poisoned ? path_next(path, k, kn) : NULL;
        skip_ws(r);
        json_t *v = NULL;
        if (peek(r) != ':')
            unexpected(r, "':'");
        else {
            r->pos++;
            skip_ws(r);
            v = read_value(r, child ? child : "", child != NULL);
        }
        int rc = -1;
        if (v && poisoned) { /* a bad name: its member is left out */
            json_decref(v);
            rc = 0;
        } else if (v) {
            rc = json_object_setn_new_nocheck(obj, k, kn, v);
            if (rc != 0)
                oom(r);
        }
        if (kcopy != small)
            free(kcopy);
        if (rc != 0) {
            json_decref(obj);
            return NULL;
        }
        skip_ws(r);
        int c = peek(r);
        if (c == ',') {
            r->pos++;
        } else if (c == '}') {
            r->pos++;
            return obj;
        } else {
            json_decref(obj);
            return unexpected(r, "',' or '}'");
        }
    }
}

static json_t *read_value(rd_t *r, const char *path, int on_path)
{
    int c = peek(r);
    json_t *v;
    if (c == '"') {
        const char *s;
        size_t n;
        int poisoned;
        if (read_string(r, &s, &n, &poisoned) != 0)
            return NULL;
        v = poisoned ? json_null() : json_stringn_nocheck(s, n);
        return v ? v : oom(r);
    }
    if (c == '{' || c == '[') {
        if (r->depth >= JSONPAGE_MAX_DEPTH)
            return fail(r, r->pos, "nested deeper than %d levels", JSONPAGE_MAX_DEPTH);
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
    if (c == '-' || is_digit(c))
        return read_number(r);
    if (c < 0)
        return unexpected(r, "a value");
    return read_literal(r);
}

/* ---- records ------------------------------------------------------------- */

/*
 * Where the element that starts at start ends: the ',' or ']' that
 * follows it outside strings and brackets; -1 when there is none (the
 * body ends, or brackets do not match).
 */
static long long skip_item(const rd_t *r, size_t start)
{
    unsigned char open[SKIP_MAX_DEPTH / 8]; /* bit set: '[', clear: '{' */
    size_t depth = 0;
    const unsigned char *b = r->b;
    for (size_t i = start; i < r->len; i++) {
        unsigned char c = b[i];
        if (c == '"') {
            for (i++; i < r->len && b[i] != '"'; i++)
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

/* Records element index, body[start..end), as a bad item: why at at. */
static int add_bad(rd_t *r, size_t index, size_t start, size_t end, const char *why, size_t at)
{
    jsonpage_t *pg = r->page;
    while (end > start && (r->b[end - 1] == ' ' || r->b[end - 1] == '\t' || r->b[end - 1] == '\n' ||
                           r->b[end - 1] == '\r'))
        end--;
    if ((pg->n_bad & (pg->n_bad - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        jsonpage_bad_t *grown = realloc(pg->bad, (pg->n_bad ? 2 * pg->n_bad : 1) * sizeof *grown);
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
    snprintf(bad->reason, sizeof bad->reason, "%s at offset %zu of the record", why, at - start);
    pg->n_bad++;
    return 0;
}

static json_t *read_records(rd_t *r)
{
    if (r->records)
        return fail(r, r->pos, "a second array at records.path");
    json_t *arr = json_array();
    if (!arr)
        return oom(r);
    r->pos++;
    skip_ws(r);
    if (peek(r) == ']') {
        r->pos++;
        r->records = json_incref(arr);
        return arr;
    }
    for (size_t index = 0;; index++) {
        skip_ws(r);
        size_t start = r->pos;
        r->in_record = 1;
        r->bad = 0;
        json_t *v = read_value(r, NULL, 0);
        r->in_record = 0;
        if (!v && r->oom) {
            json_decref(arr);
            return NULL;
        }
        if (!v) { /* a syntax error: the item ends where the scan says */
            long long end = skip_item(r, start);
            if (end <= (long long)start) { /* none, or an empty item: not JSON */
                char why[JSONPAGE_REASON_SIZE];
                snprintf(why, sizeof why, "%s", r->reason);
                r->failed = 0;
                json_decref(arr);
                return fail(r, r->fail_at, "record %zu: %s", index, why);
            }
            /* the first problem is the reason: a noted one came before */
            const char *why = r->bad ? r->bad_reason : r->reason;
            size_t at = r->bad ? r->bad_at : r->fail_at;
            r->failed = 0;
            r->pos = (size_t)end;
            if (add_bad(r, index, start, (size_t)end, why, at) != 0 || !(v = json_null())) {
                json_decref(arr);
                return oom(r);
            }
        } else if (r->bad && add_bad(r, index, start, r->pos, r->bad_reason, r->bad_at) != 0) {
            json_decref(v);
            json_decref(arr);
            return oom(r);
        }
        if (json_array_append_new(arr, v) != 0) {
            json_decref(arr);
            return oom(r);
        }
        skip_ws(r);
        int c = peek(r);
        if (c == ',') {
            r->pos++;
        } else if (c == ']') {
            r->pos++;
            r->records = json_incref(arr);
            return arr;
        } else {
            json_decref(arr);
            return unexpected(r, "',' or ']' after a record");
        }
    }
}

/* ---- the page ------------------------------------------------------------ */

void jsonpage_clear(jsonpage_t *page)
{
    if (!page)
        return;
    json_decref(page->root);
    for (size_t i = 0; i < page->n_bad; i++)
        free(page->bad[i].raw);
    free(page->bad);
    memset(page, 0, sizeof *page);
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

int jsonpage_parse(const char *body, size_t len, const char *records_path, jsonpage_t *page,
                   char *errstr, size_t errstr_size)
{
    rd_t r = {.b = (const unsigned char *)body, .len = len, .page = page};
    const char *path = records_path ? records_path : "";
    memset(page, 0, sizeof *page);
    skip_ws(&r);
    json_t *root = read_value(&r, path, 1);
    if (root) {
        skip_ws(&r);
        if (r.pos < r.len) {
            unexpected(&r, "the end of the body");
            json_decref(root);
            root = NULL;
        }
    }
    if (root) {
        page->root = root;
        json_t *arr = jsonpage_at_path(root, path);
        if (r.records && arr != r.records) { /* a later member of the same name won */
            fail(&r, 0, "records.path names more than one member");
        } else {
            page->records = json_is_array(arr) ? arr : NULL;
        }
    }
    json_decref(r.records);
    free(r.sbuf);
    if (r.failed) {
        if (r.oom)
            errstr_set(errstr, errstr_size, "out of memory");
        else
            errstr_set(errstr, errstr_size, "%s at byte %zu%s", r.reason, r.fail_at,
                       r.outside ? " (outside the records)" : "");
        jsonpage_clear(page);
        return -1;
    }
    return 0;
}
