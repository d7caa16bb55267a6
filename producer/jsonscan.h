/*
 * jsonscan.h - the token level of the page reader (jsonpage.h): the
 * reader's state, its failure and bad-value bookkeeping, and strict
 * RFC 8259 strings (UTF-8, escapes), numbers and literals. jsonpage.c
 * builds values, the records array and the page on top of it.
 *
 * Private to jsonpage.c (and its tests through jsonpage.h). Owns: the
 * scratch buffer sbuf (the caller frees it after the page). One reader
 * per page; any thread. Fails through the state: jsonscan_fail() marks a
 * failure that stops the element or the page (reason, byte, oom),
 * jsonscan_note() a bad value (the reader goes on: inside a record the
 * record becomes a bad item; outside, the value becomes a stand-in that
 * the page keeps with why, jsonscan_bad_value()).
 */
#ifndef TIDEMARK_JSONSCAN_H
#define TIDEMARK_JSONSCAN_H

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>

#include "jsonpage.h"

typedef struct jsonscan {
    const unsigned char *b;
    size_t len, pos;
    int depth;
    int in_record; /* inside an element of the records array */
    int bad;       /* a value problem was noted in the current element */
    size_t bad_at;
    char bad_reason[JSONPAGE_REASON_SIZE];
    int unread; /* outside records: a problem was noted in the current token */
    size_t unread_at;
    char unread_reason[JSONPAGE_REASON_SIZE];
    int failed; /* a syntax error, or ENOMEM */
    int oom;
    size_t fail_at;
    char reason[JSONPAGE_REASON_SIZE];
    char *sbuf; /* scratch for strings with escapes */
    size_t scap, slen;
    jsonpage_t *page;
    json_t *records; /* a reference to the array read at records_path */
} jsonscan_t;

/* A syntax error at byte at: the element, or the page, cannot go on.
 * The first one counts. Returns NULL. */
json_t *jsonscan_fail(jsonscan_t *r, size_t at, const char *fmt, ...) TM_PRINTF(3, 4);

/* Out of memory at the current byte: jsonscan_fail() with r->oom set. */
json_t *jsonscan_oom(jsonscan_t *r);

/* A problem in one value at byte at: noted (the first one of the record,
 * or outside the records of the token, counts); the caller reads the
 * value as jsonscan_bad_value(). */
void jsonscan_note(jsonscan_t *r, size_t at, const char *fmt, ...) TM_PRINTF(3, 4);

/*
 * What a value with a noted problem (a string's bytes or escapes, a bad
 * token) is read as. Inside a record: null (the record is a bad item).
 * Outside: a stand-in, an empty object of its own, that the page keeps
 * with the noted reason (jsonpage_unreadable()): a member nobody reads
 * costs nothing, and a reader that lands on it fails the page. NULL on
 * ENOMEM (the page fails).
 */
json_t *jsonscan_bad_value(jsonscan_t *r) TM_WARN_UNUSED;

/* jsonscan_fail() naming the byte found and what was wanted there. */
json_t *jsonscan_unexpected(jsonscan_t *r, const char *wanted);

/* Past blanks. Inline, as jsonscan_peek(): called between any two
 * tokens, and a page of compact JSON mostly has none. */
static inline void jsonscan_skip_ws(jsonscan_t *r)
{
    const unsigned char *p = r->b + r->pos, *end = r->b + r->len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    r->pos = (size_t)(p - r->b);
}

/* The byte at r->pos, or -1 at the end of the body. */
static inline int jsonscan_peek(const jsonscan_t *r)
{
    return r->pos < r->len ? r->b[r->pos] : -1;
}

int jsonscan_is_digit(int c);

/*
 * The string at r->pos (its opening quote). On 0: *s, *n is its UTF-8
 * content (in the body, or in sbuf until the next string), *poisoned 1
 * when it had a bad byte or escape (noted; its content is then
 * meaningless: read it as jsonscan_bad_value(), or leave a member with
 * such a name out). -1 when the page fails.
 */
int jsonscan_string(jsonscan_t *r, const char **s, size_t *n, int *poisoned) TM_WARN_UNUSED;

/* The number at r->pos ('-' or a digit): a json_integer when it fits
 * int64, else its text (jsonnum.h); a bad token is noted and read as
 * jsonscan_bad_value(). NULL when the page fails. */
json_t *jsonscan_number(jsonscan_t *r) TM_WARN_UNUSED;

/* true, false or null at r->pos; any other token is noted and read as
 * jsonscan_bad_value(). NULL when the page fails. */
json_t *jsonscan_literal(jsonscan_t *r) TM_WARN_UNUSED;

#endif
