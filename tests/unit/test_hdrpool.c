/*
 * test_hdrpool.c - header lists kept for reuse (hdrpool.h): a list given
 * back goes to the next event with the same headers and to no other, it
 * holds exactly the headers asked for, and what the pool keeps is
 * bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hdrpool.h"

static const kafka_header_t UPSERT[] = {{"tidemark.op", "upsert"}, {"tidemark.run", "run-1"}};
static const kafka_header_t DELETE[] = {{"tidemark.op", "delete"}, {"tidemark.run", "run-1"}};

/* The list's headers are exactly h[0..n), in order, values without NUL. */
static void assert_holds(const rd_kafka_headers_t *list, const kafka_header_t *h, size_t n)
{
    assert_int_equal(rd_kafka_header_cnt(list), n);
    for (size_t i = 0; i < n; i++) {
        const char *name;
        const void *value;
        size_t size;
        assert_int_equal(rd_kafka_header_get_all(list, i, &name, &value, &size), 0);
        assert_string_equal(name, h[i].name);
        assert_int_equal(size, strlen(h[i].value));
        assert_memory_equal(value, h[i].value, size);
    }
}

/* Given back, then asked for again: which headers the second take asks
 * for, and whether it gets the list given back. */
typedef struct reuse_case {
    const char *name;
    const kafka_header_t *first;
    size_t n_first;
    const kafka_header_t *second;
    size_t n_second;
    int same_list;
} reuse_case_t;

static const kafka_header_t RUN2[] = {{"tidemark.op", "upsert"}, {"tidemark.run", "run-2"}};
static const kafka_header_t LONGER[] = {{"tidemark.op", "upsert"}, {"tidemark.run", "run-10"}};
static const kafka_header_t NAME2[] = {{"tidemark.op", "upsert"}, {"tidemark.rum", "run-1"}};
static const kafka_header_t THREE[] = {
    {"tidemark.op", "upsert"}, {"tidemark.run", "run-1"}, {"tidemark.reason", "vanished"}};
static const kafka_header_t NULLVAL[] = {{"tidemark.op", "upsert"}, {"tidemark.run", NULL}};
static const kafka_header_t FIVE[] = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}};

static const reuse_case_t reuse_cases[] = {
    {"the same headers: the same list", UPSERT, 2, UPSERT, 2, 1},
    {"another op: a new list", UPSERT, 2, DELETE, 2, 0},
    {"another run: a new list", UPSERT, 2, RUN2, 2, 0},
    {"a value that the kept one begins: a new list", UPSERT, 2, LONGER, 2, 0},
    {"another name: a new list", UPSERT, 2, NAME2, 2, 0},
    {"one header more: a new list", UPSERT, 2, THREE, 3, 0},
    {"one header less: a new list", THREE, 3, UPSERT, 2, 0},
    {"three headers, again: the same list", THREE, 3, THREE, 3, 1},
    {"a header without a value is never kept", NULLVAL, 2, NULLVAL, 2, 0},
    {"more headers than a kept list holds: never kept", FIVE, 5, FIVE, 5, 0},
    {"no headers: never kept", UPSERT, 0, UPSERT, 0, 0},
};

static void test_reuse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(reuse_cases) / sizeof(reuse_cases[0]); i++) {
        const reuse_case_t *c = &reuse_cases[i];
        print_message("case: %s\n", c->name);
        hdrpool_t *hp = hdrpool_new();
        assert_non_null(hp);
        /* the second's kind is known first, as in a run: takes make kinds */
        rd_kafka_headers_t *other = hdrpool_take(hp, c->second, c->n_second);
        rd_kafka_headers_t *list = hdrpool_take(hp, c->first, c->n_first);
        assert_non_null(list);
        if (c->n_first != 2 || c->first[1].value) /* NULL values: librdkafka's null header */
            assert_holds(list, c->first, c->n_first);
        hdrpool_give(hp, list);
        size_t kept = hdrpool_kept(hp);
        rd_kafka_headers_t *again = hdrpool_take(hp, c->second, c->n_second);
        assert_non_null(again);
        if (c->same_list) {
            assert_ptr_equal(again, list);
            assert_int_equal(hdrpool_kept(hp), kept - 1);
        } else { /* the first was destroyed, or is still kept (then not this one) */
            assert_int_equal(hdrpool_kept(hp), kept);
            if (kept)
                assert_ptr_not_equal(again, list);
        }
        if (c->n_second != 2 || c->second[1].value)
            assert_holds(again, c->second, c->n_second);
        hdrpool_give(hp, again);
        hdrpool_give(hp, other);
        hdrpool_destroy(hp);
    }
}

/* A list given back whose headers no take asked for is destroyed (not
 * kept: ASan would report it leaked otherwise, and kept() says so). */
static void test_unknown_list_destroyed(void **state)
{
    (void)state;
    hdrpool_t *hp = hdrpool_new();
    assert_non_null(hp);
    hdrpool_give(hp, kafka_headers_new(UPSERT, 2));
    assert_int_equal(hdrpool_kept(hp), 0);
    hdrpool_give(hp, NULL);
    hdrpool_destroy(hp);
    hdrpool_destroy(NULL);
}

/* More kinds than the pool holds: the one taken from least recently goes
 * (its lists destroyed); the others keep theirs. */
static void test_kinds_bounded(void **state)
{
    (void)state;
    hdrpool_t *hp = hdrpool_new();
    assert_non_null(hp);
    char values[HDRPOOL_KINDS + 1][16];
    kafka_header_t h[HDRPOOL_KINDS + 1][1];
    rd_kafka_headers_t *lists[HDRPOOL_KINDS + 1];
    for (int i = 0; i <= HDRPOOL_KINDS; i++) {
        snprintf(values[i], sizeof(values[i]), "run-%d", i);
        h[i][0] = (kafka_header_t){"tidemark.run", values[i]};
    }
    for (int i = 0; i < HDRPOOL_KINDS; i++) {
        lists[i] = hdrpool_take(hp, h[i], 1);
        hdrpool_give(hp, lists[i]);
    }
    assert_int_equal(hdrpool_kept(hp), HDRPOOL_KINDS);
    /* kind 0 taken from again: kind 1 is now the least recent */
    assert_ptr_equal(hdrpool_take(hp, h[0], 1), lists[0]);
    hdrpool_give(hp, lists[0]);
    lists[HDRPOOL_KINDS] = hdrpool_take(hp, h[HDRPOOL_KINDS], 1);
    assert_int_equal(hdrpool_kept(hp), HDRPOOL_KINDS - 1); /* kind 1's list went */
    hdrpool_give(hp, lists[HDRPOOL_KINDS]);
    assert_ptr_equal(hdrpool_take(hp, h[0], 1), lists[0]);
    hdrpool_give(hp, lists[0]);
    size_t kept = hdrpool_kept(hp);
    rd_kafka_headers_t *fresh = hdrpool_take(hp, h[1], 1); /* a new kind, none kept */
    assert_holds(fresh, h[1], 1);
    assert_int_equal(hdrpool_kept(hp), kept - 1); /* kind 2, least recent, went */
    rd_kafka_headers_destroy(fresh);
    hdrpool_destroy(hp);
}

/* Many lists in flight at once, all given back: at most HDRPOOL_KEEP are
 * kept, the rest destroyed; every take after gets a kept list. */
static void test_keep_bounded(void **state)
{
    (void)state;
    enum { N = HDRPOOL_KEEP + 100 };
    hdrpool_t *hp = hdrpool_new();
    assert_non_null(hp);
    static rd_kafka_headers_t *lists[N];
    for (size_t i = 0; i < N; i++)
        assert_non_null(lists[i] = hdrpool_take(hp, UPSERT, 2));
    for (size_t i = 0; i < N; i++)
        hdrpool_give(hp, lists[i]);
    assert_int_equal(hdrpool_kept(hp), HDRPOOL_KEEP);
    for (size_t i = 0; i < HDRPOOL_KEEP; i++) {
        rd_kafka_headers_t *l = hdrpool_take(hp, UPSERT, 2);
        assert_holds(l, UPSERT, 2);
        lists[i] = l;
    }
    assert_int_equal(hdrpool_kept(hp), 0);
    for (size_t i = 0; i < HDRPOOL_KEEP; i++)
        hdrpool_give(hp, lists[i]);
    hdrpool_destroy(hp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse),
        cmocka_unit_test(test_unknown_list_destroyed),
        cmocka_unit_test(test_kinds_bounded),
        cmocka_unit_test(test_keep_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
