/*
 * backoff.h - waiting before a retry of a transient failure, in short
 * slices so that SIGTERM/SIGINT (tm_running = 0) cuts the wait short.
 * Main thread; no state.
 */
#ifndef TIDEMARK_WORKER_BACKOFF_H
#define TIDEMARK_WORKER_BACKOFF_H

/* The delay before retry number attempt (0-based): 200 ms doubling up to
 * 10 s. */
int backoff_delay_ms(int attempt);

/* Sleeps backoff_delay_ms(attempt). Returns 0, or -1 when tm_running was
 * cleared meanwhile. */
int backoff_sleep(int attempt);

#endif
