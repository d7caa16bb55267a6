/*
 * metrics_health.h - the heartbeat /healthz reads: the main loop of a
 * program calls metrics_heartbeat() whenever it makes progress or waits
 * on purpose (backoff.h's sleeps do, a page of a run does, a worker's poll
 * does); the HTTP server's polling thread reads how long ago that was. A lock-free atomic:
 * any thread, never blocks, never fails.
 */
#ifndef TIDEMARK_METRICS_HEALTH_H
#define TIDEMARK_METRICS_HEALTH_H

#include <stdint.h>

void metrics_heartbeat(void);

/* Milliseconds since the last heartbeat; -1 when there was none. */
int64_t metrics_heartbeat_age_ms(void);

#endif
