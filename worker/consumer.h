/*
 * consumer.h - the worker's Kafka consumer-group member: where each
 * assigned partition's fetcher stands, and nothing of the database.
 *
 * Subscribes to every stream topic and <prefix>.sync-runs with
 * enable.auto.commit and enable.auto.offset.store off: positions come from
 * the stored offsets, which the consumer reaches only through
 * consumer_offsets_t (implemented by fencing.h over PostgreSQL). On
 * assignment the rebalance callback loads them and assigns each partition
 * WITH its stored offset (no row: the beginning), EAGER or COOPERATIVE as
 * rd_kafka_rebalance_protocol() says, and tells the offsets side where
 * each partition now stands (its "expected" offset). Before partitions
 * are revoked it calls hooks.before_revoke so that the batch in hand is
 * applied (or dropped) first, and then has the offsets side forget them.
 *
 * A stored offset outside its partition is never skipped past: at
 * assignment (and whenever the stored offset moves) it is compared with
 * the partition's low and high watermarks, and librdkafka never jumps by
 * itself (auto.offset.reset = error: a fetch that finds its position gone
 * comes back as an error event, handled in consumer_poll()). Then
 * [worker] offset.out_of_range decides: fail (the default) logs an error
 * naming topic, partition, stored offset and watermarks, pauses the
 * partition and drops what it fetched, until reset-offsets moves its
 * stored offset (consumer_reposition() then resumes it); earliest or
 * latest go on from the low or high watermark, logged at warn and stored
 * at once (consumer_offsets_t.store). So does a stored offset inside the
 * partition whose mark (offsetmark.h: the message below it, as the batch
 * that stored it read it) names another message than the one now there,
 * read by a client of the consumer's own (consumer_probe.c): the topic
 * was deleted, made again and refilled past it.
 *
 * A partition whose stream the runner holds (its table refuses writes)
 * is paused the same way, its offsets kept, until the runner lets it go
 * (consumer_hold_topic(), consumer_release_topic()).
 *
 * Each partition's end is an event (enable.partition.eof), which
 * consumer_poll() notes, with the offset after the last message it
 * returned, for consumer_caught_up().
 *
 * A topic Kafka refuses by ACL (TOPIC_AUTHORIZATION_FAILED and the like:
 * Describe or Read denied) is reported by librdkafka once, as an error
 * event, and then retried in silence. consumer_poll() remembers it per
 * topic (refusals.h) until a message or end-of-partition event of that
 * topic arrives, repeats the warning about once a minute meanwhile, and
 * tells hooks.refused whenever the set changes (the worker's /readyz
 * answers not ready while one stands).
 *
 * Owns: the rd_kafka_t and the probe's, the assignment table (per partition: the
 * floor below which fetched messages are stale, stuck, held, a pending restart,
 * how far it has been polled and where its end was last seen) and the
 * refused topics.
 * Main thread only: librdkafka runs the rebalance and commit callbacks
 * inside consumer_poll() and consumer_close(), so the callbacks
 * below (hooks.refused too) run on the main thread too. Kafka failures
 * are logged; the ones a caller must act on come back as outcome_t
 * (outcome.h).
 */
#ifndef TIDEMARK_WORKER_CONSUMER_H
#define TIDEMARK_WORKER_CONSUMER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "config.h"
#include "offsetmark.h"
#include "outcome.h"

typedef struct consumer_hooks {
    /* Apply and commit (or drop) the batch in hand: partitions are about
     * to go, or one is about to be sought elsewhere (offset.out_of_range).
     * all != 0 when every assigned partition goes (EAGER); 0 when some
     * stay (COOPERATIVE), whose positions must stay right. May be NULL. */
    void (*before_revoke)(void *ctx, int all);
    /* The topics Kafka refuses by ACL changed: why names the first and
     * the refusal (refusals_describe()), "" once none stands. May be
     * NULL. */
    void (*refused)(void *ctx, const char *why);
    void *ctx;
} consumer_hooks_t;

/*
 * The stored offsets and the expected ones, as the consumer sees them.
 * Every member is required; ctx is passed to each.
 */
typedef struct consumer_offsets {
    /* Loads the group's stored offsets (what stored() answers from),
     * retrying until it works: 0, or -1 when the worker is stopping. */
    int (*load)(void *ctx);
    /* A partition's stored offset as last loaded; -1: no row. */
    int64_t (*stored)(void *ctx, const char *topic, int32_t partition);
    /* Whether, as last loaded, some partition of topic has a stored
     * offset: the group has read the topic before. */
    int (*has_topic)(void *ctx, const char *topic);
    /* Whether, as last loaded, the partition has a stored offset (not
     * negative), even one stored() reads as none: another table's
     * (fencing_set_tables()). */
    int (*has_row)(void *ctx, const char *topic, int32_t partition);
    /* The mark of the partition's stored offset, as last loaded
     * (offsetmark.h): 1 with *mark, 0 when there is none (no row, one
     * stored() reads as none, or one stored without a mark). */
    int (*mark)(void *ctx, const char *topic, int32_t partition, offset_mark_t *mark);
    /* Moves a stored offset from `from` (-1: no row) to `to` at once
     * (no batch is open): 1 when it moved, 0 when not (logged). */
    int (*store)(void *ctx, const char *topic, int32_t partition, int64_t from, int64_t to);
    /* The expected offset of an assigned partition (-1: no row). */
    int64_t (*expected)(void *ctx, const char *topic, int32_t partition);
    /* The partition now stands at expected: 0, or -1 out of memory. */
    int (*set_expected)(void *ctx, const char *topic, int32_t partition, int64_t expected);
    /* The partition is no longer assigned (topic NULL: none is). */
    void (*forget)(void *ctx, const char *topic, int32_t partition);
    void *ctx;
} consumer_offsets_t;

typedef struct consumer consumer_t;

/* Creates the consumer (not yet subscribed); hooks may be NULL, offsets
 * may not. NULL with errstr set. */
consumer_t *consumer_new(const tm_config_t *conf, const consumer_hooks_t *hooks,
                         const consumer_offsets_t *offsets, char *errstr, size_t errstr_size);

/* Subscribes to topics, and holds a handle on each until
 * consumer_close_destroy() (so that their partitions are known before
 * they are assigned). 0 or -1 with errstr set. */
int consumer_subscribe(consumer_t *c, const char *const *topics, size_t n, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

/*
 * Polls for up to timeout_ms. Returns a message the caller destroys with
 * rd_kafka_message_destroy(), or NULL. Drops (and handles) error events,
 * end-of-partition events among them, and messages of partitions not
 * assigned, stuck, held, or below the position last sought (left over from
 * before a seek), and after each one goes on without waiting: NULL means
 * no message was ready (or 256 such in a row). Sets consumer_failed() on
 * a fatal librdkafka error. Notes and clears refused topics (above) and
 * repeats their warning when due.
 */
rd_kafka_message_t *consumer_poll(consumer_t *c, int timeout_ms);

/* 1 after a fatal consumer error. */
int consumer_failed(const consumer_t *c);

/* Commits offsets (topic/partition/next offset) to Kafka, async: only for
 * lag tools, never read back. */
void consumer_commit_async(consumer_t *c, const rd_kafka_topic_partition_list_t *offsets);

/* The metadata of every offset tidemark commits to Kafka: a committed
 * offset without it was set by another client (kafka-consumer-groups
 * --reset-offsets), which the worker does not follow
 * (consumer_warn_kafka_ahead says so). */
#define CONSUMER_COMMIT_METADATA "tidemark"

/* Sets CONSUMER_COMMIT_METADATA on each element of l (freed with l).
 * 0, or -1 when out of memory (then some carry none). */
int consumer_commit_mark(rd_kafka_topic_partition_list_t *l);

/*
 * Moves each assigned partition whose stored offset (consumer_offsets_t,
 * loaded by the caller just before) differs from its expected one - every
 * one when all != 0: after a rolled-back batch, whose messages must be
 * read again - to its stored offset, and sets its expected offset. With
 * all == 0 (the idle check that notices reset-offsets) each move is logged
 * at warn as "offset moved under this worker". A moved offset is checked
 * against the partition's watermarks (see above); a stuck partition whose
 * stored offset moved into its range is resumed. *n_moved (may be NULL)
 * is how many partitions were sought.
 *
 * A partition whose seek failed keeps its old expected offset (its
 * position did not move, so a batch read from it must not pass the
 * compare-and-set as if it had) and the call returns OUTCOME_RETRY with
 * errstr: after a rolled-back batch the caller must call again until it
 * succeeds. OUTCOME_FATAL: out of memory.
 */
outcome_t consumer_reposition(consumer_t *c, int all, int *n_moved, char *errstr,
                              size_t errstr_size) TM_WARN_UNUSED;

/*
 * Stores, for each assigned partition (not stuck, not held) whose fetcher found its end past
 * its stored offset with nothing of it in hand (every message polled from
 * it committed), that end as its stored and expected offset: the offsets
 * between hold no message for a read_committed consumer (another client's
 * aborted transactions, transaction markers). Without it such a partition
 * keeps a stored offset below them for as long as no message follows,
 * and once retention took them it is out of range at the next start, as
 * if messages had been lost. Call with no batch open (each store is its
 * own transaction, consumer_offsets_t.store). Returns how many moved;
 * a store that fails is tried again at the next call.
 */
size_t consumer_store_passed(consumer_t *c);

/* Whether every assigned partition that is not stuck or held has been polled to
 * the high watermark of its last fetch (by messages, or by an
 * end-of-partition event): nothing more is there to wait for, as far as
 * the broker said at the last fetch. 0 with nothing assigned. Reads
 * librdkafka's cached watermarks, one lookup per partition not yet
 * known to be behind: no request to a broker. */
int consumer_caught_up(const consumer_t *c);

/* Whether some partition of topic is assigned to this member. */
int consumer_has_topic(const consumer_t *c, const char *topic);

/* Whether c has partitions of topic, none held, each polled to its end. */
int consumer_topic_caught_up(const consumer_t *c, const char *topic);

/* Number of assigned partitions. */
size_t consumer_n_assigned(const consumer_t *c);

/* The librdkafka handle, for the lag of the metrics (stats.h): read-only
 * calls (assignment, member id, watermarks, positions) on the main
 * thread. */
rd_kafka_t *consumer_handle(const consumer_t *c);

/* The next offset to apply of an assigned partition, as the database
 * has it (its stored offset, kept up to date by every committed batch);
 * -1 when the partition is not assigned or has no stored offset yet. */
int64_t consumer_expected_offset(const consumer_t *c, const char *topic, int32_t partition);

/* Number of assigned partitions stuck out of range (offset.out_of_range =
 * fail). */
size_t consumer_n_stuck(const consumer_t *c);

/*
 * Holds every assigned partition of topic (its stream's table refuses
 * writes: streamhold.h): pauses it and drops what it fetched, as a stuck
 * one, its stored and expected offsets left as they are. The caller
 * drops its messages from the batches in hand.
 */
void consumer_hold_topic(consumer_t *c, const char *topic);

/*
 * Lets topic's held partitions go: seeks each to its expected offset
 * (what the database stored) and resumes it, so that every message of it
 * not applied comes again. A partition assigned since the hold was never
 * held. 0, or -1 when a seek failed (logged; that partition stays held:
 * call again later).
 */
int consumer_release_topic(consumer_t *c, const char *topic);

/* The stuck and held partitions as a JSON array
 * [{"topic":..,"partition":"3"}] for metadata_complete_runs(): runs with
 * events there are not completed (caller frees); NULL when out of
 * memory. */
char *consumer_stuck_json(const consumer_t *c);

/* Leaves the group (runs the revoke callback); the client stays, so that
 * the messages the caller still holds can be destroyed before it (batch.h).
 * The offsets side and the hooks' ctx must still be alive. A second call
 * does nothing. */
void consumer_close(consumer_t *c);

/* consumer_close() unless done, then destroys. Every message polled from
 * c must have been destroyed: librdkafka waits for them for ever. */
void consumer_close_destroy(consumer_t *c);

#endif
