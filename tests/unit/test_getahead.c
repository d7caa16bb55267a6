/*
 * test_getahead.c - one GET made ahead on a guess (producer/getahead.h),
 * with a fetch function of the test's own: the guessed answer is taken
 * only for the same request, a miss cancels the guess and drops it, and
 * the reader's stop reaches a guess under way or one started after it.
 * No network; a fetch that blocks ends only on its cancel flag (or after
 * 10 s, which fails the test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "getahead.h"

typedef struct fake {
    atomic_int calls;
    atomic_int cancelled; /* a call ended on its cancel flag */
    int block;            /* calls wait for their cancel flag */
    char url[128];
    int later_page;
} fake_t;

static int fake_fetch(void *opaque, const char *url, int later_page, const atomic_int *cancel,
                      http_response_t *resp, int *past_end, char *errstr, size_t errstr_size)
{
    fake_t *f = opaque;
    (void)past_end;
    f->calls++;
    snprintf(f->url, sizeof(f->url), "%s", url);
    f->later_page = later_page;
    for (int i = 0; f->block && i < 10000; i++) {
        if (atomic_load(cancel)) {
            f->cancelled = 1;
            snprintf(errstr, errstr_size, "GET %s: interrupted", url);
            return -1;
        }
        nanosleep(&(struct timespec){0, 1000000L}, NULL);
    }
    if (atomic_load(cancel)) {
        f->cancelled = 1;
        snprintf(errstr, errstr_size, "GET %s: interrupted", url);
        return -1;
    }
    resp->status = 200;
    resp->body = strdup(url);
    resp->body_len = strlen(url);
    return 0;
}

static void test_take_same_request(void **state)
{
    (void)state;
    fake_t f = {0};
    getahead_t *g = getahead_new(NULL, fake_fetch, &f);
    assert_non_null(g);
    getahead_answer_t ans = {0};
    assert_int_equal(getahead_take(g, "http://x/a", 0, &ans), GETAHEAD_NONE);
    assert_int_equal(getahead_start(g, "http://x/a?p=2", 1), 0);
    assert_int_equal(getahead_take(g, "http://x/a?p=2", 1, &ans), GETAHEAD_TAKEN);
    assert_int_equal(ans.rc, 0);
    assert_string_equal(ans.resp.body, "http://x/a?p=2");
    assert_true(ans.answered_at_ms > 0);
    assert_int_equal(f.later_page, 1);
    assert_int_equal(f.calls, 1);
    http_response_clear(&ans.resp);
    /* taken once: nothing under way after it */
    assert_int_equal(getahead_take(g, "http://x/a?p=2", 1, &ans), GETAHEAD_NONE);
    getahead_destroy(g);
}

/* Another URL, or the same asked another way (a later page keeps a 404):
 * the guess is cancelled (it would otherwise block for 10 s) and dropped. */
static void test_miss_cancels(void **state)
{
    (void)state;
    static const struct {
        const char *guessed;
        int guessed_later;
        const char *wanted;
        int wanted_later;
    } cases[] = {
        {"http://x/a?since=1&p=1", 0, "http://x/a?since=2&p=1", 0},
        {"http://x/a?p=2", 1, "http://x/a?p=2", 0},
        {"http://x/a?p=2", 0, "http://x/a?p=2", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_t f = {.block = 1};
        getahead_t *g = getahead_new(NULL, fake_fetch, &f);
        assert_non_null(g);
        getahead_answer_t ans = {0};
        assert_int_equal(getahead_start(g, cases[i].guessed, cases[i].guessed_later), 0);
        assert_int_equal(getahead_take(g, cases[i].wanted, cases[i].wanted_later, &ans),
                         GETAHEAD_MISSED);
        assert_int_equal(f.cancelled, 1);
        assert_null(ans.resp.body);
        getahead_destroy(g);
    }
}

/* The reader's stop: getahead_cancel() ends a guess under way, and a stop
 * flag set before a guess started ends that one; the answer is the
 * interrupted request's. */
static void test_stop_reaches_the_guess(void **state)
{
    (void)state;
    for (int before = 0; before <= 1; before++) {
        fake_t f = {.block = 1};
        atomic_int stop = 0;
        getahead_t *g = getahead_new(&stop, fake_fetch, &f);
        assert_non_null(g);
        if (before)
            atomic_store(&stop, 1);
        assert_int_equal(getahead_start(g, "http://x/a", 0), 0);
        if (!before)
            getahead_cancel(g);
        getahead_answer_t ans = {0};
        assert_int_equal(getahead_take(g, "http://x/a", 0, &ans), GETAHEAD_TAKEN);
        assert_int_equal(ans.rc, -1);
        assert_non_null(strstr(ans.errstr, "interrupted"));
        assert_int_equal(f.cancelled, 1);
        getahead_destroy(g);
    }
}

/* One guess at a time; destroyed with one under way, it is cancelled. */
static void test_one_at_a_time(void **state)
{
    (void)state;
    fake_t f = {.block = 1};
    getahead_t *g = getahead_new(NULL, fake_fetch, &f);
    assert_non_null(g);
    assert_int_equal(getahead_start(g, "http://x/a", 0), 0);
    assert_int_equal(getahead_start(g, "http://x/b", 0), -1);
    getahead_destroy(g);
    assert_int_equal(f.calls, 1);
    assert_int_equal(f.cancelled, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_take_same_request),
        cmocka_unit_test(test_miss_cancels),
        cmocka_unit_test(test_stop_reaches_the_guess),
        cmocka_unit_test(test_one_at_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
