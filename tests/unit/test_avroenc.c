/*
 * test_avroenc.c - the Avro binary writer: each primitive gives the bytes
 * avro-c writes for the same value (the specification's encoding), and
 * the buffer grows past its first size without losing what it holds.
 * Nested values (records, unions, arrays, maps) are the conversion
 * tests' (avro_datum.h holds every converted record to avro-c's bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <avro.h>

#include "avroenc.h"

typedef enum { K_LONG, K_INT, K_DOUBLE, K_FLOAT, K_BOOLEAN, K_STRING, K_BYTES } kind_t;

typedef struct {
    kind_t kind;
    int64_t l;
    double d;
    const char *s; /* K_STRING, K_BYTES (its strlen) */
} enc_case_t;

static const enc_case_t cases[] = {
    {K_LONG, 0, 0, NULL},
    {K_LONG, 1, 0, NULL},
    {K_LONG, -1, 0, NULL},
    {K_LONG, 63, 0, NULL},
    {K_LONG, -64, 0, NULL},
    {K_LONG, 64, 0, NULL},
    {K_LONG, 1767225610000LL, 0, NULL},
    {K_LONG, INT64_MAX, 0, NULL},
    {K_LONG, INT64_MIN, 0, NULL},
    {K_INT, INT32_MAX, 0, NULL},
    {K_INT, INT32_MIN, 0, NULL},
    {K_DOUBLE, 0, 0.1, NULL},
    {K_DOUBLE, 0, -1e300, NULL},
    {K_DOUBLE, 0, DBL_MIN / 2, NULL}, /* subnormal */
    {K_FLOAT, 0, 3.25, NULL},
    {K_FLOAT, 0, -FLT_MAX, NULL},
    {K_BOOLEAN, 1, 0, NULL},
    {K_BOOLEAN, 0, 0, NULL},
    {K_STRING, 0, 0, ""},
    {K_STRING, 0, 0, "Zoë"},
    {K_BYTES, 0, 0, "\x01\x02\xff"},
};

/* What avro-c writes for case c: a value of its primitive schema. */
static size_t avro_c_bytes(const enc_case_t *c, char *out, size_t size)
{
    avro_schema_t s = c->kind == K_LONG      ? avro_schema_long()
                      : c->kind == K_INT     ? avro_schema_int()
                      : c->kind == K_DOUBLE  ? avro_schema_double()
                      : c->kind == K_FLOAT   ? avro_schema_float()
                      : c->kind == K_BOOLEAN ? avro_schema_boolean()
                      : c->kind == K_STRING  ? avro_schema_string()
                                             : avro_schema_bytes();
    avro_value_iface_t *iface = avro_generic_class_from_schema(s);
    avro_value_t v;
    assert_int_equal(avro_generic_value_new(iface, &v), 0);
    switch (c->kind) {
    case K_LONG:
        assert_int_equal(avro_value_set_long(&v, c->l), 0);
        break;
    case K_INT:
        assert_int_equal(avro_value_set_int(&v, (int32_t)c->l), 0);
        break;
    case K_DOUBLE:
        assert_int_equal(avro_value_set_double(&v, c->d), 0);
        break;
    case K_FLOAT:
        assert_int_equal(avro_value_set_float(&v, (float)c->d), 0);
        break;
    case K_BOOLEAN:
        assert_int_equal(avro_value_set_boolean(&v, (int)c->l), 0);
        break;
    case K_STRING:
        assert_int_equal(avro_value_set_string(&v, c->s), 0);
        break;
    case K_BYTES:
        assert_int_equal(avro_value_set_bytes(&v, (void *)c->s, strlen(c->s)), 0);
        break;
    }
    avro_writer_t w = avro_writer_memory(out, (int64_t)size);
    assert_int_equal(avro_value_write(w, &v), 0);
    size_t n = (size_t)avro_writer_tell(w);
    avro_writer_free(w);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(s);
    return n;
}

static void ours(const enc_case_t *c, avroenc_t *w)
{
    switch (c->kind) {
    case K_LONG:
    case K_INT:
        avroenc_long(w, c->l);
        break;
    case K_DOUBLE:
        avroenc_double(w, c->d);
        break;
    case K_FLOAT:
        avroenc_float(w, (float)c->d);
        break;
    case K_BOOLEAN:
        avroenc_boolean(w, (int)c->l);
        break;
    case K_STRING:
    case K_BYTES:
        avroenc_bytes(w, c->s, strlen(c->s));
        break;
    }
}

static void test_primitives_as_avro_c(void **state)
{
    (void)state;
    avroenc_t w = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[64];
        size_t n = avro_c_bytes(&cases[i], want, sizeof(want));
        avroenc_reset(&w);
        ours(&cases[i], &w);
        assert_false(avroenc_failed(&w));
        if (w.len != n || memcmp(w.buf, want, n) != 0)
            fail_msg("case %zu: %zu bytes, avro-c wrote %zu", i, w.len, n);
    }
    avroenc_free(&w);
}

/* Writes that outgrow the buffer several times keep every byte, in order;
 * reset keeps the buffer, free empties the writer for reuse. */
static void test_growth(void **state)
{
    (void)state;
    avroenc_t w = {0};
    unsigned char chunk[1000];
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = (unsigned char)i;
    for (int i = 0; i < 100; i++) {
        avroenc_raw(&w, chunk, sizeof(chunk));
        avroenc_long(&w, i);
    }
    assert_false(avroenc_failed(&w));
    assert_int_equal(w.len, 100 * (sizeof(chunk) + 1) + 36); /* 64..99 take two bytes */
    size_t at = 0;
    for (int i = 0; i < 100; i++) {
        assert_memory_equal(w.buf + at, chunk, sizeof(chunk));
        at += sizeof(chunk) + (i < 64 ? 1 : 2);
    }
    size_t cap = w.cap;
    avroenc_reset(&w);
    assert_int_equal(w.len, 0);
    assert_int_equal(w.cap, cap);
    avroenc_free(&w);
    assert_null(w.buf);
    avroenc_bytes(&w, "x", 1);
    assert_int_equal(w.len, 2);
    avroenc_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitives_as_avro_c),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
