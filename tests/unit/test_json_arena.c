/*
 * test_json_arena.c - jansson values in an arena (common/json_arena.h):
 * built and read back like any value, released whole by the arena (ASan's
 * leak check runs on this), while values made outside an arena stay
 * plain malloc blocks that free() and json_decref() release as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_arena.h"

/* A row as the worker's decoder makes one: many members (the hash table
 * grows, freeing its old buckets inside the arena), nested values, one
 * string larger than an arena's chunk. */
static json_t *make_row(int i, size_t big)
{
    json_t *row = json_object(), *tags = json_array();
    char key[32], *text = malloc(big + 1);

    assert_non_null(row);
    assert_non_null(text);
    for (int k = 0; k < 40; k++) {
        snprintf(key, sizeof(key), "field_%d", k);
        assert_int_equal(json_object_set_new(row, key, json_integer(i * 100 + k)), 0);
    }
    json_array_append_new(tags, json_string("a"));
    json_array_append_new(tags, json_pack("{s:b}", "nested", 1));
    json_object_set_new(row, "tags", tags);
    memset(text, 'x', big);
    text[big] = '\0';
    json_object_set_new(row, "big", json_string(text));
    free(text);
    /* changed while being built, as rename_cut_fields does */
    json_object_set(row, "renamed", json_object_get(row, "field_0"));
    json_object_del(row, "field_0");
    return row;
}

static void check_row(const json_t *row, int i, size_t big)
{
    assert_int_equal(json_integer_value(json_object_get(row, "renamed")), i * 100);
    assert_null(json_object_get(row, "field_0"));
    assert_int_equal(json_integer_value(json_object_get(row, "field_39")), i * 100 + 39);
    assert_int_equal(json_string_length(json_object_get(row, "big")), big);
    assert_true(
        json_is_true(json_object_get(json_array_get(json_object_get(row, "tags"), 1), "nested")));
}

static void test_rows_in_arena(void **state)
{
    (void)state;
    enum { ROWS = 2000 };
    static json_t *rows[ROWS];
    json_arena_t *a = json_arena_new();
    assert_non_null(a);

    json_t *outside = json_string("made outside, put into a row, released by it");
    json_arena_t *prev = json_arena_enter(a);
    assert_null(prev);
    for (int i = 0; i < ROWS; i++)
        rows[i] = make_row(i, i == 7 ? 600 * 1024 : 10);
    /* a value made outside, put into an arena row and dropped with the
     * row inside the arena: released like any malloc'd value */
    json_object_set_new(rows[1], "outside", outside);
    json_decref(rows[1]);
    rows[1] = NULL;
    json_arena_leave(prev);

    assert_true(json_arena_bytes(a) > 600 * 1024);
    for (int i = 0; i < ROWS; i++)
        if (rows[i])
            check_row(rows[i], i, i == 7 ? 600 * 1024 : 10);
    /* reading and dumping outside the arena: malloc'd text, free() */
    char *text = json_dumps(rows[0], JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"renamed\":0"));
    free(text);
    json_arena_destroy(a); /* every row at once, none freed one by one */
}

/* Outside an arena nothing changes: values and texts are malloc'd and
 * freed through free() (ASan checks each one). */
static void test_outside_arena(void **state)
{
    (void)state;
    json_t *row = make_row(3, 100);
    check_row(row, 3, 100);
    char *text = json_dumps(row, JSON_COMPACT);
    assert_non_null(text);
    free(text);
    json_decref(row);
    json_arena_destroy(NULL);
    assert_int_equal(json_arena_bytes(NULL), 0);
}

static void *build_in_own_arena(void *arg)
{
    json_arena_t *a = arg;
    json_arena_t *prev = json_arena_enter(a);
    for (int i = 0; i < 500; i++)
        check_row(make_row(i, 50), i, 50); /* dropped with the arena */
    json_arena_leave(prev);
    return NULL;
}

/* The arena is per thread: another thread's values, made meanwhile
 * outside any arena, are plain malloc blocks its json_decref frees. */
static void test_arena_is_per_thread(void **state)
{
    (void)state;
    json_arena_t *a = json_arena_new();
    pthread_t t;
    assert_non_null(a);
    assert_int_equal(pthread_create(&t, NULL, build_in_own_arena, a), 0);
    for (int i = 0; i < 500; i++) {
        json_t *row = make_row(i, 50);
        check_row(row, i, 50);
        json_decref(row);
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(json_arena_bytes(a) > 0);
    json_arena_destroy(a); /* on another thread than the one that filled it */
}

/* Chunks of destroyed arenas are kept for the next ones, never more than
 * 16 MiB of them: 40 MiB of arenas destroyed leave at most that much. */
static void test_pool_is_bounded(void **state)
{
    (void)state;
    enum { N = 10 };
    json_arena_t *a[N];
    for (int i = 0; i < N; i++) {
        assert_non_null(a[i] = json_arena_new());
        json_arena_t *prev = json_arena_enter(a[i]);
        for (int k = 0; k < 4 * 1024 && json_arena_bytes(a[i]) < 4 * 1024 * 1024; k++)
            json_decref(make_row(k, 1000)); /* dropped inside: stays carved */
        json_arena_leave(prev);
        assert_true(json_arena_bytes(a[i]) >= 4 * 1024 * 1024);
    }
    for (int i = 0; i < N; i++)
        json_arena_destroy(a[i]);
    size_t kept = json_arena_pooled_bytes();
    assert_true(kept > 0);
    assert_true(kept <= 16 * 1024 * 1024);
    /* the next arena is carved from kept chunks */
    json_arena_t *b = json_arena_new();
    json_arena_t *prev = json_arena_enter(b);
    check_row(make_row(1, 10), 1, 10);
    json_arena_leave(prev);
    assert_true(json_arena_pooled_bytes() < kept);
    json_arena_destroy(b);
}

/* Which arena a value lies in: what decoded_clear() and jsonpage_clear()
 * ask before dropping a row or a body without json_decref. */
static void test_owns(void **state)
{
    (void)state;
    json_arena_t *a = json_arena_new();
    assert_non_null(a);
    json_t *outside = json_string("malloc'd");
    json_arena_t *prev = json_arena_enter(a);
    json_t *inside = json_string("carved");
    json_arena_leave(prev);
    assert_true(json_arena_owns(a, inside));
    assert_false(json_arena_owns(a, outside));
    assert_false(json_arena_owns(NULL, inside));
    assert_false(json_arena_owns(a, NULL));
    json_decref(outside);
    json_arena_destroy(a);
}

static int between(const void *p, const void *from, size_t len)
{
    uintptr_t x = (uintptr_t)p, a = (uintptr_t)from;
    return x >= a && x < a + len;
}

/* What jsonpage's prefetch extents rest on: the values made since a mark
 * lie in the range json_arena_carved_since() gives, until a chunk is
 * started; from then on it gives 0, wherever the new chunk lies. */
static void test_carved_since(void **state)
{
    (void)state;
    /* chunks from the heap, which grows upwards: a new chunk lies above the
     * mark (the case a mere "cursor below mark" test missed in review) */
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    json_arena_t *a = json_arena_new();
    assert_non_null(a);
    assert_null(json_arena_cursor(a));
    assert_int_equal(json_arena_carved_since(a, NULL), 0);
    json_arena_t *prev = json_arena_enter(a);
    json_t *first = json_object(); /* the arena's first chunk */
    const void *mark = json_arena_cursor(a);
    assert_non_null(mark);
    assert_int_equal(json_arena_carved_since(a, mark), 0);
    char text[1000];
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    int made = 0;
    for (; made < 1000; made++) {
        json_t *v = json_string(text);
        assert_non_null(v);
        size_t len = json_arena_carved_since(a, mark);
        if (len == 0)
            break; /* v began a new chunk */
        if (!between(v, mark, len) || !between(json_string_value(v), mark, len))
            fail_msg("value %d outside [mark, mark + %zu)", made, len);
    }
    json_arena_leave(prev);
    assert_true(made > 100 && made < 1000); /* a 256 KiB chunk holds ~250 */
    (void)first;
    json_arena_destroy(a);
    mallopt(M_MMAP_THRESHOLD, 128 * 1024); /* glibc's default */
}

/* A size near SIZE_MAX asked inside an arena fails (NULL), not a chunk
 * whose size wrapped around (found by review: a heap overflow). */
static void test_huge_request_fails(void **state)
{
    (void)state;
    json_malloc_t alloc;
    json_free_t release;
    json_get_alloc_funcs(&alloc, &release);
    json_arena_t *a = json_arena_new();
    assert_non_null(a);
    json_arena_t *prev = json_arena_enter(a);
    void *p = alloc(SIZE_MAX - 20);
    json_arena_leave(prev);
    assert_null(p);
    json_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_in_arena),
        cmocka_unit_test(test_outside_arena),
        cmocka_unit_test(test_arena_is_per_thread),
        cmocka_unit_test(test_pool_is_bounded),
        cmocka_unit_test(test_owns),
        cmocka_unit_test(test_carved_since),
        cmocka_unit_test(test_huge_request_fails),
    };
    json_arena_install();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
