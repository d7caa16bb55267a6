/*
 * rowsahead.c - see rowsahead.h.
 */
#include "rowsahead.h"

#include <stdlib.h>
#include <string.h>

static int has_live_events(const decoded_t *d, const worker_stream_t *ws)
{
    for (size_t i = 0; i < d->n_events; i++)
        if (d->events[i].ws == ws && !d->events[i].dead)
            return 1;
    return 0;
}

rows_ahead_t *rows_ahead_build(const batch_t *b, const decoded_t *d, const worker_streams_t *ws)
{
    rows_ahead_t *ra = calloc(1, sizeof(*ra));

    if (!ra || !(ra->items = calloc(ws->n + 1, sizeof(*ra->items)))) {
        free(ra);
        return NULL;
    }
    for (size_t i = 0; i < ws->n; i++) {
        if (!has_live_events(d, &ws->items[i]))
            continue;
        int rc = table_rows_build(&ra->items[ra->n], b, d, &ws->items[i]);
        ra->n++; /* cleared by rows_ahead_free() either way */
        if (rc < 0) {
            rows_ahead_free(ra);
            return NULL;
        }
    }
    return ra;
}

int rows_ahead_take(rows_ahead_t *ra, const worker_stream_t *ws, table_rows_t *out)
{
    for (size_t i = 0; ra && i < ra->n; i++) {
        if (ra->items[i].ws != ws)
            continue;
        *out = ra->items[i];
        ra->items[i] = ra->items[--ra->n];
        return 1;
    }
    return 0;
}

void rows_ahead_free(rows_ahead_t *ra)
{
    if (!ra)
        return;
    for (size_t i = 0; i < ra->n; i++)
        table_rows_clear(&ra->items[i]);
    free(ra->items);
    free(ra);
}
