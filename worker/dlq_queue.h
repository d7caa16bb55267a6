/*
 * dlq_queue.h - the worker's dead letters, held until its transaction
 * commits. A message that cannot be decoded or applied goes to
 * <prefix>.dlq as common/dlq.h says: its original key and payload,
 * tidemark.stage = worker, tidemark.source = <topic>/<partition>/<offset>,
 * tidemark.original_size always.
 *
 * A dead letter always fits: when key, payload and headers would exceed
 * the producer's message.max.bytes, the copied payload (and, if it must,
 * the key) is cut to fit (dlq_fit) and tidemark.truncated says which.
 * When the broker still refuses one as too large (a topic with a smaller
 * max.message.bytes), it is sent again with neither payload nor more than
 * 256 bytes of key.
 *
 * A batch queues its dead letters with dlq_queue_add() (nothing is
 * produced yet, so a batch that redoes its work queues nothing twice) and
 * produces them with dlq_queue_flush() BEFORE its database COMMIT: a
 * dead-lettered message is only counted as consumed once Kafka has it. A
 * batch rolled back calls dlq_queue_discard(); a batch that is retried
 * after a failed flush produces again (the DLQ is at-least-once): what a
 * flush that timed out left in librdkafka is purged, and a report that
 * still comes for it finds no item. Each dead letter Kafka acknowledged is
 * logged at warn with its source.
 *
 * Owns: its rd_kafka_t (acks=all, idempotent) and copies of the queued
 * messages. Main thread only (the delivery callback runs inside
 * dlq_queue_flush() and dlq_queue_discard()). Fails with -1 and errstr
 * (out of memory, Kafka), or -2 (dlq_queue_flush(): a fatal error).
 */
#ifndef TIDEMARK_WORKER_DLQ_QUEUE_H
#define TIDEMARK_WORKER_DLQ_QUEUE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "config.h"

typedef struct dlq_queue dlq_queue_t;

dlq_queue_t *dlq_queue_new(const tm_config_t *conf, char *errstr, size_t errstr_size);
void dlq_queue_destroy(dlq_queue_t *d);

/* Queues one dead letter (copies what it keeps). Returns 0 or -1 with
 * errstr set (out of memory). */
int dlq_queue_add(dlq_queue_t *d, const void *key, size_t key_len, const void *value,
                  size_t value_len, const char *error, const char *src_topic, int32_t src_partition,
                  int64_t src_offset, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Dead letters queued and not yet flushed or discarded. */
size_t dlq_queue_pending(const dlq_queue_t *d);

/* Drops the queued dead letters. */
void dlq_queue_discard(dlq_queue_t *d);

/* Produces the queued dead letters and waits until Kafka acknowledged each.
 * Returns 0, or -1 with errstr set when one failed or timeout_ms passed
 * (a local queue full for that long included), or -2 when the producer
 * hit a fatal error (an idempotent producer's, such as a refused
 * IdempotentWrite: this handle produces nothing again, so retrying would
 * retry for ever); the queue is empty either way. */
int dlq_queue_flush(dlq_queue_t *d, int timeout_ms, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

/* Dead letters acknowledged since dlq_queue_new(). */
int64_t dlq_queue_count(const dlq_queue_t *d);

#endif
