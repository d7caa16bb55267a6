/*
 * test_avrodefault.c - a schema's JSON default written as Avro binary
 * (avrodefault.h), byte for byte, for every type and each way a default
 * can fail to fit; and a record that leaves a field out converted with
 * the field's default (convert.h), or dead-lettered saying why the
 * default could not be used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "avro_datum.h"
#include "avrodefault.h"
#include "avroenc.h"
#include "convert.h"
#include "schema.h"

typedef struct default_case {
    const char *type;    /* the Avro type, JSON */
    const char *dflt;    /* the default, JSON */
    const char *hex;     /* the bytes written, or NULL: refused */
    const char *refusal; /* a piece of errstr when refused */
} default_case_t;

static const default_case_t cases[] = {
    {"\"null\"", "null", "", NULL},
    {"\"null\"", "0", NULL, "is not null"},
    {"\"boolean\"", "true", "01", NULL},
    {"\"boolean\"", "false", "00", NULL},
    {"\"boolean\"", "1", NULL, "not true or false"},
    {"\"int\"", "1", "02", NULL},
    {"\"int\"", "-1", "01", NULL},
    {"\"int\"", "2147483647", "feffffff0f", NULL},
    {"\"int\"", "2147483648", NULL, "within 32 bits"},
    {"\"int\"", "\"5\"", NULL, "not an integer"},
    {"\"int\"", "1.5", NULL, "not an integer"},
    {"\"long\"", "-64", "7f", NULL},
    {"\"long\"", "9223372036854775807", "feffffffffffffffff01", NULL},
    {"\"float\"", "1.5", "0000c03f", NULL},
    {"\"double\"", "1", "000000000000f03f", NULL}, /* an integer for a double */
    {"\"double\"", "\"NaN\"", NULL, "not a number"},
    {"\"string\"", "\"h\\u00e9\"", "0668c3a9", NULL},
    {"\"string\"", "null", NULL, "not a string"},
    /* bytes, fixed, records, arrays, maps: not written (avrodefault.h) */
    {"\"bytes\"", "\"\\u00ff\\u0000a\"", NULL, "a default of type bytes is not written"},
    {"{\"type\": \"fixed\", \"name\": \"F\", \"size\": 2}", "\"ab\"", NULL,
     "a default of type fixed is not written"},
    {"{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\", \"B\"]}", "\"B\"", "02", NULL},
    {"{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\", \"B\"]}", "\"Z\"", NULL,
     "'Z' is not a symbol of E"},
    {"{\"type\": \"array\", \"items\": \"int\"}", "[1, 2]", NULL,
     "a default of type array is not written"},
    {"{\"type\": \"map\", \"values\": \"long\"}", "{\"a\": 1}", NULL,
     "a default of type map is not written"},
    {"{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"a\", \"type\": \"int\"}]}",
     "{\"a\": 1}", NULL, "a default of type record is not written"},
    /* a union's default: a value of the first branch it fits, after its index */
    {"[\"null\", \"string\"]", "null", "00", NULL},
    {"[\"string\", \"null\"]", "\"x\"", "000278", NULL},
    {"[\"string\", \"null\"]", "null", "02", NULL},
    {"[\"null\", \"string\"]", "\"x\"", "020278", NULL},
    {"[\"null\", \"int\", \"string\"]", "\"5\"", "040235", NULL},
    {"[\"null\", \"string\"]", "5", NULL, "fits no branch"},
    {"[\"null\", \"bytes\"]", "\"x\"", NULL,
     "fits no branch of the union that defaults are written for"},
    /* float within its range */
    {"\"float\"", "3.4028235e38", "ffff7f7f", NULL}, /* FLT_MAX's shortest text */
    {"\"float\"", "3.4028236e38", NULL, "within a float's range"},
    {"\"float\"", "1e40", NULL, "within a float's range"},
    {"\"float\"", "-1e40", NULL, "within a float's range"},
    /* the Avro type alone: a logical type is the field's to refuse
     * (avrodefault_type_plain; test_left_out_fields) */
    {"{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}", "1000", "d00f", NULL},
};

static void hex_of(const avroenc_t *w, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < w->len && k + 3 <= size; i++)
        k += (size_t)snprintf(out + k, size - k, "%02x", w->buf[i]);
    out[k] = '\0';
}

static void test_defaults(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const default_case_t *c = &cases[i];
        avro_schema_t s;
        assert_int_equal(avro_schema_from_json_length(c->type, strlen(c->type), &s), 0);
        json_error_t jerr;
        json_t *d = json_loads(c->dflt, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        assert_non_null(d);
        avroenc_t w = {0};
        char err[256] = "", hex[128];
        int rc = avrodefault_encode(s, d, &w, err, sizeof(err));
        hex_of(&w, hex, sizeof(hex));
        if (c->hex ? rc != 0 || strcmp(hex, c->hex) != 0 : rc == 0 || !strstr(err, c->refusal))
            print_error("case %zu (%s, default %s): rc %d, bytes %s, err '%s'\n", i, c->type,
                        c->dflt, rc, hex, err);
        if (c->hex) {
            assert_int_equal(rc, 0);
            assert_string_equal(hex, c->hex);
        } else { /* a kind not written is not a wrong default */
            int not_written = strstr(c->refusal, "not written") != NULL ||
                              strstr(c->refusal, "defaults are written") != NULL;
            assert_int_equal(rc, not_written ? AVRODEFAULT_NOT_WRITTEN : -1);
            assert_non_null(strstr(err, c->refusal));
        }
        avroenc_free(&w);
        json_decref(d);
        avro_schema_decref(s);
    }
}

static const char *const RECORD_SCHEMA =
    "{\"type\": \"record\", \"name\": \"Thing\", \"fields\": ["
    " {\"name\": \"id\", \"type\": \"long\"},"
    " {\"name\": \"region\", \"type\": \"string\", \"default\": \"unknown\"},"
    " {\"name\": \"points\", \"type\": \"int\", \"default\": 0},"
    " {\"name\": \"tier\", \"type\": {\"type\": \"enum\", \"name\": \"Tier\","
    "   \"symbols\": [\"bronze\", \"gold\"]}, \"default\": \"bronze\"},"
    " {\"name\": \"nick\", \"type\": [\"string\", \"null\"], \"default\": \"anon\"},"
    " {\"name\": \"seen\", \"type\": [{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"},"
    "   \"null\"], \"default\": 86400000},"

    " {\"name\": \"level\", \"type\": \"int\", \"default\": \"high\"},"
    " {\"name\": \"note\", \"type\": [\"string\", \"null\"], \"default\": null},"
    " {\"name\": \"addr\", \"type\": [\"null\", {\"type\": \"record\", \"name\": \"Addr\","
    "   \"fields\": [{\"name\": \"street\", \"type\": \"string\"},"
    "   {\"name\": \"zip\", \"type\": \"string\", \"default\": \"00000\"},"
    "   {\"name\": \"unit\", \"type\": [\"null\", \"string\"], \"default\": null}]}],"
    "   \"default\": null}]}";

/* A record converted and read back: each field as avro-c reads it. */
typedef struct record_case {
    const char *record;
    const char *want; /* fields as JSON (avro-c's read), or NULL: dead-lettered */
    const char *refusal;
} record_case_t;

static const record_case_t record_cases[] = {
    /* every defaulted field left out: its default; level's does not fit */
    {"{\"id\": 1, \"level\": 3}",
     "{\"id\": 1, \"region\": \"unknown\", \"points\": 0, \"tier\": \"bronze\","
     " \"nick\": \"anon\", \"seen\": null, \"level\": 3, \"note\": null, \"addr\": null}",
     NULL},
    /* given, the record's values win; a null given is null, not the default */
    {"{\"id\": 2, \"region\": \"eu\", \"points\": 7, \"tier\": \"gold\", \"nick\": null,"
     " \"seen\": \"1970-01-01T00:00:01Z\", \"level\": 4, \"note\": \"n\"}",
     "{\"id\": 2, \"region\": \"eu\", \"points\": 7, \"tier\": \"gold\", \"nick\": null,"
     " \"seen\": 1000, \"level\": 4, \"note\": \"n\", \"addr\": null}",
     NULL},
    {"{\"id\": 3, \"region\": null, \"level\": 1}", NULL,
     "field 'region': is null but the field is not nullable"},
    /* ["string", "null"] with a null default: not the first branch's, so
     * unused (left out: null, as before defaults were written) */
    {"{\"id\": 4, \"level\": 1}",
     "{\"id\": 4, \"region\": \"unknown\", \"points\": 0, \"tier\": \"bronze\","
     " \"nick\": \"anon\", \"seen\": null, \"level\": 1, \"note\": null, \"addr\": null}",
     NULL},
    /* inside a nested record, a left-out field keeps its old outcome: the
     * worker leaves such a field out of the jsonb for an old writer, and a
     * default written here would make the two disagree (README) */
    {"{\"id\": 6, \"level\": 1, \"addr\": {\"street\": \"Main\", \"zip\": \"1\"}}",
     "{\"id\": 6, \"region\": \"unknown\", \"points\": 0, \"tier\": \"bronze\","
     " \"nick\": \"anon\", \"seen\": null, \"level\": 1, \"note\": null,"
     " \"addr\": {\"street\": \"Main\", \"zip\": \"1\", \"unit\": null}}",
     NULL},
    {"{\"id\": 7, \"level\": 1, \"addr\": {\"street\": \"Main\"}}", NULL,
     "field 'addr.zip': missing"},
    {"{\"id\": 5}", NULL,
     "field 'level': missing (the field is not nullable, and its default cannot be written: "
     "the default is not an integer (the type is int))"},
};

/* avro-c's value as JSON: enums by symbol, unions as their branch's,
 * records as objects. */
static json_t *as_json(const avro_value_t *rec)
{
    json_t *out = json_object();
    size_t n;
    assert_int_equal(avro_value_get_size(rec, &n), 0);
    for (size_t i = 0; i < n; i++) {
        avro_value_t f, b;
        const char *name;
        assert_int_equal(avro_value_get_by_index(rec, i, &f, &name), 0);
        if (avro_value_get_type(&f) == AVRO_UNION)
            assert_int_equal(avro_value_get_current_branch(&f, &b), 0);
        else
            b = f;
        json_t *v = NULL;
        int32_t i32;
        int64_t i64;
        int e;
        const char *str;
        size_t len;
        switch (avro_value_get_type(&b)) {
        case AVRO_NULL:
            v = json_null();
            break;
        case AVRO_INT32:
            assert_int_equal(avro_value_get_int(&b, &i32), 0);
            v = json_integer(i32);
            break;
        case AVRO_INT64:
            assert_int_equal(avro_value_get_long(&b, &i64), 0);
            v = json_integer(i64);
            break;
        case AVRO_STRING:
            assert_int_equal(avro_value_get_string(&b, &str, &len), 0);
            v = json_string(str);
            break;
        case AVRO_RECORD:
            v = as_json(&b);
            break;
        case AVRO_ENUM:
            assert_int_equal(avro_value_get_enum(&b, &e), 0);
            v = json_string(avro_schema_enum_get(avro_value_get_schema(&b), e));
            break;
        default:
            fail_msg("field %s: unexpected type", name);
        }
        json_object_set_new(out, name, v);
    }
    return out;
}

static void test_left_out_fields(void **state)
{
    (void)state;
    record_schema_t *rs;
    char err[512] = "";
    assert_int_equal(record_schema_parse(RECORD_SCHEMA, &rs, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(record_cases) / sizeof(record_cases[0]); i++) {
        const record_case_t *c = &record_cases[i];
        json_t *rec = json_loads(c->record, 0, NULL);
        assert_non_null(rec);
        avro_value_iface_t *iface;
        avro_value_t val;
        err[0] = '\0';
        int rc = avro_datum_from_json(rs, rec, &iface, &val, err, sizeof(err));
        if (!c->want) {
            if (rc == 0 || !strstr(err, c->refusal))
                print_error("case %zu: rc %d, err '%s'\n", i, rc, err);
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, c->refusal));
        } else {
            if (rc != 0)
                print_error("case %zu: %s\n", i, err);
            assert_int_equal(rc, 0);
            json_t *got = as_json(&val), *want = json_loads(c->want, 0, NULL);
            char *text = json_dumps(got, JSON_SORT_KEYS);
            if (!json_equal(got, want))
                print_error("case %zu: got %s\n", i, text);
            assert_true(json_equal(got, want));
            free(text);
            json_decref(got);
            json_decref(want);
            avro_value_decref(&val);
            avro_value_iface_decref(iface);
        }
        json_decref(rec);
    }
    record_schema_destroy(rs);
}

/* A logical type's default is not written (avrodefault.h): a record that
 * leaves such a field out is dead-lettered saying so (null when the
 * field is nullable: test_left_out_fields, seen). */
static void test_logical_default_unused(void **state)
{
    (void)state;
    static const char *const schema =
        "{\"type\": \"record\", \"name\": \"T\", \"fields\": [{\"name\": \"id\", \"type\": "
        "\"long\"},"
        " {\"name\": \"born\", \"type\": {\"type\": \"int\", \"logicalType\": \"date\"},"
        "  \"default\": 0}]}";
    record_schema_t *rs;
    char err[512] = "";
    assert_int_equal(record_schema_parse(schema, &rs, err, sizeof(err)), 0);
    json_t *rec = json_loads("{\"id\": 1}", 0, NULL);
    avroenc_t w = {0};
    assert_int_equal(convert_json_to_avro(rs, rec, &w, err, sizeof(err)), -1);
    assert_string_equal(err, "field 'born': missing (the field is not nullable, and its default "
                             "cannot be written: the default of a logical type is not written)");
    json_decref(rec);
    rec = json_loads("{\"id\": 1, \"born\": \"1970-01-02\"}", 0, NULL);
    avroenc_reset(&w);
    assert_int_equal(convert_json_to_avro(rs, rec, &w, err, sizeof(err)), 0);
    json_decref(rec);
    avroenc_free(&w);
    record_schema_destroy(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_left_out_fields),
        cmocka_unit_test(test_logical_default_unused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
