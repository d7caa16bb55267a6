/*
 * backoff.h - waiting before a retry, and any other wait that SIGTERM or
 * SIGINT must cut short: the one sleep-in-slices loop of both programs.
 *
 * A wait sleeps in slices of at most BACKOFF_SLICE_MS on the monotonic
 * clock and checks tm_running (signals.h) between slices, so that a stop
 * request ends it within one slice. The retry delay is exponential:
 * BACKOFF_START_MS, doubling, capped.
 *
 * No state; any thread (tm_running is a sig_atomic_t that only the signal
 * handlers write). Cannot fail: a wait only reports whether it was cut
 * short.
 */
#ifndef TIDEMARK_BACKOFF_H
#define TIDEMARK_BACKOFF_H

#include <stdint.h>

#define BACKOFF_START_MS 200
#define BACKOFF_CAP_MS   10000 /* backoff_delay_ms() */
#define BACKOFF_SLICE_MS 100

/* The delay before retry number attempt (0-based): BACKOFF_START_MS
 * doubling, at most cap_ms (and at least BACKOFF_START_MS). */
int64_t backoff_delay_capped_ms(int attempt, int64_t cap_ms);

/* backoff_delay_capped_ms(attempt, BACKOFF_CAP_MS): 200 ms doubling up
 * to 10 s. */
int backoff_delay_ms(int attempt);

/* Sleeps ms (nothing when <= 0) in slices. 0 when the time is up, or -1
 * when tm_running was cleared before or during the wait. */
int backoff_sleep_ms(int64_t ms);

/* backoff_sleep_ms(backoff_delay_ms(attempt)): 0, or -1 when stopped. */
int backoff_sleep(int attempt);

#endif
