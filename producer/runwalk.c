/*
 * runwalk.c - the page loop both walks of a run share (records and
 * deleted endpoints): every item of every page to the walk's handler, the
 * pages counted and the run's counters flushed after each one, and a stop
 * between pages when the process is told to stop (see runstate.h).
 */
#include "errstr.h"
#include "runstate.h"
#include "signals.h"

/* Items whose values are asked into the caches before the walk reaches
 * them (source_prefetch_item): far enough for the memory to answer while
 * the items before are handled, near enough for them to be still cached.
 * 6 took less CPU than 2 in four of five alternating runs. */
#define PREFETCH_AHEAD 6

int run_walk(run_t *r, source_t *src, run_item_fn handle, run_page_fn page_done, char *errstr,
             size_t errstr_size)
{
    json_t *items;
    const char *url;
    int rc;
    while ((rc = source_next_page(src, &items, &url, errstr, errstr_size)) == 1) {
        const jsonpage_bad_t *bad;
        size_t i, n_bad = source_bad_items(src, &bad), b = 0;
        json_t *item;
        r->stats.pages++;
        for (size_t k = 0; k < PREFETCH_AHEAD; k++)
            source_prefetch_item(src, k);
        json_array_foreach(items, i, item)
        {
            source_prefetch_item(src, i + PREFETCH_AHEAD);
            const jsonpage_bad_t *bi = b < n_bad && bad[b].index == i ? &bad[b++] : NULL;
            if (handle(r, src, item, bi, url, errstr, errstr_size) != PRODUCER_OK)
                return PRODUCER_FAILED;
        }
        if (page_done && page_done(r, errstr, errstr_size) != PRODUCER_OK)
            return PRODUCER_FAILED;
        producer_stats_flush(r->sc->name, &r->flushed, &r->stats);
        if (!tm_running) {
            errstr_set(errstr, errstr_size, "interrupted");
            return PRODUCER_FAILED;
        }
    }
    return rc == 0 ? PRODUCER_OK : PRODUCER_FAILED;
}
