/*
 * kafka_meta.h - topic metadata, the one lookup the producer's topic
 * scans, its topic warm-up and the worker's admin commands all need, and
 * a partition's watermarks.
 *
 * Owns nothing: the id array it returns is the caller's to free().
 * Any thread that may use rk.
 */
#ifndef TIDEMARK_KAFKA_META_H
#define TIDEMARK_KAFKA_META_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

/*
 * The partition ids of topic, sorted, from one metadata request.
 * Returns 0 with *ids (caller frees; NULL when *n is 0) and *n;
 * 1 with *n = 0 when the cluster does not know the topic (whether that is
 * an error is the caller's call); -1 with errstr on any other failure.
 */
int kafka_topic_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms, int32_t **ids,
                           size_t *n, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * rd_kafka_query_watermark_offsets() with a timeout that holds: that call
 * in the librdkafka Debian 12 ships (2.0.2) waits for ever when the
 * partition's leader cannot be reached (confluentinc/librdkafka#2588,
 * fixed in 2.3.0), and took a producer or a worker with it, deaf to
 * SIGTERM. Two ListOffsets requests (earliest, then latest) through
 * rd_kafka_offsets_for_times(), which keeps its deadline: the same
 * requests, the same isolation level. Its error, or a partition's own;
 * RD_KAFKA_RESP_ERR__TIMED_OUT past timeout_ms in all.
 */
rd_kafka_resp_err_t kafka_query_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition,
                                           int64_t *low, int64_t *high, int timeout_ms);

/*
 * A partition's low and high watermarks. An answer that says the partition
 * is between leaders (not leader, leader not available, offset not
 * available: a partition just added or moving, a broker restarting) is
 * asked again with backoff (200 ms doubling, at most 1 s) until
 * timeout_ms has passed in all, or SIGTERM: a scan must not fail a run
 * for what a moment fixes. 0, or -1 with errstr "watermarks of TOPIC
 * [PARTITION]: reason".
 */
int kafka_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int timeout_ms,
                     int64_t *low, int64_t *high, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

#endif
