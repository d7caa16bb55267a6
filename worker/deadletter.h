/*
 * deadletter.h - the worker's dead-letter producer: a message that cannot be
 * decoded or applied goes to <prefix>.dlq with its original key and
 * payload and the headers tidemark.error, tidemark.stage=worker and
 * tidemark.source=<topic>/<partition>/<offset>.
 *
 * A batch produces into it and then calls deadletter_flush() BEFORE its database
 * COMMIT: a dead-lettered message is only counted as consumed once Kafka
 * has it. A batch that is retried produces again (the DLQ is
 * at-least-once).
 *
 * Owns: its rd_kafka_t (acks=all, idempotent). Main thread only (the
 * delivery callback runs inside deadletter_flush()).
 */
#ifndef TIDEMARK_WORKER_DEADLETTER_H
#define TIDEMARK_WORKER_DEADLETTER_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

typedef struct deadletter deadletter_t;

deadletter_t *deadletter_new(const tm_config_t *conf, char *errstr, size_t errstr_size);
void deadletter_destroy(deadletter_t *d);

/* Queues one dead letter. Returns 0 or -1 with errstr set. */
int deadletter_send(deadletter_t *d, const void *key, size_t key_len, const void *value,
             size_t value_len, const char *error, const char *src_topic,
             int32_t src_partition, int64_t src_offset, char *errstr,
             size_t errstr_size) __attribute__((warn_unused_result));

/* Waits until every queued dead letter is acknowledged. Returns 0, or -1
 * with errstr set when one failed or timeout_ms passed; the failure count
 * is reset either way. */
int deadletter_flush(deadletter_t *d, int timeout_ms, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Dead letters sent since deadletter_new(). */
int64_t deadletter_count(const deadletter_t *d);

#endif
