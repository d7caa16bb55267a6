/*
 * stats_metrics.h - the worker's /metrics, /healthz and /readyz
 * ([worker] metrics.listen, metrics_http.h): its families rendered from
 * the stats (stats.h) and its readiness: PostgreSQL and Kafka reachable,
 * the consumer a member of its group (its partitions assigned, or none
 * to assign), no subscribed topic refused by ACL (refusals.h) and no
 * stream held back because its table refuses writes (streamhold.h).
 *
 * The HTTP threads never ask the main loop: counters, the group state and
 * the refused topics come from what the batch loop published (stats.h,
 * stats_lag.h); Kafka and PostgreSQL are probed by the HTTP threads
 * themselves (the PostgreSQL probe one request at a time), each with its
 * own client and a short timeout (metrics_kafka.h; a libpq connection of its
 * own with connect_timeout, statement_timeout and a deadline of its own
 * on every answer, which a server that never replies cannot outlast), so
 * that a batch in a long transaction never holds a probe up, and a probe
 * never holds a batch up. The same connection reads the last completed run of each
 * stream from sync_metadata, where the worker records it.
 *
 * Owns the server, the probe client and the connection. Start and stop on
 * the main thread; a failure at start (a bad or busy address) is logged
 * ("cannot start the metrics endpoint").
 */
#ifndef TIDEMARK_WORKER_STATS_METRICS_H
#define TIDEMARK_WORKER_STATS_METRICS_H

#include "compiler.h"
#include <stddef.h>

#include "config.h"
#include "stats.h"
#include "streams.h"

typedef struct worker_metrics worker_metrics_t;

/*
 * Serves conf's [worker] metrics.listen from stats (borrowed until stop)
 * for streams (listed from the start). *out is NULL when the key is
 * unset. 0, or -1 (logged).
 */
int worker_metrics_start(const tm_config_t *conf, const worker_streams_t *streams,
                         worker_stats_t *stats, worker_metrics_t **out) TM_WARN_UNUSED;

/* Stops the server; NULL is a no-op. */
void worker_metrics_stop(worker_metrics_t *m);

#endif
