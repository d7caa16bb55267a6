/*
 * deadletter.h - the worker's dead-letter producer: a message that cannot be
 * decoded or applied goes to <prefix>.dlq with its original key and
 * payload and the headers tidemark.error, tidemark.stage=worker,
 * tidemark.source=<topic>/<partition>/<offset> and
 * tidemark.original_size (the payload's size in bytes).
 *
 * A dead letter always fits: when key, payload and headers would exceed
 * the producer's message.max.bytes, the copied payload (and, if it must,
 * the key) is cut to fit and the header tidemark.truncated says which
 * (tidemark.original_key_size then gives the key's size). When the broker
 * still refuses one as too large (a topic with a smaller max.message.bytes),
 * it is sent again with neither payload nor more than 256 bytes of key.
 *
 * A batch queues its dead letters with deadletter_send() (nothing is
 * produced yet, so a batch that redoes its work queues nothing twice) and
 * produces them with deadletter_flush() BEFORE its database COMMIT: a
 * dead-lettered message is only counted as consumed once Kafka has it. A
 * batch rolled back calls deadletter_discard(); a batch that is retried
 * after a failed flush produces again (the DLQ is at-least-once). Each dead
 * letter Kafka acknowledged is logged at warn with its source.
 *
 * Owns: its rd_kafka_t (acks=all, idempotent) and copies of the queued
 * messages. Main thread only (the delivery callback runs inside
 * deadletter_flush()).
 */
#ifndef TIDEMARK_WORKER_DEADLETTER_H
#define TIDEMARK_WORKER_DEADLETTER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "config.h"

typedef struct deadletter deadletter_t;

deadletter_t *deadletter_new(const tm_config_t *conf, char *errstr, size_t errstr_size);
void deadletter_destroy(deadletter_t *d);

/* Queues one dead letter (copies what it keeps). Returns 0 or -1 with
 * errstr set (out of memory). */
int deadletter_send(deadletter_t *d, const void *key, size_t key_len, const void *value,
                    size_t value_len, const char *error, const char *src_topic,
                    int32_t src_partition, int64_t src_offset, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

/* Dead letters queued and not yet flushed or discarded. */
size_t deadletter_pending(const deadletter_t *d);

/* Drops the queued dead letters. */
void deadletter_discard(deadletter_t *d);

/* Produces the queued dead letters and waits until Kafka acknowledged each.
 * Returns 0, or -1 with errstr set when one failed or timeout_ms passed;
 * the queue is empty either way. */
int deadletter_flush(deadletter_t *d, int timeout_ms, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/* Dead letters acknowledged since deadletter_new(). */
int64_t deadletter_count(const deadletter_t *d);

/*
 * How much of a key and a payload to copy so that the dead letter fits
 * max_bytes (message.max.bytes) with headers_len bytes of headers: the
 * key is kept whole when it can be (at most half the room otherwise), the
 * payload gets the rest. Pure; exposed for tests.
 */
void deadletter_fit(size_t max_bytes, size_t headers_len, size_t key_len, size_t value_len,
                    size_t *key_keep, size_t *value_keep);

#endif
