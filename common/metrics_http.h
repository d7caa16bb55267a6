/*
 * metrics_http.h - the metrics and health endpoint of both programs
 * ([producer]/[worker] metrics.listen), served by libmicrohttpd:
 *
 *   GET /metrics  the Prometheus text format 0.0.4: the program's families
 *                 (source->render) then process_start_time_seconds and
 *                 tidemark_build_info{version}
 *   GET /healthz  200 while the main loop's heartbeat (metrics_health.h)
 *                 is at most source->stale_ms old, else 503
 *   GET /readyz   200 when source->ready says so, else 503 with its reason
 *
 * Any other path is 404, any other method 405.
 *
 * Threads: libmicrohttpd's polling thread (epoll, else poll) holds every
 * connection and answers 404, 405 and /healthz itself (an atomic read): a
 * connection, slow or idle, costs no thread, so /healthz answers at once
 * whatever other clients do. /metrics and /readyz run source->render and
 * source->ready, which may wait on a probe (the worker's PostgreSQL query,
 * a Kafka metadata request): they run on two job threads of this module,
 * their connections suspended meanwhile, never on the polling thread.
 * Both callbacks may run on the two at once and must only read what the
 * main loop published (a snapshot under a short mutex) or probe with a
 * short timeout of their own (one probe at a time where a probe holds
 * state), never wait for the main loop. At most 64 such requests wait
 * for a job thread; past that they are answered 503 at once.
 *
 * Limits: 256 connections at once (no limit per client address: every
 * client behind a proxy shares one); a connection silent for 10 s is
 * closed (libmicrohttpd), and so is one whose request is not whole, or
 * whose answer not sent, 10 s after it began (a reaper thread shuts it
 * down: libmicrohttpd's timeout counts silence only, and a client sending
 * a byte every few seconds would keep its connection for ever). The time
 * a request waits for its probe does not count.
 *
 * Owns the listening socket, the connections and the threads;
 * metrics_server_stop() ends them (the main thread, once at the end).
 * Fails at start with errstr naming the address: a bad address, one in
 * use, no permission, no thread.
 */
#ifndef TIDEMARK_METRICS_HTTP_H
#define TIDEMARK_METRICS_HTTP_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#include "metrics_text.h"

typedef struct metrics_source {
    /* the program's families into out */
    void (*render)(void *ctx, metrics_text_t *out);
    /* 1 ready, or 0 with the reason in why */
    int (*ready)(void *ctx, char *why, size_t why_size);
    void *ctx;
    int64_t stale_ms; /* /healthz: the oldest heartbeat that is alive */
} metrics_source_t;

typedef struct metrics_server metrics_server_t;

/* Listens on listen ("host:port", metrics_listen.h) and serves source
 * (copied; ctx borrowed until stop). NULL with errstr on failure. */
metrics_server_t *metrics_server_start(const char *listen, const metrics_source_t *source,
                                       char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Stops the threads (after the probes under way; requests still queued
 * are answered 503), waits at most 2 s for those answers to be sent, and
 * closes the connections and the socket. NULL is a no-op. */
void metrics_server_stop(metrics_server_t *srv);

#endif
