/*
 * kafka_meta.h - topic metadata, the one lookup the producer's topic
 * scans, its topic warm-up and the worker's admin commands all need.
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

#endif
