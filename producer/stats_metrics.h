/*
 * stats_metrics.h - the producer's /metrics, /healthz and /readyz
 * ([producer] metrics.listen, metrics_http.h): its families rendered from
 * the totals of stats.h, and its readiness: Kafka reachable (a probe
 * client of its own, metrics_kafka.h) and no stream whose last run
 * failed.
 *
 * Readiness is computed on an HTTP job thread from what the main loop
 * published (each run's end, stats.h) plus the probe's own short-timeout
 * metadata request: the main loop is never asked, so a slow API or a long
 * run never holds a probe up, and the probe never holds the main loop up.
 *
 * Owns the server and the probe client. Start and stop on the main
 * thread; fails at start with errstr (a bad or busy address).
 */
#ifndef TIDEMARK_PRODUCER_STATS_METRICS_H
#define TIDEMARK_PRODUCER_STATS_METRICS_H

#include "compiler.h"
#include <stddef.h>

#include "config.h"
#include "metrics_text.h"
#include "streams.h"

typedef struct producer_metrics producer_metrics_t;

/*
 * Serves conf's [producer] metrics.listen for the streams of set (listed
 * from the start). *out is NULL when the key is unset. 0, or -1 with
 * errstr.
 */
int producer_metrics_start(const tm_config_t *conf, const stream_set_t *set,
                           producer_metrics_t **out, char *errstr,
                           size_t errstr_size) TM_WARN_UNUSED;

/* Stops the server; NULL is a no-op. */
void producer_metrics_stop(producer_metrics_t *m);

/* The producer's families from the totals (ctx unused). Any thread. */
void producer_metrics_render(void *ctx, metrics_text_t *out);

#endif
