/*
 * test_source_paging.c - the page reader (producer/source.h) with the
 * seek walk of its page and offset pagers (pager.h), and http.c, against
 * a loopback API (paging_api.h): a seek walk survives a page shift, ties
 * larger than a page, an ignored page parameter fails, the end rule under
 * a page-size cap and a short page mid-stream, offsets moving by what was
 * served, retries on 5xx and no retry on 404, the walk's clock mark, and
 * the fetch thread (the next page read ahead, stopped while it retries),
 * and the next page asked on a guess while a page is parsed (right,
 * wrong, and stopped while it is under way or waits out a 429's
 * Retry-After).
 * Cursor and Link walks: test_source_tokens.c.
 */
#include "json_arena.h"
#include "paging_api.h"

static void test_seek_survives_page_shift(void **state)
{
    api_t *a = *state;
    fill(a, 10, 1000);
    /* After page 1 (ids 1-3) id 1 changes: a plain page walk would now
     * serve 5,6,7 as page 2 and never see id 4. */
    a->move_after = 1;
    a->move_id = 1;
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    assert_true(walk(a, &sc, 0, seen, err, sizeof(err)) > 0);
    assert_seen_all(seen, 10, "page shift");
    assert_int_equal(seen[1], 2); /* the changed version was seen too */
}

static void test_ties_larger_than_a_page(void **state)
{
    api_t *a = *state;
    fill(a, 7, 0); /* all at one timestamp */
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    /* page 1 without since; since moves to the tie and page 1 is read again
     * (3 skipped later by digest), then pages 2 and 3 at the same since */
    assert_int_equal(walk(a, &sc, 0, seen, err, sizeof(err)), 4);
    for (int id = 1; id <= 7; id++)
        assert_int_equal(seen[id], 1);
}

/* An API that ignores the page parameter would keep a tie group's walk
 * on one page for ever: the walk must stop with an error instead. */
static void test_ignored_page_param_is_an_error(void **state)
{
    api_t *a = *state;
    fill(a, 7, 0);
    a->ignore_page = 1;
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    char err[256];
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the same records as the previous page"));
    assert_non_null(strstr(err, "'p'"));
}

/* An API that caps the page size below page.size: a short page is no end.
 * The walk goes on until a page is empty or shorter than one it served. */
static void test_page_cap(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
    } cases[] = {{0, PAGINATION_PAGE}, {3, PAGINATION_OFFSET}};
    for (size_t k = 0; k < 2; k++) {
        fill(a, 10, 1000);
        a->mode = cases[k].mode;
        a->cap = 3;
        stream_conf_t sc = stream_for(a, cases[k].pg, 5);
        int seen[MAX_RECS + 1] = {0};
        char err[256];
        /* 1-3; since 3: 3-5; since 5: 5-7; since 7: 7-9; since 9: 9,10 (short) */
        assert_int_equal(walk(a, &sc, 0, seen, err, sizeof(err)), 5);
        assert_true(last_complete);
        assert_seen_all(seen, 10, cases[k].pg == PAGINATION_PAGE ? "page" : "offset");
    }
}

/* An API that caps pages by bytes serves a short page mid-stream. The
 * cheap end rule stops there (fine for an incremental run: the next run
 * goes on); a walk that must be complete ends only on an empty page. */
static void test_short_page_mid_stream(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
    } cases[] = {{0, PAGINATION_PAGE}, {3, PAGINATION_OFFSET}};
    for (size_t k = 0; k < 2; k++) {
        for (int strict = 0; strict <= 1; strict++) {
            fill(a, 12, 1000);
            a->mode = cases[k].mode;
            a->short_at = 2; /* 1-3; since 3: just 3, 4 */
            stream_conf_t sc = stream_for(a, cases[k].pg, 3);
            int seen[MAX_RECS + 1] = {0};
            char err[256];
            require_empty_end = strict;
            int pages = walk(a, &sc, 0, seen, err, sizeof(err));
            require_empty_end = 0;
            if (!strict) {
                assert_int_equal(pages, 2); /* the cheap rule: ended early */
                assert_false(seen[5]);
                continue;
            }
            /* 1-3; since 3: 3,4 (short); since 4: 4-6; since 6: 6-8; since 8:
             * 8-10; since 10: 10-12; since 12: 12; page 2 at since 12: empty */
            assert_int_equal(pages, 8);
            assert_true(last_complete);
            assert_seen_all(seen, 12, cases[k].pg == PAGINATION_PAGE ? "page" : "offset");
        }
    }
    fill(a, 0, 1000);
}

/* Inside a tie group an offset moves by the records served (3), not by
 * page.size (5), which would skip two records of each capped page. */
static void test_offset_moves_by_served(void **state)
{
    api_t *a = *state;
    fill(a, 11, 0);
    a->mode = 3;
    a->cap = 3;
    stream_conf_t sc = stream_for(a, PAGINATION_OFFSET, 5);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    /* 1-3; since the tie: offsets 0, 3, 6, 9 (10, 11: short) */
    assert_int_equal(walk(a, &sc, 0, seen, err, sizeof(err)), 5);
    assert_seen_all(seen, 11, "offset");
}

/* The end rule itself: a first page shorter than page.size needs one more
 * request; an empty first page ends at once. */
static void test_walk_end_rule(void **state)
{
    api_t *a = *state;
    char err[256];
    fill(a, 2, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 5);
    /* 1,2; since 2: just 2, shorter than the 2 served: the end */
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof(err)), 2);
    assert_int_equal(a->requests, 2);
    assert_true(last_complete);

    fill(a, 0, 1000);
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof(err)), 1);
    assert_int_equal(a->requests, 1);
    assert_true(last_complete);

    /* a failed walk is not complete */
    fill(a, 4, 1000);
    a->status_always = 404;
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof(err)), -1);
    assert_false(last_complete);
    a->status_always = 0;
}

/* The walk's clock mark is when its first request was sent. */
static void test_walk_started_at(void **state)
{
    api_t *a = *state;
    char err[256];
    fill(a, 7, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    int64_t before = isotime_now_ms();
    a->delay_ms = 50;
    assert_true(walk(a, &sc, 0, NULL, err, sizeof(err)) > 2);
    a->delay_ms = 0;
    assert_true(last_started_at >= before);
    assert_true(last_started_at <= a->first_handled_at);
}

static void test_retries(void **state)
{
    api_t *a = *state;
    fill(a, 2, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_NONE, 3);
    char err[256];
    a->fail_next = 2;
    /* the answer, then the one at its last cursor (pager_none.c) */
    assert_int_equal(walk(a, &sc, 2, NULL, err, sizeof(err)), 2);
    assert_int_equal(a->requests, 4);

    a->requests = 0;
    a->fail_next = 2;
    assert_int_equal(walk(a, &sc, 1, NULL, err, sizeof(err)), -1);
    assert_int_equal(a->requests, 2);
    assert_non_null(strstr(err, "HTTP status 500"));
    assert_non_null(strstr(err, a->base)); /* names the URL */
    a->fail_next = 0;

    a->requests = 0;
    a->status_always = 404; /* fatal: no retry */
    assert_int_equal(walk(a, &sc, 5, NULL, err, sizeof(err)), -1);
    assert_int_equal(a->requests, 1);
    a->status_always = 0;
}

/* The deleted endpoint's clock mark (no deleted_at) must not be later than
 * the moment the API looked at its data: a deletion in between would be
 * missing from this answer and below the next poll's `since`. The walk's
 * mark is when its first request was sent. */
static void test_mark_is_request_time(void **state)
{
    api_t *a = *state;
    fill(a, 2, 1000);
    char err[256];
    stream_conf_t sc = stream_for(a, PAGINATION_NONE, 5);
    a->delay_ms = 300;
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof(err)), 2);
    a->delay_ms = 0;
    assert_true(last_started_at > 0);
    assert_true(last_started_at <= a->handled_at);
}

/* Waits up to 5 s for count(arg) to reach n; whether it did. */
static int wait_count(long (*count)(const void *), const void *arg, long n)
{
    for (int i = 0; i < 500 && count(arg) < n; i++)
        nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
    return count(arg) >= n;
}

static long requests_of(const void *api)
{
    return ((const api_t *)api)->requests;
}

/* ... the requests the API has taken. */
static int wait_requests(const api_t *a, int n)
{
    return wait_count(requests_of, a, n);
}

static long guesses_of(const void *src)
{
    source_guesses_t g;
    source_guess_counts(src, &g);
    return g.made;
}

/* While the caller handles page 1 the fetch thread asks for page 2; a
 * source destroyed while that thread waits to retry (backoff of 200 ms
 * doubling, for 10 retries: about 30 s) stops at once. */
static void test_stop_while_prefetch_retries(void **state)
{
    api_t *a = *state;
    fill(a, 10, 1000);
    a->fail_from = 2;
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    char err[256];
    http_client_t *hc = http_client_new(NULL, 5000, 10, err, sizeof(err));
    assert_non_null(hc);
    source_t *src = source_new(&sc, hc);
    assert_non_null(src);
    source_start(src, 0, 0);
    json_t *recs;
    const char *url;
    assert_int_equal(source_next_page(src, &recs, &url, err, sizeof(err)), 1);
    assert_int_equal(json_array_size(recs), 3);
    assert_true(wait_requests(a, 3)); /* page 2 asked for, and retried */
    int64_t t0 = isotime_monotonic_ms();
    source_destroy(src);
    int64_t took = isotime_monotonic_ms() - t0;
    http_client_destroy(hc);
    if (took > 1000)
        fail_msg("source_destroy took %lld ms while the fetch thread waited to retry",
                 (long long)took);
    a->fail_from = 0;
}

/* Destroys a source whose page 2 the API holds after page 1 was handed
 * out, read ahead by the fetch thread or (guess) asked on a guess while
 * page 1 was parsed: it must not wait for that answer, whether the API
 * holds it (delay_ms) or refuses it with 429 and a Retry-After of
 * retry_after seconds, which the client would wait before asking again
 * (what: who waited, for the message). */
static void assert_stop_while_page_2_held(api_t *a, int guess, int delay_ms, int retry_after,
                                          const char *what)
{
    fill(a, 10, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    char err[256];
    http_client_t *hc = http_client_new(NULL, 30000, retry_after ? 1 : 0, err, sizeof(err));
    assert_non_null(hc);
    source_t *src = source_new(&sc, hc);
    assert_non_null(src);
    if (guess)
        source_guess_from(src, 0);
    a->delay_ms = delay_ms;
    a->delay_from = 2; /* page 1 at once, page 2's answer held */
    a->fail_from = retry_after ? 2 : 0;
    a->retry_after = retry_after;
    source_start(src, 0, 0);
    json_t *recs;
    const char *url;
    assert_int_equal(source_next_page(src, &recs, &url, err, sizeof(err)), 1);
    assert_true(wait_requests(a, 2)); /* page 2 asked for */
    if (guess)                        /* ... and on a guess (counted once its request started) */
        assert_true(wait_count(guesses_of, src, 1) && guesses_of(src) == 1);
    int64_t t0 = isotime_monotonic_ms();
    source_destroy(src);
    int64_t took = isotime_monotonic_ms() - t0;
    http_client_destroy(hc);
    a->delay_ms = 0;
    a->delay_from = 0;
    a->fail_from = 0;
    a->retry_after = 0;
    if (took > 2000)
        fail_msg("source_destroy took %lld ms while %s waited for an answer", (long long)took,
                 what);
}

/* Stopping the source while its fetch thread waits for a slow answer
 * (the API takes 5 s per page) must not wait for that answer: before the
 * transfer was aborted on stop, source_destroy took the whole 5 s. */
static void test_stop_while_prefetch_fetches(void **state)
{
    assert_stop_while_page_2_held(*state, 0, 5000, 0, "the fetch thread");
}

/* Walks sc with and without guesses at the next page (source_guess_from,
 * getahead.h): the same pages, the same records. With the API's trailer
 * every guess misses (the first one; after it the walk guesses no more). */
static void assert_guess_changes_nothing(api_t *a, const stream_conf_t *sc, int64_t ts_step,
                                         int trailer)
{
    int seen[MAX_RECS + 1] = {0}, seen_guessing[MAX_RECS + 1] = {0};
    char err[256];
    fill(a, 10, ts_step);
    a->move_after = 1; /* a change during the walk, as in the page shift test */
    a->move_id = 1;
    a->trailer = trailer;
    int pages = walk(a, sc, 0, seen, err, sizeof(err));
    fill(a, 10, ts_step);
    a->move_after = 1;
    a->move_id = 1;
    a->trailer = trailer;
    guess_all = 1;
    int pages_guessing = walk(a, sc, 0, seen_guessing, err, sizeof(err));
    guess_all = 0;
    assert_true(pages > 0);
    assert_int_equal(pages_guessing, pages);
    assert_memory_equal(seen_guessing, seen, sizeof(seen));
    /* in a tie group walked by number the change shifts the pages and
     * one record is on none: the caller's to read again (pageshift.h) */
    if (ts_step > 0)
        assert_seen_all(seen_guessing, 10, "guessing");
    if (trailer) { /* one wrong guess, then none: not every page asked twice */
        assert_int_equal(last_guesses, 1);
        assert_int_equal(last_misses, 1);
        assert_int_equal(last_taken, 0);
    } else { /* after every page but perhaps the last; an offset walk
              * guesses only a move of since, none inside a tie group;
              * none wrong */
        if (ts_step > 0 || sc->pagination == PAGINATION_PAGE)
            assert_true(last_guesses >= pages - 1);
        assert_int_equal(last_misses, 0);
        /* every guess taken but the one after the last page, if made */
        assert_true(last_taken <= last_guesses && last_taken >= last_guesses - 1);
    }
}

static void test_guess_changes_nothing(void **state)
{
    api_t *a = *state;
    /* ts_step 0: one tie group larger than a page, walked by number at
     * one since (a guess of the next page number, asked as a later page) */
    for (int64_t ts_step = 1000; ts_step >= 0; ts_step -= 1000)
        for (int trailer = 0; trailer <= 1; trailer++) {
            stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
            assert_guess_changes_nothing(a, &sc, ts_step, trailer);
            sc = stream_for(a, PAGINATION_OFFSET, 3);
            assert_guess_changes_nothing(a, &sc, ts_step, trailer);
        }
}

/* The guess after a walk's last page is not waited for: the API holds it
 * 4 s (as a rate limit's Retry-After would), and the walk ends at once. */
static void test_guess_after_the_end(void **state)
{
    api_t *a = *state;
    fill(a, 10, 1000);
    stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 3);
    char err[256];
    a->delay_ms = 4000;
    a->delay_from = 6; /* pages 1,2,3 (since 3),4 (since 5)... five requests, then the guess */
    guess_all = 1;
    int64_t t0 = isotime_monotonic_ms();
    int pages = walk(a, &sc, 0, NULL, err, sizeof(err));
    int64_t took = isotime_monotonic_ms() - t0;
    guess_all = 0;
    a->delay_ms = 0;
    a->delay_from = 0;
    assert_int_equal(pages, 5);
    assert_true(last_complete);
    if (took > 2000)
        fail_msg("the walk took %lld ms: it waited for the guess after its last page",
                 (long long)took);
}

/* A guessed later page answered 404 past the last page (page.end_on_404):
 * the walk takes that answer as its end, as it takes its own request's,
 * and does not ask the page again. Ten tied records in pages of 5: pages
 * 1 and 2 at the tie's since, full, then page 3, the 404. */
static void test_guess_404_past_the_end(void **state)
{
    api_t *a = *state;
    char err[256];
    for (int guess = 0; guess <= 1; guess++) {
        int seen[MAX_RECS + 1] = {0};
        fill(a, 10, 0);
        a->end_404 = 1;
        stream_conf_t sc = stream_for(a, PAGINATION_PAGE, 5);
        sc.page_end_on_404 = 1;
        guess_all = guess;
        int pages = walk(a, &sc, 0, seen, err, sizeof(err));
        guess_all = 0;
        if (pages < 0)
            fail_msg("the walk failed (guess %d): %s", guess, err);
        assert_seen_all(seen, 10, guess ? "guessing" : "not guessing");
        assert_true(last_complete);
        assert_int_equal(a->served_404, 1); /* asked once: the guess's taken */
        if (guess) { /* every page after the first came on a guess, the 404 too */
            assert_int_equal(last_misses, 0);
            assert_int_equal(last_guesses, pages - 1);
            assert_int_equal(last_taken, pages - 1);
        }
    }
}

/* Stopping the source while the guessed request waits for a slow answer
 * (page 2, asked while page 1 was parsed) does not wait for the answer. */
static void test_stop_while_guess_fetches(void **state)
{
    assert_stop_while_page_2_held(*state, 1, 4000, 0, "a guessed request");
}

/* ... nor for the minute a 429 answered to the guess asks it to wait
 * before it asks again: the stop's own cancel reaches the guess
 * (getahead_cancel()), which a stop other than SIGTERM's (a run that
 * fails while the guess waits) relies on. */
static void test_stop_while_guess_waits_retry_after(void **state)
{
    assert_stop_while_page_2_held(*state, 1, 0, 60, "a guessed request (429, Retry-After: 60)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seek_survives_page_shift),
        cmocka_unit_test(test_ties_larger_than_a_page),
        cmocka_unit_test(test_ignored_page_param_is_an_error),
        cmocka_unit_test(test_page_cap),
        cmocka_unit_test(test_offset_moves_by_served),
        cmocka_unit_test(test_short_page_mid_stream),
        cmocka_unit_test(test_walk_end_rule),
        cmocka_unit_test(test_walk_started_at),
        cmocka_unit_test(test_retries),
        cmocka_unit_test(test_mark_is_request_time),
        cmocka_unit_test(test_stop_while_prefetch_retries),
        cmocka_unit_test(test_guess_changes_nothing),
        cmocka_unit_test(test_guess_after_the_end),
        cmocka_unit_test(test_guess_404_past_the_end),
        cmocka_unit_test(test_stop_while_guess_fetches),
        cmocka_unit_test(test_stop_while_guess_waits_retry_after),
        cmocka_unit_test(test_stop_while_prefetch_fetches),
    };
    json_arena_install(); /* as the producer runs: pages in arenas */
    return cmocka_run_group_tests(tests, setup, teardown);
}
