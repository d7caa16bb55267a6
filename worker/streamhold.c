/*
 * streamhold.c - see streamhold.h.
 */
#include "streamhold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"

int stream_holds_init(stream_holds_t *h, size_t n)
{
    h->n = n;
    h->items = calloc(n + 1, sizeof(*h->items));
    return h->items ? 0 : -1;
}

void stream_holds_free(stream_holds_t *h)
{
    free(h->items);
    memset(h, 0, sizeof(*h));
}

int stream_holds_hold(stream_holds_t *h, size_t i, const char *error, int64_t cost_ms,
                      int64_t now_ms)
{
    stream_hold_t *s = &h->items[i];
    int warn = !s->failing || now_ms - s->warned_ms >= STREAMHOLD_REPEAT_MS;
    int64_t wait = backoff_delay_ms(s->holds);

    if (cost_ms > 0 && cost_ms < INT64_MAX / STREAMHOLD_COST_FACTOR &&
        cost_ms * STREAMHOLD_COST_FACTOR > wait)
        wait = cost_ms * STREAMHOLD_COST_FACTOR;
    s->held = s->failing = 1;
    s->retry_at_ms = now_ms + wait;
    if (s->holds < 30)
        s->holds++;
    snprintf(s->error, sizeof(s->error), "%s", error ? error : "");
    if (warn)
        s->warned_ms = now_ms;
    return warn;
}

void stream_holds_postpone(stream_holds_t *h, size_t i, int64_t now_ms)
{
    h->items[i].retry_at_ms = now_ms + backoff_delay_ms(h->items[i].holds);
}

long stream_holds_due(const stream_holds_t *h, int64_t now_ms)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->items[i].held && now_ms >= h->items[i].retry_at_ms)
            return (long)i;
    return -1;
}

void stream_holds_released(stream_holds_t *h, size_t i)
{
    h->items[i].held = 0;
}

int stream_holds_applied(stream_holds_t *h, size_t i)
{
    stream_hold_t *s = &h->items[i];
    int was = s->failing && !s->held;

    if (was) {
        s->failing = 0;
        s->holds = 0;
        s->error[0] = '\0';
    }
    return was;
}

size_t stream_holds_failing(const stream_holds_t *h)
{
    size_t n = 0;

    for (size_t i = 0; i < h->n; i++)
        n += h->items[i].failing != 0;
    return n;
}

long stream_holds_first(const stream_holds_t *h)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->items[i].failing)
            return (long)i;
    return -1;
}
