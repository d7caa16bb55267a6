/*
 * runwalk.c - the page loop both walks of a run share (records and
 * deleted endpoints): every item of every page to the walk's handler, the
 * pages counted and the run's counters flushed after each one, and a stop
 * between pages when the process is told to stop (see runstate.h); a
 * second walk's source (run_walk_again()); and the hold of a walk's HWM
 * at its start when its pages are not in cursor order.
 */
#include "errstr.h"
#include "isotime.h"
#include "log.h"
#include "runstate.h"
#include "signals.h"

/* Items whose values are asked into the caches before the walk reaches
 * them (source_prefetch_item): far enough for the memory to answer while
 * the items before are handled, near enough for them to be still cached.
 * 6 took less CPU than 2 in four of five alternating runs. */
#define PREFETCH_AHEAD 6

/* The requests src asked on a guess since *seen, into the run's
 * counters (for /metrics); *seen moves to now. */
static void count_guesses(run_t *r, const source_t *src, source_guesses_t *seen)
{
    source_guesses_t now;
    source_guess_counts(src, &now);
    r->stats.page_guesses += now.made - seen->made;
    r->stats.guesses_taken += now.taken - seen->taken;
    *seen = now;
}

static int walk_pages(run_t *r, source_t *src, run_item_fn handle, run_page_fn page_done,
                      source_guesses_t *guesses, char *errstr, size_t errstr_size)
{
    json_t *items;
    const char *url;
    int rc;
    while ((rc = source_next_page(src, &items, &url, errstr, errstr_size)) == 1) {
        const jsonpage_bad_t *bad;
        size_t i, n_bad = source_bad_items(src, &bad), b = 0;
        json_t *item;
        r->stats.pages++;
        r->order_has_prev = 0;
        r->page_items = items;
        r->page_decider_built = 0;
        for (size_t k = 0; k < PREFETCH_AHEAD; k++)
            source_prefetch_item(src, k);
        json_array_foreach(items, i, item)
        {
            source_prefetch_item(src, i + PREFETCH_AHEAD);
            const jsonpage_bad_t *bi = b < n_bad && bad[b].index == i ? &bad[b++] : NULL;
            r->page_index = i;
            if (handle(r, src, item, bi, url, errstr, errstr_size) != PRODUCER_OK) {
                r->page_items = NULL;
                return PRODUCER_FAILED;
            }
        }
        r->page_items = NULL; /* freed with the page */
        if (page_done && page_done(r, src, items, url, errstr, errstr_size) != PRODUCER_OK)
            return PRODUCER_FAILED;
        count_guesses(r, src, guesses);
        producer_stats_flush(r->sc->name, &r->flushed, &r->stats);
        if (!tm_running) {
            errstr_set(errstr, errstr_size, "interrupted");
            return PRODUCER_FAILED;
        }
        if (r->walk_ended)
            return PRODUCER_OK;
    }
    return rc == 0 ? PRODUCER_OK : PRODUCER_FAILED;
}

int run_walk(run_t *r, source_t *src, run_item_fn handle, run_page_fn page_done, char *errstr,
             size_t errstr_size)
{
    source_guesses_t guesses;
    source_guess_counts(src, &guesses);
    int rc = walk_pages(r, src, handle, page_done, &guesses, errstr, errstr_size);
    /* the fetch thread may read and guess on after a failed or ended walk:
     * those requests were asked for nothing, and count (flushed at the
     * run's end) */
    source_stop(src);
    count_guesses(r, src, &guesses);
    return rc;
}

int run_walk_again(run_t *r, const run_again_t *again, run_item_fn handle, run_page_fn page_done,
                   int *complete, int *proves_all, char *errstr, size_t errstr_size)
{
    *complete = 0;
    if (proves_all)
        *proves_all = 0;
    source_t *src = source_new(again->sc, r->hc);
    if (!src)
        return run_oom(errstr, errstr_size);
    if (again->empty_end)
        source_require_empty_end(src);
    if (again->exclusive)
        source_set_since_exclusive(src);
    source_start(src, again->has_since, again->since);
    int rc = run_walk(r, src, handle, page_done, errstr, errstr_size);
    *complete = source_complete(src) || r->walk_ended;
    /* a handler's word ends a walk in cursor order past what it looks
     * for: what it read up to there proves as much as a walk to the end */
    if (proves_all)
        *proves_all = *complete && !source_unproven(src);
    r->walk_ended = 0;
    source_destroy(src);
    return rc;
}

int run_check_order(run_t *r, const cursor_clock_t *clock, int64_t cursor, const char *endpoint,
                    const char *remedy, char *errstr, size_t errstr_size)
{
    int64_t bucket = hwm_bucket(clock, cursor);
    if (r->order_has_prev && bucket < r->order_prev_bucket) {
        char a[ISOTIME_BUFSIZE], b[ISOTIME_BUFSIZE];
        isotime_format(r->order_prev, a, sizeof(a));
        isotime_format(cursor, b, sizeof(b));
        errstr_set(errstr, errstr_size,
                   "%s%sa page served cursor %s after %s: its pages are not in ascending cursor "
                   "order, and walked as if they were, records would be skipped; %s",
                   endpoint ? endpoint : "", endpoint ? ": " : "", b, a, remedy);
        return PRODUCER_FAILED;
    }
    r->order_has_prev = 1;
    r->order_prev = cursor;
    r->order_prev_bucket = bucket;
    return PRODUCER_OK;
}

void run_hold_at_walk_start(run_t *r, hwm_tracker_t *t, const cursor_clock_t *clock, int64_t mark,
                            const char *walk)
{
    int64_t largest = t->value_ms;
    if (mark <= 0 || !hwm_tracker_cap(t, clock, mark))
        return;
    char a[ISOTIME_BUFSIZE], b[ISOTIME_BUFSIZE];
    isotime_format(largest, a, sizeof(a));
    isotime_format(mark, b, sizeof(b));
    log_info("HWM held at the walk's start: the pages are not in cursor order, an item "
             "changed during the walk may lie below the largest cursor seen",
             "stream=%s run_id=%s walk=%s largest=%s hwm=%s", r->sc->name, r->run_id, walk, a, b);
}

int run_hold_unproven(run_t *r, hwm_tracker_t *t, const cursor_clock_t *clock, int had,
                      int64_t prev, const char *walk, char *errstr, size_t errstr_size)
{
    if (!had) {
        errstr_set(errstr, errstr_size,
                   "the %s walk ended before its end, and its pages are not in cursor order: "
                   "no HWM can be kept from it",
                   walk);
        return PRODUCER_FAILED;
    }
    char b[ISOTIME_BUFSIZE];
    if (hwm_tracker_cap(t, clock, prev)) {
        isotime_format(prev, b, sizeof(b));
        log_warn("HWM kept where it was: the walk ended before its end, and its pages are not "
                 "in cursor order (a page not read may hold any cursor)",
                 "stream=%s run_id=%s walk=%s hwm=%s", r->sc->name, r->run_id, walk, b);
    }
    return PRODUCER_OK;
}

/* How far past the API's clock a cursor may be and still count: a clock
 * skew between the API's nodes; and for a date cursor, a date labelled in
 * a zone up to 14 h ahead of UTC. */
#define PAST_CLOCK_SLACK_MS      (5 * 60 * 1000LL)
#define PAST_CLOCK_DATE_SLACK_MS (14 * 3600 * 1000LL)

int run_past_api_clock(cursor_precision_t precision, int64_t cursor_ms, int64_t api_now_ms)
{
    int64_t slack = PAST_CLOCK_SLACK_MS;
    if (precision == CURSOR_PRECISION_DATE)
        slack += PAST_CLOCK_DATE_SLACK_MS;
    return cursor_ms > api_now_ms + slack;
}
