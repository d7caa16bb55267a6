/*
 * test_decimal.c - decimal_from_text on a table of texts (bytes, back to
 * text, what it rejects); decimal_to_text on edge values (signs, limb
 * borders, scales, huge values, PostgreSQL's numeric limits) cross-checked
 * against decimal_from_text; and the row form of values PostgreSQL
 * accepts but JSON cannot spell (NaN, +-Infinity).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "schema.h"

static size_t unhex(const char *hex, unsigned char *out)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (unsigned char)v;
    }
    return n;
}

static void test_edges(void **state)
{
    static const struct {
        const char *hex;
        int scale;
        const char *want;
    } cases[] = {
        {"", 0, "0"},
        {"", 3, "0.000"},
        {"00", 2, "0.00"},
        {"0000000000", 0, "0"}, /* leading zero bytes */
        {"01", 0, "1"},
        {"ff", 0, "-1"},
        {"ff", 2, "-0.01"},
        {"ffffffffffff", 1, "-0.1"}, /* sign-extended -1 */
        {"7f", 0, "127"},
        {"80", 0, "-128"},
        {"0080", 0, "128"},
        {"ff7f", 0, "-129"},
        {"80", 5, "-0.00128"},
        {"3b9ac9ff", 0, "999999999"},   /* 10^9 - 1: one full limb */
        {"3b9aca00", 0, "1000000000"},  /* 10^9: the second limb starts */
        {"3b9aca01", 9, "1.000000001"}, /* an inner limb with zeros */
        {"c4653600", 0, "-1000000000"},
        {"00ffffffff", 0, "4294967295"}, /* a whole 32-bit word */
        {"0100000000", 0, "4294967296"}, /* 5 bytes: a partial first word */
        {"7fffffffffffffff", 0, "9223372036854775807"},
        {"8000000000000000", 0, "-9223372036854775808"},
        {"8000000000000000", 19, "-0.9223372036854775808"},
        {"8000000000000000", 20, "-0.09223372036854775808"},
        {"0de0b6b3a7640000", 18, "1.000000000000000000"}, /* 10^18 */
        {"4b3b4ca85a86c47a098a223fffffffff", 0,
         "99999999999999999999999999999999999999"}, /* 10^38 - 1 */
        {"b4c4b357a5793b85f675ddc000000001", 0, "-99999999999999999999999999999999999999"},
    };
    unsigned char buf[64];
    char text[128];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = unhex(cases[i].hex, buf);
        int rc = decimal_to_text(n ? buf : NULL, n, cases[i].scale, text, sizeof(text));
        if (rc != 0 || strcmp(text, cases[i].want) != 0)
            print_error("case %zu %s: rc %d '%s'\n", i, cases[i].hex, rc, rc == 0 ? text : "");
        assert_int_equal(rc, 0);
        assert_string_equal(text, cases[i].want);
    }
}

/* A pseudo-random digit string of n digits (no leading zero). */
static char *digits(size_t n, unsigned seed)
{
    char *s = malloc(n + 1);
    unsigned x = seed;

    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (char)('0' + (x >> 16) % 10);
    }
    if (n)
        s[0] = (char)('1' + (x >> 8) % 9);
    s[n] = '\0';
    return s;
}

/* Huge values, both signs, against decimal_from_text (an independent
 * digit-at-a-time conversion), including long runs of zeros and nines
 * that cross limb borders. */
static void test_huge_round_trip(void **state)
{
    static const size_t sizes[] = {1, 8, 9, 10, 17, 18, 19, 27, 100, 999, 1000, 1001, 4000};
    char err[256];

    (void)state;
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        for (int variant = 0; variant < 4; variant++) {
            size_t n = sizes[k];
            char *d = digits(n, (unsigned)(n * 7 + (size_t)variant));
            if (variant == 2) /* 1000...0 */
                for (size_t i = 1; i < n; i++)
                    d[i] = '0';
            if (variant == 3) /* 999...9 */
                memset(d, '9', n);
            int scale = (int)(n / 3);
            size_t tlen = n + 3;
            char *text = malloc(tlen + 1), *back = malloc(tlen + 8);
            size_t cap = n / 2 + 8, len = 0;
            unsigned char *bytes = malloc(cap);
            assert_non_null(text);
            assert_non_null(back);
            assert_non_null(bytes);
            /* "-" on odd variants, the point scale digits from the end */
            snprintf(text, tlen + 1, "%s%.*s.%s", variant & 1 ? "-" : "", (int)(n - (size_t)scale),
                     d, d + n - (size_t)scale);
            int rc = decimal_from_text(text, (int)n + 1, scale, bytes, cap, &len, err, sizeof(err));
            if (rc != 0)
                print_error("%s: %s\n", text, err);
            assert_int_equal(rc, 0);
            assert_int_equal(decimal_to_text(bytes, len, scale, back, tlen + 8), 0);
            /* decimal_to_text writes "0.xx" where the text had ".xx" */
            const char *want = text;
            char fixed[16];
            if ((size_t)scale == n) {
                snprintf(fixed, sizeof(fixed), "%s0.", variant & 1 ? "-" : "");
                assert_memory_equal(back, fixed, strlen(fixed));
                assert_string_equal(back + strlen(fixed), d);
            } else {
                if (scale == 0) /* "123." -> "123" */
                    text[strlen(text) - 1] = '\0';
                assert_string_equal(back, want);
            }
            assert_true(decimal_digits_min(bytes, len) <= n);
            assert_true(decimal_digits_min(bytes, len) + 1 >= n);
            free(d);
            free(text);
            free(back);
            free(bytes);
        }
    }
}

/* PostgreSQL's numeric: at most 131072 digits before the point and 16383
 * after. Past that: -2, and a value far past it is refused from its
 * length without being converted. */
static void test_numeric_limits(void **state)
{
    size_t n = 60 * 1024; /* the 60 KB balance of the bug report */
    unsigned char *big = malloc(n);
    char *text = malloc(n * 3 + 20000);
    static const unsigned char one[] = {1};

    (void)state;
    assert_non_null(big);
    assert_non_null(text);
    memset(big, 0x5a, n);
    /* 60 KB is about 147,900 digits: past 131072 + scale 2 */
    assert_int_equal(decimal_to_text(big, n, 2, text, n * 3 + 20000), -2);
    assert_int_equal(decimal_to_text(one, 1, DECIMAL_MAX_SCALE + 1, text, n * 3 + 20000), -2);
    assert_int_equal(decimal_to_text(one, 1, -1, text, 10), -2);
    /* at the largest scale: fine */
    assert_int_equal(decimal_to_text(one, 1, DECIMAL_MAX_SCALE, text, n * 3 + 20000), 0);
    assert_int_equal(strlen(text), DECIMAL_MAX_SCALE + 2);
    assert_string_equal(text + strlen(text) - 2, "01");
    /* the same bytes with scale 20000 would hold fewer than 131072 digits
     * before the point, but the scale is past the limit */
    assert_int_equal(decimal_to_text(big, n, 20000, text, n * 3 + 20000), -2);
    /* 40 KB (about 98,600 digits) is within the limits and converts */
    assert_int_equal(decimal_to_text(big, 40 * 1024, 0, text, n * 3 + 20000), 0);
    assert_int_equal(text[0], '1'); /* 0x5a5a... > 10^98000 starts with 1..9 */
    assert_true(strlen(text) > 98000 && strlen(text) < 99000);
    assert_true(decimal_digits_min(big, n) > 147000);
    free(big);
    free(text);
}

/* ---- row form of float specials -------------------------------------- */

static const char float_schema[] =
    "{\"type\": \"record\", \"name\": \"M\", \"fields\": ["
    " {\"name\": \"d\", \"type\": \"double\"},"
    " {\"name\": \"f\", \"type\": \"float\"},"
    " {\"name\": \"nd\", \"type\": [\"null\", \"double\"]},"
    " {\"name\": \"arr\", \"type\": {\"type\": \"array\", \"items\": \"double\"}},"
    " {\"name\": \"amount\", \"type\": {\"type\": \"bytes\", \"logicalType\":"
    " \"decimal\", \"precision\": 6, \"scale\": 2}}]}";

/* Row form of one record with d, f, nd and arr[0] set to v. */
static json_t *row_with(record_schema_t *rs, double v, const void *amount, size_t amount_len,
                        char *err, size_t err_size)
{
    avro_value_iface_t *iface = avro_generic_class_from_schema(rs->avro);
    avro_value_t rec, fv, br, item;
    json_t *row;

    assert_non_null(iface);
    assert_int_equal(avro_generic_value_new(iface, &rec), 0);
    assert_int_equal(avro_value_get_by_index(&rec, 0, &fv, NULL), 0);
    assert_int_equal(avro_value_set_double(&fv, v), 0);
    assert_int_equal(avro_value_get_by_index(&rec, 1, &fv, NULL), 0);
    assert_int_equal(avro_value_set_float(&fv, (float)v), 0);
    assert_int_equal(avro_value_get_by_index(&rec, 2, &fv, NULL), 0);
    assert_int_equal(avro_value_set_branch(&fv, 1, &br), 0);
    assert_int_equal(avro_value_set_double(&br, v), 0);
    assert_int_equal(avro_value_get_by_index(&rec, 3, &fv, NULL), 0);
    assert_int_equal(avro_value_append(&fv, &item, NULL), 0);
    assert_int_equal(avro_value_set_double(&item, v), 0);
    assert_int_equal(avro_value_get_by_index(&rec, 4, &fv, NULL), 0);
    assert_int_equal(avro_value_set_bytes(&fv, (void *)amount, amount_len), 0);
    row = convert_avro_to_row(rs, &rec, err, err_size);
    avro_value_decref(&rec);
    avro_value_iface_decref(iface);
    return row;
}

static void test_float_specials(void **state)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {{NAN, "NaN"}, {INFINITY, "Infinity"}, {-INFINITY, "-Infinity"}};
    static const unsigned char amount[] = {0x30, 0x39}; /* 123.45 */
    record_schema_t *rs = NULL;
    char err[256];

    (void)state;
    assert_int_equal(record_schema_parse(float_schema, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *row = row_with(rs, cases[i].v, amount, sizeof(amount), err, sizeof(err));
        if (!row)
            print_error("%s: %s\n", cases[i].want, err);
        assert_non_null(row);
        assert_string_equal(json_string_value(json_object_get(row, "d")), cases[i].want);
        assert_string_equal(json_string_value(json_object_get(row, "f")), cases[i].want);
        assert_string_equal(json_string_value(json_object_get(row, "nd")), cases[i].want);
        assert_string_equal(json_string_value(json_array_get(json_object_get(row, "arr"), 0)),
                            cases[i].want);
        assert_string_equal(json_string_value(json_object_get(row, "amount")), "123.45");
        json_decref(row);
    }
    /* a finite value stays a number */
    json_t *row = row_with(rs, 2.5, amount, sizeof(amount), err, sizeof(err));
    assert_non_null(row);
    assert_true(json_is_real(json_object_get(row, "d")));
    json_decref(row);
    record_schema_destroy(rs);
}

/* A decimal with more digits than its precision is refused with the
 * field's name, cheaply when it is far too long. */
static void test_decimal_precision(void **state)
{
    static const unsigned char fits[] = {0x0f, 0x42, 0x3f}; /* 9999.99 */
    static const unsigned char over[] = {0x0f, 0x42, 0x40}; /* 10000.00 */
    size_t n = 60 * 1024;
    unsigned char *huge = malloc(n);
    record_schema_t *rs = NULL;
    char err[256];
    json_t *row;

    (void)state;
    assert_non_null(huge);
    memset(huge, 0x11, n);
    assert_int_equal(record_schema_parse(float_schema, &rs, err, sizeof(err)), 0);
    row = row_with(rs, 1, fits, sizeof(fits), err, sizeof(err));
    assert_non_null(row);
    assert_string_equal(json_string_value(json_object_get(row, "amount")), "9999.99");
    json_decref(row);
    assert_null(row_with(rs, 1, over, sizeof(over), err, sizeof(err)));
    assert_non_null(strstr(err, "field 'amount'"));
    assert_non_null(strstr(err, "7 digits do not fit decimal(6,2)"));
    assert_null(row_with(rs, 1, huge, n, err, sizeof(err)));
    assert_non_null(strstr(err, "field 'amount': a 61440-byte unscaled value"));
    free(huge);
    record_schema_destroy(rs);
}

/* ---- decimal_from_text and decimal_to_text ---------------------------- */

static void test_decimal_from_text(void **state)
{
    static const struct {
        const char *text;
        int precision, scale;
        const char *hex;  /* expected bytes, or NULL */
        const char *err;  /* expected error, or NULL */
        const char *back; /* decimal_to_text of the result */
    } cases[] = {
        {"0", 12, 2, "00", NULL, "0.00"},
        {"0.00", 12, 2, "00", NULL, "0.00"},
        {"-0", 12, 2, "00", NULL, "0.00"},
        {"-0.000", 12, 2, "00", NULL, "0.00"},
        {"1234.50", 12, 2, "01e23a", NULL, "1234.50"},
        {"-1234.50", 12, 2, "fe1dc6", NULL, "-1234.50"},
        {"1.27", 12, 2, "7f", NULL, "1.27"},
        {"1.28", 12, 2, "0080", NULL, "1.28"},
        {"-1.28", 12, 2, "80", NULL, "-1.28"},
        {"-1.29", 12, 2, "ff7f", NULL, "-1.29"},
        {"-0.01", 12, 2, "ff", NULL, "-0.01"},
        {"+5", 12, 2, "01f4", NULL, "5.00"},
        {".5", 12, 2, "32", NULL, "0.50"},
        {"5.", 12, 2, "01f4", NULL, "5.00"},
        {"007.1", 12, 2, "02c6", NULL, "7.10"},
        {"12.340", 12, 2, "04d2", NULL, "12.34"}, /* trailing zero: exact */
        {"9999999999.99", 12, 2, "00e8d4a50fff", NULL, "9999999999.99"},
        {"-9999999999.99", 12, 2, "ff172b5af001", NULL, "-9999999999.99"},
        {"99999999999999999999999999999999999999", 38, 0, "4b3b4ca85a86c47a098a223fffffffff", NULL,
         "99999999999999999999999999999999999999"},
        {"-99999999999999999999999999999999999999", 38, 0, "b4c4b357a5793b85f675ddc000000001", NULL,
         "-99999999999999999999999999999999999999"},
        {"42", 5, 0, "2a", NULL, "42"},
        /* 18 digits and fewer are summed in 64 bits, more byte by byte */
        {"999999999999999999", 38, 0, "0de0b6b3a763ffff", NULL, "999999999999999999"},
        {"-999999999999999999", 38, 0, "f21f494c589c0001", NULL, "-999999999999999999"},
        {"9999999999999999.99", 38, 2, "0de0b6b3a763ffff", NULL, "9999999999999999.99"},
        {"9999999999999999999", 38, 0, "008ac7230489e7ffff", NULL, "9999999999999999999"},
        {"-9999999999999999999", 38, 0, "ff7538dcfb76180001", NULL, "-9999999999999999999"},
        {"9223372036854775807", 38, 0, "7fffffffffffffff", NULL, "9223372036854775807"},
        {"-9223372036854775808", 38, 0, "8000000000000000", NULL, "-9223372036854775808"},
        {"-99999999999999999.9", 38, 2, "ff7538dcfb7618000a", NULL, "-99999999999999999.90"},
        {"99999999999999999999", 38, 0, "056bc75e2d630fffff", NULL, "99999999999999999999"},
        {"12345678901.00", 12, 2, NULL,
         "'12345678901.00' does not fit decimal(12,2): at most 10 digits "
         "before the point",
         NULL},
        {"100000000000000000000000000000000000000", 38, 0, NULL, "does not fit decimal(38,0)",
         NULL},
        {"12.345", 12, 2, NULL, "'12.345' has more than 2 decimal places", NULL},
        {"1.5", 5, 0, NULL, "'1.5' has more than 0 decimal places", NULL},
        {"1e3", 12, 2, NULL, "'1e3' is not a decimal number", NULL},
        {"", 12, 2, NULL, "'' is not a decimal number", NULL},
        {".", 12, 2, NULL, "'.' is not a decimal number", NULL},
        {"-", 12, 2, NULL, "'-' is not a decimal number", NULL},
        {" 1", 12, 2, NULL, "' 1' is not a decimal number", NULL},
        {"1 ", 12, 2, NULL, "'1 ' is not a decimal number", NULL},
        {"1,5", 12, 2, NULL, "'1,5' is not a decimal number", NULL},
        {"0x10", 12, 2, NULL, "'0x10' is not a decimal number", NULL},
        {"NaN", 12, 2, NULL, "'NaN' is not a decimal number", NULL},
        {"--1", 12, 2, NULL, "'--1' is not a decimal number", NULL},
        {"5", 10, -1, NULL, "decimal scale -1 is negative", NULL},
        {"0", 10, -1, NULL, "decimal scale -1 is negative", NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char buf[64], want[64];
        size_t len = 0;
        char err[256] = "", text[128];
        int rc = decimal_from_text(cases[i].text, cases[i].precision, cases[i].scale, buf,
                                   sizeof(buf), &len, err, sizeof(err));
        if (cases[i].err) {
            if (rc == 0 || !strstr(err, cases[i].err))
                print_error("case %zu '%s': err '%s'\n", i, cases[i].text, err);
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, cases[i].err));
            continue;
        }
        if (rc != 0)
            print_error("case %zu '%s': %s\n", i, cases[i].text, err);
        assert_int_equal(rc, 0);
        size_t wlen = unhex(cases[i].hex, want);
        assert_int_equal(len, wlen);
        assert_memory_equal(buf, want, wlen);
        assert_int_equal(decimal_to_text(buf, len, cases[i].scale, text, sizeof(text)), 0);
        assert_string_equal(text, cases[i].back);
    }
}

static void test_decimal_to_text_edges(void **state)
{
    static const unsigned char m128[] = {0x80}, big[] = {0x00, 0xff};
    char text[16];

    (void)state;
    assert_int_equal(decimal_to_text(NULL, 0, 2, text, sizeof(text)), 0);
    assert_string_equal(text, "0.00"); /* no bytes: zero */
    assert_int_equal(decimal_to_text(m128, 1, 0, text, sizeof(text)), 0);
    assert_string_equal(text, "-128");
    assert_int_equal(decimal_to_text(m128, 1, 5, text, sizeof(text)), 0);
    assert_string_equal(text, "-0.00128");
    assert_int_equal(decimal_to_text(big, 2, 1, text, sizeof(text)), 0);
    assert_string_equal(text, "25.5");
    /* too small a buffer fails instead of truncating */
    assert_int_equal(decimal_to_text(big, 2, 1, text, 4), -1);
    assert_int_equal(decimal_to_text(big, 2, 1, text, 5), 0);
    assert_string_equal(text, "25.5");
}

static void test_decimal_buffer_too_small(void **state)
{
    unsigned char buf[2];
    size_t len;
    char err[128];

    (void)state;
    assert_int_equal(decimal_from_text("123456", 10, 0, buf, sizeof(buf), &len, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "too large"));
    assert_int_equal(decimal_from_text("32767", 10, 0, buf, sizeof(buf), &len, err, sizeof(err)),
                     0);
    assert_int_equal(len, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_from_text),
        cmocka_unit_test(test_decimal_to_text_edges),
        cmocka_unit_test(test_decimal_buffer_too_small),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_huge_round_trip),
        cmocka_unit_test(test_numeric_limits),
        cmocka_unit_test(test_float_specials),
        cmocka_unit_test(test_decimal_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
