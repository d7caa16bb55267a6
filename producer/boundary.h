/*
 * boundary.h - the pure rules at the high-water mark (HWM): a record's
 * content digest, the "bucket" of a cursor value at the stream's precision,
 * the skip decision, and the tracker that advances a run_hwm_t.
 *
 * Why buckets: with cursor.precision = date the API filters by day, so a
 * record changed later on the HWM's day is served again with the same
 * cursor; every record of that day must be remembered (id + digest), not
 * only those at the exact largest value.
 *
 * Owns nothing beyond what the run_hwm_t it is given owns (see
 * runrecord.h). Pure functions, no state: any thread.
 */
#ifndef TIDEMARK_BOUNDARY_H
#define TIDEMARK_BOUNDARY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "config.h"
#include "runrecord.h"

#define BOUNDARY_DIGEST_SIZE 17 /* 16 hex digits + NUL */

/*
 * FNV-1a 64 of json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS), as 16 lower
 * hex digits into buf (>= BOUNDARY_DIGEST_SIZE). Key order in the source
 * does not change it. Returns 0, or -1 if the record cannot be serialized.
 */
int boundary_digest(const json_t *rec, char *buf, size_t size) TM_WARN_UNUSED;

/* The same FNV-1a 64 over bytes[0..len) (a record kept as raw bytes, such
 * as a bad item of jsonpage.h). -1 only if size is too small. */
int boundary_digest_bytes(const void *bytes, size_t len, char *buf, size_t size) TM_WARN_UNUSED;

/* The cursor value's bucket: ms itself (timestamp) or its UTC day start. */
int64_t boundary_bucket(cursor_precision_t prec, int64_t ms);

/* Index of id in hwm->ids, or -1. */
long boundary_find_id(const run_hwm_t *hwm, const char *id);

/*
 * True when a record (id, cursor, digest) was already published unchanged:
 * its bucket is the tracker's bucket and the tracker holds id with the
 * same digest. A NULL digest matches any stored digest (deleted ids).
 */
int boundary_should_skip(const run_hwm_t *hwm, cursor_precision_t prec,
                         const char *id, int64_t cursor_ms, const char *digest);

/*
 * Records (id, cursor, digest) in the tracker: a cursor in a later bucket
 * than the tracker's value starts a new id set; one in the same bucket adds
 * (or updates) id; an older one changes nothing. value becomes the largest
 * cursor seen. digest NULL is stored as "". Returns 0, -1 on ENOMEM.
 */
int boundary_observe(run_hwm_t *hwm, cursor_precision_t prec, const char *id,
                     int64_t cursor_ms, const char *digest) TM_WARN_UNUSED;

#endif
