/*
 * backoff.c - see backoff.h.
 */
#include "backoff.h"

#include <time.h>

#include "isotime.h"
#include "metrics_health.h"
#include "signals.h"

int64_t backoff_delay_capped_ms(int attempt, int64_t cap_ms)
{
    int64_t ms = BACKOFF_START_MS;
    while (attempt-- > 0 && ms < cap_ms)
        ms *= 2;
    if (ms > cap_ms)
        ms = cap_ms;
    return ms < BACKOFF_START_MS ? BACKOFF_START_MS : ms;
}

int backoff_delay_ms(int attempt)
{
    return (int)backoff_delay_capped_ms(attempt, BACKOFF_CAP_MS);
}

int backoff_sleep_ms(int64_t ms)
{
    int64_t end = isotime_monotonic_ms() + (ms > 0 ? ms : 0);
    while (tm_running) {
        int64_t left = end - isotime_monotonic_ms();
        if (left <= 0)
            return 0;
        if (left > BACKOFF_SLICE_MS)
            left = BACKOFF_SLICE_MS;
        struct timespec ts = {0, (long)left * 1000000L};
        metrics_heartbeat(); /* a wait on purpose: the loop is alive */
        nanosleep(&ts, NULL);
    }
    return -1;
}

int backoff_sleep(int attempt)
{
    return backoff_sleep_ms(backoff_delay_ms(attempt));
}
