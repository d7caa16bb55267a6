/*
 * test_reconcile.c - full-sync reconciliation's pure parts: the id set
 * (producer/idset.h) and the "live per key" fold and vanished walk
 * (producer/reconcile.h). The Kafka scan itself is covered by
 * tests/integration/t_full_sync_deletes.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idset.h"
#include "reconcile.h"

typedef struct val {
    int64_t a;
    int32_t b;
} val_t;

static void test_idset_basics(void **state)
{
    (void)state;
    idset_t *s = idset_new(sizeof(val_t));
    assert_non_null(s);
    int added = -1;
    val_t *v = idset_add(s, "cus_1", 5, &added);
    assert_non_null(v);
    assert_int_equal(added, 1);
    assert_int_equal(v->a, 0); /* zeroed */
    assert_int_equal((uintptr_t)v % 8, 0);
    v->a = 42;
    v = idset_add(s, "cus_1", 5, &added);
    assert_int_equal(added, 0);
    assert_int_equal(v->a, 42);
    assert_int_equal(idset_count(s), 1);

    /* (key, len) is the key: a prefix or an extension is another key */
    assert_null(idset_get(s, "cus_", 4));
    assert_null(idset_get(s, "cus_10", 6));
    assert_non_null(idset_get(s, "cus_10", 5));

    /* keys that are not ids */
    assert_null(idset_add(s, "", 0, &added));
    assert_null(idset_add(s, "a\0b", 3, &added));
    assert_int_equal(added, 0);
    char big[IDSET_MAX_KEY + 2];
    memset(big, 'x', sizeof(big));
    assert_null(idset_add(s, big, IDSET_MAX_KEY + 1, NULL));
    assert_non_null(idset_add(s, big, IDSET_MAX_KEY, NULL));
    assert_int_equal(idset_count(s), 2);
    idset_destroy(s);
    idset_destroy(NULL);
}

/* Many keys: growth of the table and the arena keeps every key and value. */
static void test_idset_many(void **state)
{
    (void)state;
    enum { N = 200000 };
    idset_t *s = idset_new(sizeof(val_t));
    assert_non_null(s);
    char key[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof(key), "id-%d", i);
        val_t *v = idset_add(s, key, (size_t)n, NULL);
        assert_non_null(v);
        v->a = i;
    }
    assert_int_equal(idset_count(s), N);
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof(key), "id-%d", i);
        val_t *v = idset_get(s, key, (size_t)n);
        assert_non_null(v);
        assert_int_equal(v->a, i);
    }
    assert_null(idset_get(s, "id-200000", 9));
    /* the walk visits every key once */
    size_t pos = 0, seen = 0;
    int64_t sum = 0;
    const char *k;
    void *vv;
    while (idset_next(s, &pos, &k, &vv)) {
        assert_int_equal(atoi(k + 3), ((val_t *)vv)->a);
        sum += ((val_t *)vv)->a;
        seen++;
    }
    assert_int_equal(seen, N);
    assert_int_equal(sum, (int64_t)N * (N - 1) / 2);
    /* well under 100 bytes per key */
    assert_true(idset_memory(s) < (size_t)N * 100);
    idset_destroy(s);
}

static void test_idset_zero_value(void **state)
{
    (void)state;
    idset_t *s = idset_new(0);
    assert_non_null(s);
    assert_non_null(idset_add(s, "a", 1, NULL));
    assert_non_null(idset_add(s, "b", 1, NULL));
    assert_non_null(idset_get(s, "a", 1));
    size_t pos = 0;
    const char *k;
    void *v;
    char got[3] = {0};
    int n = 0;
    while (idset_next(s, &pos, &k, &v))
        got[n++] = k[0];
    assert_int_equal(n, 2);
    assert_true((got[0] == 'a' && got[1] == 'b') || (got[0] == 'b' && got[1] == 'a'));
    idset_destroy(s);
}

static void test_is_live(void **state)
{
    (void)state;
    static const struct {
        const char *value, *op;
        int live;
    } cases[] = {
        {"x", "upsert", 1},  {"x", NULL, 1},      /* no header: a value is a version */
        {"x", "delete", 0},  {NULL, "delete", 0}, /* the tombstone after a delete */
        {NULL, NULL, 0},                          /* a bare tombstone */
        {NULL, "upsert", 0}, {"x", "deleted", 1}, /* exact match only */
        {"x", "delet", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(
            reconcile_is_live(cases[i].value, cases[i].op, cases[i].op ? strlen(cases[i].op) : 0),
            cases[i].live);
}

typedef struct msg {
    const char *key;
    int32_t partition;
    int64_t ts;
    int live;
} msg_t;

/* Folds a change event of key whose source_ts is its Kafka timestamp. */
static int fold_event(reconcile_t *rc, const char *key, size_t len, int32_t partition, int64_t ts,
                      int live)
{
    reconcile_message_t m = {.partition = partition, .ts = ts, .live = live, .source_ts = ts};
    return reconcile_fold(rc, key, len, &m);
}

/* Folds msgs, marks seen ids, returns the vanished ids sorted, joined by ','. */
static void fold_and_vanish(const msg_t *msgs, size_t n, const char *const *seen, char *out,
                            size_t out_size, reconcile_stats_t *st)
{
    reconcile_t *rc = reconcile_new();
    assert_non_null(rc);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fold_event(rc, msgs[i].key, msgs[i].key ? strlen(msgs[i].key) : 0,
                                    msgs[i].partition, msgs[i].ts, msgs[i].live),
                         0);
    for (size_t i = 0; seen && seen[i]; i++)
        reconcile_seen(rc, seen[i]);
    reconcile_get_stats(rc, st);
    const char *ids[64];
    size_t k = 0, pos = 0;
    const char *id;
    while (reconcile_next_vanished(rc, &pos, &id, NULL)) {
        assert_true(k < 64);
        ids[k++] = id;
    }
    /* sort (insertion) for a stable comparison */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            const char *t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    out[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        if (i)
            strncat(out, ",", out_size - strlen(out) - 1);
        strncat(out, ids[i], out_size - strlen(out) - 1);
    }
    reconcile_destroy(rc);
}

static void test_fold(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        msg_t msgs[8];
        size_t n;
        const char *seen[4];
        const char *vanished;
        size_t keys, live;
    } cases[] = {
        {"upserts, none served", {{"a", 0, 1, 1}, {"b", 1, 1, 1}}, 2, {NULL}, "a,b", 2, 2},
        {"upserts, one served", {{"a", 0, 1, 1}, {"b", 1, 1, 1}}, 2, {"a"}, "b", 2, 2},
        {"served id unknown to Kafka", {{"a", 0, 1, 1}}, 1, {"a", "zz"}, "", 1, 1},
        {"delete + tombstone: gone",
         {{"a", 0, 1, 1}, {"a", 0, 2, 0}, {"a", 0, 2, 0}},
         3,
         {NULL},
         "",
         1,
         0},
        {"tombstone only: gone", {{"a", 0, 1, 1}, {"a", 0, 2, 0}}, 2, {NULL}, "", 1, 0},
        {"re-created after a delete: live",
         {{"a", 0, 1, 1}, {"a", 0, 2, 0}, {"a", 0, 2, 0}, {"a", 0, 3, 1}},
         4,
         {NULL},
         "a",
         1,
         1},
        /* within a partition the later offset wins, whatever the timestamps */
        {"same partition, older ts later", {{"a", 2, 9, 1}, {"a", 2, 5, 0}}, 2, {NULL}, "", 1, 0},
        /* across partitions the later timestamp, in any read order */
        {"other partition, newer delete", {{"a", 0, 5, 1}, {"a", 1, 9, 0}}, 2, {NULL}, "", 1, 0},
        {"other partition, older delete", {{"a", 1, 9, 1}, {"a", 0, 5, 0}}, 2, {NULL}, "a", 1, 1},
        {"other partition, tie counts as live",
         {{"a", 0, 5, 0}, {"a", 1, 5, 1}},
         2,
         {NULL},
         "a",
         1,
         1},
        {"other partition, tie, live first",
         {{"a", 0, 5, 1}, {"a", 1, 5, 0}},
         2,
         {NULL},
         "a",
         1,
         1},
        {"keys that are not ids are ignored",
         {{NULL, 0, 1, 1}, {"", 0, 1, 1}},
         2,
         {NULL},
         "",
         0,
         0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char got[256];
        reconcile_stats_t st;
        fold_and_vanish(cases[i].msgs, cases[i].n, cases[i].seen, got, sizeof(got), &st);
        if (strcmp(got, cases[i].vanished) != 0 || st.keys != cases[i].keys ||
            st.live != cases[i].live)
            fail_msg("%s: vanished '%s' keys %zu live %zu, want '%s' %zu %zu", cases[i].name, got,
                     st.keys, st.live, cases[i].vanished, cases[i].keys, cases[i].live);
        assert_int_equal(st.messages, (int64_t)cases[i].n);
    }
}

/* Reconciliation holds 1e6 ids in reasonable memory (a full sync of a
 * large stream): measured, and bounded here so that a regression shows. */
static void test_million(void **state)
{
    (void)state;
    enum { N = 1000000 };
    reconcile_t *rc = reconcile_new();
    assert_non_null(rc);
    char key[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof(key), "cus_%07d", i);
        assert_int_equal(fold_event(rc, key, (size_t)n, i % 4, i, 1), 0);
    }
    for (int i = 0; i < N; i++) {
        if (i % 1000 == 7)
            continue; /* 1,000 vanished */
        snprintf(key, sizeof(key), "cus_%07d", i);
        reconcile_seen(rc, key);
    }
    reconcile_stats_t st;
    reconcile_get_stats(rc, &st);
    assert_int_equal(st.keys, N);
    assert_int_equal(st.live, N);
    size_t pos = 0, n = 0;
    const char *id;
    while (reconcile_next_vanished(rc, &pos, &id, NULL)) {
        assert_int_equal(atoi(id + 4) % 1000, 7);
        n++;
    }
    assert_int_equal(n, 1000);
    print_message("1e6 ids: %zu KiB (%zu bytes per id)\n", st.memory / 1024, st.memory / N);
    assert_true(st.memory < (size_t)N * 64);
    reconcile_destroy(rc);
}

/* Keys fold as the worker reads ids of the id field's type: a uuid's in
 * lower case (an upper-case key left by a producer before the ids were
 * made canonical is the same id), an integer's as its plain decimal (a
 * stranger's "05" or " 5" is row 5: taken for vanished, its delete
 * deleted row 5), and a key that is no integer names no row. A key that
 * fits no form of the type is kept as it is (a uuid's) or left out (an
 * integer's). The API served `seen`; `vanished` is what is left. */
static void test_keys_by_id_type(void **state)
{
    static const struct {
        field_type_t type;
        const char *keys[4];
        const char *seen[3];
        const char *vanished; /* the one left, NULL: none */
    } cases[] = {
        {FT_UUID,
         {"0F8FAD5B-D9CB-469F-A165-70867728950E", "ABC"},
         {"0f8fad5b-d9cb-469f-a165-70867728950e", "abc"},
         "ABC"},
        {FT_STRING, {"05", " 5"}, {"05"}, " 5"},
        {FT_LONG, {"05", " 5", "+5", "7"}, {"5"}, "7"},
        {FT_LONG, {"05"}, {"+05 "}, NULL},
        {FT_INT, {"abc", "99999999999", "-0"}, {"0"}, NULL},
        {FT_LONG, {"-0012", "1"}, {"1"}, "-12"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reconcile_t *rc = reconcile_new();
        assert_non_null(rc);
        reconcile_id_type(rc, cases[i].type);
        for (size_t k = 0; k < 4 && cases[i].keys[k]; k++)
            assert_int_equal(fold_event(rc, cases[i].keys[k], strlen(cases[i].keys[k]), 0, 1, 1),
                             0);
        for (size_t k = 0; k < 3 && cases[i].seen[k]; k++)
            reconcile_seen(rc, cases[i].seen[k]);
        size_t pos = 0, n = 0;
        const char *id, *first = NULL;
        while (reconcile_next_vanished(rc, &pos, &id, NULL))
            first = n++ ? first : id;
        if (cases[i].vanished) {
            if (n != 1 || strcmp(first, cases[i].vanished) != 0)
                fail_msg("case %zu: %zu vanished, first '%s', want '%s' alone", i, n,
                         first ? first : "(none)", cases[i].vanished);
        } else if (n != 0) {
            fail_msg("case %zu: %zu vanished (first '%s'), want none", i, n, first);
        }
        reconcile_destroy(rc);
    }
}

/* A key written apart from its id's text ("05" of id 5) whose own upsert
 * is its latest message wants a tombstone of its own once the id is not
 * served: deleted (in the topic, or by the deleted endpoint now) or
 * vanished. Not while the walk serves the id, not for a key already
 * tombstoned, not for the id's own text. */
static void test_strays(void **state)
{
    static const struct {
        const char *served, *deleting; /* what the run did with id 5 */
        int tombstoned_05;             /* "05" already has its tombstone */
        const char *stray;             /* the key wanting one, NULL: none */
    } cases[] = {
        {NULL, NULL, 0, "05"},  /* 5 deleted in the topic, not served */
        {"5", NULL, 0, NULL},   /* served again: "05" an older copy */
        {NULL, "005", 0, "05"}, /* the deleted endpoint deletes it now */
        {NULL, NULL, 1, NULL},  /* "05" tombstoned already */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reconcile_t *rc = reconcile_new();
        assert_non_null(rc);
        reconcile_id_type(rc, FT_LONG);
        assert_int_equal(fold_event(rc, "05", 2, 1, 10, 1), 0);
        assert_int_equal(fold_event(rc, "5", 1, 0, 20, 1), 0);
        assert_int_equal(fold_event(rc, "5", 1, 0, 30, 0), 0); /* its delete */
        if (cases[i].tombstoned_05)
            assert_int_equal(fold_event(rc, "05", 2, 1, 40, 0), 0);
        if (cases[i].served)
            reconcile_seen(rc, cases[i].served);
        if (cases[i].deleting)
            reconcile_deleting(rc, cases[i].deleting);
        size_t pos = 0;
        const char *key = NULL;
        int found = reconcile_next_stray(rc, &pos, &key);
        if (cases[i].stray) {
            if (!found || strcmp(key, cases[i].stray) != 0)
                fail_msg("case %zu: stray %s, want %s", i, found ? key : "(none)", cases[i].stray);
            assert_int_equal(reconcile_next_stray(rc, &pos, &key), 0);
        } else if (found) {
            fail_msg("case %zu: stray %s, want none", i, key);
        }
        reconcile_destroy(rc);
    }
}

/* Whether the version the worker keeps of an id is a full run's delete of
 * it as vanished, and that delete's source_ts: through its tombstone, and
 * across partitions; after it, an upsert of an older version (it lost to
 * the delete) too. Not for a live id, one deleted otherwise (the deleted
 * endpoint's delete, a tombstone alone), or one never seen. */
static void test_vanished(void **state)
{
    enum { DEL = 0, UPS = 1, TOMB = 2 };
    static const struct {
        const char *key;
        int32_t partition;
        int64_t ts;
        int what, vanished;
        int64_t source_ts;
    } msgs[] = {
        {"1", 0, 10, UPS, 0, 100},
        {"1", 0, 20, DEL, 1, 101},
        {"1", 0, 21, TOMB, 1, 0},
        {"2", 0, 10, UPS, 0, 100},
        {"2", 0, 20, DEL, 1, 101},
        {"2", 0, 30, UPS, 0, 102}, /* restored past it */
        {"3", 0, 10, UPS, 0, 100},
        {"3", 0, 20, DEL, 0, 150},
        {"3", 0, 21, TOMB, 0, 0}, /* the endpoint's */
        {"4", 0, 10, UPS, 0, 100},
        {"4", 1, 40, DEL, 1, 101}, /* moved partition */
        {"5", 1, 40, UPS, 0, 100},
        {"5", 0, 10, DEL, 1, 90}, /* an older one elsewhere */
        {"6", 0, 10, UPS, 0, 100},
        {"6", 0, 20, TOMB, 0, 0}, /* a tombstone alone */
        {"7", 0, 10, UPS, 0, 100},
        {"7", 0, 20, DEL, 1, 900},
        {"7", 0, 21, TOMB, 1, 0},
        {"7", 0, 30, UPS, 0, 200}, /* changed while hidden, below a delete dated by the clock */
        {"8", 0, 10, UPS, 0, 100},
        {"8", 0, 20, DEL, 1, 101},
        {"8", 0, 30, UPS, 0, 101},
        {"9", 0, 10, UPS, 0, 100},
        {"9", 0, 20, TOMB, 1, 0}, /* its delete compacted away */
    };
    static const struct {
        const char *id;
        int want;
        int64_t deleted_ts;
    } ids[] = {{"1", 1, 101}, {"2", 0, 0},   {"3", 0, 0}, {"4", 1, 101}, {"5", 0, 0},
               {"6", 0, 0},   {"7", 1, 900}, {"8", 0, 0}, /* a tie: the later production wins */
               {"9", 1, 100}, {"10", 0, 0}};
    reconcile_t *rc = reconcile_new();

    (void)state;
    assert_non_null(rc);
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        reconcile_message_t m = {
            .partition = msgs[i].partition,
            .ts = msgs[i].ts,
            .live = msgs[i].what == UPS,
            .tombstone = msgs[i].what == TOMB,
            .vanished = msgs[i].vanished,
            .source_ts = msgs[i].what == TOMB ? RECONCILE_VERSION_UNKNOWN : msgs[i].source_ts,
        };
        assert_int_equal(reconcile_fold(rc, msgs[i].key, strlen(msgs[i].key), &m), 0);
    }
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        int64_t deleted_ts = -1;
        int got = reconcile_vanished(rc, ids[i].id, &deleted_ts);
        if (got != ids[i].want || (got && deleted_ts != ids[i].deleted_ts))
            fail_msg("id %s: %d at %lld, want %d at %lld", ids[i].id, got, (long long)deleted_ts,
                     ids[i].want, (long long)ids[i].deleted_ts);
    }
    reconcile_destroy(rc);
}

/* A vanished id's version is the largest source_ts the worker kept: an
 * older version published later (it lost) does not lower it; a value
 * that is no change event (a stranger's) leaves it unknown. */
static void test_vanished_version(void **state)
{
    static const struct {
        const char *key;
        int64_t source_ts;
    } msgs[] = {{"1", 100}, {"1", 80}, {"2", RECONCILE_VERSION_UNKNOWN}, {"3", 100}, {"3", 300}};
    static const struct {
        const char *id;
        int64_t version;
    } want[] = {{"1", 100}, {"2", RECONCILE_VERSION_UNKNOWN}, {"3", 300}};
    reconcile_t *rc = reconcile_new();

    (void)state;
    assert_non_null(rc);
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        reconcile_message_t m = {.ts = (int64_t)i, .live = 1, .source_ts = msgs[i].source_ts};
        assert_int_equal(reconcile_fold(rc, msgs[i].key, strlen(msgs[i].key), &m), 0);
    }
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        size_t pos = 0;
        const char *id;
        int64_t version = 0;
        int found = 0;
        while (reconcile_next_vanished(rc, &pos, &id, &version))
            if (!strcmp(id, want[i].id)) {
                found = 1;
                break;
            }
        if (!found || version != want[i].version)
            fail_msg("id %s: found %d, version %lld, want %lld", want[i].id, found,
                     (long long)version, (long long)want[i].version);
    }
    reconcile_destroy(rc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vanished),
        cmocka_unit_test(test_vanished_version),
        cmocka_unit_test(test_idset_basics),
        cmocka_unit_test(test_idset_many),
        cmocka_unit_test(test_idset_zero_value),
        cmocka_unit_test(test_is_live),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_keys_by_id_type),
        cmocka_unit_test(test_strays),
        cmocka_unit_test(test_million),
    };
    return cmocka_run_group_tests_name("reconcile", tests, NULL, NULL);
}
