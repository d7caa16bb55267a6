/*
 * duration.c - see duration.h.
 */
#include "duration.h"

#include <stdio.h>

void duration_format(int64_t ms, char *buf, size_t size)
{
    if (ms < 0)
        ms = 0;
    long long s = (long long)(ms / 1000), m = s / 60, h = m / 60, d = h / 24;
    if (ms < 1000)
        snprintf(buf, size, "%lldms", (long long)ms);
    else if (m == 0)
        snprintf(buf, size, "%llds", s);
    else if (h == 0)
        snprintf(buf, size, "%lldm%02llds", m, s % 60);
    else if (d == 0)
        snprintf(buf, size, "%lldh%02lldm", h, m % 60);
    else
        snprintf(buf, size, "%lldd%02lldh", d, h % 24);
}
