/*
 * metrics_kafka.h - "is Kafka reachable?" for /readyz of both programs: a
 * client of its own (never the program's, whose life and thread belong to
 * the main loop) that asks the cluster for its brokers with a short
 * timeout. Built on the main thread with the program's [kafka] settings
 * (kafka_client.h); probed from the HTTP server's job threads only
 * (metrics_http.h; rd_kafka_metadata() is thread-safe). Fails with errstr.
 */
#ifndef TIDEMARK_METRICS_KAFKA_H
#define TIDEMARK_METRICS_KAFKA_H

#include "compiler.h"
#include <stddef.h>
#include <librdkafka/rdkafka.h>

#include "config.h"

/* The probe's longest wait: under the 1 s a Kubernetes probe waits by
 * default, so that an outage is a 503, not a probe timeout. */
#define METRICS_KAFKA_PROBE_MS 800

/* A probe client named client_id (rd_kafka_destroy), or NULL with errstr. */
rd_kafka_t *metrics_kafka_probe_new(const tm_config_t *conf, const char *client_id, char *errstr,
                                    size_t errstr_size) TM_WARN_UNUSED;

/* 1 when a broker answered a metadata request within
 * METRICS_KAFKA_PROBE_MS, else 0 with the reason in why. */
int metrics_kafka_reachable(rd_kafka_t *probe, char *why, size_t why_size);

#endif
