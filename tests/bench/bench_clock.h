/*
 * bench_clock.h - the monotonic clock the bench's limit tools
 * (produce_limit.c, pg_limit.c) time their work with, in seconds. Header
 * only; any thread; cannot fail (CLOCK_MONOTONIC always exists on Linux).
 */
#ifndef TIDEMARK_BENCH_CLOCK_H
#define TIDEMARK_BENCH_CLOCK_H

#include <time.h>

static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
