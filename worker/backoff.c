/*
 * backoff.c - see backoff.h.
 */
#include "backoff.h"

#include <time.h>

#include "signals.h"

int backoff_delay_ms(int attempt)
{
    int ms = 200;

    while (attempt-- > 0 && ms < 10000)
        ms *= 2;
    return ms > 10000 ? 10000 : ms;
}

int backoff_sleep(int attempt)
{
    int left = backoff_delay_ms(attempt);

    while (left > 0 && tm_running) {
        int slice = left < 100 ? left : 100;
        struct timespec ts = {0, (long)slice * 1000000L};

        nanosleep(&ts, NULL);
        left -= slice;
    }
    return tm_running ? 0 : -1;
}
