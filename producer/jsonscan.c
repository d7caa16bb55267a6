/*
 * jsonscan.c - strict JSON tokens for the page reader (see jsonscan.h):
 * failure and bad-value bookkeeping, strings, numbers and literals.
 */
#include "jsonscan.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "hexnum.h"
#include "jsonnum.h"

json_t *jsonscan_fail(jsonscan_t *r, size_t at, const char *fmt, ...)
{
    if (r->failed)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
    r->failed = 1;
    r->fail_at = at;
    return NULL;
}

json_t *jsonscan_oom(jsonscan_t *r)
{
    r->oom = 1;
    return jsonscan_fail(r, r->pos, "out of memory");
}

void jsonscan_note(jsonscan_t *r, size_t at, const char *fmt, ...)
{
    int *noted = r->in_record ? &r->bad : &r->unread;
    if (*noted)
        return;
    *noted = 1;
    va_list ap;
    va_start(ap, fmt);
    if (r->in_record) {
        r->bad_at = at;
        vsnprintf(r->bad_reason, sizeof(r->bad_reason), fmt, ap);
    } else {
        r->unread_at = at;
        vsnprintf(r->unread_reason, sizeof(r->unread_reason), fmt, ap);
    }
    va_end(ap);
}

json_t *jsonscan_bad_value(jsonscan_t *r)
{
    if (r->in_record) {
        json_t *v = json_null();
        return v ? v : jsonscan_oom(r);
    }
    jsonpage_t *pg = r->page;
    r->unread = 0;
    if ((pg->n_unreadable & (pg->n_unreadable - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        size_t cap = pg->n_unreadable ? 2 * pg->n_unreadable : 1;
        jsonpage_unreadable_t *grown = realloc(pg->unreadable, cap * sizeof(*grown));
        if (!grown)
            return jsonscan_oom(r);
        pg->unreadable = grown;
    }
    json_t *v = json_object();
    if (!v)
        return jsonscan_oom(r);
    /* the page's own reference: the value keeps its address (no later
     * value takes it) even when a later member of its name drops it */
    jsonpage_unreadable_t *u = &pg->unreadable[pg->n_unreadable++];
    u->value = json_incref(v);
    snprintf(u->reason, sizeof(u->reason), "%s at byte %zu (outside the records)", r->unread_reason,
             r->unread_at);
    return v;
}

json_t *jsonscan_unexpected(jsonscan_t *r, const char *wanted)
{
    if (r->pos >= r->len)
        return jsonscan_fail(r, r->pos, "unexpected end of the body (expected %s)", wanted);
    unsigned char c = r->b[r->pos];
    if (c >= 0x20 && c < 0x7f)
        return jsonscan_fail(r, r->pos, "unexpected '%c' (expected %s)", c, wanted);
    return jsonscan_fail(r, r->pos, "unexpected byte 0x%02x (expected %s)", c, wanted);
}

/* ---- strings ----------------------------------------------------------- */

/* 1 for a byte a string holds as it is: 0x20-0x7f but '"' and '\\'. */
static const unsigned char plain_byte[256] = {
    [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x22 '"' */
    [0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x5c '\\' */
    [0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * The first byte at or after p (before end) that is not plain_byte[].
 * Through a local pointer, four bytes a turn: with r->pos as the index,
 * every byte read through an unsigned char pointer could alias it, so
 * the compiler stored and reloaded it per byte (17 instructions a byte,
 * a third of a page's parse). With SSE2 (every x86-64), sixteen bytes a
 * turn first: about 18 strings a record (keys and values) took 50
 * instructions each, a tenth of the page reader's.
 */
static const unsigned char *plain_end(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed bytes: 0x80-0xff are negative, so below 0x20 as the
         * control characters are: all three kinds of byte not plain */
        __m128i odd =
            _mm_or_si128(_mm_cmplt_epi8(v, space),
                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        unsigned mask = (unsigned)_mm_movemask_epi8(odd);
        if (mask)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (end - p >= 4) {
        if (!plain_byte[p[0]])
            return p;
        if (!plain_byte[p[1]])
            return p + 1;
        if (!plain_byte[p[2]])
            return p + 2;
        if (!plain_byte[p[3]])
            return p + 3;
        p += 4;
    }
    while (p < end && plain_byte[*p])
        p++;
    return p;
}

static int sbuf_put(jsonscan_t *r, const void *p, size_t n)
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
    uint64_t v;
    if (avail < 4 || hexnum_parse((const char *)p, 4, &v) != 0)
        return -1;
    *out = (unsigned)v;
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
static int read_escape(jsonscan_t *r, int *poisoned)
{
    size_t at = r->pos;
    const unsigned char *p = r->b + at;
    size_t avail = r->len - at;
    if (avail < 2)
        return jsonscan_fail(r, at, "unexpected end of the body in a string"), -1;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *e = p[1] ? strchr(from, p[1]) : NULL;
    if (e) {
        r->pos += 2;
        return sbuf_put(r, &to[e - from], 1) != 0 ? (jsonscan_oom(r), -1) : 0;
    }
    unsigned cp, lo;
    if (p[1] != 'u' || hex4(p + 2, avail - 2, &cp) != 0) {
        r->pos += 2;
        *poisoned = 1;
        if (p[1] == 'u')
            jsonscan_note(r, at, "invalid \\u escape");
        else if (p[1] >= 0x20 && p[1] < 0x7f)
            jsonscan_note(r, at, "invalid escape \\%c", p[1]);
        else
            jsonscan_note(r, at, "invalid escape (byte 0x%02x)", p[1]);
        return 0;
    }
    r->pos += 6;
    if (cp == 0) {
        *poisoned = 1;
        jsonscan_note(r, at, "\\u0000 in a string");
        return 0;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && avail >= 12 && p[6] == '\\' && p[7] == 'u' &&
        hex4(p + 8, avail - 8, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        r->pos += 6;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
        *poisoned = 1;
        jsonscan_note(r, at, "lone surrogate \\u%04x", cp);
        return 0;
    }
    char u[4];
    return sbuf_put(r, u, utf8_put(cp, u)) != 0 ? (jsonscan_oom(r), -1) : 0;
}

/*
 * The string at r->pos (its opening quote). On 0: *s, *n is its UTF-8
 * content (in the body, or in sbuf until the next string), *poisoned 1
 * when it had a bad byte or escape (noted; its content is then
 * meaningless). -1 when the page fails.
 */
int jsonscan_string(jsonscan_t *r, const char **s, size_t *n, int *poisoned)
{
    size_t start = ++r->pos;
    const unsigned char *b = r->b;
    *poisoned = 0;
    r->unread = 0; /* one noted before was another token's */
    /* fast path: plain ASCII up to the closing quote, read in place */
    r->pos = (size_t)(plain_end(b + start, b + r->len) - b);
    if (r->pos < r->len && b[r->pos] == '"') {
        *s = (const char *)b + start;
        *n = r->pos - start;
        r->pos++;
        return 0;
    }
    r->slen = 0;
    if (sbuf_put(r, b + start, r->pos - start) != 0)
        return jsonscan_oom(r), -1;
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
            jsonscan_note(r, at, "control character 0x%02x in a string", c);
        } else if (plain_byte[c]) { /* the fast path's bytes: no turn without a step */
            size_t run = (size_t)(plain_end(b + r->pos, b + r->len) - b);
            if (sbuf_put(r, b + r->pos, run - r->pos) != 0)
                return jsonscan_oom(r), -1;
            r->pos = run;
        } else {
            size_t k = utf8_seq(b + r->pos, r->len - r->pos);
            if (k == 0) {
                r->pos++;
                *poisoned = 1;
                jsonscan_note(r, at, "invalid UTF-8 (byte 0x%02x)", c);
            } else {
                if (sbuf_put(r, b + r->pos, k) != 0)
                    return jsonscan_oom(r), -1;
                r->pos += k;
            }
        }
    }
    jsonscan_fail(r, r->len, "unexpected end of the body in a string");
    return -1;
}

/* ---- numbers and literals ---------------------------------------------- */

static int is_delim(int c)
{
    return c < 0 || c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' ||
           c == '\r' || c == ':';
}

int jsonscan_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_token_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || jsonscan_is_digit(c) || c == '+' ||
           c == '-' || c == '.';
}

/* A token that is no JSON value (NaN, Infinity, 01, tru): noted, read as
 * jsonscan_bad_value(). */
static json_t *bad_token(jsonscan_t *r, size_t start)
{
    size_t end = start;
    while (end < r->len && is_token_char(r->b[end]))
        end++;
    if (end == start)
        return jsonscan_unexpected(r, "a value");
    int shown = end - start > 40 ? 40 : (int)(end - start);
    r->unread = 0; /* one noted before was another token's */
    jsonscan_note(r, start, "invalid value '%.*s%s'", shown, (const char *)r->b + start,
                  end - start > 40 ? "..." : "");
    r->pos = end;
    return jsonscan_bad_value(r);
}

json_t *jsonscan_number(jsonscan_t *r)
{
    const unsigned char *b = r->b;
    size_t start = r->pos, p = start;
    if (p < r->len && b[p] == '-')
        p++;
    if (p < r->len && b[p] == '0') {
        p++;
    } else if (p < r->len && b[p] >= '1' && b[p] <= '9') {
        while (p < r->len && jsonscan_is_digit(b[p]))
            p++;
    } else {
        return bad_token(r, start);
    }
    if (p < r->len && b[p] == '.') {
        if (++p >= r->len || !jsonscan_is_digit(b[p]))
            return bad_token(r, start);
        while (p < r->len && jsonscan_is_digit(b[p]))
            p++;
    }
    if (p < r->len && (b[p] == 'e' || b[p] == 'E')) {
        p++;
        if (p < r->len && (b[p] == '+' || b[p] == '-'))
            p++;
        if (p >= r->len || !jsonscan_is_digit(b[p]))
            return bad_token(r, start);
        while (p < r->len && jsonscan_is_digit(b[p]))
            p++;
    }
    if (!is_delim(p < r->len ? b[p] : -1))
        return bad_token(r, start);
    r->pos = p;
    json_t *j = jsonnum_value((const char *)b + start, p - start);
    return j ? j : jsonscan_oom(r);
}

json_t *jsonscan_literal(jsonscan_t *r)
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
            return v ? v : jsonscan_oom(r);
        }
    }
    return bad_token(r, r->pos);
}
