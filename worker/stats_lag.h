/*
 * stats_lag.h - the consumer lag of /metrics (kafka_exporter's
 * vocabulary): per assigned partition, its high watermark minus the next
 * offset the worker has to apply (the one its last committed batch left,
 * else the stored offset the consumer holds, else the fetcher's position). Only cached, local
 * librdkafka calls (assignment, watermarks as the last fetch saw them, position, member id): it
 * never waits for a broker. Main thread (the consumer's); the result goes into the stats (stats.h),
 * which any thread reads.
 */
#ifndef TIDEMARK_WORKER_STATS_LAG_H
#define TIDEMARK_WORKER_STATS_LAG_H

#include <stddef.h>
#include <librdkafka/rdkafka.h>

#include "consumer.h"
#include "fencing.h"
#include "stats.h"

/* After a committed batch (parts[n]: the next offsets it left) or when
 * idle (n 0): the lag of every partition assigned to c now, and whether
 * c is a member of its group. */
void worker_stats_lag(worker_stats_t *s, const consumer_t *c, const part_range_t *parts, size_t n);

#endif
