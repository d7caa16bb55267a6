/*
 * jsonpage.h - reads one page body from a source API into jansson values,
 * record by record, keeping every number exact.
 *
 * Why not json_loadb: jansson rejects a whole document for one bad byte
 * or value, so one record holding a Latin-1 byte, \u0000 or a lone
 * surrogate would stop its stream for ever; and it turns every number
 * into int64 or double, so 12345678901234567.89 loses digits and an
 * integer beyond int64 (even in a member nobody reads) fails the page.
 *
 * This reader is strict RFC 8259 (UTF-8 only, no NaN/Infinity, no
 * comments, no trailing commas). Inside the array at records_path each
 * element is read on its own: an element with a bad byte, a bad escape
 * (\u0000, a lone surrogate, \x), a raw control character in a string, a
 * bad literal or number token (NaN, 01), or a syntax error, is a *bad
 * item*: its bytes and the reason are reported, the rest of the page goes
 * on. The body fails as a whole (-1) when it is not JSON outside those
 * elements, or when the end of a bad element cannot be found (a bracket-
 * and string-aware scan: truncated, mismatched brackets).
 *
 * Outside the records (the envelope) such a bad value (a string with a
 * bad byte or escape, a bad number or literal token) is an *unreadable*
 * value: read as a stand-in, an empty object of its own, which the page
 * keeps with the reason. An API may put free text beside its records (a
 * "message", a "debug" member) that nobody reads: failing the page for
 * it would fail the stream on every run. A reader of the envelope
 * (records.path, the error members, next.path, more.path) asks
 * jsonpage_unreadable() or jsonpage_unreadable_at() first, and fails the
 * page with the reason when it lands on one or its path runs through one:
 * read as anything (null, say), a next cursor or a more flag would end a
 * walk early without a word. A member outside the records whose name is
 * bad is left out (no configured path can name it).
 *
 * Numbers: an integer that fits int64 is a json_integer; every other
 * number is kept as its text (common/jsonnum.h), never made a double.
 *
 * The token level (strings, escapes, numbers, literals) is jsonscan.h;
 * values, the records array and the page are jsonpage.c.
 *
 * Owns: a jsonpage_t owns root (and so records) and the bad items, until
 * jsonpage_clear(). Pure: any thread, on distinct pages. Linear in the
 * body; one scratch buffer for strings with escapes.
 */
#ifndef TIDEMARK_JSONPAGE_H
#define TIDEMARK_JSONPAGE_H

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>
#include "json_arena.h"

#define JSONPAGE_REASON_SIZE 160
#define JSONPAGE_MAX_DEPTH   1024 /* nesting the reader builds values for */

typedef struct jsonpage_bad {
    size_t index;  /* its position in the records array */
    size_t offset; /* of its first byte in the body */
    char *raw;     /* a copy of its bytes (raw_len of them, then a NUL) */
    size_t raw_len;
    char reason[JSONPAGE_REASON_SIZE]; /* "invalid UTF-8 (byte 0xe9) at
                                        * offset 17 of the record" */
} jsonpage_bad_t;

/* A value outside the records that could not be read (its stand-in). */
typedef struct jsonpage_unreadable {
    const json_t *value;                    /* the stand-in (the page holds a reference) */
    char reason[JSONPAGE_REASON_SIZE + 48]; /* "lone surrogate \ud800 at byte
                                             * 21 (outside the records)" */
} jsonpage_unreadable_t;

/* An address range in the page's arena (json_arena_carved_since): good
 * for prefetching only. */
typedef struct jsonpage_extent {
    const char *at;
    size_t len;
} jsonpage_extent_t;

/* What an element's extent covers at most: a larger one is prefetched
 * from its start. */
#define JSONPAGE_EXTENT_MAX (16 * 1024)

typedef struct jsonpage {
    json_t *root; /* the body */
    /* The array at records_path (borrowed from root), or NULL when there
     * is none. The element at a bad item's index is a stand-in: the item
     * read leniently (each string with a bad byte or escape, and each bad
     * token, is null; a member whose name is bad is left out), or null
     * when even that failed. It serves to read the item's id and cursor
     * and to count the page; it is never to be published. */
    json_t *records;
    jsonpage_bad_t *bad; /* ordered by index */
    size_t n_bad;
    /* The unreadable values outside the records, in body order (the
     * header comment; jsonpage_unreadable()). */
    jsonpage_unreadable_t *unreadable;
    size_t n_unreadable;
    /* Where each element of records has its values in the arena, by index
     * (for jsonpage_prefetch; an extent may be empty). */
    jsonpage_extent_t *extents;
    size_t n_extents, cap_extents;
    json_arena_t *arena; /* root's values, released whole (json_arena.h) */
} jsonpage_t;

/*
 * Parses body[0..len) into *page (which it zeroes first); records_path is
 * a dotted path of member names ("data", "result.items"; "" or NULL: the
 * root). Returns 0 (page->records may still be NULL: the caller says that
 * no array is at the path, or that an unreadable value is there or on the
 * way: jsonpage_unreadable_at()), or -1 with errstr ("unexpected '<'
 * (expected a value) at byte 0", "unexpected end of the body at byte 80",
 * "out of memory") and *page empty.
 */
int jsonpage_parse(const char *body, size_t len, const char *records_path, jsonpage_t *page,
                   char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Asks the CPU to bring the values of element index of page->records into
 * its caches, without waiting for them: they are read a few elements
 * later. Why: the fetch thread builds a page of many MiB, often on the
 * other core, so when the walk reaches an element its values are in no
 * cache of this core, and jansson's lookups chase pointers through them,
 * one cache miss after another (in the bench's profile, two loads of
 * jansson's hashtable lookup were a tenth of the producer's CPU; asking
 * a few elements ahead, the walk took 10% less). Reads nothing; an index
 * past the end is a no-op.
 */
void jsonpage_prefetch(const jsonpage_t *page, size_t index);

/* Frees what page holds and zeroes it. NULL or zeroed: no-op. */
void jsonpage_clear(jsonpage_t *page);

/* The value at a dotted path ("data", "result.items"; "" or NULL = root),
 * or NULL. Outside the records, ask jsonpage_unreadable_at() first. */
json_t *jsonpage_at_path(json_t *root, const char *path);

/*
 * Whether v, a value of page->root outside the records (or NULL), can be
 * read: NULL when it can, else why not, as the page would have failed
 * for it ("lone surrogate \ud800 at byte 21 (outside the records)"; the
 * page's). NULL page: every value can.
 */
const char *jsonpage_unreadable(const jsonpage_t *page, const json_t *v);

/* jsonpage_unreadable() for the value at path (jsonpage_at_path()) and
 * each one on the way to it: the first unreadable one's reason, or NULL
 * (also when nothing is there, or page is NULL). */
const char *jsonpage_unreadable_at(const jsonpage_t *page, const char *path);

/* Whether an answer's root says it is an error: a member "error" or
 * "errors" that is not null, false, 0 or empty ("", [], {}: what some
 * APIs send beside every good answer). An unreadable one reads as {}:
 * ask jsonpage_unreadable_at() first. */
int jsonpage_says_error(const json_t *root);

/*
 * For records.absent_is_empty: when the object page has no member at
 * path (nor at some object on the way to it) and does not say it is an
 * error (jsonpage_says_error), puts an empty array there, as the page's
 * records, and returns it; NULL otherwise (a member there that is not an
 * array, a body that is not an object, an error answer, an unreadable
 * value on the way to path, ENOMEM). Spring
 * Data REST and HAL APIs leave `_embedded` out of an empty page.
 */
json_t *jsonpage_absent_as_empty(jsonpage_t *page, const char *path);

#endif
