/*
 * test_source_tokens.c - the page reader (producer/source.h) with the
 * cursor and Link pagers (pager.h) against a loopback API
 * (paging_api.h): both walks read everything, an empty cursor page that
 * names a token goes on, an API that ignores the token fails, and a token
 * or Link URL answered twice in one walk is a pagination loop.
 */
#include "paging_api.h"

static void test_cursor_and_link(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
    } cases[] = {{1, PAGINATION_CURSOR}, {2, PAGINATION_LINK}};
    for (size_t k = 0; k < 2; k++) {
        fill(a, 8, 1000);
        a->mode = cases[k].mode;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        int seen[MAX_RECS + 1] = {0};
        char err[256];
        assert_int_equal(walk(a, &sc, 0, seen, err, sizeof(err)), 3);
        for (int id = 1; id <= 8; id++)
            assert_int_equal(seen[id], 1);
    }
    a->mode = 0;
}

/* The next page asked on a guess while a page is parsed (every body,
 * source_guess_from 0): the walk reads the same pages and records as
 * without, each page after the first on a guess taken, and no request
 * more (no guess after the last page, which names none); with tokens
 * fresh on every answer, and with an empty page that names a token. */
static void test_guesses_change_nothing(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
        int fresh_tokens, empty_at;
    } cases[] = {
        {1, PAGINATION_CURSOR, 0, 0},   {1, PAGINATION_CURSOR, 1, 0},
        {1, PAGINATION_CURSOR, 0, 2},   {2, PAGINATION_LINK, 0, 0},
        {2, PAGINATION_LINK, 1, 0},     {4, PAGINATION_NEXT_URL, 0, 0},
        {4, PAGINATION_NEXT_URL, 1, 0},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        int seen[2][MAX_RECS + 1] = {{0}}, pages[2], requests[2];
        char err[512];
        for (int guess = 0; guess <= 1; guess++) {
            fill(a, 8, 1000);
            a->mode = cases[k].mode;
            a->fresh_tokens = cases[k].fresh_tokens;
            a->empty_at = cases[k].empty_at;
            stream_conf_t sc = stream_for(a, cases[k].pg, 3);
            guess_all = guess;
            pages[guess] = walk(a, &sc, 0, seen[guess], err, sizeof(err));
            guess_all = 0;
            requests[guess] = a->requests;
            if (pages[guess] < 0)
                fail_msg("case %zu, guess %d: %s", k, guess, err);
            assert_true(last_complete);
            assert_seen_all(seen[guess], 8, guess ? "guessing" : "not guessing");
        }
        assert_int_equal(pages[1], pages[0]);
        assert_int_equal(requests[1], requests[0]);
        assert_memory_equal(seen[1], seen[0], sizeof(seen[0]));
        if (last_guesses != pages[1] - 1 || last_taken != last_guesses || last_misses != 0)
            fail_msg("case %zu: %d pages, %ld guesses, %ld taken, %ld missed", k, pages[1],
                     last_guesses, last_taken, last_misses);
    }
    a->mode = 0;
}

/* A cursor page left empty (filtered after paging) that still names a
 * next token is no end: the walk follows the token. */
static void test_cursor_empty_page_with_token(void **state)
{
    api_t *a = *state;
    fill(a, 8, 1000);
    a->mode = 1;
    a->empty_at = 2;
    stream_conf_t sc = stream_for(a, PAGINATION_CURSOR, 3);
    int seen[MAX_RECS + 1] = {0};
    char err[256];
    /* 1-3, (empty, token "3-e"), 4-6, 7-8 */
    assert_int_equal(walk(a, &sc, 0, seen, err, sizeof(err)), 4);
    assert_true(last_complete);
    assert_seen_all(seen, 8, "empty page");
    a->mode = 0;
    a->empty_at = 0;
}

/* A cursor or Link API that ignores the token and mints a fresh one with
 * every answer serves its first page for ever: the walk fails at the
 * second page, naming the parameter, before handing out the repeat. */
static void test_cursor_ignored_is_an_error(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode;
        pagination_t pg;
        const char *what;
    } cases[] = {
        {1, PAGINATION_CURSOR, "does the API take 'p' as its cursor parameter?"},
        {2, PAGINATION_LINK, "the API ignores its own next link"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        fill(a, 8, 1000);
        a->mode = cases[k].mode;
        a->ignore_page = 1;
        a->fresh_tokens = 1;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        int seen[MAX_RECS + 1] = {0};
        char err[1024];
        assert_int_equal(walk(a, &sc, 0, seen, err, sizeof(err)), -1);
        if (!strstr(err, "the same records as the previous page") || !strstr(err, cases[k].what))
            fail_msg("case %zu: %s", k, err);
        assert_int_equal(a->requests, 2);
        assert_false(last_complete);
    }
    /* honoured fresh tokens are fine */
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        fill(a, 8, 1000);
        a->mode = cases[k].mode;
        a->fresh_tokens = 1;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        int seen[MAX_RECS + 1] = {0};
        char err[1024];
        if (walk(a, &sc, 0, seen, err, sizeof(err)) != 3)
            fail_msg("case %zu: %s", k, err);
        for (int id = 1; id <= 8; id++)
            assert_int_equal(seen[id], 1);
    }
    fill(a, 0, 1000);
}

/* A cursor token or Link URL answered twice in one walk is a loop: the
 * walk fails at once instead of reading the same pages again and again. */
static void test_pagination_loops(void **state)
{
    api_t *a = *state;
    static const struct {
        int mode, long_tokens;
        pagination_t pg;
        int requests;
        const char *what;
    } cases[] = {
        /* none, 3, 0 (new), then 3 again */
        {1, 0, PAGINATION_CURSOR, 3, "next cursor '3'"},
        /* the same with tokens too long for the set: kept as hashes */
        {1, 1, PAGINATION_CURSOR, 3, "next cursor '3-xxx"},
        /* the first URL, p=3, then a link back to the first URL */
        {2, 0, PAGINATION_LINK, 2, "Link rel=\"next\" URL"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        fill(a, 20, 1000);
        a->mode = cases[k].mode;
        a->long_tokens = cases[k].long_tokens;
        a->wrap = 6;
        stream_conf_t sc = stream_for(a, cases[k].pg, 3);
        char err[1024];
        assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof(err)), -1);
        if (!strstr(err, "a second time in one walk: a pagination loop") ||
            !strstr(err, cases[k].what))
            fail_msg("case %zu: %s", k, err);
        assert_int_equal(a->requests, cases[k].requests);
        assert_false(last_complete);
    }
    /* a token repeated straight away */
    fill(a, 20, 1000);
    a->mode = 1;
    a->wrap = 3;
    stream_conf_t sc = stream_for(a, PAGINATION_CURSOR, 3);
    char err[512];
    assert_int_equal(walk(a, &sc, 0, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "pagination loop"));
    assert_int_equal(a->requests, 2); /* none -> 0, which names 0 again */
    a->mode = 0;
    a->wrap = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor_and_link),
        cmocka_unit_test(test_guesses_change_nothing),
        cmocka_unit_test(test_cursor_empty_page_with_token),
        cmocka_unit_test(test_cursor_ignored_is_an_error),
        cmocka_unit_test(test_pagination_loops),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
