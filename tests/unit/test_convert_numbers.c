/*
 * test_convert_numbers.c - numbers where a JSON type and an Avro type
 * disagree: the JSON number syntax a numeric string must have to be read
 * as a number (jsonnum_syntax), numeric strings in int, long, float and
 * double fields, the branch of a union a value goes to, and the text of
 * a float or double inside a jsonb value. JSON -> Avro -> row form,
 * compared as the text the worker writes (jsonnum_dumps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "convert_roundtrip.h"
#include "json_arena.h"
#include "jsonnum.h"
#include "schema.h"

static void test_syntax(void **state)
{
    static const struct {
        const char *text;
        jsonnum_syntax_t want;
    } cases[] = {
        {"0", JSONNUM_INTEGER},    {"-0", JSONNUM_INTEGER},    {"42", JSONNUM_INTEGER},
        {"-7", JSONNUM_INTEGER},   {"1.5", JSONNUM_REAL},      {"-0.25", JSONNUM_REAL},
        {"1e3", JSONNUM_REAL},     {"1E+3", JSONNUM_REAL},     {"2.5e-3", JSONNUM_REAL},
        {"1e400", JSONNUM_REAL},   {"", JSONNUM_NOT},          {"-", JSONNUM_NOT},
        {"+1", JSONNUM_NOT},       {"01234", JSONNUM_NOT},     {"-01", JSONNUM_NOT},
        {"00", JSONNUM_NOT},       {"0x1A", JSONNUM_NOT},      {"0X1a", JSONNUM_NOT},
        {".5", JSONNUM_NOT},       {"5.", JSONNUM_NOT},        {"1.e3", JSONNUM_NOT},
        {"1e", JSONNUM_NOT},       {"1e+", JSONNUM_NOT},       {"inf", JSONNUM_NOT},
        {"Infinity", JSONNUM_NOT}, {"-Infinity", JSONNUM_NOT}, {"nan", JSONNUM_NOT},
        {"NaN", JSONNUM_NOT},      {" 1", JSONNUM_NOT},        {"1 ", JSONNUM_NOT},
        {"1,5", JSONNUM_NOT},      {"1_000", JSONNUM_NOT},     {"٣", JSONNUM_NOT},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (jsonnum_syntax(cases[i].text) != cases[i].want)
            print_error("case %zu '%s': got %d, want %d\n", i, cases[i].text,
                        (int)jsonnum_syntax(cases[i].text), (int)cases[i].want);
        assert_int_equal(jsonnum_syntax(cases[i].text), cases[i].want);
    }
}

static const char SCHEMA[] =
    "{\"type\": \"record\", \"name\": \"N\", \"fields\": ["
    "{\"name\": \"i\", \"type\": \"int\"},"
    "{\"name\": \"l\", \"type\": \"long\"},"
    "{\"name\": \"f\", \"type\": \"float\"},"
    "{\"name\": \"d\", \"type\": \"double\"},"
    "{\"name\": \"attrs\", \"type\": {\"type\": \"map\","
    " \"values\": [\"null\", \"long\", \"double\", \"string\"]}},"
    "{\"name\": \"counts\", \"type\": {\"type\": \"map\", \"values\": [\"null\", \"double\", "
    "\"long\"]}},"
    "{\"name\": \"nums\", \"type\": {\"type\": \"map\", \"values\": [\"null\", \"long\", "
    "\"double\"]}},"
    "{\"name\": \"ds\", \"type\": {\"type\": \"map\", \"values\": [\"null\", \"string\", "
    "\"double\"]}},"
    "{\"name\": \"bs\", \"type\": {\"type\": \"map\", \"values\": [\"null\", \"boolean\", "
    "\"string\"]}},"
    "{\"name\": \"ts\", \"type\": {\"type\": \"map\", \"values\": [\"null\", \"long\","
    " {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}]}},"
    "{\"name\": \"dec\", \"type\": {\"type\": \"map\", \"values\": [\"null\", \"double\","
    " {\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 6, \"scale\": 2}]}},"
    "{\"name\": \"decfirst\", \"type\": {\"type\": \"map\", \"values\": [\"null\","
    " {\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 6, \"scale\": 2},"
    " \"double\"]}},"
    "{\"name\": \"fl\", \"type\": {\"type\": \"map\", \"values\": [\"null\", \"float\"]}},"
    "{\"name\": \"dl\", \"type\": {\"type\": \"map\", \"values\": \"double\"}},"
    "{\"name\": \"rec\", \"type\": [\"null\", {\"type\": \"record\", \"name\": \"R\", \"fields\": ["
    " {\"name\": \"f\", \"type\": \"float\"}, {\"name\": \"d\", \"type\": \"double\"},"
    " {\"name\": \"fa\", \"type\": {\"type\": \"array\", \"items\": \"float\"}}]}],"
    " \"default\": null}]}";

static const char BASE[] = "{\"i\": 0, \"l\": 0, \"f\": 0, \"d\": 0, \"attrs\": {}, \"counts\": {},"
                           " \"nums\": {}, \"ds\": {}, \"bs\": {}, \"ts\": {}, \"dec\": {},"
                           " \"decfirst\": {}, \"fl\": {}, \"dl\": {}}";

struct ncase {
    const char *field;
    const char *in;   /* JSON text; "~TEXT": TEXT a number kept as text, as
                       * the producer's page reader keeps one past int64 */
    const char *want; /* the field's row form as the worker writes it, or
                       * NULL for an error */
    const char *err;  /* the error, exactly */
};

/* in as a json_t: "~TEXT" the number kept as text, "{\"k\": ~TEXT}" a
 * map of one such number, else JSON. */
static json_t *case_value(const char *in)
{
    const char *tilde = strchr(in, '~');
    if (!tilde)
        return loads(in);
    size_t len = strcspn(tilde + 1, "}");
    json_t *num = jsonnum_make(tilde + 1, len);
    assert_non_null(num);
    if (tilde == in)
        return num;
    json_t *map = json_object(); /* {"k": ~TEXT} */
    assert_int_equal(json_object_set_new(map, "k", num), 0);
    return map;
}

static void run(const struct ncase *cases, size_t n)
{
    record_schema_t *rs = NULL;
    char err[512];

    assert_int_equal(record_schema_parse(SCHEMA, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < n; i++) {
        json_t *rec = loads(BASE);
        json_object_set_new(rec, cases[i].field, case_value(cases[i].in));
        err[0] = '\0';
        json_t *row = round_trip(rs, rec, err, sizeof(err));
        json_t *got = row ? json_object_get(row, cases[i].field) : NULL;
        char *text = got ? jsonnum_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        int ok = cases[i].want ? text && !strcmp(text, cases[i].want)
                               : !row && !strcmp(err, cases[i].err);
        if (!ok)
            print_error("case %zu (%s = %s): got %s, err '%s'; want %s\n", i, cases[i].field,
                        cases[i].in, text ? text : "nothing", err,
                        cases[i].want ? cases[i].want : cases[i].err);
        assert_true(ok);
        free(text);
        json_decref(row);
        json_decref(rec);
    }
    record_schema_destroy(rs);
}

/* A string goes to a number field only when its text is a JSON number:
 * strtod and strtoll read more than the source meant. */
static void test_numeric_strings(void **state)
{
    static const struct ncase cases[] = {
        {"l", "\"42\"", "42", NULL},
        {"l", "\"-7\"", "-7", NULL},
        {"l", "\"-0\"", "0", NULL},
        {"l", "\"9223372036854775807\"", "9223372036854775807", NULL},
        {"l", "\"9223372036854775808\"", NULL,
         "field 'l': '9223372036854775808' is out of range for long"},
        {"l", "\"+7\"", NULL, "field 'l': '+7' is not an integer"},
        {"l", "\"01234\"", NULL, "field 'l': '01234' is not an integer"},
        {"l", "\"0x1A\"", NULL, "field 'l': '0x1A' is not an integer"},
        {"l", "\"1.0\"", NULL, "field 'l': '1.0' is not an integer"},
        {"l", "\" 1\"", NULL, "field 'l': ' 1' is not an integer"},
        {"l", "\"1\\u00002\"", NULL, "field 'l': '1' is not an integer"},
        {"i", "\"-12\"", "-12", NULL},
        {"i", "\"2147483648\"", NULL, "field 'i': 2147483648 is out of range for int"},
        {"d", "\"1.50\"", "1.5", NULL},
        {"d", "\"-2.5e3\"", "-2500.0", NULL},
        {"d", "\"7\"", "7.0", NULL},
        {"d", "\"0x1A\"", NULL, "field 'd': '0x1A' is not a finite number"},
        {"d", "\"0x1p3\"", NULL, "field 'd': '0x1p3' is not a finite number"},
        {"d", "\"inf\"", NULL, "field 'd': 'inf' is not a finite number"},
        {"d", "\"Infinity\"", NULL, "field 'd': 'Infinity' is not a finite number"},
        {"d", "\"-Infinity\"", NULL, "field 'd': '-Infinity' is not a finite number"},
        {"d", "\"NaN\"", NULL, "field 'd': 'NaN' is not a finite number"},
        {"d", "\"+1\"", NULL, "field 'd': '+1' is not a finite number"},
        {"d", "\".5\"", NULL, "field 'd': '.5' is not a finite number"},
        {"d", "\"5.\"", NULL, "field 'd': '5.' is not a finite number"},
        {"d", "\"1e400\"", NULL, "field 'd': '1e400' is out of range for double"},
        {"d", "\"1e-400\"", NULL, "field 'd': '1e-400' is out of range for double"},
        {"d", "\"1e-310\"", "9.9999999999999694e-311", NULL}, /* a subnormal: a double */
        {"d", "\"0e-400\"", "0.0", NULL},
        {"f", "\"1e-50\"", NULL, "field 'f': 1e-50 is out of range for float"},
        {"d", "\"\"", NULL, "field 'd': '' is not a finite number"},
        {"f", "\"0.25\"", "0.25", NULL},
        {"f", "\"0x10\"", NULL, "field 'f': '0x10' is not a finite number"},
    };
    (void)state;
    run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A value goes to the first branch of its own JSON type; a numeric
 * string becomes a number only when no branch is a string. */
static void test_union_branch(void **state)
{
    static const struct ncase cases[] = {
        /* ["null", "long", "double", "string"] */
        {"attrs", "{\"k\": \"01234\"}", "{\"k\":\"01234\"}", NULL},
        {"attrs", "{\"k\": \"1.50\"}", "{\"k\":\"1.50\"}", NULL},
        {"attrs", "{\"k\": \"0x1A\"}", "{\"k\":\"0x1A\"}", NULL},
        {"attrs", "{\"k\": \"42\"}", "{\"k\":\"42\"}", NULL},
        {"attrs", "{\"k\": 7}", "{\"k\":7}", NULL},
        {"attrs", "{\"k\": 1.5}", "{\"k\":1.5}", NULL},
        {"attrs", "{\"k\": null}", "{\"k\":null}", NULL},
        {"attrs", "{\"k\": ~1e3}", "{\"k\":1000.0}", NULL},
        {"attrs", "{\"k\": ~99999999999999999999}", "{\"k\":1e20}", NULL}, /* past long */
        {"attrs", "{\"k\": true}", NULL,
         "field 'attrs.k': a boolean matches no branch of the union"},
        /* ["null", "double", "long"]: an integer to the long, exactly */
        {"counts", "{\"k\": 9007199254740993}", "{\"k\":9007199254740993}", NULL},
        {"counts", "{\"k\": 0.5}", "{\"k\":0.5}", NULL},
        {"counts", "{\"k\": \"12\"}", "{\"k\":12.0}",
         NULL}, /* no string: the first that takes it */
        {"counts", "{\"k\": \"x\"}", NULL,
         "field 'counts.k': a string matches no branch of the union"},
        /* ["null", "long", "double"] */
        {"nums", "{\"k\": \"12\"}", "{\"k\":12}", NULL},
        {"nums", "{\"k\": \"1.25\"}", "{\"k\":1.25}", NULL},
        {"nums", "{\"k\": \"0x1A\"}", NULL,
         "field 'nums.k': a string matches no branch of the union"},
        {"nums", "{\"k\": \"inf\"}", NULL,
         "field 'nums.k': a string matches no branch of the union"},
        {"nums", "{\"k\": \"01\"}", NULL,
         "field 'nums.k': a string matches no branch of the union"},
        /* ["null", "string", "double"]: an integer has no branch of its own */
        {"ds", "{\"k\": 3}", "{\"k\":3.0}", NULL},
        {"ds", "{\"k\": \"3\"}", "{\"k\":\"3\"}", NULL},
        /* ["null", "boolean", "string"] */
        {"bs", "{\"k\": \"true\"}", "{\"k\":\"true\"}", NULL},
        {"bs", "{\"k\": false}", "{\"k\":false}", NULL},
        /* ["null", "long", timestamp-millis]: the string is the timestamp's */
        {"ts", "{\"k\": \"2026-01-01T00:00:00Z\"}", "{\"k\":\"2026-01-01T00:00:00.000Z\"}", NULL},
        {"ts", "{\"k\": 5}", "{\"k\":5}", NULL},
        /* a decimal takes a number as exactly as a double does: order decides */
        {"dec", "{\"k\": 1.5}", "{\"k\":1.5}", NULL},
        {"dec", "{\"k\": \"1.5\"}", "{\"k\":\"1.50\"}", NULL},
        {"decfirst", "{\"k\": 1.5}", "{\"k\":\"1.50\"}", NULL},
        {"decfirst", "{\"k\": 2}", "{\"k\":\"2.00\"}", NULL},
    };
    (void)state;
    run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The shortest text that reads back as the same float or double. */
static void test_real_text(void **state)
{
    static const struct {
        double v;
        int is_float;
        const char *want;
    } cases[] = {
        {0.1, 0, "0.1"},
        {(float)0.1, 1, "0.1"},
        {(float)0.1, 0, "0.10000000149011612"}, /* a float promoted: the double it is */
        {(float)0.3, 1, "0.3"},
        {(float)2.2, 1, "2.2"},
        {0.1 + 0.2, 0, "0.30000000000000004"},
        {1.0 / 3, 0, "0.3333333333333333"},
        {(float)(1.0 / 3), 1, "0.33333334"},
        {3, 0, "3.0"},
        {-0.0, 0, "-0.0"},
        {-2500, 1, "-2500.0"},
        {1e20, 0, "1e20"},
        {1e-5, 0, "1e-5"},
        {-1.5e-7, 0, "-1.5e-7"},
        {(float)123456789, 1, "1.2345679e8"},
        {123456789, 0, "123456789.0"},
        {3.4028234663852886e38, 1, "3.4028235e38"}, /* FLT_MAX */
        {1.7976931348623157e308, 0, "1.7976931348623157e308"},
        {1.401298464324817e-45, 1, "1.4013e-45"}, /* the least float: %.6g reads back */
        {9007199254740993.0, 0, "9007199254740992.0"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[JSONNUM_REAL_TEXT_SIZE];
        size_t n = jsonnum_real_text(cases[i].v, cases[i].is_float, buf);
        if (strcmp(buf, cases[i].want) != 0)
            print_error("case %zu: got %s, want %s\n", i, buf, cases[i].want);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(n, strlen(buf));
        assert_int_equal(jsonnum_syntax(buf), JSONNUM_REAL);
    }
}

/* A number of seconds times 10^scale, cut toward minus infinity, from
 * its digits: 1097083673.126 is not ...125 (strtod times 1000 is
 * 1097083673125.9998). */
static void test_scaled_floor(void **state)
{
    static const struct {
        const char *text;
        int scale;
        int64_t want; /* INT64_MIN: refused */
    } cases[] = {
        {"1097083673.126", 3, 1097083673126LL},
        {"1097083673.1259999", 3, 1097083673125LL},
        {"1089233825.672", 3, 1089233825672LL},
        {"1089.233825672", 6, 1089233825LL},
        {"1.097083673126e9", 3, 1097083673126LL},
        {"1097083673126e-3", 3, 1097083673126LL},
        {"1795608000", 3, 1795608000000LL},
        {"1795608000.", 3, 1795608000000LL}, /* plain unsigned: a trailing point */
        {"0", 3, 0},
        {"-0.0005", 3, -1},
        {"-0.001", 3, -1},
        {"-86400.5", 3, -86400500LL},
        {"-1.0001", 0, -2},
        {"253402300799.999", 3, 253402300799999LL},
        {"253402300800", 3, INT64_MIN}, /* past max */
        {"-62135596800.001", 3, INT64_MIN},
        {"1e300", 3, INT64_MIN},
        {"99999999999999999999", 0, INT64_MIN},
        {"12x", 3, INT64_MIN},
        {"", 3, INT64_MIN},
        {"-", 3, INT64_MIN},
        {"+1", 3, INT64_MIN},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = 42;
        int rc = jsonnum_scaled_floor(cases[i].text, cases[i].scale, -62135596800000LL,
                                      253402300799999LL, &got);
        if (cases[i].want == INT64_MIN) {
            if (rc != -1)
                fail_msg("case %zu '%s': read %lld, want a refusal", i, cases[i].text,
                         (long long)got);
        } else if (rc != 0 || got != cases[i].want) {
            fail_msg("case %zu '%s': rc %d, %lld, want %lld", i, cases[i].text, rc, (long long)got,
                     (long long)cases[i].want);
        }
    }
}

/* A float or double inside a record, array or map is its shortest text
 * (a number kept as text, which jsonb keeps as it is); a top-level one
 * stays a double, every digit of which its real column reads back. */
static void test_nested_reals(void **state)
{
    static const struct ncase cases[] = {
        {"fl", "{\"k\": 0.1}", "{\"k\":0.1}", NULL},
        {"fl", "{\"k\": 2.2}", "{\"k\":2.2}", NULL},
        {"fl", "{\"k\": 16777217}", "{\"k\":16777216.0}", NULL}, /* what a float holds */
        {"fl", "{\"k\": null}", "{\"k\":null}", NULL},
        {"dl", "{\"k\": 0.1}", "{\"k\":0.1}", NULL},
        {"dl", "{\"k\": 0.30000000000000004}", "{\"k\":0.30000000000000004}", NULL},
        {"dl", "{\"k\": ~1e300}", "{\"k\":1e300}", NULL},
        {"dl", "{\"k\": 5}", "{\"k\":5.0}", NULL},
        {"rec", "{\"f\": 0.1, \"d\": 0.1, \"fa\": [0.3, 2.2]}",
         "{\"f\":0.1,\"d\":0.1,\"fa\":[0.3,2.2]}", NULL},
        {"f", "0.1", "0.10000000149011612", NULL},
        {"d", "0.1", "0.10000000000000001", NULL},
    };
    (void)state;
    run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* What jsonnum_dump_callback() passes on is jsonnum_dumps()'s text,
 * whatever chunks jansson hands it (a string's escapes come apart). */
static int collect(const char *buf, size_t size, void *data)
{
    char *out = data;
    size_t len = strlen(out);
    assert_true(len + size < 512);
    memcpy(out + len, buf, size);
    out[len + size] = '\0';
    return 0;
}

static void test_dump_callback(void **state)
{
    static const char *const values[] = {
        "[\"\\u00001.5\", \"\\u0000-2e3\", \"\", \"a\"]",
        "{\"\\u0001x\": \"\\u0001\", \"q\": \"\\\"\\u0000\\\"\", \"n\": \"\\n\\u00002\"}",
        "{\"k\": {\"a\": [\"\\u00000.1\", 2, true, null, \"\\\\\", \"\\u00003\"]}}",
        "\"\\u00007\"",
        "\"\\\\u0000\"",
        "[\"\\\\\", \"\\u00001\"]",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        json_t *v = loads(values[i]);
        char got[512] = "";
        char *want = jsonnum_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_int_equal(jsonnum_dump_callback(v, collect, got, JSON_COMPACT | JSON_ENCODE_ANY), 0);
        if (strcmp(got, want) != 0)
            print_error("case %zu: got %s, want %s\n", i, got, want);
        assert_string_equal(got, want);
        free(want);
        json_decref(v);
    }
}

/* A string inside a jsonb value that starts with U+0000 would read as a
 * number kept as text: refused (an event of another writer may hold one). */
static void test_nested_nul_string(void **state)
{
    static const char schema[] = "{\"type\": \"record\", \"name\": \"S\", \"fields\": ["
                                 "{\"name\": \"top\", \"type\": \"string\"},"
                                 "{\"name\": \"m\", \"type\": {\"type\": \"map\", "
                                 "\"values\": \"string\"}}]}";
    static const char nul1[] = "\0"
                               "1";
    record_schema_t *rs = NULL;
    char err[512] = "";
    avro_value_t rec, fv, item;

    (void)state;
    assert_int_equal(record_schema_parse(schema, &rs, err, sizeof(err)), 0);
    avro_value_iface_t *iface = avro_generic_class_from_schema(rs->avro);
    assert_non_null(iface);
    assert_int_equal(avro_generic_value_new(iface, &rec), 0);
    assert_int_equal(avro_value_get_by_index(&rec, 0, &fv, NULL), 0);
    assert_int_equal(avro_value_set_string_len(&fv, nul1, sizeof(nul1)), 0);
    /* at the top a string: the worker's COPY refuses it (COPYROW_NUL) */
    json_t *row = convert_avro_to_row(rs, &rec, err, sizeof(err));
    assert_non_null(row);
    assert_int_equal(json_string_length(json_object_get(row, "top")), 2);
    json_decref(row);
    assert_int_equal(avro_value_get_by_index(&rec, 1, &fv, NULL), 0);
    assert_int_equal(avro_value_add(&fv, "k", &item, NULL, NULL), 0);
    assert_int_equal(avro_value_set_string_len(&item, nul1, sizeof(nul1)), 0);
    assert_null(convert_avro_to_row(rs, &rec, err, sizeof(err)));
    assert_string_equal(err, "field 'm.k': a string inside a jsonb value starts with U+0000 "
                             "(22P05: unsupported Unicode escape sequence)");
    avro_value_decref(&rec);
    avro_value_iface_decref(iface);
    record_schema_destroy(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax),        cmocka_unit_test(test_numeric_strings),
        cmocka_unit_test(test_union_branch),  cmocka_unit_test(test_real_text),
        cmocka_unit_test(test_scaled_floor),  cmocka_unit_test(test_nested_reals),
        cmocka_unit_test(test_dump_callback), cmocka_unit_test(test_nested_nul_string),
    };
    json_arena_install(); /* as the programs run */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
