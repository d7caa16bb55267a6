/*
 * test_pageshift.c - which records a second walk publishes after a first
 * walk that paged by number (pageshift.h): the ranges of buckets the
 * first walk paged over, and the ids it served there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pageshift.h"

#define NONE INT64_MIN /* a record without a cursor */

/* A record of the first walk: on a page asked at since (NONE: no since),
 * by number or not. An id of "|" ends a page asked so, that held
 * `bucket` records. */
typedef struct served {
    int64_t since;
    int by_number;
    const char *id;
    int64_t bucket;
} served_t;

/* A record of the second walk and whether it counts as missed. */
typedef struct check {
    const char *id;
    int64_t bucket;
    int missed;
} check_t;

typedef struct walk_case {
    const char *name;
    int sorted;
    served_t first[12];
    int second;   /* a second walk is needed */
    int64_t from; /* ... from this since (NONE: from the start) */
    check_t checks[10];
    int exclusive; /* the API filters its since `>` */
} walk_case_t;

static const walk_case_t cases[] = {
    {"sorted, every page re-seeks: no second walk",
     1,
     {{NONE, 0, "a", 1}, {NONE, 0, "b", 2}, {2, 0, "b", 2}, {2, 0, "c", 3}, {3, 0, "d", 4}},
     0,
     0,
     {{NULL, 0, 0}},
     0},
    {"sorted, ties carried to the next since but one page each: no second walk",
     1,
     {{NONE, 0, "a", 5}, {NONE, 0, "b", 5}, {5, 0, "a", 5}, {5, 0, "b", 5}, {5, 0, "c", 6}},
     0,
     0,
     {{NULL, 0, 0}},
     0},
    {"sorted, a tie group paged by number: its range and ids",
     1,
     {{NONE, 0, "x", 1},
      {NONE, 0, "y", 5},
      {5, 0, "y", 5},
      {5, 0, "g1", 5},
      {5, 1, "g2", 5},
      {5, 1, "g4", 5},
      {5, 1, "z", 7},
      {7, 0, "z", 7},
      {7, 0, "w", 9}},
     1,
     5,
     {{"g1", 5, 0},
      {"g3", 5, 1}, /* shifted off every page of the first walk */
      {"g3", 5, 0}, /* served twice by the second: once */
      {"y", 5, 0},
      {"z", 7, 0}, /* served at the next since, in the range's last bucket */
      {"new", 6, 1},
      {"w", 9, 0}, /* past the range: the first walk's seek covered it */
      {"late", 9, 0},
      {"x", 1, 0}},
     0},
    {"sorted, two groups paged by number: two ranges",
     1,
     {{2, 0, "a", 2},
      {2, 1, "b", 2},
      {2, 1, "c", 3},
      {3, 0, "c", 3},
      {3, 0, "d", 4},
      {8, 0, "e", 8},
      {8, 1, "f", 8},
      {8, 1, "g", 9}},
     1,
     2,
     {{"a", 2, 0},
      {"m1", 3, 1},
      {"m2", 4, 0},
      {"m3", 6, 0},
      {"m4", 8, 1},
      {"g", 9, 0},
      {"m5", 9, 1}},
     0},
    {"unsorted, more than one page: every bucket, every id",
     0,
     {{100, 0, "c", 300}, {100, 0, "a", 150}, {100, 1, "b", 120}, {100, 1, "d", NONE}},
     1,
     100,
     {{"a", 150, 0}, {"d", NONE, 0}, {"e", 110, 1}, {"f", 999, 1}, {"g", NONE, 1}, {"c", 300, 0}},
     0},
    {"unsorted, one page: no second walk",
     0,
     {{100, 0, "c", 300}, {100, 0, "a", 150}},
     0,
     0,
     {{"e", 110, 0}},
     0},
    {"unsorted, one page, then an empty one by number: the record after it may be gone",
     0,
     {{100, 0, "a", 150}, {100, 0, "b", 120}, {100, 0, "|", 2}, {100, 1, "|", 0}},
     1,
     100,
     {{"a", 150, 0}, {"hidden", 130, 1}},
     0},
    {"sorted, the tie the last page carried over, then an empty page by number: no second walk",
     1,
     {{NONE, 0, "a", 3},
      {NONE, 0, "b", 5},
      {NONE, 0, "|", 2},
      {5, 0, "b", 5},
      {5, 0, "|", 1},
      {5, 1, "|", 0}},
     0,
     0,
     {{"hidden", 5, 0}},
     0},
    {"sorted, a page of ties, then an empty page by number: the walk ends at the HWM, no "
     "second walk",
     1,
     {{NONE, 0, "a", 3},
      {NONE, 0, "b", 5},
      {NONE, 0, "|", 2},
      {5, 0, "b", 5},
      {5, 0, "c", 5},
      {5, 0, "|", 2},
      {5, 1, "|", 0}},
     0,
     0,
     {{"hidden", 5, 0}},
     0},
    {"sorted, ids without a cursor paged by number at one since (a deleted endpoint's bare "
     "ids): every id counts",
     1,
     {{100, 0, "a", NONE}, {100, 0, "b", NONE}, {100, 1, "c", NONE}},
     1,
     100,
     {{"a", NONE, 0}, {"c", NONE, 0}, {"hidden", NONE, 1}, {"dated", 100, 1}, {"later", 101, 0}},
     0},
    {"sorted, a page of ties, then an empty page by number, from an API that filters `>`: the "
     "next run is not served the group's bucket, a second walk",
     1,
     {{NONE, 0, "a", 3},
      {NONE, 0, "b", 5},
      {NONE, 0, "|", 2},
      {5, 0, "b", 5},
      {5, 0, "c", 5},
      {5, 0, "|", 2},
      {5, 1, "|", 0}},
     1,
     5,
     {{"hidden", 5, 1}, {"c", 5, 0}},
     1},
    {"unsorted, no since (a first run)",
     0,
     {{NONE, 0, "a", 1}, {NONE, 1, "b", 2}},
     1,
     NONE,
     {{"a", 1, 0}, {"c", 3, 1}},
     0},
};

static void run_case(const walk_case_t *c)
{
    pageshift_t *ps = pageshift_new(c->sorted);
    assert_non_null(ps);
    for (size_t i = 0; i < sizeof(c->first) / sizeof(c->first[0]) && c->first[i].id; i++) {
        const served_t *s = &c->first[i];
        pageshift_page_t page = {s->since != NONE, s->since != NONE ? s->since : 0, s->by_number,
                                 c->exclusive};
        if (!strcmp(s->id, "|")) {
            pageshift_page_end(ps, &page, (size_t)s->bucket);
            continue;
        }
        assert_int_equal(pageshift_served(ps, &page, s->id, s->bucket != NONE,
                                          s->bucket != NONE ? s->bucket : 0),
                         PRODUCER_OK);
    }
    assert_int_equal(pageshift_walk_done(ps), PRODUCER_OK);
    int has_since = -1;
    int64_t from = -1;
    int64_t until = -1;
    int second = pageshift_second_from(ps, 0, 0, &has_since, &from, &until);
    if (second != c->second)
        fail_msg("%s: second walk %d, want %d", c->name, second, c->second);
    int held_since = -1;
    int64_t held = -1;
    assert_int_equal(pageshift_hold(ps, &held_since, &held), c->second);
    if (second) {
        assert_int_equal(has_since, c->from != NONE);
        assert_int_equal(held_since, c->from != NONE);
        if (c->from != NONE) {
            assert_int_equal(from, c->from);
            assert_int_equal(held, c->from);
        }
    }
    for (size_t i = 0; i < sizeof(c->checks) / sizeof(c->checks[0]) && c->checks[i].id; i++) {
        const check_t *k = &c->checks[i];
        int missed = -1;
        assert_int_equal(pageshift_check(ps, k->id, k->bucket != NONE,
                                         k->bucket != NONE ? k->bucket : 0, &missed),
                         PRODUCER_OK);
        if (missed != k->missed)
            fail_msg("%s: %s at %lld missed %d, want %d", c->name, k->id, (long long)k->bucket,
                     missed, k->missed);
    }
    pageshift_destroy(ps);
}

static void test_walk_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
}

/* Many groups paged by number, many ids: the ranges stay ordered and
 * found, the sets grow (ASan watches the memory). */
static void test_many_groups(void **state)
{
    (void)state;
    pageshift_t *ps = pageshift_new(1);
    assert_non_null(ps);
    char id[48];
    for (int64_t g = 0; g < 500; g++) {
        for (int k = 0; k < 30; k++) {
            pageshift_page_t page = {1, g * 10, k >= 10, 0};
            snprintf(id, sizeof(id), "%lld-%d", (long long)g, k);
            assert_int_equal(pageshift_served(ps, &page, id, 1, g * 10), PRODUCER_OK);
        }
    }
    int has_since = 0;
    int64_t at = -1, until = -1;
    assert_int_equal(pageshift_hold(ps, &has_since, &at), 1); /* the walk's first group */
    assert_int_equal(has_since, 1);
    assert_int_equal(at, 0);
    assert_int_equal(pageshift_walk_done(ps), PRODUCER_OK);
    assert_int_equal(pageshift_second_from(ps, 0, 0, &has_since, &at, &until), 1);
    assert_int_equal(at, 0);
    assert_int_equal(until, 4990); /* a sorted second walk may stop past it */
    int missed;
    for (int64_t g = 0; g < 500; g++) {
        snprintf(id, sizeof(id), "%lld-%d", (long long)g, 3);
        assert_int_equal(pageshift_check(ps, id, 1, g * 10, &missed), PRODUCER_OK);
        assert_int_equal(missed, 0);
        assert_int_equal(pageshift_check(ps, "other", 1, g * 10 + 5, &missed), PRODUCER_OK);
        assert_int_equal(missed, 0); /* between the groups: not paged over */
    }
    assert_int_equal(pageshift_check(ps, "hidden", 1, 4990, &missed), PRODUCER_OK);
    assert_int_equal(missed, 1);
    pageshift_destroy(ps);
}

/* An unsorted walk's second walk reads to the end. */
static void test_unsorted_until(void **state)
{
    (void)state;
    pageshift_t *ps = pageshift_new(0);
    assert_non_null(ps);
    pageshift_page_t p1 = {1, 100, 0, 0}, p2 = {1, 100, 1, 0};
    assert_int_equal(pageshift_served(ps, &p1, "a", 1, 500), PRODUCER_OK);
    assert_int_equal(pageshift_served(ps, &p2, "b", 1, 200), PRODUCER_OK);
    assert_int_equal(pageshift_walk_done(ps), PRODUCER_OK);
    int has_since = 0;
    int64_t from = -1, until = -1;
    assert_int_equal(pageshift_second_from(ps, 0, 0, &has_since, &from, &until), 1);
    assert_int_equal(from, 100);
    assert_true(until == INT64_MAX);
    pageshift_destroy(ps);
}

/* Ranges at or past the HWM's bucket are left to the next run, which
 * reads them again; those below it still need the second walk. */
static void test_ranges_at_hwm(void **state)
{
    (void)state;
    pageshift_t *ps = pageshift_new(1);
    assert_non_null(ps);
    /* a tie group at 5 paged by number, then one at 9 (the HWM's bucket) */
    const served_t walk[] = {{5, 0, "a", 5}, {5, 1, "b", 5}, {5, 1, "c", 7}, {7, 0, "c", 7},
                             {7, 0, "d", 9}, {9, 0, "d", 9}, {9, 1, "e", 9}, {9, 1, "f", 9}};
    for (size_t i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
        pageshift_page_t page = {1, walk[i].since, walk[i].by_number, 0};
        assert_int_equal(pageshift_served(ps, &page, walk[i].id, 1, walk[i].bucket), PRODUCER_OK);
    }
    assert_int_equal(pageshift_walk_done(ps), PRODUCER_OK);
    int has_since = 0;
    int64_t from = -1, until = -1;
    assert_int_equal(pageshift_second_from(ps, 1, 9, &has_since, &from, &until), 1);
    assert_int_equal(from, 5);
    assert_int_equal(until, 7); /* the group at the HWM is left out */
    assert_int_equal(pageshift_second_from(ps, 1, 10, &has_since, &from, &until), 1);
    assert_int_equal(until, 9);
    assert_int_equal(pageshift_second_from(ps, 1, 5, &has_since, &from, &until), 0);
    pageshift_destroy(ps);

    /* an unsorted walk whose HWM did not move past its since */
    ps = pageshift_new(0);
    assert_non_null(ps);
    pageshift_page_t p1 = {1, 100, 0, 0}, p2 = {1, 100, 1, 0};
    assert_int_equal(pageshift_served(ps, &p1, "a", 1, 100), PRODUCER_OK);
    assert_int_equal(pageshift_served(ps, &p2, "b", 1, 100), PRODUCER_OK);
    assert_int_equal(pageshift_walk_done(ps), PRODUCER_OK);
    assert_int_equal(pageshift_second_from(ps, 1, 100, &has_since, &from, &until), 0);
    assert_int_equal(pageshift_second_from(ps, 1, 101, &has_since, &from, &until), 1);
    pageshift_destroy(ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_cases),
        cmocka_unit_test(test_many_groups),
        cmocka_unit_test(test_unsorted_until),
        cmocka_unit_test(test_ranges_at_hwm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
