/*
 * metrics_health.c - see metrics_health.h.
 */
#include "metrics_health.h"

#include <stdatomic.h>

#include "isotime.h"

static atomic_llong last_beat_ms = -1;

void metrics_heartbeat(void)
{
    atomic_store_explicit(&last_beat_ms, (long long)isotime_monotonic_ms(), memory_order_relaxed);
}

int64_t metrics_heartbeat_age_ms(void)
{
    long long last = atomic_load_explicit(&last_beat_ms, memory_order_relaxed);
    return last < 0 ? -1 : isotime_monotonic_ms() - (int64_t)last;
}
