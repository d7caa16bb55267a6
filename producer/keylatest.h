/*
 * keylatest.h - what a stream's topic already says about a few chosen
 * ids: for each, whether its latest message is an upsert, and that
 * event's source_ts.
 *
 * Why: the deleted endpoint may report a deletion at D for a record that
 * was restored at R > D and whose upsert an earlier run already
 * published. Publishing the delete now would make "deleted" the topic's
 * last word on a live record: downstream consumers and compaction would
 * believe it, and a later full run would count the id as gone. Before
 * publishing such a late delete, the producer asks the topic.
 *
 * The scan reads the whole topic (topicscan.h) but keeps only the wanted
 * ids, so memory follows the number of ids asked about, not the topic.
 * Latest per key: the later offset within a partition; across partitions
 * (keys move when partitions are added) the later message timestamp.
 * Events are read with envelope_peek, so events of any schema version
 * count; a value that is not a change event leaves the id "unknown".
 *
 * An upsert's source_ts is its record's cursor, except a revival's (a
 * full run's upsert of an id an earlier full run deleted as vanished,
 * reconcile.h): that one is past the deletion, and so past the record's
 * own cursor, by days maybe. A walk of the records from it would not
 * serve the record: keylatest_revived() says which upserts may be such.
 * Those carry RUN_REASON_HEADER: RECONCILE_REVIVED; one written before
 * that header (2026-12-05) is known by the vanished delete or tombstone
 * before it, while compaction has left that on the topic.
 *
 * Owns: its id set; one thread (the run's).
 *
 * Fallible calls return PRODUCER_OK or PRODUCER_FAILED (result.h).
 */
#ifndef TIDEMARK_KEYLATEST_H
#define TIDEMARK_KEYLATEST_H

#include "compiler.h"
#include "result.h"
#include <stddef.h>
#include <stdint.h>
#include "idset.h"
#include "config.h"

/* An id set whose values are what keylatest.c keeps per id. */
typedef idset_t keylatest_t;

typedef enum {
    KEYLATEST_NONE,    /* the topic holds no message for the id */
    KEYLATEST_UPSERT,  /* latest: an upsert at source_ts */
    KEYLATEST_DELETE,  /* latest: a delete event or a tombstone */
    KEYLATEST_UNKNOWN, /* latest: a value that is not a change event */
} keylatest_state_t;

keylatest_t *keylatest_new(void);
void keylatest_destroy(keylatest_t *kl);

/* Asks about id (before the scan). Fails on ENOMEM or an unusable id. */
int keylatest_want(keylatest_t *kl, const char *id) TM_WARN_UNUSED;

size_t keylatest_count(const keylatest_t *kl);

/* Reads topic; fails with errstr (Kafka failed, stalled, interrupted). */
int keylatest_scan(keylatest_t *kl, const tm_config_t *conf, const char *topic, char *errstr,
                   size_t errstr_size) TM_WARN_UNUSED;

/* After the scan: the topic's latest word on id (*source_ts_ms for upserts). */
keylatest_state_t keylatest_get(const keylatest_t *kl, const char *id, int64_t *source_ts_ms);

/*
 * After the scan: whether the topic's latest word on id is an upsert whose
 * source_ts may be past its record's cursor: a revival, marked so, or an
 * upsert that came right after a full run's delete of the id as vanished
 * (or its tombstone), which an older producer wrote without the mark (an
 * upsert of a record changed since is counted too: it cannot be told
 * apart). 0 for any other state.
 */
int keylatest_revived(const keylatest_t *kl, const char *id);

/* Folds one message (exposed for unit tests; the scan calls it): reason
 * its RUN_REASON_HEADER's value, reason_len bytes (NULL: none). */
void keylatest_fold(keylatest_t *kl, const char *key, size_t key_len, int32_t partition,
                    int64_t timestamp, const void *value, size_t value_len, const char *reason,
                    size_t reason_len);

#endif
