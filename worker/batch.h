/*
 * batch.h - the messages of one batch: topic (interned), partition,
 * offset, timestamp, key, value (NULL for a tombstone) and, read only
 * when asked (batch_msg_run_id()), the tidemark.run header, which names
 * the producer run of a change event that cannot be decoded.
 *
 * A message from librdkafka is kept as it came, not copied: key and value
 * point into its rd_kafka_message_t, which the batch owns. Copying them
 * and reading every message's headers as it was polled cost the main
 * thread about 1.2 us a message, 6 ms of every 5000-message batch during
 * which PostgreSQL waited for the next statement; the header is needed
 * only for the few events that fail to decode, on the decode thread.
 *
 * Owns: every message (its rd_kafka_message_t, or batch_add_raw()'s
 * copies); batch_reset() frees them and keeps the buffers for the next
 * batch. librdkafka's rd_kafka_destroy() waits for every message of its
 * client to be destroyed: reset a batch before destroying the consumer
 * (after rd_kafka_consumer_close(), whose rebalance may apply it).
 * Threads: the main thread, except that the thread a batch is handed to
 * for decoding (decodeahead.h) may call batch_msg_run_id() on its
 * messages while the main thread leaves that batch alone.
 */
#ifndef TIDEMARK_WORKER_BATCH_H
#define TIDEMARK_WORKER_BATCH_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

typedef struct batch_msg {
    const char *topic; /* interned in the batch */
    int32_t partition;
    int64_t offset;
    void *key;
    size_t key_len;
    void *value; /* NULL: a tombstone */
    size_t value_len;
    int64_t timestamp; /* the message's Kafka timestamp (ms), -1 unknown */
    /* set by batch_set_run_id() (a message added by parts), interned in
     * the batch; NULL otherwise: read batch_msg_run_id() */
    const char *run_id;
    rd_kafka_message_t *rkm; /* the message key and value point into, or NULL */
} batch_msg_t;

#define BATCH_RUN_ID_MAX 127

typedef struct batch {
    batch_msg_t *msgs;
    size_t n;
    size_t cap;
    char **topics; /* interned topic names */
    size_t n_topics;
    char **run_ids; /* interned tidemark.run headers, freed by batch_reset() */
    size_t n_run_ids;
} batch_t;

batch_t *batch_new(void);
void batch_destroy(batch_t *b);

/* Frees the messages and their run ids; keeps the interned topics. */
void batch_reset(batch_t *b);

/* Drops the messages of topic (freed), keeping the others in order;
 * returns how many went. A decoded_t of b is stale after. */
size_t batch_drop_topic(batch_t *b, const char *topic);

/* Whether b holds a message of topic. */
int batch_has_topic(const batch_t *b, const char *topic);

/* Adds m to the batch, which owns it from then on (batch_reset() destroys
 * it). Returns 0, or -1 when out of memory (m is still the caller's). */
int batch_take(batch_t *b, rd_kafka_message_t *m) TM_WARN_UNUSED;

/* Copies a message given by parts (for tests and for re-queuing); its
 * timestamp is -1 (set msgs[n - 1].timestamp after, if known), its run_id
 * NULL (batch_set_run_id()). */
int batch_add_raw(batch_t *b, const char *topic, int32_t partition, int64_t offset, const void *key,
                  size_t key_len, const void *value, size_t value_len) TM_WARN_UNUSED;

/* Sets the last message's run_id (one added by parts) from a tidemark.run
 * header's len bytes: kept when batch_msg_run_id() would take them, else
 * NULL. Returns 0 or -1 (out of memory). */
int batch_set_run_id(batch_t *b, const void *value, size_t len) TM_WARN_UNUSED;

/* The run m's last tidemark.run header names, into buf (size bytes; at
 * least BATCH_RUN_ID_MAX + 1): 1 when the header is UTF-8 text with no
 * control character of 1 to BATCH_RUN_ID_MAX bytes, else 0 (none, or a
 * header anyone may write that cannot name a run). A tombstone has none. */
int batch_msg_run_id(const batch_msg_t *m, char *buf, size_t size);

/*
 * Polls c into b until b holds max_records messages, max_ms passed since
 * the first message of the batch arrived, the consumer caught up
 * (consumer_caught_up(): nothing more to wait for) with b holding
 * messages for min_ms at least, idle_ms passed with the batch still
 * empty, tm_running was cleared, or the consumer failed. A batch topped
 * up (b not empty at the call) counts its times from the call. Rebalance
 * callbacks run inside (and may apply and empty b). Returns 0, or -1 when
 * a message could not be added (out of memory).
 */
struct consumer;
int batch_collect(batch_t *b, struct consumer *c, int max_records, int64_t min_ms, int64_t max_ms,
                  int64_t idle_ms) TM_WARN_UNUSED;

/*
 * Polls c into b without waiting: the messages librdkafka holds ready, up
 * to max_records in b, stopping at the first poll that returns none.
 * Rebalance callbacks run inside, as above. Returns 0 or -1 (out of
 * memory).
 */
int batch_collect_ready(batch_t *b, struct consumer *c, int max_records) TM_WARN_UNUSED;

#endif
