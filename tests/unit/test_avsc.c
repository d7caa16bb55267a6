/*
 * test_avsc.c - Parsing Canonical Form and CRC-64-AVRO against the Avro
 * specification's vectors (share/test/data/schema-tests.txt), and the
 * fingerprint of schema text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "avsc.h"

static json_t *loads(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!j)
        print_error("bad test JSON '%s': %s\n", text, jerr.text);
    assert_non_null(j);
    return j;
}

/* ---- CRC-64-AVRO and Parsing Canonical Form ---------------------------- */

static void test_pcf_vectors(void **state)
{
    /* From the Avro specification's share/test/data/schema-tests.txt;
     * fingerprints there are Java longs (signed). */
    static const struct {
        const char *in, *canonical;
        int64_t fingerprint; /* 0: none given */
    } cases[] = {
        {"\"null\"", "\"null\"", 7195948357588979594LL},
        {"{\"type\":\"null\"}", "\"null\"", 0},
        {"\"boolean\"", "\"boolean\"", -6970731678124411036LL},
        {"\"int\"", "\"int\"", 8247732601305521295LL},
        {"{\"type\":\"int\"}", "\"int\"", 0},
        {"\"long\"", "\"long\"", -3434872931120570953LL},
        {"\"float\"", "\"float\"", 5583340709985441680LL},
        {"\"double\"", "\"double\"", -8181574048448539266LL},
        {"\"bytes\"", "\"bytes\"", 5746618253357095269LL},
        {"\"string\"", "\"string\"", -8142146995180207161LL},
        {"[  ]", "[]", -1241056759729112623LL},
        {"[ \"int\"  ]", "[\"int\"]", -5232228896498058493LL},
        {"[ \"int\" , {\"type\":\"boolean\"} ]", "[\"int\",\"boolean\"]", 5392556393470105090LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"foo\"}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"foo\", "
         "\"namespace\":\"x.y\"}",
         "{\"name\":\"x.y.foo\",\"type\":\"record\",\"fields\":[]}", 5916914534497305771LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"a.b.foo\", "
         "\"namespace\":\"x.y\"}",
         "{\"name\":\"a.b.foo\",\"type\":\"record\",\"fields\":[]}", -4616218487480524110LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"foo\", "
         "\"doc\":\"foo\", \"aliases\":[\"foo\",\"bar\"]}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922LL},
        {"{\"fields\":[{\"type\":{\"type\":\"boolean\"}, \"name\":\"f1\"}], "
         "\"type\":\"record\", \"name\":\"foo\"}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\","
         "\"type\":\"boolean\"}]}",
         7843277075252814651LL},
        {"{ \"fields\":[{\"type\":\"boolean\", \"aliases\":[], \"name\":\"f1\","
         " \"default\":\"true\"},\n {\"order\":\"descending\",\"name\":\"f2\","
         "\"doc\":\"Hello\",\"type\":\"int\"}],\n \"type\":\"record\", "
         "\"name\":\"foo\"\n}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\","
         "\"type\":\"boolean\"},{\"name\":\"f2\",\"type\":\"int\"}]}",
         -4860222112080293046LL},
        {"{\"type\":\"enum\", \"name\":\"foo\", \"symbols\":[\"A1\"]}",
         "{\"name\":\"foo\",\"type\":\"enum\",\"symbols\":[\"A1\"]}", -6342190197741309591LL},
        {"{\"namespace\":\"x.y.z\", \"type\":\"enum\", \"name\":\"foo\", "
         "\"doc\":\"foo bar\", \"symbols\":[\"A1\", \"A2\"]}",
         "{\"name\":\"x.y.z.foo\",\"type\":\"enum\",\"symbols\":[\"A1\","
         "\"A2\"]}",
         -4448647247586288245LL},
        {"{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}",
         "{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}", 1756455273707447556LL},
        {"{\"namespace\":\"x.y.z\", \"type\":\"fixed\", \"name\":\"foo\", "
         "\"doc\":\"foo bar\", \"size\":32}",
         "{\"name\":\"x.y.z.foo\",\"type\":\"fixed\",\"size\":32}", -3064184465700546786LL},
        {"{ \"items\":{\"type\":\"null\"}, \"type\":\"array\"}",
         "{\"type\":\"array\",\"items\":\"null\"}", -589620603366471059LL},
        {"{ \"values\":\"string\", \"type\":\"map\"}", "{\"type\":\"map\",\"values\":\"string\"}",
         -8732877298790414990LL},
        {"{\"name\":\"PigValue\",\"type\":\"record\",\n \"fields\":[{\"name\":"
         "\"value\", \"type\":[\"null\", \"int\", \"long\", \"PigValue\"]}]}",
         "{\"name\":\"PigValue\",\"type\":\"record\",\"fields\":[{\"name\":"
         "\"value\",\"type\":[\"null\",\"int\",\"long\",\"PigValue\"]}]}",
         -1759257747318642341LL},
        /* ours: logical types drop out ([STRIP]); named references and
         * nested names take the enclosing namespace ([FULLNAMES]) */
        {"{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", "\"long\"", 0},
        {"{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.b\",\"fields\":"
         "[{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
         "\"symbols\":[\"X\"]}},{\"name\":\"e2\",\"type\":[\"null\",\"E\"],"
         "\"default\":null},{\"name\":\"d\",\"type\":{\"type\":\"bytes\","
         "\"logicalType\":\"decimal\",\"precision\":4,\"scale\":2}}]}",
         "{\"name\":\"a.b.R\",\"type\":\"record\",\"fields\":[{\"name\":\"e\","
         "\"type\":{\"name\":\"a.b.E\",\"type\":\"enum\",\"symbols\":[\"X\"]}},"
         "{\"name\":\"e2\",\"type\":[\"null\",\"a.b.E\"]},{\"name\":\"d\","
         "\"type\":\"bytes\"}]}",
         0},
        {"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"s\","
         "\"type\":\"string\",\"doc\":\"é/\\\"\"}]}",
         "{\"name\":\"R\",\"type\":\"record\",\"fields\":[{\"name\":\"s\","
         "\"type\":\"string\"}]}",
         0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        json_t *in = loads(cases[i].in);
        char *pcf = avsc_canonical_form(in, err, sizeof(err));
        if (!pcf || strcmp(pcf, cases[i].canonical) != 0)
            print_error("case %zu: got %s (%s)\n", i, pcf ? pcf : "NULL", err);
        assert_non_null(pcf);
        assert_string_equal(pcf, cases[i].canonical);
        if (cases[i].fingerprint)
            assert_true(avsc_crc64(pcf, strlen(pcf)) == (uint64_t)cases[i].fingerprint);
        free(pcf);
        json_decref(in);
    }
}

static void test_crc64(void **state)
{
    (void)state;
    assert_true(avsc_crc64("", 0) == 0xc15d213aa4d7a795ULL); /* EMPTY */
    assert_true(avsc_crc64("\"null\"", 6) == 0x63dd24e7cc258f8aULL);
    assert_true(avsc_crc64("\"int\"", 5) == 0x7275d51a3f395c8fULL);
}

static void test_pcf_errors(void **state)
{
    static const char *const bad[] = {
        "{\"name\":\"x\"}",                    /* no type */
        "{\"type\":\"record\",\"fields\":[]}", /* no name */
        "42", "{\"type\":\"array\"}",          /* no items */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        json_t *in = loads(bad[i]);
        char *pcf = avsc_canonical_form(in, err, sizeof(err));
        if (pcf)
            print_error("case %zu: got %s\n", i, pcf);
        assert_null(pcf);
        assert_true(err[0] != '\0');
        json_decref(in);
    }
}

static void test_text_fingerprint(void **state)
{
    uint64_t fp = 0, fp2 = 1;
    char err[256] = "";

    (void)state;
    /* whitespace, docs and key order do not count */
    assert_int_equal(avsc_text_fingerprint("\"int\"", &fp, err, sizeof(err)), 0);
    assert_true(fp == 0x7275d51a3f395c8fULL);
    assert_int_equal(avsc_text_fingerprint("{\"fields\":[], \"type\":\"record\", \"name\":\"foo\"}",
                                           &fp, err, sizeof(err)),
                     0);
    assert_int_equal(avsc_text_fingerprint("{\"name\":\"foo\",\"doc\":\"d\",\"type\":\"record\","
                                           " \"fields\":[]}",
                                           &fp2, err, sizeof(err)),
                     0);
    assert_true(fp == fp2);
    assert_true(fp == (uint64_t)-4824392279771201922LL);

    json_t *doc = loads("\"int\"");
    assert_int_equal(avsc_fingerprint(doc, &fp, err, sizeof(err)), 0);
    assert_true(fp == 0x7275d51a3f395c8fULL);
    json_decref(doc);

    assert_int_equal(avsc_text_fingerprint("{\"no\":", &fp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not JSON"));
    assert_int_equal(
        avsc_text_fingerprint("{\"type\":\"record\",\"fields\":[]}", &fp, err, sizeof(err)), -1);
    assert_string_equal(err, "a record without a name");
}

/* Nesting past the limit is an error, not a stack overflow. */
static void test_pcf_depth(void **state)
{
    char text[2048] = "";
    char err[256] = "";
    uint64_t fp;

    (void)state;
    for (int i = 0; i < 100; i++)
        strcat(text, "[");
    strcat(text, "\"int\"");
    for (int i = 0; i < 100; i++)
        strcat(text, "]");
    assert_int_equal(avsc_text_fingerprint(text, &fp, err, sizeof(err)), -1);
    assert_string_equal(err, "schema nested too deeply");
}

/* A <prefix>.schemas message is one only when its key is the 16 hex
 * digits of its value's fingerprint. */
static void test_keyed_schema(void **state)
{
    static const char SCHEMA[] = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}";
    char key[17], upper[17], err[128];
    uint64_t fp = 0, got = 0;
    (void)state;
    assert_int_equal(avsc_text_fingerprint(SCHEMA, &fp, err, sizeof(err)), 0);
    snprintf(key, sizeof(key), "%016" PRIx64, fp);
    snprintf(upper, sizeof(upper), "%016" PRIX64, fp);
    static const char NUL_INSIDE[] = "{\"type\":\"string\"}\0x";
    const struct {
        const char *key;
        size_t key_len;
        const char *value;
        size_t len;
        int ok;
    } cases[] = {
        {key, 16, SCHEMA, sizeof(SCHEMA) - 1, 1},
        {upper, 16, SCHEMA, sizeof(SCHEMA) - 1, 1},
        {key, 16, "{\"type\":\"string\"}", 17, 0}, /* a stranger's under our key */
        {key, 15, SCHEMA, sizeof(SCHEMA) - 1, 0},
        {"zzzzzzzzzzzzzzzz", 16, SCHEMA, sizeof(SCHEMA) - 1, 0},
        {key, 16, NUL_INSIDE, sizeof(NUL_INSIDE) - 1, 0},
        {key, 16, "not json", 8, 0},
        {key, 16, NULL, 0, 0}, /* a tombstone */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int oom = 1;
        char *json = avsc_keyed_schema(cases[i].key, cases[i].key_len, cases[i].value, cases[i].len,
                                       &got, &oom);
        assert_int_equal(oom, 0);
        if ((json != NULL) != cases[i].ok)
            fail_msg("case %zu: %s", i, json ? "taken" : "refused");
        if (json) {
            assert_true(got == fp);
            assert_string_equal(json, SCHEMA);
        }
        free(json);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcf_vectors), cmocka_unit_test(test_crc64),
        cmocka_unit_test(test_pcf_errors),  cmocka_unit_test(test_text_fingerprint),
        cmocka_unit_test(test_pcf_depth),   cmocka_unit_test(test_keyed_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
