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
 * no array is at the path), or -1 with errstr ("invalid UTF-8 (byte 0xe9)
 * at byte 12 (outside the records)", "unexpected end of the body at byte
 * 80", "out of memory") and *page empty.
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
 * or NULL. */
json_t *jsonpage_at_path(json_t *root, const char *path);

/* Whether an answer's root says it is an error: a member "error" or
 * "errors" that is not null, false, 0 or empty ("", [], {}: what some
 * APIs send beside every good answer). */
int jsonpage_says_error(const json_t *root);

/*
 * For records.absent_is_empty: when the object page has no member at
 * path (nor at some object on the way to it) and does not say it is an
 * error (jsonpage_says_error), puts an empty array there, as the page's
 * records, and returns it; NULL otherwise (a member there that is not an
 * array, a body that is not an object, an error answer, ENOMEM). Spring
 * Data REST and HAL APIs leave `_embedded` out of an empty page.
 */
json_t *jsonpage_absent_as_empty(jsonpage_t *page, const char *path);

#endif
