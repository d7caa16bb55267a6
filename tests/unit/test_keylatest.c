/*
 * test_keylatest.c - the topic's latest word on chosen ids: envelope_peek
 * on events of two different schemas, and the fold rules (offset order in
 * a partition, timestamps across partitions, tombstones, foreign values),
 * and which upserts may be revivals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"
#include "keylatest.h"

typedef struct event {
    void *buf;
    size_t len;
} event_t;

/* An event of a one-field stream schema; field_type varies the fingerprint. */
static event_t encode(const char *field_type, change_op_t op, const char *id, int64_t ts)
{
    char schema[256], err[256];
    record_schema_t *rs = NULL;
    snprintf(schema, sizeof(schema),
             "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"id\","
             "\"type\":\"string\"},{\"name\":\"a\",\"type\":\"%s\"}]}",
             field_type);
    assert_int_equal(record_schema_parse(schema, &rs, err, sizeof(err)), 0);
    envelope_schema_t *es = envelope_schema_new(rs, err, sizeof(err));
    assert_non_null(es);
    json_t *rec = op == CHANGE_OP_UPSERT ? json_pack("{s:s,s:i}", "id", id, "a", 1) : NULL;
    if (rec && strcmp(field_type, "string") == 0)
        json_object_set_new(rec, "a", json_string("x"));
    event_t ev = {0};
    assert_int_equal(
        envelope_encode(es, op, id, ts, "run-1", 0, 0, rec, &ev.buf, &ev.len, err, sizeof(err)), 0);
    json_decref(rec);
    envelope_schema_destroy(es);
    record_schema_destroy(rs);
    return ev;
}

static void test_peek(void **state)
{
    (void)state;
    const struct {
        const char *type;
        change_op_t op;
        const char *id;
        int64_t ts;
    } cases[] = {
        {"int", CHANGE_OP_UPSERT, "17", 1767225610000LL},
        {"string", CHANGE_OP_UPSERT,
         "a-much-longer-id-than-one-varint-byte-can-count-"
         "past-sixty-three-characters-of-it",
         -5},
        {"int", CHANGE_OP_DELETE, "", 0},
        {"string", CHANGE_OP_DELETE, "x", INT64_MAX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        event_t ev = encode(cases[i].type, cases[i].op, cases[i].id, cases[i].ts);
        change_op_t op = (change_op_t)-1;
        int64_t ts = 0;
        assert_int_equal(envelope_peek(ev.buf, ev.len, &op, &ts), 0);
        assert_int_equal(op, cases[i].op);
        assert_true(ts == cases[i].ts);
        /* Every truncation fails cleanly: no read past the end. */
        for (size_t n = 0; n < 10 + 3; n++)
            assert_int_equal(envelope_peek(ev.buf, n, &op, &ts), -1);
        free(ev.buf);
    }
    const unsigned char not_soe[] = "{\"id\":1}";
    change_op_t op;
    int64_t ts;
    assert_int_equal(envelope_peek(not_soe, sizeof(not_soe), &op, &ts), -1);
    assert_int_equal(envelope_peek(NULL, 0, &op, &ts), -1);
}

typedef struct fold_step {
    const char *key;
    int32_t partition;
    int64_t timestamp;
    int kind; /* 0 upsert, 1 delete event, 2 tombstone, 3 foreign bytes */
    int64_t source_ts;
    const char *reason; /* its tidemark.reason header (NULL: none) */
} fold_step_t;

static void fold(keylatest_t *kl, const fold_step_t *s)
{
    event_t ev = {0};
    if (s->kind <= 1)
        ev = encode("int", s->kind ? CHANGE_OP_DELETE : CHANGE_OP_UPSERT, s->key, s->source_ts);
    else if (s->kind == 3)
        ev = (event_t){strdup("{\"not\":\"ours\"}"), 14};
    keylatest_fold(kl, s->key, strlen(s->key), s->partition, s->timestamp, ev.buf, ev.len,
                   s->reason, s->reason ? strlen(s->reason) : 0);
    free(ev.buf);
}

static void test_fold(void **state)
{
    (void)state;
    static const fold_step_t steps[] = {
        /* a: restored after a delete, within one partition */
        {"a", 0, 100, 0, 1000, NULL},
        {"a", 0, 101, 1, 2000, NULL},
        {"a", 0, 102, 2, 0, NULL},
        {"a", 0, 103, 0, 3000, NULL},
        /* b: deleted last */
        {"b", 1, 100, 0, 1000, NULL},
        {"b", 1, 101, 1, 2000, NULL},
        {"b", 1, 102, 2, 0, NULL},
        /* c: moved to partition 3; an older message read later from the old
         * partition is not the latest */
        {"c", 3, 200, 0, 5000, NULL},
        {"c", 2, 150, 1, 4000, NULL},
        /* d: not asked about */
        {"d", 0, 100, 0, 1000, NULL},
        /* e: a value that is no change event */
        {"e", 0, 100, 3, 0, NULL},
    };
    keylatest_t *kl = keylatest_new();
    assert_non_null(kl);
    for (const char *const *id = (const char *const[]){"a", "b", "c", "e", "f", NULL}; *id; id++)
        assert_int_equal(keylatest_want(kl, *id), 0);
    assert_int_equal(keylatest_count(kl), 5);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        fold(kl, &steps[i]);
    int64_t ts = 0;
    assert_int_equal(keylatest_get(kl, "a", &ts), KEYLATEST_UPSERT);
    assert_true(ts == 3000);
    assert_int_equal(keylatest_get(kl, "b", &ts), KEYLATEST_DELETE);
    assert_int_equal(keylatest_get(kl, "c", &ts), KEYLATEST_UPSERT);
    assert_true(ts == 5000);
    assert_int_equal(keylatest_get(kl, "d", &ts), KEYLATEST_NONE);
    assert_int_equal(keylatest_get(kl, "e", &ts), KEYLATEST_UNKNOWN);
    assert_int_equal(keylatest_get(kl, "f", &ts), KEYLATEST_NONE);
    assert_int_equal(keylatest_count(kl), 5); /* folding "d" added nothing */
    keylatest_destroy(kl);
}

/* Which latest upserts may be revivals (keylatest_revived()): marked so,
 * or, written before the mark, right after a vanished delete or its
 * tombstone; not a restore after the API's own deletion, nor a later
 * change, nor a delete. */
static void test_revived(void **state)
{
    (void)state;
    static const fold_step_t steps[] = {
        /* g: a revival an older producer wrote, after a vanished delete */
        {"g", 0, 100, 0, 1000, NULL},
        {"g", 0, 101, 1, 1000, "vanished"},
        {"g", 0, 102, 2, 0, "vanished"},
        {"g", 0, 103, 0, 9000, NULL},
        /* h: the tombstone alone left, without the header */
        {"h", 0, 101, 1, 1000, "vanished"},
        {"h", 0, 102, 2, 0, NULL},
        {"h", 0, 103, 0, 9000, NULL},
        /* i: marked */
        {"i", 0, 100, 0, 9000, "revived"},
        /* j: restored after the API's own deletion */
        {"j", 0, 100, 0, 1000, NULL},
        {"j", 0, 101, 1, 2000, NULL},
        {"j", 0, 102, 2, 0, NULL},
        {"j", 0, 103, 0, 3000, NULL},
        /* k: revived, then changed */
        {"k", 0, 100, 1, 1000, "vanished"},
        {"k", 0, 101, 2, 0, "vanished"},
        {"k", 0, 102, 0, 9000, NULL},
        {"k", 0, 103, 0, 9500, NULL},
        /* l: deleted as vanished last */
        {"l", 0, 100, 0, 1000, "revived"},
        {"l", 0, 101, 1, 1000, "vanished"},
        {"l", 0, 102, 2, 0, "vanished"},
        /* m: revived; an older message read later from another partition
         * is not the latest */
        {"m", 1, 200, 0, 9000, "revived"},
        {"m", 0, 150, 0, 1000, NULL},
        /* n: a foreign value between the vanished delete and the upsert */
        {"n", 0, 100, 1, 1000, "vanished"},
        {"n", 0, 101, 3, 0, NULL},
        {"n", 0, 102, 0, 2000, NULL},
    };
    keylatest_t *kl = keylatest_new();
    assert_non_null(kl);
    for (const char *const *id =
             (const char *const[]){"g", "h", "i", "j", "k", "l", "m", "n", "o", NULL};
         *id; id++)
        assert_int_equal(keylatest_want(kl, *id), 0);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        fold(kl, &steps[i]);
    int64_t ts = 0;
    assert_int_equal(keylatest_get(kl, "g", &ts), KEYLATEST_UPSERT);
    assert_true(ts == 9000);
    assert_true(keylatest_revived(kl, "g"));
    assert_true(keylatest_revived(kl, "h"));
    assert_true(keylatest_revived(kl, "i"));
    assert_false(keylatest_revived(kl, "j"));
    assert_false(keylatest_revived(kl, "k"));
    assert_int_equal(keylatest_get(kl, "l", &ts), KEYLATEST_DELETE);
    assert_false(keylatest_revived(kl, "l"));
    assert_true(keylatest_revived(kl, "m"));
    assert_false(keylatest_revived(kl, "n"));
    assert_false(keylatest_revived(kl, "o"));  /* never folded */
    assert_false(keylatest_revived(kl, "zz")); /* never asked about */
    keylatest_destroy(kl);
}

/* An id asked about as a uuid's lower-case text finds the upper-case key
 * a producer before the ids were made canonical left. */
static void test_uuid_key(void **state)
{
    (void)state;
    keylatest_t *kl = keylatest_new();
    assert_non_null(kl);
    assert_int_equal(keylatest_want(kl, "0f8fad5b-d9cb-469f-a165-70867728950e"), 0);
    const fold_step_t tomb = {"0F8FAD5B-D9CB-469F-A165-70867728950E", 0, 100, 2, 0, NULL};
    fold(kl, &tomb);
    int64_t ts = 0;
    assert_int_equal(keylatest_get(kl, "0f8fad5b-d9cb-469f-a165-70867728950e", &ts),
                     KEYLATEST_DELETE);
    keylatest_destroy(kl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peek),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_revived),
        cmocka_unit_test(test_uuid_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
