/*
 * test_convert.c - JSON -> Avro -> row form, field by field, good and bad
 * input (the decimal arithmetic on its own is in test_decimal.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_arena.h"
#include "convert.h"
#include "convert_roundtrip.h"
#include "jsonnum.h"
#include "schema.h"
#include "jsonpage.h"

#define CUSTOMER "../../schemas/customer.avsc"
#define KITCHEN  "fixtures/kitchen.avsc"

/* ---- field conversions ------------------------------------------------ */

static const char customer_base[] =
    "{\"id\": 17, \"name\": \"Ada\", \"email\": \"ada@example.com\","
    " \"country\": \"DE\", \"balance\": \"1234.50\", \"tier\": \"gold\","
    " \"phone\": null, \"signup_date\": \"2024-03-01\","
    " \"is_deleted\": false, \"last_modified\": \"2026-01-01T00:00:10.000Z\","
    " \"unknown_member\": [1, 2]}";

static const char kitchen_base[] = "{\"id\": \"k-1\", \"count\": 1, \"big\": 2, \"ratio\": 0.5,"
                                   " \"score\": 2.5, \"blob\": \"\", \"flag\": true,"
                                   " \"seen_at\": \"2026-01-01T00:00:00Z\","
                                   " \"address\": {\"street\": \"Main\", \"geo\": {\"lat\": 1.5,"
                                   " \"lon\": -2.25}},"
                                   " \"tags\": [], \"attrs\": {}, \"color\": \"RED\"}";

#define MISSING "<missing>"

struct conv_case {
    const char *field;
    const char *in;   /* JSON text, or MISSING; "~TEXT": TEXT as the
                       * producer's page reader reads it (numbers exact) */
    const char *want; /* row-form JSON text, or NULL for an error */
    const char *err;  /* the error, exactly */
};

/* text as one record of a page: numbers that are not int64 keep their text. */
static json_t *loads_page(const char *text)
{
    size_t n = strlen(text);
    char *body = malloc(n + 3);
    jsonpage_t pg;
    char err[256];

    assert_non_null(body);
    sprintf(body, "[%s]", text);
    if (jsonpage_parse(body, n + 2, "", &pg, err, sizeof(err)) != 0 || pg.n_bad)
        print_error("bad test JSON '%s': %s\n", text, pg.n_bad ? pg.bad[0].reason : err);
    assert_int_equal(pg.n_bad, 0);
    /* a copy: the page's values go with the page (json_arena.h) */
    json_t *j = json_deep_copy(json_array_get(pg.records, 0));
    assert_non_null(j);
    jsonpage_clear(&pg);
    free(body);
    return j;
}

/* A row-form value as the worker writes it, read back: a float or double
 * inside a record, array or map (a number kept as text) is a jansson
 * number again, comparable with json_equal. */
static json_t *as_written(const json_t *v)
{
    char *text = jsonnum_dumps(v, JSON_ENCODE_ANY);
    assert_non_null(text);
    json_t *j = loads(text);
    free(text);
    return j;
}

static void run_cases(const char *schema_path, const char *base, const struct conv_case *cases,
                      size_t n)
{
    record_schema_t *rs = NULL;
    char err[512];

    assert_int_equal(record_schema_load(schema_path, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < n; i++) {
        json_t *rec = loads(base);
        if (strcmp(cases[i].in, MISSING) == 0)
            json_object_del(rec, cases[i].field);
        else
            json_object_set_new(rec, cases[i].field,
                                cases[i].in[0] == '~' ? loads_page(cases[i].in + 1)
                                                      : loads(cases[i].in));
        err[0] = '\0';
        json_t *row = round_trip(rs, rec, err, sizeof(err));
        if (cases[i].want) {
            json_t *want = loads(cases[i].want);
            json_t *field = row ? json_object_get(row, cases[i].field) : NULL;
            json_t *got = field ? as_written(field) : NULL;
            if (!got || !json_equal(got, want)) {
                char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
                print_error("%s case %zu (%s = %s): got %s, err '%s'\n", schema_path, i,
                            cases[i].field, cases[i].in, g ? g : "nothing", err);
                free(g);
            }
            assert_non_null(got);
            assert_true(json_equal(got, want));
            json_decref(want);
            json_decref(got);
        } else {
            if (row || strcmp(err, cases[i].err) != 0)
                print_error("%s case %zu (%s = %s): err '%s', want '%s'\n", schema_path, i,
                            cases[i].field, cases[i].in, err, cases[i].err);
            assert_null(row);
            assert_string_equal(err, cases[i].err);
        }
        json_decref(row);
        json_decref(rec);
    }
    record_schema_destroy(rs);
}

static void test_customer_fields(void **state)
{
    static const struct conv_case cases[] = {
        {"id", "17", "17", NULL},
        {"id", "\"42\"", "42", NULL},
        {"id", "-9223372036854775808", "-9223372036854775808", NULL},
        {"id", "1.5", NULL,
         "field 'id': expected an integer, got a real "
         "number"},
        {"id", "\"x1\"", NULL, "field 'id': 'x1' is not an integer"},
        {"id", "\"12 \"", NULL, "field 'id': '12 ' is not an integer"},
        {"id", "\"99999999999999999999\"", NULL,
         "field 'id': '99999999999999999999' is out of range for long"},
        {"id", "null", NULL, "field 'id': is null but the field is not nullable"},
        {"id", MISSING, NULL, "field 'id': missing (the field is not nullable)"},
        {"name", "\"say \\\"hi\\\"\\t\\n\\\\ Zoë 東京 🚀\"",
         "\"say \\\"hi\\\"\\t\\n\\\\ Zoë 東京 🚀\"", NULL},
        {"name", "\"\"", "\"\"", NULL},
        {"name", "\"a\\u0000b\"", "\"a\\u0000b\"", NULL},
        {"name", "5", NULL,
         "field 'name': expected a string, got an "
         "integer"},
        {"name", "[\"x\"]", NULL,
         "field 'name': expected a string, got an "
         "array"},
        {"balance", "\"1234.50\"", "\"1234.50\"", NULL},
        {"balance", "\"-0.01\"", "\"-0.01\"", NULL},
        {"balance", "\"0\"", "\"0.00\"", NULL},
        {"balance", "\"-9999999999.99\"", "\"-9999999999.99\"", NULL},
        {"balance", "12", "\"12.00\"", NULL},
        {"balance", "-12", "\"-12.00\"", NULL},
        {"balance", "12.5", "\"12.50\"", NULL},
        {"balance", "0.1", "\"0.10\"", NULL},
        {"balance", "1e3", "\"1000.00\"", NULL}, /* a JSON number: exact */
        {"balance", "12.345", NULL, "field 'balance': 12.345 has more than 2 decimal places"},
        {"balance", "\"12.345\"", NULL, "field 'balance': '12.345' has more than 2 decimal places"},
        {"balance", "\"1e3\"", NULL,
         "field 'balance': '1e3' is not a decimal number (digits with an "
         "optional sign and point, no exponent)"},
        {"balance", "\"12345678901\"", NULL,
         "field 'balance': '12345678901' does not fit decimal(12,2): at "
         "most 10 digits before the point"},
        {"balance", "1e11", NULL,
         "field 'balance': '100000000000.00' does not fit decimal(12,2): at "
         "most 10 digits before the point"},
        {"balance", "true", NULL,
         "field 'balance': expected a decimal "
         "string or number, got a boolean"},
        {"tier", "\"gold\"", "\"gold\"", NULL},
        {"tier", "\"bronze\"", "\"bronze\"", NULL},
        {"tier", "\"platinum\"", NULL,
         "field 'tier': 'platinum' is not a symbol of enum CustomerTier"},
        {"tier", "\"Gold\"", NULL, "field 'tier': 'Gold' is not a symbol of enum CustomerTier"},
        {"tier", "1", NULL,
         "field 'tier': expected an enum symbol, got an "
         "integer"},
        {"phone", "null", "null", NULL},
        {"phone", MISSING, "null", NULL},
        {"phone", "\"+49 30 1234\"", "\"+49 30 1234\"", NULL},
        {"phone", "49", NULL,
         "field 'phone': expected a string, got an "
         "integer"},
        {"signup_date", "\"2024-03-01\"", "\"2024-03-01\"", NULL},
        {"signup_date", "\"1969-12-31\"", "\"1969-12-31\"", NULL},
        {"signup_date", "\"2024-02-29\"", "\"2024-02-29\"", NULL},
        {"signup_date", "null", "null", NULL},
        {"signup_date", "\"2024-03-01T10:00:00Z\"", NULL,
         "field 'signup_date': '2024-03-01T10:00:00Z' is not a date "
         "(YYYY-MM-DD)"},
        {"signup_date", "19783", NULL,
         "field 'signup_date': expected a date "
         "string (YYYY-MM-DD), got an integer"},
        {"is_deleted", "true", "true", NULL},
        {"is_deleted", "false", "false", NULL},
        {"is_deleted", "\"false\"", NULL,
         "field 'is_deleted': expected true or false, got a string"},
        {"is_deleted", "0", NULL, "field 'is_deleted': expected true or false, got an integer"},
        {"last_modified", "\"2026-01-01T00:00:10.000Z\"", "\"2026-01-01T00:00:10.000Z\"", NULL},
        {"last_modified", "\"2026-01-01T02:00:10.5+02:00\"", "\"2026-01-01T00:00:10.500Z\"", NULL},
        {"last_modified", "1767225610123", "\"2026-01-01T00:00:10.123Z\"", NULL},
        {"last_modified", "\"1969-12-31T23:59:59.999Z\"", "\"1969-12-31T23:59:59.999Z\"", NULL},
        {"last_modified", "1.5", NULL,
         "field 'last_modified': expected an ISO-8601 string or epoch "
         "milliseconds, got a real number"},
        {"last_modified", "null", NULL,
         "field 'last_modified': is null but the field is not nullable"},
        /* JSON numbers as the page reader keeps them: from their text */
        {"id", "~9223372036854775807", "9223372036854775807", NULL},
        {"id", "~99999999999999999999", NULL,
         "field 'id': 99999999999999999999 is out of range for long"},
        {"id", "~-9223372036854775809", NULL,
         "field 'id': -9223372036854775809 is out of range for long"},
        {"id", "~1.5", NULL, "field 'id': expected an integer, got a real number"},
        {"id", "~1e2", NULL, "field 'id': expected an integer, got a real number"},
        {"name", "~1e400", NULL, "field 'name': expected a string, got a real number"},
        {"name", "~99999999999999999999", NULL, "field 'name': expected a string, got an integer"},
        {"balance", "~1234.50", "\"1234.50\"", NULL},
        {"balance", "~9999999999.99", "\"9999999999.99\"", NULL},
        {"balance", "~-0.01", "\"-0.01\"", NULL},
        {"balance", "~12.3400", "\"12.34\"", NULL},
        {"balance", "~1e3", "\"1000.00\"", NULL},
        {"balance", "~15E-2", "\"0.15\"", NULL},
        {"balance", "~12.345", NULL, "field 'balance': '12.345' has more than 2 decimal places"},
        {"balance", "~1e-3", NULL, "field 'balance': '0.001' has more than 2 decimal places"},
        {"balance", "~12345678901", NULL,
         "field 'balance': '12345678901' does not fit decimal(12,2): at most 10 digits "
         "before the point"},
        {"balance", "~1e400", NULL, "field 'balance': 1e400 does not fit decimal(12,2)"},
        {"balance", "~-1e-400", NULL, "field 'balance': -1e-400 does not fit decimal(12,2)"},
        {"tier", "~1.5", NULL, "field 'tier': expected an enum symbol, got a real number"},
        {"signup_date", "~1e400", NULL,
         "field 'signup_date': expected a date string (YYYY-MM-DD), got a real number"},
        {"last_modified", "~1767225610123", "\"2026-01-01T00:00:10.123Z\"", NULL},
        {"last_modified", "~99999999999999999999", NULL,
         "field 'last_modified': 99999999999999999999 ms is out of range"},
        {"last_modified", "~1.5", NULL,
         "field 'last_modified': expected an ISO-8601 string or epoch milliseconds, got a "
         "real number"},
    };
    (void)state;
    run_cases(CUSTOMER, customer_base, cases, sizeof(cases) / sizeof(cases[0]));
}

/* A long bad value (a free text pasted into an enum, a date, a number) is
 * quoted cut to 64 bytes with "..." after it, so that the reason always
 * names its cause: once it was "field 'tier': 'xxxx..." cut at 512 bytes
 * inside the value, the cause never reached. */
static void test_long_values(void **state)
{
    static const struct {
        const char *schema, *base, *field;
        const char *head, *fill; /* head, then fill to len bytes; head "~":
                                  * a JSON number (page reader) */
        size_t len;
        const char *cause;
    } cases[] = {
        {CUSTOMER, customer_base, "tier", "", "x", 600, "' is not a symbol of enum CustomerTier"},
        {CUSTOMER, customer_base, "id", "", "x", 600, "' is not an integer"},
        {CUSTOMER, customer_base, "id", "", "9", 600, "' is out of range for long"},
        {CUSTOMER, customer_base, "id", "~", "9", 600, "... is out of range for long"},
        {CUSTOMER, customer_base, "balance", "", "9", 480,
         "' does not fit decimal(12,2): at most 10 digits before the point"},
        {CUSTOMER, customer_base, "balance", "1.", "x", 480,
         "' is not a decimal number (digits with an optional sign and point, no exponent)"},
        {CUSTOMER, customer_base, "balance", "1.", "1", 480, "' has more than 2 decimal places"},
        {CUSTOMER, customer_base, "signup_date", "", "x", 600, "': expected YYYY-MM-DD"},
        {CUSTOMER, customer_base, "signup_date", "", "\xc3\xa9", 600, "': expected YYYY-MM-DD"},
        {CUSTOMER, customer_base, "last_modified", "2026-11-25T12:00:05.000Z", "x", 600,
         "': unexpected text after the time"},
        {CUSTOMER, customer_base, "last_modified", "~", "9", 600, "... ms is out of range"},
        {KITCHEN, kitchen_base, "score", "", "x", 600, "' is not a finite number"},
    };
    char err[2048], in[700];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        record_schema_t *rs = NULL;
        int number = cases[i].head[0] == '~';
        const char *head = cases[i].head + number;
        size_t n = 0;
        if (!number)
            in[n++] = '"';
        n += (size_t)sprintf(in + n, "%s", head);
        while (n < cases[i].len) /* a decimal string: under 512 bytes, its limit */
            n += (size_t)sprintf(in + n, "%s", cases[i].fill);
        if (!number)
            in[n++] = '"';
        in[n] = '\0';
        assert_int_equal(record_schema_load(cases[i].schema, &rs, err, sizeof(err)), 0);
        json_t *rec = loads(cases[i].base);
        json_object_set_new(rec, cases[i].field, number ? loads_page(in) : loads(in));
        err[0] = '\0';
        assert_null(round_trip(rs, rec, err, sizeof(err)));
        if (!strstr(err, cases[i].cause) || !strstr(err, "...") || strlen(err) > 400)
            fail_msg("case %zu (%s): err '%s' (%zu bytes): want the value cut and '%s'", i,
                     cases[i].field, err, strlen(err), cases[i].cause);
        json_decref(rec);
        record_schema_destroy(rs);
    }
}

/* Errors whose text comes from isotime (another module): only the prefix
 * is ours to check. */
static void test_customer_bad_times(void **state)
{
    static const struct {
        const char *field, *in, *prefix;
    } cases[] = {
        {"signup_date", "\"2024-13-01\"", "field 'signup_date': '2024-13-01': "},
        {"signup_date", "\"\"", "field 'signup_date': '': "},
        {"last_modified", "\"yesterday\"", "field 'last_modified': 'yesterday': "},
    };
    record_schema_t *rs = NULL;
    char err[512];

    (void)state;
    assert_int_equal(record_schema_load(CUSTOMER, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *rec = loads(customer_base);
        json_object_set_new(rec, cases[i].field, loads(cases[i].in));
        assert_null(round_trip(rs, rec, err, sizeof(err)));
        assert_memory_equal(err, cases[i].prefix, strlen(cases[i].prefix));
        assert_true(strlen(err) > strlen(cases[i].prefix));
        json_decref(rec);
    }
    record_schema_destroy(rs);
}

static void test_kitchen_fields(void **state)
{
    static const struct conv_case cases[] = {
        {"id", "\"abc-1\"", "\"abc-1\"", NULL},
        {"count", "2147483647", "2147483647", NULL},
        {"count", "-2147483648", "-2147483648", NULL},
        {"count", "\"-12\"", "-12", NULL},
        {"count", "2147483648", NULL, "field 'count': 2147483648 is out of range for int"},
        {"big", "\"9223372036854775807\"", "9223372036854775807", NULL},
        {"ratio", "0.5", "0.5", NULL},
        {"ratio", "\"0.25\"", "0.25", NULL},
        {"ratio", "3", "3.0", NULL},
        {"ratio", "1e39", NULL,
         "field 'ratio': 1e+39 is out of range for "
         "float"},
        {"ratio", "\"abc\"", NULL,
         "field 'ratio': 'abc' is not a finite "
         "number"},
        {"ratio", "\"nan\"", NULL,
         "field 'ratio': 'nan' is not a finite "
         "number"},
        {"score", "3.14159", "3.14159", NULL},
        {"score", "-1e300", "-1e300", NULL},
        {"score", "{}", NULL,
         "field 'score': expected a number, got an "
         "object"},
        {"blob", "\"AAEC/w==\"", "\"\\\\x000102ff\"", NULL},
        {"blob", "\"AAEC/w\"", "\"\\\\x000102ff\"", NULL},
        {"blob", "\"\"", "\"\\\\x\"", NULL},
        {"blob", "\"aGk=\"", "\"\\\\x6869\"", NULL},
        {"blob", "\"!!\"", NULL, "field 'blob': not valid base64"},
        {"blob", "\"A\"", NULL, "field 'blob': not valid base64"},
        {"blob", "7", NULL,
         "field 'blob': expected a base64 string, got an "
         "integer"},
        {"flag", "false", "false", NULL},
        {"seen_at", "\"2026-01-01T00:00:10.123456Z\"", "\"2026-01-01T00:00:10.123456Z\"", NULL},
        {"seen_at", "\"2026-01-01T00:00:10.1Z\"", "\"2026-01-01T00:00:10.100000Z\"", NULL},
        {"seen_at", "1767225610123", "\"2026-01-01T00:00:10.123000Z\"", NULL},
        {"seen_at", "\"1969-12-31T23:59:59.999999Z\"", "\"1969-12-31T23:59:59.999999Z\"", NULL},
        {"address", "{\"street\": \"Main St 1\", \"geo\": {\"lat\": 1.5, \"lon\": -2}}",
         "{\"street\": \"Main St 1\", \"zip\": null,"
         " \"geo\": {\"lat\": 1.5, \"lon\": -2.0}}",
         NULL},
        {"address",
         "{\"street\": \"x\", \"zip\": \"10115\", \"geo\": {\"lat\": 0,"
         " \"lon\": 0}, \"extra\": 1}",
         "{\"street\": \"x\", \"zip\": \"10115\","
         " \"geo\": {\"lat\": 0.0, \"lon\": 0.0}}",
         NULL},
        {"address", "{\"street\": 5, \"geo\": {\"lat\": 0, \"lon\": 0}}", NULL,
         "field 'address.street': expected a string, got an integer"},
        {"address", "{\"geo\": {\"lat\": 0, \"lon\": 0}}", NULL,
         "field 'address.street': missing (expected a string)"},
        {"address", "{\"street\": \"s\", \"geo\": {\"lat\": \"n\"}}", NULL,
         "field 'address.geo.lat': 'n' is not a finite number"},
        {"address", "[]", NULL,
         "field 'address': expected an object, got "
         "an array"},
        {"tags", "[\"a\", \"b\\\"c\"]", "[\"a\", \"b\\\"c\"]", NULL},
        {"tags", "[]", "[]", NULL},
        {"tags", "[\"a\", 3]", NULL,
         "field 'tags[1]': expected a string, got "
         "an integer"},
        {"tags", "{}", NULL,
         "field 'tags': expected an array, got an "
         "object"},
        {"attrs", "{\"x\": 1, \"y z\": -2}", "{\"x\": 1, \"y z\": -2}", NULL},
        {"attrs", "{\"x\": \"z\"}", NULL,
         "field 'attrs.x': 'z' is not an "
         "integer"},
        {"prev_address", "null", "null", NULL},
        {"prev_address", MISSING, "null", NULL},
        {"prev_address",
         "{\"street\": \"Old\", \"zip\": null, \"geo\": {\"lat\": 2.5,"
         " \"lon\": 3.5}}",
         "{\"street\": \"Old\", \"zip\": null, \"geo\": {\"lat\": 2.5,"
         " \"lon\": 3.5}}",
         NULL},
        {"prev_address", "{\"street\": \"Old\"}", NULL,
         "field 'prev_address.geo': missing (expected an object)"},
        {"amount", "\"-1234567890123456789012345678.0123456789\"",
         "\"-1234567890123456789012345678.0123456789\"", NULL},
        {"amount", "\"0.0000000001\"", "\"0.0000000001\"", NULL},
        {"amount", "\"12345678901234567890123456789\"", NULL,
         "field 'amount': '12345678901234567890123456789' does not fit "
         "decimal(38,10): at most 28 digits before the point"},
        {"amount", "null", "null", NULL},
        {"color", "\"GREEN\"", "\"GREEN\"", NULL},
        {"color", "\"BLUE\"", NULL,
         "field 'color': 'BLUE' is not a symbol "
         "of enum Color"},
        {"note", MISSING, "\"none\"", NULL}, /* ["string", "null"], default "none" */
        {"note", "\"n\"", "\"n\"", NULL},
        /* JSON numbers as the page reader keeps them: from their text */
        {"amount", "~12345678901234567.89", "\"12345678901234567.8900000000\"", NULL},
        {"amount", "~-1234567890123456789012345678.0123456789",
         "\"-1234567890123456789012345678.0123456789\"", NULL},
        {"amount", "~0.0000000001", "\"0.0000000001\"", NULL},
        {"amount", "~1E-10", "\"0.0000000001\"", NULL},
        {"amount", "~1.00000000001", NULL,
         "field 'amount': '1.00000000001' has more than 10 decimal places"},
        {"amount", "~12345678901234567890123456789", NULL,
         "field 'amount': '12345678901234567890123456789' does not fit decimal(38,10): at "
         "most 28 digits before the point"},
        {"big", "~9223372036854775807", "9223372036854775807", NULL},
        {"big", "~9223372036854775808", NULL,
         "field 'big': 9223372036854775808 is out of range for long"},
        {"count", "~99999999999999999999", NULL,
         "field 'count': 99999999999999999999 is out of range for int"},
        {"score", "~0.1", "0.1", NULL},
        {"score", "~-2.5e-3", "-0.0025", NULL},
        {"score", "~123456789012345678901234567890", "1.2345678901234568e29", NULL},
        /* below a double's range: not 0, as PostgreSQL's float8 says too;
         * a subnormal is a double */
        {"score", "~1e-400", NULL, "field 'score': 1e-400 is out of range for double"},
        {"score", "~-1e-400", NULL, "field 'score': -1e-400 is out of range for double"},
        {"score", "~1e-310", "1e-310", NULL},
        {"score", "~0e-400", "0.0", NULL},
        {"score", "~-0.000e5", "-0.0", NULL},
        {"score", "~1e400", NULL, "field 'score': 1e400 is out of range for double"},
        {"score", "~-1E400", NULL, "field 'score': -1E400 is out of range for double"},
        {"ratio", "~0.25", "0.25", NULL},
        /* FLT_MAX as Java and JavaScript write it (above FLT_MAX, rounds to it) */
        {"ratio", "~3.4028235e38", "3.4028234663852886e38", NULL},
        {"ratio", "~-3.4028235e38", "-3.4028234663852886e38", NULL},
        /* half a unit in the last place past it rounds to infinity */
        {"ratio", "~3.402823567797337e38", NULL,
         "field 'ratio': 3.40282e+38 is out of range for float"},
        {"ratio", "~1e39", NULL, "field 'ratio': 1e+39 is out of range for float"},
        {"ratio", "~1e400", NULL, "field 'ratio': 1e400 is out of range for float"},
        {"ratio", "~1e-50", NULL, "field 'ratio': 1e-50 is out of range for float"},
        {"ratio", "~1e-40", "9.99994610111476e-41", NULL}, /* a subnormal float */
        {"seen_at", "~99999999999999999999", NULL,
         "field 'seen_at': 99999999999999999999 ms is out of range"},
        {"blob", "~1e400", NULL, "field 'blob': expected a base64 string, got a real number"},
        {"id", "~99999999999999999999", NULL, "field 'id': expected a string, got an integer"},
        {"address", "~{\"street\": \"s\", \"geo\": {\"lat\": 0.1, \"lon\": 1e400}}", NULL,
         "field 'address.geo.lon': 1e400 is out of range for double"},
        {"tags", "~[\"a\", 1.5]", NULL, "field 'tags[1]': expected a string, got a real number"},
        {"attrs", "~{\"x\": 99999999999999999999}", NULL,
         "field 'attrs.x': 99999999999999999999 is out of range for long"},
        {"note", "~1e400", NULL, "field 'note': expected a string, got a real number"},
    };
    (void)state;
    run_cases(KITCHEN, kitchen_base, cases, sizeof(cases) / sizeof(cases[0]));
}

/* The Avro bytes of text (a customer record), or NULL with err. */
static avroenc_t *encode_customer(const record_schema_t *rs, const char *text, char *err,
                                  size_t err_size)
{
    json_t *rec = loads_page(text);
    avroenc_t *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    if (convert_json_to_avro(rs, rec, w, err, err_size) != 0) {
        avroenc_free(w);
        free(w);
        w = NULL;
    }
    json_decref(rec);
    return w;
}

/* Members are found whatever their order, with others between them, and
 * by hash in a record of more than 64: the bytes are those of the record
 * in the schema's order. */
static void test_member_order(void **state)
{
    (void)state;
    static const char ordered[] =
        "{\"id\": 17, \"name\": \"Ada\", \"email\": \"ada@example.com\", \"country\": \"DE\","
        " \"balance\": \"1234.50\", \"tier\": \"gold\", \"phone\": null,"
        " \"signup_date\": \"2024-03-01\", \"is_deleted\": false,"
        " \"last_modified\": \"2026-01-01T00:00:10.000Z\"}";
    static const char *const same[] = {
        /* reversed, phone missing (null) */
        "{\"last_modified\": \"2026-01-01T00:00:10.000Z\", \"is_deleted\": false,"
        " \"signup_date\": \"2024-03-01\", \"tier\": \"gold\", \"balance\": \"1234.50\","
        " \"country\": \"DE\", \"email\": \"ada@example.com\", \"name\": \"Ada\", \"id\": 17}",
        /* rotated, other members between */
        "{\"x\": 1, \"tier\": \"gold\", \"phone\": null, \"y\": [2], \"signup_date\": "
        "\"2024-03-01\","
        " \"is_deleted\": false, \"last_modified\": \"2026-01-01T00:00:10.000Z\", \"id\": 17,"
        " \"name\": \"Ada\", \"z\": {}, \"email\": \"ada@example.com\", \"country\": \"DE\","
        " \"balance\": \"1234.50\"}",
        /* a member name that is a prefix of a field's, and one that extends it */
        "{\"i\": 1, \"idx\": 2, \"id\": 17, \"name\": \"Ada\", \"email\": \"ada@example.com\","
        " \"country\": \"DE\", \"balance\": \"1234.50\", \"tier\": \"gold\", \"phone\": null,"
        " \"signup_date\": \"2024-03-01\", \"is_deleted\": false,"
        " \"last_modified\": \"2026-01-01T00:00:10.000Z\"}",
        /* a member twice, first with another value: the last one counts,
         * where the first stood */
        "{\"tier\": \"silver\", \"id\": 17, \"name\": \"Ada\", \"email\": \"ada@example.com\","
        " \"country\": \"DE\", \"balance\": \"1234.50\", \"tier\": \"gold\", \"phone\": null,"
        " \"signup_date\": \"2024-03-01\", \"is_deleted\": false, \"id\": 17,"
        " \"last_modified\": \"2026-01-01T00:00:10.000Z\"}",
        "{\"id\": 18, \"name\": \"Ada\", \"email\": \"ada@example.com\", \"country\": \"DE\","
        " \"balance\": \"1234.50\", \"tier\": \"gold\", \"phone\": null,"
        " \"signup_date\": \"2024-03-01\", \"is_deleted\": false,"
        " \"last_modified\": \"2026-01-01T00:00:10.000Z\", \"id\": 17}",
    };
    record_schema_t *rs = NULL;
    char err[512];
    assert_int_equal(record_schema_load(CUSTOMER, &rs, err, sizeof(err)), 0);
    avroenc_t *want = encode_customer(rs, ordered, err, sizeof(err));
    assert_non_null(want);
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        avroenc_t *got = encode_customer(rs, same[i], err, sizeof(err));
        if (!got || got->len != want->len || memcmp(got->buf, want->buf, want->len) != 0)
            print_error("case %zu: not the ordered record's bytes (%s)\n", i, got ? "" : err);
        assert_non_null(got);
        assert_int_equal(got->len, want->len);
        assert_memory_equal(got->buf, want->buf, want->len);
        avroenc_free(got);
        free(got);
    }
    /* 80 members: found by hash */
    json_t *big = loads(ordered);
    for (int k = 0; k < 70; k++) {
        char name[24];
        snprintf(name, sizeof(name), "extra%d", k);
        json_object_set_new(big, name, json_integer(k));
    }
    json_object_del(big, "id"); /* after the 70 extras now */
    json_object_set_new(big, "id", json_integer(17));
    avroenc_t got = {0};
    assert_int_equal(convert_json_to_avro(rs, big, &got, err, sizeof(err)), 0);
    assert_int_equal(got.len, want->len);
    assert_memory_equal(got.buf, want->buf, want->len);
    avroenc_free(&got);
    json_decref(big);
    /* a missing field that is not nullable is still an error */
    assert_null(encode_customer(rs, "{\"name\": \"Ada\", \"idx\": 17}", err, sizeof(err)));
    assert_string_equal(err, "field 'id': missing (the field is not nullable)");
    avroenc_free(want);
    free(want);
    record_schema_destroy(rs);
}

static void test_not_an_object(void **state)
{
    record_schema_t *rs = NULL;
    char err[512];

    (void)state;
    assert_int_equal(record_schema_load(CUSTOMER, &rs, err, sizeof(err)), 0);
    json_t *arr = loads("[1]");
    assert_null(round_trip(rs, arr, err, sizeof(err)));
    assert_string_equal(err, "the record is an array, not a JSON object");
    json_decref(arr);
    record_schema_destroy(rs);
}

/* A decimal string is read into a buffer of 512 bytes: 511 characters
 * (leading zeros, so that the value fits) convert, 512 are refused. */
static void test_decimal_string_length(void **state)
{
    (void)state;
    char fits[600], too_long[600];
    snprintf(fits, sizeof(fits), "\"%0511d\"", 7);
    snprintf(too_long, sizeof(too_long), "\"%0512d\"", 7);
    const struct conv_case cases[] = {
        {"balance", fits, "\"7.00\"", NULL},
        {"balance", too_long, NULL, "field 'balance': decimal string too long"},
    };
    run_cases(CUSTOMER, customer_base, cases, sizeof(cases) / sizeof(cases[0]));
}

/* A writer whose memory ran out is a failure, reported as one, even when
 * the last thing written was a null or an empty record, which write no
 * bytes to fail on (the union's branch index before them was lost). */
static void test_out_of_memory(void **state)
{
    static const char *schema =
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"e\","
        " \"type\": [\"null\", {\"type\": \"record\", \"name\": \"E\", \"fields\": []}]}]}";
    static const char *const records[] = {"{\"e\": {}}", "{\"e\": null}", "{}"};
    record_schema_t *rs = NULL;
    char err[512];

    (void)state;
    assert_int_equal(record_schema_parse(schema, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        json_t *rec = loads(records[i]);
        avroenc_t w = {.oom = 1}; /* as after a failed realloc */
        err[0] = '\0';
        if (convert_json_to_avro(rs, rec, &w, err, sizeof(err)) != -1)
            fail_msg("case %zu: converted", i);
        if (!strstr(err, "out of memory"))
            fail_msg("case %zu: errstr \"%s\"", i, err);
        json_decref(rec);
    }
    record_schema_destroy(rs);
}

/* An enum field, and fields whose type names that enum (plain and in a
 * union with null): each written as its symbol's index, a symbol outside
 * the enum refused by the field's name. */
static void test_enum_by_name(void **state)
{
    static const char *schema =
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": ["
        "{\"name\": \"a\", \"type\": {\"type\": \"enum\", \"name\": \"E\","
        " \"symbols\": [\"X\", \"Y\"]}},"
        "{\"name\": \"b\", \"type\": \"E\"}, {\"name\": \"c\", \"type\": [\"null\", \"E\"]}]}";
    static const struct {
        const char *record;
        size_t len;
        const char *want; /* the Avro bytes, or NULL for err */
        const char *err;
    } cases[] = {
        {"{\"a\": \"Y\", \"b\": \"X\", \"c\": \"Y\"}", 4, "\x02\x00\x02\x02", NULL},
        {"{\"a\": \"X\", \"b\": \"Y\", \"c\": null}", 3, "\x00\x02\x00", NULL},
        {"{\"a\": \"X\", \"b\": \"Z\"}", 0, NULL, "field 'b': 'Z' is not a symbol of enum E"},
        {"{\"a\": \"X\", \"b\": \"X\", \"c\": \"x\"}", 0, NULL,
         "field 'c': 'x' is not a symbol of enum E"},
        {"{\"a\": \"X\", \"b\": 0}", 0, NULL, "field 'b': expected an enum symbol, got an integer"},
    };
    record_schema_t *rs = NULL;
    char err[512];

    (void)state;
    assert_int_equal(record_schema_parse(schema, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        avroenc_t *got = encode_customer(rs, cases[i].record, err, sizeof(err));
        if (!cases[i].want) {
            assert_null(got);
            assert_string_equal(err, cases[i].err);
            continue;
        }
        if (!got)
            fail_msg("case %zu: %s", i, err);
        assert_int_equal(got->len, cases[i].len);
        assert_memory_equal(got->buf, cases[i].want, cases[i].len);
        avroenc_free(got);
        free(got);
    }
    record_schema_destroy(rs);
}

/* A whole customer record in row form, as jsonb_populate_record takes it. */
/* A worker decodes whatever long an event holds: the row form of the
 * extremes (fuzz_decode: INT64_MIN micros overflowed in the floor). */
static void test_row_extreme_timestamps(void **state)
{
    static const struct {
        const char *field;
        int64_t val;
        const char *want;
    } cases[] = {
        {"seen_at", INT64_MIN, "-290308-12-21T19:59:05.224192Z"},
        {"seen_at", INT64_MIN + 1, "-290308-12-21T19:59:05.224193Z"},
        {"seen_at", INT64_MAX, "294247-01-10T04:00:54.775807Z"},
        {"seen_at", -1, "1969-12-31T23:59:59.999999Z"},
    };
    record_schema_t *rs = NULL;
    char err[512];

    (void)state;
    assert_int_equal(record_schema_load(KITCHEN, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        avro_value_iface_t *iface;
        avro_value_t val, field;
        json_t *rec = loads(kitchen_base);
        assert_int_equal(avro_datum_from_json(rs, rec, &iface, &val, err, sizeof(err)), 0);
        assert_int_equal(avro_value_get_by_name(&val, cases[i].field, &field, NULL), 0);
        assert_int_equal(avro_value_set_long(&field, cases[i].val), 0);
        json_t *row = convert_avro_to_row(rs, &val, err, sizeof(err));
        assert_non_null(row);
        const char *got = json_string_value(json_object_get(row, cases[i].field));
        if (!got || strcmp(got, cases[i].want) != 0)
            print_error("case %zu: got %s, want %s\n", i, got ? got : "nothing", cases[i].want);
        assert_non_null(got);
        assert_string_equal(got, cases[i].want);
        json_decref(row);
        json_decref(rec);
        avro_value_decref(&val);
        avro_value_iface_decref(iface);
    }
    record_schema_destroy(rs);
}

static void test_customer_row(void **state)
{
    record_schema_t *rs = NULL;
    char err[512];

    (void)state;
    assert_int_equal(record_schema_load(CUSTOMER, &rs, err, sizeof(err)), 0);
    json_t *rec = loads(customer_base);
    json_t *row = round_trip(rs, rec, err, sizeof(err));
    json_t *want = loads("{\"id\": 17, \"name\": \"Ada\", \"email\": \"ada@example.com\","
                         " \"country\": \"DE\", \"balance\": \"1234.50\", \"tier\": \"gold\","
                         " \"phone\": null, \"signup_date\": \"2024-03-01\","
                         " \"is_deleted\": false,"
                         " \"last_modified\": \"2026-01-01T00:00:10.000Z\"}");
    assert_non_null(row);
    assert_true(json_equal(row, want));
    json_decref(want);
    json_decref(row);
    json_decref(rec);
    record_schema_destroy(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customer_fields), cmocka_unit_test(test_customer_bad_times),
        cmocka_unit_test(test_kitchen_fields),  cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_customer_row),    cmocka_unit_test(test_row_extreme_timestamps),
        cmocka_unit_test(test_out_of_memory),   cmocka_unit_test(test_decimal_string_length),
        cmocka_unit_test(test_member_order),    cmocka_unit_test(test_enum_by_name),
        cmocka_unit_test(test_long_values),
    };
    json_arena_install(); /* as the programs run */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
