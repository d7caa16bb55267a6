/*
 * test_avrobin.c - the bounds-checking walk over Avro binary: data that
 * fits a schema passes, and each kind of corrupt or truncated data fails
 * with its reason at the byte where the bad item starts, without reading
 * past the end (the buffers are exact-size copies: ASan sees overreads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "avrobin.h"

#define LIST                                                                                       \
    "{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"n\",\"type\":[\"null\",\"L\"]}]}"

typedef struct {
    const char *schema;
    const char *bytes; /* hex */
    const char *err;   /* NULL: passes */
    size_t at;         /* where the failing item starts */
    size_t left;       /* bytes after the datum, when it passes */
} bin_case_t;

static const bin_case_t cases[] = {
    {"\"null\"", "", NULL, 0, 0},
    {"\"long\"", "02", NULL, 0, 0},
    {"\"long\"", "0200", NULL, 0, 1},
    {"\"long\"", "80", "truncated data", 0, 0},
    {"\"long\"", "ffffffffffffffffffff01", "corrupt varint", 0, 0},
    {"\"int\"", "feffffff0f", NULL, 0, 0},               /* INT32_MAX */
    {"\"int\"", "8080808010", "int out of range", 0, 0}, /* 2^31 */
    {"\"boolean\"", "01", NULL, 0, 0},
    {"\"boolean\"", "02", "corrupt boolean", 0, 0},
    {"\"boolean\"", "", "truncated data", 0, 0},
    {"\"float\"", "000000", "truncated data", 0, 0},
    {"\"double\"", "0000000000000000", NULL, 0, 0},
    {"\"string\"", "06616263", NULL, 0, 0},
    {"\"string\"", "0861", "truncated data", 1, 0},
    {"\"bytes\"", "01", "negative length", 1, 0},
    {"{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}", "010203", NULL, 0, 0},
    {"{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}", "0102", "truncated data", 0, 0},
    {"{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}", "02", NULL, 0, 0},
    {"{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}", "04",
     "enum index out of range", 0, 0},
    {"{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}", "01",
     "enum index out of range", 0, 0},
    {"[\"null\",\"int\"]", "0202", NULL, 0, 0},
    {"[\"null\",\"int\"]", "04", "union branch out of range", 0, 0},
    {"[\"null\",\"int\"]", "01", "union branch out of range", 0, 0},
    {"{\"type\":\"array\",\"items\":\"int\"}", "04020400", NULL, 0, 0},
    {"{\"type\":\"array\",\"items\":\"int\"}", "0304020400", NULL, 0, 0}, /* sized block */
    {"{\"type\":\"array\",\"items\":\"int\"}", "feffffff0f02", "block count larger than the data",
     0, 0},
    {"{\"type\":\"array\",\"items\":\"int\"}", "040204", "truncated data", 3, 0}, /* no end */
    {"{\"type\":\"array\",\"items\":\"int\"}", "ffffffffffffffffff01", "corrupt block count", 0, 0},
    {"{\"type\":\"map\",\"values\":\"string\"}", "02026b027600", NULL, 0, 0},
    {"{\"type\":\"map\",\"values\":\"string\"}", "020a6b027600", "truncated data", 2, 0},
    /* avro-c would keep "a\0x" as "a" */
    {"{\"type\":\"map\",\"values\":\"string\"}", "0206610078027600", "a map key holds a NUL byte",
     1, 0},
    {"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
     "{\"name\":\"b\",\"type\":\"string\"}]}",
     "020278", NULL, 0, 0},
    {"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
     "{\"name\":\"b\",\"type\":\"string\"}]}",
     "0202", "truncated data", 2, 0},
    {LIST, "020200", NULL, 0, 0}, /* a list of two, through the named link */
};

static size_t unhex(const char *hex, unsigned char **out)
{
    size_t n = strlen(hex) / 2;
    unsigned char *b = malloc(n ? n : 1);

    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        b[i] = (unsigned char)v;
    }
    *out = b;
    return n;
}

static avro_schema_t parse(const char *json)
{
    avro_schema_t s = NULL;

    if (avro_schema_from_json_length(json, strlen(json), &s) != 0)
        print_error("schema %s: %s\n", json, avro_strerror());
    assert_non_null(s);
    return s;
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const bin_case_t *t = &cases[i];
        avro_schema_t s = parse(t->schema);
        unsigned char *b;
        size_t n = unhex(t->bytes, &b);
        avrobin_cursor_t c;

        avrobin_cursor_init(&c, b, n);
        int rc = avrobin_skip_datum(&c, s);
        if ((rc == 0) != (t->err == NULL) || (t->err && strcmp(c.err, t->err) != 0))
            print_error("case %zu (%s, %s): rc %d err %s\n", i, t->schema, t->bytes, rc,
                        c.err ? c.err : "-");
        if (t->err) {
            assert_int_equal(rc, -1);
            assert_string_equal(c.err, t->err);
            assert_int_equal(avrobin_offset(&c), t->at);
        } else {
            assert_int_equal(rc, 0);
            assert_null(c.err);
            assert_int_equal((size_t)(c.end - c.p), t->left);
        }
        free(b);
        avro_schema_decref(s);
    }
}

/* A recursive schema with data nested past AVROBIN_MAX_DEPTH fails
 * instead of recursing on. */
static void test_depth(void **state)
{
    avro_schema_t s = parse(LIST);
    size_t n = 200;
    unsigned char *b = malloc(n);
    avrobin_cursor_t c;

    (void)state;
    assert_non_null(b);
    memset(b, 0x02, n - 1);
    b[n - 1] = 0x00;
    avrobin_cursor_init(&c, b, n);
    assert_int_equal(avrobin_skip_datum(&c, s), -1);
    assert_string_equal(c.err, "nested too deeply");
    free(b);
    avro_schema_decref(s);
}

static void test_read_long_and_skip(void **state)
{
    static const unsigned char b[] = {0x03, 0x04, 'h', 'i'};
    avrobin_cursor_t c;
    int64_t v = 0;

    (void)state;
    avrobin_cursor_init(&c, b, sizeof(b));
    assert_int_equal(avrobin_read_long(&c, &v), 0);
    assert_true(v == -2);
    assert_int_equal(avrobin_read_long(&c, &v), 0);
    assert_true(v == 2);
    assert_int_equal(avrobin_skip(&c, 3), -1); /* only 2 left */
    assert_string_equal(c.err, "truncated data");
    assert_int_equal(avrobin_skip(&c, 2), 0);
    assert_true(c.p == c.end);
    assert_int_equal(avrobin_read_long(&c, &v), -1);

    avrobin_cursor_init(&c, NULL, 0); /* no bytes at all */
    assert_int_equal(avrobin_read_long(&c, &v), -1);
    assert_string_equal(c.err, "truncated data");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_read_long_and_skip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
