/*
 * publisher.h - the librdkafka producer every producer-side write goes
 * through: change events, tombstones, dead letters and run records.
 *
 * It is idempotent with acks=all. Those two are set AFTER the [kafka]
 * pass-through keys, so that no configuration can turn them off: the
 * order-of-durability guarantee (a checkpoint only after its events are
 * acknowledged) rests on them.
 *
 * State is advanced only from delivery reports: the count of acked and
 * failed messages since publisher_reset(), the first failure's reason,
 * and per (topic, partition) the highest acked offset.
 *
 * Owns: the rd_kafka_t, a handle per topic it has produced to
 * (kafka_topics.h), the header lists of delivered messages kept for the
 * next ones (hdrpool.h), and its counters. Payloads are copied on
 * produce.
 * One thread: delivery reports run inside rd_kafka_poll/flush on the
 * caller's thread: publisher_produce serves them only every
 * KAFKA_PRODUCE_POLL_EVERY messages (and while the queue is full), so the
 * counters and a pub_delivery_t are up to date only after
 * publisher_flush().
 */
#ifndef TIDEMARK_PUBLISHER_H
#define TIDEMARK_PUBLISHER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "config.h"
#include "kafka_produce.h"
#include "runrecord.h"

typedef struct publisher publisher_t;

typedef kafka_header_t pub_header_t;

/* Filled by the delivery report of a message produced with it as opaque. */
typedef struct pub_delivery {
    int done;
    rd_kafka_resp_err_t err;
    int32_t partition;
    int64_t offset;
} pub_delivery_t;

/* NULL with errstr ("FILE:LINE: [kafka] KEY: reason": kafka_client.h). */
publisher_t *publisher_new(const tm_config_t *conf, char *errstr, size_t errstr_size);

/* Flushes for up to 10 s (what is left then is lost), then destroys. */
void publisher_destroy(publisher_t *p);

/* publisher_produce's answer for a message larger than the producer's
 * message.max.bytes: nothing was enqueued, and the message can never be
 * sent as it is. A per-message failure: the caller dead-letters it. */
#define PUBLISHER_TOO_LARGE 1

/*
 * Enqueues one message (key and value copied; value NULL = tombstone).
 * Waits (polling) while the local queue is full, for as long as the queue
 * takes to drain (kafka_produce.h); -1 past that. delivery, if not NULL,
 * is filled by the delivery report and must stay valid until then.
 * Returns 0; PUBLISHER_TOO_LARGE (errstr says the size and the limit);
 * or -1 with errstr on any other error that is not a full queue.
 */
int publisher_produce(publisher_t *p, const char *topic, const char *key, const void *value,
                      size_t len, const pub_header_t *hdrs, size_t n_hdrs, pub_delivery_t *delivery,
                      char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Polls until every produced message has its delivery report. When
 * tm_running is cleared it keeps flushing for up to 10 s more, then gives
 * up. Returns 0 when all reports are in and none failed since the last
 * publisher_reset(); -1 with errstr (the first failure, or the timeout).
 */
int publisher_flush(publisher_t *p, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Fetches topic's metadata now, so that the first produce to it does not
 * wait for librdkafka's periodic scan of unknown topics (about 1 s).
 * Best effort: a failure only costs that wait (logged at debug).
 */
void publisher_warm_topic(publisher_t *p, const char *topic);

/* The producer's message.max.bytes (what a message may hold at most,
 * key and headers included). */
size_t publisher_max_message_bytes(const publisher_t *p);

/* The librdkafka handle, for admin requests on the same connections
 * (schemapub.h creates its topic). Owned by p. */
rd_kafka_t *publisher_rk(publisher_t *p);

/* Forgets the counters, first error and offsets (start of a run). */
void publisher_reset(publisher_t *p);

int64_t publisher_acked(const publisher_t *p);

/* True once librdkafka raised a fatal error (e.g. the idempotent producer
 * was fenced): the instance is unusable and must be replaced. */
int publisher_is_fatal(publisher_t *p);
int64_t publisher_failed(const publisher_t *p);

/*
 * The partitions of topic that acked a message since publisher_reset(),
 * each with its highest acked offset + 1. *out is malloc'd (caller
 * frees; NULL when *n is 0). 0, or -1 on ENOMEM.
 */
int publisher_end_offsets(const publisher_t *p, const char *topic, end_offset_t **out,
                          size_t *n) TM_WARN_UNUSED;

#endif
