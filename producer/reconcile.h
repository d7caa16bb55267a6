/*
 * reconcile.h - full-sync reconciliation: find the records that vanished
 * from the API without being announced (no deleted-endpoint entry, no
 * soft-delete flag), so that a full run can publish their deletes.
 *
 * The producer never talks to PostgreSQL: what exists downstream is what
 * the stream's topic says. A full run first scans <prefix>.<stream> from
 * the beginning to the high watermarks (topicscan.h) and folds, per key,
 * whether its latest message is live (an upsert event) or gone (a delete
 * event, or a tombstone), and the version the worker keeps. Only the
 * `tidemark.op` and `tidemark.reason` headers, null values and each
 * event's leading op, id and source_ts are read (envelope_peek()); no
 * record is decoded. While fetching, the run marks every
 * id the API served (reconcile_seen). When, and only when, the fetch
 * completed, the ids that are live in Kafka but were not served are the
 * vanished ones.
 *
 * What the scan cannot see: a key whose every message is older than the
 * topic's retention. The stream topics must be compacted
 * (cleanup.policy=compact), not deleted by time, for every live id to be
 * in the scan (README, "How it works").
 *
 * Latest per key: within one partition the later offset; across
 * partitions (keys move only when a topic's partition count changes) the
 * later timestamp, a tie counting as live: a needless delete of a gone id
 * is harmless, a missed one is not.
 *
 * Owns: its id set (idset.h), about 60 bytes per key (60 MiB for 1e6
 * ids; a jansson object used as a set took 94 MiB). Strings handed out
 * are borrowed until reconcile_destroy. One thread.
 *
 * Fallible calls return PRODUCER_OK or PRODUCER_FAILED (result.h).
 */
#ifndef TIDEMARK_RECONCILE_H
#define TIDEMARK_RECONCILE_H

#include "compiler.h"
#include "result.h"
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "schema.h"

typedef struct reconcile reconcile_t;

typedef struct reconcile_stats {
    int64_t messages; /* read from the topic */
    size_t keys;      /* distinct keys */
    size_t live;      /* keys whose latest message is live */
    size_t memory;    /* bytes held by the id set */
} reconcile_stats_t;

/* NULL on ENOMEM. */
reconcile_t *reconcile_new(void);
void reconcile_destroy(reconcile_t *rc);

/*
 * Whether a message is a live version of its key: 0 for a tombstone
 * (value NULL) or a `tidemark.op` header of `delete` (op, op_len: the
 * header's value, op NULL when absent); 1 otherwise. Pure.
 */
int reconcile_is_live(const void *value, const char *op, size_t op_len);

/* "No version known": a key with no change event read, or a message that
 * is none (a tombstone, a stranger's value). */
#define RECONCILE_VERSION_UNKNOWN INT64_MIN

/* One message of the topic, as the scan reads it. */
typedef struct reconcile_message {
    int32_t partition;
    int64_t ts;        /* its Kafka timestamp (ms; -1 when unknown) */
    int live;          /* reconcile_is_live() */
    int tombstone;     /* its value is NULL */
    int vanished;      /* a full run's delete of a vanished id (RUN_REASON_HEADER), or
                          that delete's tombstone */
    int64_t source_ts; /* the change event's (envelope_peek()), or RECONCILE_VERSION_UNKNOWN */
} reconcile_message_t;

/*
 * Folds message m of key (key_len bytes), in the order its partition was
 * read: the topic's latest word on the key, and the version the worker
 * keeps of it (the largest source_ts, and whether that is a deletion).
 * Fails on ENOMEM only. A key that is empty, longer than IDSET_MAX_KEY or
 * holds a NUL is not one of ours: ignored.
 */
int reconcile_fold(reconcile_t *rc, const char *key, size_t key_len,
                   const reconcile_message_t *m) TM_WARN_UNUSED;

/* The header a full run's delete of a vanished id carries
 * (RECONCILE_VANISHED), beside tidemark.op and tidemark.run; and the
 * upsert that revives such an id (RECONCILE_REVIVED), whose source_ts is
 * then past the record's own cursor (keylatest.h). */
#define RUN_REASON_HEADER  "tidemark.reason"
#define RECONCILE_VANISHED "vanished"
#define RECONCILE_REVIVED  "revived"

/*
 * After the scan: whether the version the worker keeps of id is a
 * deletion a full run made because the id had vanished from the API (a
 * RUN_REASON_HEADER of RECONCILE_VANISHED; its tombstone may follow),
 * with *deleted_ts its source_ts (RECONCILE_VERSION_UNKNOWN when only its
 * tombstone is left). An upsert of a version older than that cannot
 * outrank it, even one published after it (the topic's latest message is
 * then that upsert, and the key gone downstream all the same). Not a
 * deletion the deleted endpoint announced (the API said the record is
 * gone, at a time of its own), nor a tombstone alone (it keeps the row's
 * version, which the same version upserted again outranks by its later
 * production): 0 then, as for a live or unknown id.
 */
int reconcile_vanished(const reconcile_t *rc, const char *id, int64_t *deleted_ts);

/*
 * Scans topic (every partition, low to high watermark) into rc. Fails
 * with errstr (Kafka unreachable, stalled, interrupted, ENOMEM).
 */
int reconcile_scan(reconcile_t *rc, const tm_config_t *conf, const char *topic, char *errstr,
                   size_t errstr_size) TM_WARN_UNUSED;

/*
 * The type of the stream's id field (default FT_STRING: keys as they
 * are). Keys and the API's ids are then compared as the worker compares
 * ids (idkey.h): for an int or long the integer ("05", " 5" and "+5" are
 * 5: a full run took a stranger's "05" for vanished beside the API's 5,
 * and its delete deleted row 5), and a key that is no integer names no
 * row and is left out; for a uuid its lower-case text (a producer before
 * 4355b1b kept the API's case). Call before the scan.
 */
void reconcile_id_type(reconcile_t *rc, field_type_t type);

/* The API served id in this run (an id Kafka does not hold is ignored). */
void reconcile_seen(reconcile_t *rc, const char *id);

/* The deleted endpoint deletes id in this run: not vanished, not served. */
void reconcile_deleting(reconcile_t *rc, const char *id);

/* That deletion of id was dropped as stale after all (a newer version
 * outdates it): id is vanished again unless the API served it. */
void reconcile_undeleting(reconcile_t *rc, const char *id);

/* Whether id is live in the topic and not served so far (vanished, if
 * the walk were over). */
int reconcile_missed(const reconcile_t *rc, const char *id);

void reconcile_get_stats(const reconcile_t *rc, reconcile_stats_t *out);

/*
 * Walks the vanished ids (live in Kafka, not seen): start with *pos = 0;
 * returns 1 with *id and (when version is not NULL) the source_ts of the
 * version the worker keeps (RECONCILE_VERSION_UNKNOWN when none was read),
 * or 0 at the end. In no particular order.
 */
int reconcile_next_vanished(const reconcile_t *rc, size_t *pos, const char **id, int64_t *version);

/*
 * Walks the keys written apart from their id's text (a stranger's "05" of
 * id 5) whose own latest message is live while the walk did not serve the
 * id (deleted by the deleted endpoint or before, or vanished now): each wants a tombstone of its
 * own, or a compacted topic keeps that upsert for good and a rebuild from it has the record live.
 * As reconcile_next_vanished().
 */
int reconcile_next_stray(const reconcile_t *rc, size_t *pos, const char **key);

#endif
