/*
 * test_convert_logical.c - the logical types uuid, time-millis/micros and
 * local-timestamp-millis/micros: JSON -> Avro -> row form, good, edge and
 * hostile values (with the exact reason a refusal goes to the DLQ with),
 * and their column types.
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
#include "schema.h"

static const char SCHEMA[] =
    "{\"type\":\"record\",\"name\":\"Logical\",\"fields\":["
    "{\"name\":\"u\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
    "{\"name\":\"tm\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
    "{\"name\":\"tu\",\"type\":{\"type\":\"long\",\"logicalType\":\"time-micros\"}},"
    "{\"name\":\"lm\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}},"
    "{\"name\":\"lu\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}},"
    "{\"name\":\"nu\",\"type\":[\"null\",{\"type\":\"string\",\"logicalType\":\"uuid\"}],"
    "\"default\":null}]}";

static const char BASE[] = "{\"u\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"tm\":\"00:00:00\","
                           "\"tu\":\"00:00:00\",\"lm\":\"2026-11-25T12:00:00\","
                           "\"lu\":\"2026-11-25T12:00:00\"}";

struct lcase {
    const char *field;
    const char *in;   /* JSON text */
    const char *want; /* row-form JSON text, or NULL for an error */
    const char *err;  /* the error, exactly */
};

/* Each case: cases[i].field set to in in BASE (field NULL: in is the
 * whole record) -> Avro -> row form; want is that field's row form (the
 * whole row), or err the error. */
static void run_rs(record_schema_t *rs, const struct lcase *cases, size_t n)
{
    char err[512];

    for (size_t i = 0; i < n; i++) {
        json_t *rec = loads(cases[i].field ? BASE : cases[i].in);
        if (cases[i].field)
            json_object_set_new(rec, cases[i].field, loads(cases[i].in));
        err[0] = '\0';
        json_t *row = round_trip(rs, rec, err, sizeof(err));
        json_t *got = row && cases[i].field ? json_object_get(row, cases[i].field) : row;
        json_t *want = cases[i].want ? loads(cases[i].want) : NULL;
        int ok = want ? got && json_equal(got, want) : !row && !strcmp(err, cases[i].err);
        if (!ok) {
            char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
            print_error("case %zu (%s = %s): got %s, err '%s'\n", i,
                        cases[i].field ? cases[i].field : "record", cases[i].in, g ? g : "nothing",
                        err);
            free(g);
        }
        assert_true(ok);
        json_decref(want);
        json_decref(row);
        json_decref(rec);
    }
}

static void run(const char *schema, const struct lcase *cases, size_t n)
{
    record_schema_t *rs = NULL;
    char err[512];

    assert_int_equal(record_schema_parse(schema, &rs, err, sizeof(err)), 0);
    run_rs(rs, cases, n);
    record_schema_destroy(rs);
}

static void test_uuid(void **state)
{
    static const struct lcase cases[] = {
        {"u", "\"0f8fad5b-d9cb-469f-a165-70867728950e\"",
         "\"0f8fad5b-d9cb-469f-a165-70867728950e\"", NULL},
        {"u", "\"0F8FAD5B-D9CB-469F-A165-70867728950E\"",
         "\"0f8fad5b-d9cb-469f-a165-70867728950e\"", NULL},
        {"u", "\"00000000-0000-0000-0000-000000000000\"",
         "\"00000000-0000-0000-0000-000000000000\"", NULL},
        {"nu", "\"FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF\"",
         "\"ffffffff-ffff-ffff-ffff-ffffffffffff\"", NULL},
        {"nu", "null", "null", NULL},
        {"u", "\"{0f8fad5b-d9cb-469f-a165-70867728950e}\"", NULL,
         "field 'u': '{0f8fad5b-d9cb-469f-a165-70867728950e}' is not a UUID "
         "(8-4-4-4-12 hex digits)"},
        {"u", "\"0f8fad5bd9cb469fa16570867728950e\"", NULL,
         "field 'u': '0f8fad5bd9cb469fa16570867728950e' is not a UUID (8-4-4-4-12 hex digits)"},
        {"u", "\"0f8fad5b-d9cb-469f-a165-70867728950g\"", NULL,
         "field 'u': '0f8fad5b-d9cb-469f-a165-70867728950g' is not a UUID "
         "(8-4-4-4-12 hex digits)"},
        {"u", "\"0f8fad5b-d9cb-469f-a165-70867728950\\u0000\"", NULL,
         "field 'u': '0f8fad5b-d9cb-469f-a165-70867728950' is not a UUID "
         "(8-4-4-4-12 hex digits)"},
        {"u", "\"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e\"", NULL,
         "field 'u': 'urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e' is not a UUID "
         "(8-4-4-4-12 hex digits)"},
        {"u", "\"\"", NULL, "field 'u': '' is not a UUID (8-4-4-4-12 hex digits)"},
        {"u", "42", NULL, "field 'u': expected a UUID string, got an integer"},
        {"u", "null", NULL, "field 'u': is null but the field is not nullable"},
    };
    (void)state;
    run(SCHEMA, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_time(void **state)
{
    static const struct lcase cases[] = {
        {"tm", "\"00:00:00\"", "\"00:00:00.000\"", NULL},
        {"tm", "\"23:59:59.999\"", "\"23:59:59.999\"", NULL},
        {"tm", "\"12:34:56.7891\"", "\"12:34:56.789\"", NULL}, /* truncated, as timestamps */
        {"tm", "\"12:34:56,5\"", "\"12:34:56.500\"", NULL},
        {"tm", "0", "\"00:00:00.000\"", NULL},
        {"tm", "86399999", "\"23:59:59.999\"", NULL},
        {"tu", "\"23:59:59.999999\"", "\"23:59:59.999999\"", NULL},
        {"tu", "\"01:02:03.000004\"", "\"01:02:03.000004\"", NULL},
        {"tu", "\"01:02:03.1234569\"", "\"01:02:03.123456\"", NULL},
        {"tu", "45296789", "\"12:34:56.789000\"", NULL},
        {"tm", "86400000", NULL, "field 'tm': 86400000 ms is not a time of day (0..86399999)"},
        {"tu", "-1", NULL, "field 'tu': -1 ms is not a time of day (0..86399999)"},
        {"tm", "\"24:00:00\"", NULL,
         "field 'tm': '24:00:00': hour out of range (00-23; 24:00:00 is not taken)"},
        {"tm", "\"23:59:60\"", NULL,
         "field 'tm': '23:59:60': a leap second (:60) is not a time of day"},
        {"tm", "\"12:60:00\"", NULL, "field 'tm': '12:60:00': time out of range"},
        {"tm", "\"12:00\"", NULL,
         "field 'tm': '12:00' is not a time of day (HH:MM:SS[.ffffff], no UTC offset)"},
        {"tm", "\"12:00:00Z\"", NULL,
         "field 'tm': '12:00:00Z' is not a time of day (HH:MM:SS[.ffffff], no UTC offset)"},
        {"tu", "\"12:00:00+02:00\"", NULL,
         "field 'tu': '12:00:00+02:00' is not a time of day (HH:MM:SS[.ffffff], no UTC offset)"},
        {"tu", "\"12:00:00.\"", NULL,
         "field 'tu': '12:00:00.' is not a time of day (HH:MM:SS[.ffffff], no UTC offset)"},
        {"tu", "1.5", NULL,
         "field 'tu': expected a time string (HH:MM:SS[.ffffff]) or milliseconds after "
         "midnight, got a real number"},
    };
    (void)state;
    run(SCHEMA, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_local_timestamp(void **state)
{
    static const struct lcase cases[] = {
        {"lm", "\"2026-11-25T12:00:00\"", "\"2026-11-25T12:00:00.000\"", NULL},
        {"lm", "\"2026-11-25 23:59:59.9999\"", "\"2026-11-25T23:59:59.999\"", NULL},
        {"lm", "\"2026-11-25\"", "\"2026-11-25T00:00:00.000\"", NULL},
        {"lm", "0", "\"1970-01-01T00:00:00.000\"", NULL},
        {"lu", "\"0001-01-01T00:00:00\"", "\"0001-01-01T00:00:00.000000\"", NULL},
        {"lu", "\"9999-12-31T23:59:59.999999\"", "\"9999-12-31T23:59:59.999999\"", NULL},
        {"lu", "\"1969-12-31T23:59:59.000001\"", "\"1969-12-31T23:59:59.000001\"", NULL},
        {"lu", "1764072000123", "\"2025-11-25T12:00:00.123000\"", NULL},
        {"lm", "\"2026-11-25T12:00:00Z\"", NULL,
         "field 'lm': '2026-11-25T12:00:00Z' has a UTC offset: a local timestamp takes none"},
        {"lu", "\"2026-11-25T12:00:00.5-01:30\"", NULL,
         "field 'lu': '2026-11-25T12:00:00.5-01:30' has a UTC offset: a local timestamp "
         "takes none"},
        {"lm", "\"2026-11-25 12:00:00 UTC\"", NULL,
         "field 'lm': '2026-11-25 12:00:00 UTC' has a UTC offset: a local timestamp takes none"},
        {"lu", "\"2026-13-01T00:00:00\"", NULL,
         "field 'lu': '2026-13-01T00:00:00': bad timestamp '2026-13-01T00:00:00': month out of "
         "range"},
        {"lm", "true", NULL,
         "field 'lm': expected an ISO-8601 string or epoch milliseconds, got a boolean"},
    };
    (void)state;
    run(SCHEMA, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_schema_types(void **state)
{
    static const struct {
        const char *type_json, *sql, *avro, *err;
    } cases[] = {
        {"{\"type\":\"string\",\"logicalType\":\"uuid\"}", "uuid", "uuid", NULL},
        {"{\"type\":\"int\",\"logicalType\":\"time-millis\"}", "time", "time-millis", NULL},
        {"{\"type\":\"long\",\"logicalType\":\"time-micros\"}", "time", "time-micros", NULL},
        {"{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}", "timestamp",
         "local-timestamp-millis", NULL},
        {"{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}", "timestamp",
         "local-timestamp-micros", NULL},
        {"{\"type\":\"long\",\"logicalType\":\"uuid\"}", NULL, NULL,
         "schema: field 'x': uuid must be on string"},
        {"{\"type\":\"long\",\"logicalType\":\"time-millis\"}", NULL, NULL,
         "schema: field 'x': time-millis must be on int"},
        {"{\"type\":\"int\",\"logicalType\":\"local-timestamp-micros\"}", NULL, NULL,
         "schema: field 'x': local-timestamp-micros must be on long"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512], err[512] = "", buf[64];
        record_schema_t *rs = NULL;
        snprintf(text, sizeof(text),
                 "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"x\",\"type\":%s}]}",
                 cases[i].type_json);
        int rc = record_schema_parse(text, &rs, err, sizeof(err));
        if (!cases[i].sql) {
            if (rc == 0 || strcmp(err, cases[i].err) != 0)
                print_error("case %zu: err '%s'\n", i, err);
            assert_int_not_equal(rc, 0);
            assert_string_equal(err, cases[i].err);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_string_equal(schema_field_sql_type(&rs->fields[0], buf, sizeof(buf)), cases[i].sql);
        assert_string_equal(schema_field_avro_type(&rs->fields[0], buf, sizeof(buf)),
                            cases[i].avro);
        record_schema_destroy(rs);
    }
}

/* The cases, every field of BASE read in unit. */
static void run_epoch(epoch_unit_t unit, const struct lcase *cases, size_t n)
{
    record_schema_t *rs = NULL;
    char err[512];

    assert_int_equal(record_schema_parse(SCHEMA, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < rs->n_fields; i++)
        rs->fields[i].epoch_unit = unit;
    run_rs(rs, cases, n);
    record_schema_destroy(rs);
}

/* A timestamp field read as seconds (the cursor field of a stream with
 * cursor.format = unix): a number, a fraction or digits in a string count
 * seconds; an ISO-8601 string stays what it says. Every field of BASE is
 * so here: "lm" and "lu" (local timestamps, millis and micros). */
static void test_epoch_seconds(void **state)
{
    static const struct lcase cases[] = {
        {"lm", "1795608001", "\"2026-11-25T12:00:01.000\"", NULL},
        {"lm", "\"1795608001\"", "\"2026-11-25T12:00:01.000\"", NULL},
        {"lm", "1795608001.25", "\"2026-11-25T12:00:01.250\"", NULL},
        {"lm", "1.795608001e9", "\"2026-11-25T12:00:01.000\"", NULL},
        {"lu", "1795608001.123456", "\"2026-11-25T12:00:01.123456\"", NULL},
        {"lm", "1097083673.126", "\"2004-10-06T17:27:53.126\"", NULL}, /* not .125 */
        {"lu", "1089233825.672001", "\"2004-07-07T20:57:05.672001\"", NULL},
        {"lm", "-0.0005", "\"1969-12-31T23:59:59.999\"", NULL},
        {"lm", "\"2026-11-25T12:00:00\"", "\"2026-11-25T12:00:00.000\"", NULL},
        {"lm", "0", "\"1970-01-01T00:00:00.000\"", NULL},
        {"lm", "-86400", "\"1969-12-31T00:00:00.000\"", NULL},
        {"lm", "253402300800", NULL,
         "field 'lm': 253402300800 s is out of range (years 1 to 9999)"},
        {"lm", "1e300", NULL, "field 'lm': 1e300 s is out of range (years 1 to 9999)"},
    };
    (void)state;
    run_epoch(EPOCH_CURSOR_S, cases, sizeof(cases) / sizeof(cases[0]));
}

/* The same for cursor.format = unix_ms: numbers count milliseconds, a
 * fraction (PostgreSQL's extract(epoch ...) * 1000 writes one) or digits
 * in a string allowed, as the cursor reader takes them. */
static void test_epoch_millis(void **state)
{
    static const struct lcase cases[] = {
        {"lm", "1795608001000", "\"2026-11-25T12:00:01.000\"", NULL},
        {"lm", "1795608001000.5", "\"2026-11-25T12:00:01.000\"", NULL},
        {"lm", "\"1795608001250\"", "\"2026-11-25T12:00:01.250\"", NULL},
        {"lu", "1795608001250.125", "\"2026-11-25T12:00:01.250125\"", NULL},
        {"lm", "\"2026-11-25T12:00:00\"", "\"2026-11-25T12:00:00.000\"", NULL},
        {"lm", "-0.5", "\"1969-12-31T23:59:59.999\"", NULL},
        {"lm", "253402300800000", NULL,
         "field 'lm': 253402300800000 ms is out of range (years 1 to 9999)"},
    };
    (void)state;
    run_epoch(EPOCH_CURSOR_MS, cases, sizeof(cases) / sizeof(cases[0]));
}

static const char NESTED[] =
    "{\"type\":\"record\",\"name\":\"Outer\",\"namespace\":\"t\",\"fields\":["
    "{\"name\":\"inner\",\"type\":{\"type\":\"record\",\"name\":\"Inner\",\"fields\":["
    "{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
    "\"precision\":6,\"scale\":2}},"
    "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
    "{\"name\":\"tu\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
    "{\"name\":\"day\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}]},"
    "{\"name\":\"u\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
    "{\"name\":\"t\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
    "{\"name\":\"lu\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}},"
    "{\"name\":\"odd\",\"type\":{\"type\":\"long\",\"logicalType\":\"uuid\"}},"
    "{\"name\":\"raw\",\"type\":\"bytes\"}]}},"
    "{\"name\":\"more\",\"type\":{\"type\":\"array\",\"items\":\"t.Inner\"}},"
    "{\"name\":\"prices\",\"type\":{\"type\":\"map\",\"values\":{\"type\":\"bytes\","
    "\"logicalType\":\"decimal\",\"precision\":4,\"scale\":1}}},"
    "{\"name\":\"maybe\",\"type\":[\"null\",\"Inner\"],\"default\":null}]}";

#define INNER_IN                                                                                   \
    "{\"dec\":\"1234.5\",\"ts\":\"2026-11-25T12:00:00.123Z\",\"tu\":\"2026-11-25T12:00:00."        \
    "123456Z\","                                                                                   \
    "\"day\":\"2026-11-25\",\"u\":\"0F8FAD5B-D9CB-469F-A165-70867728950E\",\"t\":\"08:30:00\","    \
    "\"lu\":\"2026-11-25T12:00:00.000001\",\"odd\":7,\"raw\":\"AQI=\"}"
#define INNER_ROW                                                                                  \
    "{\"dec\":\"1234.50\",\"ts\":\"2026-11-25T12:00:00.123Z\",\"tu\":\"2026-11-25T12:00:00."       \
    "123456Z\","                                                                                   \
    "\"day\":\"2026-11-25\",\"u\":\"0f8fad5b-d9cb-469f-a165-70867728950e\","                       \
    "\"t\":\"08:30:00.000\",\"lu\":\"2026-11-25T12:00:00.000001\",\"odd\":7,\"raw\":\"AQI=\"}"

/* Logical types inside records, arrays, maps and unions keep their
 * meaning in the jsonb row form: a decimal as its decimal string, not
 * base64; times and dates as text; a uuid as its text. A logical type on
 * the wrong base type is its base type ("odd"); plain bytes stay base64. */
static void test_nested(void **state)
{
    static const struct lcase cases[] = {
        {NULL,
         "{\"inner\":" INNER_IN ",\"more\":[" INNER_IN "],\"prices\":{\"a\":\"-999.9\",\"b\":0},"
         "\"maybe\":" INNER_IN "}",
         "{\"inner\":" INNER_ROW ",\"more\":[" INNER_ROW "],\"prices\":{\"a\":\"-999.9\",\"b\":"
         "\"0.0\"},\"maybe\":" INNER_ROW "}",
         NULL},
        {NULL, "{\"inner\":" INNER_IN ",\"more\":[],\"prices\":{\"a\":\"1000.0\"}}", NULL,
         "field 'prices.a': '1000.0' does not fit decimal(4,1): at most 3 digits before the point"},
        {NULL, "{\"inner\":" INNER_IN ",\"more\":[{\"dec\":\"1.234\"}],\"prices\":{}}", NULL,
         "field 'more[0].dec': '1.234' has more than 2 decimal places"},
        {NULL,
         "{\"inner\":" INNER_IN ",\"more\":[],\"prices\":{},\"maybe\":{\"dec\":\"1\",\"ts\":0,"
         "\"tu\":0,\"day\":null,\"u\":\"x\"}}",
         NULL, "field 'maybe.u': 'x' is not a UUID (8-4-4-4-12 hex digits)"},
    };
    (void)state;
    run(NESTED, cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_local_timestamp),
        cmocka_unit_test(test_epoch_seconds),
        cmocka_unit_test(test_epoch_millis),
        cmocka_unit_test(test_schema_types),
        cmocka_unit_test(test_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
