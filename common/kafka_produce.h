/*
 * kafka_produce.h - one message into a librdkafka producer's local queue,
 * with the one policy both programs follow when that queue is full: poll
 * (so that delivery reports make room) and try again, until a deadline;
 * past it, a clear error. A full queue empties within message.timeout.ms
 * (every message is delivered or expires by then), so
 * kafka_produce_drain_ms() is the wait past which trying again cannot help.
 *
 * A producer that sends many messages in a row may serve delivery reports
 * only every KAFKA_PRODUCE_POLL_EVERY messages (kafka_produce_paced): a
 * poll per message costs a lock, a clock read and a queue check each time
 * while the reports come in batches anyway.
 *
 * Owns nothing; the headers handed in are taken over. The thread that
 * polls rk (delivery reports run inside the polls here, on that thread).
 * Fails with the librdkafka error and errstr "produce to TOPIC: reason".
 */
#ifndef TIDEMARK_KAFKA_PRODUCE_H
#define TIDEMARK_KAFKA_PRODUCE_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "compiler.h"

/* One header: a name and a NUL-terminated text value. */
typedef struct kafka_header {
    const char *name;
    const char *value;
} kafka_header_t;

/* A new header list holding copies of h[0..n). */
rd_kafka_headers_t *kafka_headers_new(const kafka_header_t *h, size_t n);

typedef struct kafka_message {
    const char *topic;
    /* The topic's handle on the same rk (borrowed: kafka_topics.h), or
     * NULL: librdkafka then finds the topic by name for every message.
     * topic is still what errstr names. */
    rd_kafka_topic_t *rkt;
    const void *key; /* NULL: no key */
    size_t key_len;
    const void *value; /* NULL: a tombstone */
    size_t value_len;
    rd_kafka_headers_t *headers; /* NULL, or taken over (freed on failure) */
    void *opaque;                /* the delivery report's _private */
} kafka_message_t;

/*
 * Enqueues a copy of m. While the queue is full, polls rk and tries again
 * for up to queue_full_ms. Returns RD_KAFKA_RESP_ERR_NO_ERROR;
 * RD_KAFKA_RESP_ERR__QUEUE_FULL when the queue stayed full that long
 * (errstr says so); or librdkafka's refusal (e.g. MSG_SIZE_TOO_LARGE: the
 * message exceeds message.max.bytes) with errstr.
 */
rd_kafka_resp_err_t kafka_produce(rd_kafka_t *rk, const kafka_message_t *m, int queue_full_ms,
                                  char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* How many messages kafka_produce_paced() enqueues between two polls. */
#define KAFKA_PRODUCE_POLL_EVERY 256

/*
 * kafka_produce() that serves the due delivery reports (rd_kafka_poll(rk,
 * 0)) only after every KAFKA_PRODUCE_POLL_EVERY-th message it enqueued,
 * counted in *unpolled (the caller's, 0 at first; it must poll or flush rk
 * before it relies on the reports). While the queue is full it polls and
 * waits exactly as kafka_produce() does.
 */
rd_kafka_resp_err_t kafka_produce_paced(rd_kafka_t *rk, const kafka_message_t *m, int queue_full_ms,
                                        unsigned *unpolled, char *errstr,
                                        size_t errstr_size) TM_WARN_UNUSED;

/* A delivery report's error in words for its log line: librdkafka's, and
 * where the broker's words hide a likely cause, that cause. Static text. */
const char *kafka_delivery_error(rd_kafka_resp_err_t err);

/* How long rk's full queue takes at most to empty: its message.timeout.ms
 * plus a margin for the last reports (5 minutes when it is 0, infinite). */
int kafka_produce_drain_ms(rd_kafka_t *rk);

#endif
