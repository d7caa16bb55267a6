/*
 * metrics_http.h - the metrics and health endpoint of both programs
 * ([producer]/[worker] metrics.listen), served by libmicrohttpd from one
 * thread of its own:
 *
 *   GET /metrics  the Prometheus text format 0.0.4: the program's families
 *                 (source->render) then process_start_time_seconds and
 *                 tidemark_build_info{version}
 *   GET /healthz  200 while the main loop's heartbeat (metrics_health.h)
 *                 is at most source->stale_ms old, else 503
 *   GET /readyz   200 when source->ready says so, else 503 with its reason
 *
 * Any other path is 404, any other method 405. Each connection is served
 * on a thread of its own (at most 32, 8 per client address), so that
 * /healthz answers while another request waits on a probe. The callbacks
 * may run on several at once: they must only read what the main loop
 * published (a snapshot under a short mutex) or probe with a short
 * timeout of their own (one probe at a time where a probe holds state),
 * never wait for the main loop.
 *
 * Owns the listening socket and the threads; metrics_server_stop() closes
 * them (the main thread, once at the end). Fails at start with errstr
 * naming the address: a bad address, one in use, no permission.
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

/* Stops the thread (after the request under way) and closes the socket.
 * NULL is a no-op. */
void metrics_server_stop(metrics_server_t *srv);

#endif
