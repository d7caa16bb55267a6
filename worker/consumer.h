/*
 * consumer.h - the worker's Kafka consumer-group member.
 *
 * Subscribes to every stream topic and <prefix>.sync-runs with
 * enable.auto.commit and enable.auto.offset.store off: positions come from
 * PostgreSQL. On assignment the rebalance callback reads each partition's
 * next_offset from sync_offsets (no row: the beginning) and assigns WITH
 * it, EAGER or COOPERATIVE as rd_kafka_rebalance_protocol() says. Before
 * partitions are revoked it calls hooks.before_revoke so that the batch in
 * hand is applied (or dropped) first.
 *
 * A stored offset outside its partition is never skipped past: at
 * assignment (and whenever the stored offset moves) it is compared with
 * the partition's low and high watermarks, and librdkafka never jumps by
 * itself (auto.offset.reset = error: a fetch that finds its position gone
 * comes back as an error event, handled in consumer_poll()). Then
 * [worker] offset.out_of_range decides: fail (the default) logs an error
 * naming topic, partition, stored offset and watermarks, pauses the
 * partition and drops what it fetched, until reset-offsets moves its
 * stored offset (consumer_resync() then resumes it); earliest or latest go
 * on from the low or high watermark, logged at warn and stored at once.
 *
 * For each assigned partition the consumer keeps the "expected" offset:
 * what the database holds for it as far as this worker knows (-1: no row),
 * the value the next batch's compare-and-set starts from.
 *
 * Owns: the rd_kafka_t and the assignment table. pg is borrowed (it must
 * outlive the consumer). Main thread only: librdkafka runs the rebalance
 * and commit callbacks inside consumer_poll() and consumer_close().
 */
#ifndef TIDEMARK_WORKER_CONSUMER_H
#define TIDEMARK_WORKER_CONSUMER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "config.h"
#include "pg.h"

typedef struct consumer_hooks {
    /* Apply and commit (or drop) the batch in hand: partitions are about
     * to go, or one is about to be sought elsewhere (offset.out_of_range).
     * all != 0 when every assigned partition goes (EAGER); 0 when some
     * stay (COOPERATIVE), whose positions must stay right. May be NULL. */
    void (*before_revoke)(void *ctx, int all);
    void *ctx;
} consumer_hooks_t;

typedef struct consumer consumer_t;

/* Creates the consumer (not yet subscribed). NULL with errstr set. */
consumer_t *consumer_new(const tm_config_t *conf, pg_t *pg, const consumer_hooks_t *hooks,
                         char *errstr, size_t errstr_size);

/* Subscribes to topics. 0 or -1 with errstr set. */
int consumer_subscribe(consumer_t *c, const char *const *topics, size_t n, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

/*
 * Polls for up to timeout_ms. Returns a message the caller destroys with
 * rd_kafka_message_destroy(), or NULL. Drops (and handles) error events,
 * and messages of partitions not assigned, stuck, or below the position
 * last sought (left over from before a seek). Sets consumer_failed() on a
 * fatal librdkafka error.
 */
rd_kafka_message_t *consumer_poll(consumer_t *c, int timeout_ms);

/* 1 after a fatal consumer error. */
int consumer_failed(const consumer_t *c);

/* The expected offset of an assigned partition into *out: 0, or -1 when
 * the partition is not assigned. */
int consumer_expected(const consumer_t *c, const char *topic, int32_t partition, int64_t *out);

/* After a committed batch: the partition's stored offset is now next. */
void consumer_set_expected(consumer_t *c, const char *topic, int32_t partition, int64_t next);

/* Commits offsets (topic/partition/next offset) to Kafka, async: only for
 * lag tools, never read back. */
void consumer_commit_async(consumer_t *c, const rd_kafka_topic_partition_list_t *offsets);

/*
 * Re-reads the stored offsets of the assigned partitions and seeks each
 * whose stored offset differs from its expected one (every one when
 * all != 0: after a rolled-back batch, whose messages must be read again),
 * updating expected. With all == 0 (the idle check that notices
 * reset-offsets) each move is logged at warn as "offset moved under this
 * worker". A moved offset is checked against the partition's watermarks
 * (see above); a stuck partition whose stored offset moved into its range
 * is resumed. *n_moved (may be NULL) is how many partitions were sought.
 * Returns a pg_status_t. A partition whose seek failed keeps its old
 * expected offset (its position did not move, so a batch read from it
 * must not pass the compare-and-set as if it had) and the call returns
 * PG_TRANSIENT with errstr: after a rolled-back batch the caller must
 * call again until it succeeds.
 */
pg_status_t consumer_resync(consumer_t *c, int all, int *n_moved, char *errstr,
                            size_t errstr_size) TM_WARN_UNUSED;

/* Number of assigned partitions. */
size_t consumer_n_assigned(const consumer_t *c);

/* Number of assigned partitions stuck out of range (offset.out_of_range =
 * fail). */
size_t consumer_n_stuck(const consumer_t *c);

/* The stuck partitions as a JSON array [{"topic":..,"partition":"3"}]
 * for metadata_complete_runs() (caller frees); NULL when out of memory. */
char *consumer_stuck_json(const consumer_t *c);

/* Leaves the group (runs the revoke callback) and destroys. */
void consumer_close_destroy(consumer_t *c);

#endif
