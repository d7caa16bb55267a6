/*
 * hwm.h - the pure rules at the high-water mark (HWM): a record's
 * content digest, the "bucket" of a cursor value at the stream's precision,
 * the skip decision, and the tracker that advances an HWM during a run.
 *
 * Why buckets: with cursor.precision = date the API filters by day, so a
 * record changed later on the HWM's day is served again with the same
 * cursor; every record of that day must be remembered (id + digest), not
 * only those at the exact largest value. Such a set can hold millions of
 * ids (every record sharing one cursor value, or a busy day), so the
 * tracker keeps it in an idset (idset.h): a lookup is O(1), building the
 * set is linear, and it takes about 50 to 80 bytes per short id (the
 * idset's doubling; the pending set while ids are not written yet): 80 MB
 * at most for a million.
 *
 * A digest is the 16 hex digits of hwm_digest, kept as its 64-bit
 * value, or empty (deleted ids: no content). Any other stored text (only
 * a damaged or foreign run record holds one) never matches a digest: the
 * record is published again, never skipped.
 *
 * The tracker also knows how its set was last written (checkpoint.h):
 * `chunks` are the checkpoint chunks that hold part of it (metadata only),
 * `pending` the ids added or changed since, which a checkpoint must still
 * write (inline in the run record, or in new chunks).
 *
 * Owns: hwm_tracker_t owns its idsets and chunk references; a zeroed one
 * is an empty tracker; free with hwm_tracker_clear(). Pure, no
 * shared state: any thread, one tracker per thread.
 *
 * Fallible calls return PRODUCER_OK or PRODUCER_FAILED (result.h).
 */
#ifndef TIDEMARK_HWM_H
#define TIDEMARK_HWM_H

#include "compiler.h"
#include "result.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "config.h"
#include "idset.h"
#include "runrecord.h"

#define HWM_DIGEST_SIZE 17 /* 16 hex digits + NUL */

/* The digest a deletion dated by its day alone is noted with at the
 * deleted HWM (rundeleted.c): its record's next upsert marks the note
 * superseded (runrecords.c), since a deletion of it again that day names
 * the same day. Any other deletion is noted with "". */
#define HWM_DIGEST_DAY_ALONE "00000000000da7e0"

typedef enum {
    HWM_DIGEST_NONE,  /* "" */
    HWM_DIGEST_HEX,   /* 16 hex digits, in value */
    HWM_DIGEST_OTHER, /* anything else: never matches */
} hwm_digest_kind_t;

typedef struct hwm_entry {
    uint64_t value;
    uint8_t kind; /* hwm_digest_kind_t */
} hwm_entry_t;

typedef struct hwm_tracker {
    int has_value;
    int64_t value_ms;
    idset_t *ids;         /* id -> hwm_entry_t; NULL while empty */
    idset_t *pending;     /* ids not written since added or changed */
    size_t bytes;         /* upper bound of the JSON size of all entries */
    size_t pending_bytes; /* the same for the pending ones */
    size_t n_chunks;
    run_chunk_ref_t *chunks; /* written chunks holding the other ids, in
                                the order they apply (no data) */
} hwm_tracker_t;

/*
 * FNV-1a 64 of json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS), as 16 lower
 * hex digits into buf (>= HWM_DIGEST_SIZE). Key order in the source
 * does not change it. Fails only if the record cannot be serialized.
 */
int hwm_digest(const json_t *rec, char *buf, size_t size) TM_WARN_UNUSED;

/* The same FNV-1a 64 over bytes[0..len) (a record kept as raw bytes, such
 * as a bad item of jsonpage.h). -1 only if size is too small. */
int hwm_digest_bytes(const void *bytes, size_t len, char *buf, size_t size) TM_WARN_UNUSED;
/* The stand-in id an item without a usable id is kept at an HWM under:
 * \x7f and its digest (no id of a record is read with a \x7f first, and
 * a real one equal to it would hold another digest). buf >=
 * HWM_STANDIN_SIZE. */
#define HWM_STANDIN_SIZE (HWM_DIGEST_SIZE + 1)
void hwm_standin_id(const char *digest, char *buf);

/* Parses a stored or computed digest (NULL counts as ""). */
hwm_entry_t hwm_digest_parse(const char *digest);

/* The digest as stored in a run record: "", 16 hex digits, or "?" for
 * HWM_DIGEST_OTHER. buf >= HWM_DIGEST_SIZE. */
void hwm_digest_format(const hwm_entry_t *e, char *buf, size_t size);

/*
 * How a stream's API groups cursor values: exact timestamps, or the days
 * of a time zone (cursor.precision = date, cursor.timezone; daytz.h).
 */
typedef struct cursor_clock {
    cursor_precision_t precision;
    const char *timezone;     /* IANA name; NULL or "UTC": UTC days */
    cursor_format_t format;   /* how values are written (cursor.format) */
    const char *param_format; /* strftime pattern of the parameter, or NULL */
} cursor_clock_t;

/* A clock of precision prec in UTC, ISO-8601 (as a pointer, for calls). */
#define CURSOR_CLOCK(prec) (&(const cursor_clock_t){(prec), NULL, CURSOR_FORMAT_ISO8601, NULL})

/* The stream's clock (borrows sc's time zone name). */
cursor_clock_t hwm_clock(const stream_conf_t *sc);

/* The cursor value's bucket: ms itself (timestamp), or the start of its
 * day in the clock's time zone (date). */
int64_t hwm_bucket(const cursor_clock_t *clock, int64_t ms);

/* Upper bound of the bytes `"<id>":"<16 hex>",` takes in compact JSON. */
size_t hwm_entry_json_size(const char *id, size_t len);

/* The entry of id in the tracker, or NULL. O(1). */
const hwm_entry_t *hwm_find_id(const hwm_tracker_t *t, const char *id);

/* Ids in the tracker. */
size_t hwm_tracker_count(const hwm_tracker_t *t);

/*
 * True when a record (id, cursor, digest) was already published unchanged:
 * its bucket is the tracker's bucket and the tracker holds id with the
 * same digest. A NULL digest matches any stored digest (deleted ids).
 */
/* Whether cursor_ms lies in the bucket of t's HWM (0 while it has none). */
int hwm_in_bucket(const hwm_tracker_t *t, const cursor_clock_t *clock, int64_t cursor_ms);

int hwm_should_skip(const hwm_tracker_t *t, const cursor_clock_t *clock, const char *id,
                    int64_t cursor_ms, const char *digest);

/*
 * Records (id, cursor, digest) in the tracker: a cursor in a later bucket
 * than the tracker's value starts a new id set (dropping the chunks too);
 * one in the same bucket adds (or updates) id, pending unless it was
 * there unchanged; an older one changes nothing. value becomes the largest
 * cursor seen. digest NULL is stored as "". An id the set cannot hold
 * (empty, or longer than IDSET_MAX_KEY) is not remembered: it is published
 * again next time. Fails on ENOMEM only.
 */
int hwm_observe(hwm_tracker_t *t, const cursor_clock_t *clock, const char *id, int64_t cursor_ms,
                const char *digest) TM_WARN_UNUSED;

/*
 * Lowers the tracker to mark_ms when mark_ms lies in an earlier bucket
 * than its value: value becomes mark_ms and the id set (and its chunks)
 * is emptied, since the ids remembered describe the old bucket, not the
 * new one; nothing is skipped at the lowered HWM, so records there are
 * published again, never lost. Returns 1 when lowered, else 0 (no value,
 * or mark_ms in the same bucket or later: t unchanged).
 */
int hwm_tracker_cap(hwm_tracker_t *t, const cursor_clock_t *clock, int64_t mark_ms);

/*
 * Adds or updates id (len bytes) as hwm_observe does in the current
 * bucket, without touching value: for loading a checkpoint. pending = 0
 * for an id read from a chunk the tracker's chunks[] hold. An id the set
 * cannot hold is left out (PRODUCER_OK); fails on ENOMEM only.
 */
int hwm_tracker_put(hwm_tracker_t *t, const char *id, size_t len, const char *digest,
                    int pending) TM_WARN_UNUSED;

/*
 * After chunks holding every pending id (and, with replace, every id) were
 * written: appends copies of refs[0..n) to chunks[] (replace: drops the
 * old ones first) and empties pending. Fails on ENOMEM only (t unchanged).
 */
int hwm_tracker_chunked(hwm_tracker_t *t, const run_chunk_ref_t *refs, size_t n,
                        int replace) TM_WARN_UNUSED;

/* Frees the chunk references (*chunks)[0..*n) and empties the list. */
void hwm_chunk_refs_drop(run_chunk_ref_t **chunks, size_t *n);

/* Frees what t holds and zeroes it. */
void hwm_tracker_clear(hwm_tracker_t *t);

#endif
