/*
 * test_schema.c - loading record schemas: field types, logical types,
 * SQL and Avro type words, and the errors bad schemas give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "schema.h"

#define CUSTOMER "../../schemas/customer.avsc"
#define KITCHEN  "fixtures/kitchen.avsc"

struct field_want {
    const char *name;
    field_type_t type;
    int nullable;
    const char *sql;
};

static void check_fields(const record_schema_t *rs, const struct field_want *want, size_t n)
{
    char buf[64];

    assert_int_equal(rs->n_fields, n);
    for (size_t i = 0; i < n; i++) {
        const schema_field_t *f = &rs->fields[i];
        assert_string_equal(f->name, want[i].name);
        assert_int_equal(f->type, want[i].type);
        assert_int_equal(f->nullable, want[i].nullable);
        assert_string_equal(schema_field_sql_type(f, buf, sizeof(buf)), want[i].sql);
        assert_non_null(f->type_json);
        assert_int_equal(record_schema_field_index(rs, want[i].name), (int)i);
        assert_ptr_equal(record_schema_field(rs, want[i].name), f);
    }
}

static void test_customer(void **state)
{
    static const struct field_want want[] = {
        {"id", FT_LONG, 0, "bigint"},
        {"name", FT_STRING, 0, "text"},
        {"email", FT_STRING, 0, "text"},
        {"country", FT_STRING, 0, "text"},
        {"balance", FT_DECIMAL, 0, "numeric(12,2)"},
        {"tier", FT_ENUM, 0, "text"},
        {"phone", FT_STRING, 1, "text"},
        {"signup_date", FT_DATE, 1, "date"},
        {"is_deleted", FT_BOOLEAN, 0, "boolean"},
        {"last_modified", FT_TIMESTAMP_MILLIS, 0, "timestamptz"},
    };
    record_schema_t *rs = NULL;
    char err[256] = "";

    (void)state;
    assert_int_equal(record_schema_load(CUSTOMER, &rs, err, sizeof(err)), 0);
    assert_string_equal(rs->name, "Customer");
    assert_string_equal(rs->namespace, "io.tidemark.demo");
    assert_string_equal(rs->fullname, "io.tidemark.demo.Customer");
    assert_non_null(rs->avro);
    check_fields(rs, want, sizeof(want) / sizeof(want[0]));
    assert_int_equal(rs->fields[4].precision, 12);
    assert_int_equal(rs->fields[4].scale, 2);
    assert_int_equal(record_schema_field_index(rs, "nope"), -1);
    assert_null(record_schema_field(rs, "nope"));
    record_schema_destroy(rs);
}

static void test_kitchen(void **state)
{
    static const struct field_want want[] = {
        {"id", FT_STRING, 0, "text"},
        {"count", FT_INT, 0, "integer"},
        {"big", FT_LONG, 0, "bigint"},
        {"ratio", FT_FLOAT, 0, "real"},
        {"score", FT_DOUBLE, 0, "double precision"},
        {"blob", FT_BYTES, 0, "bytea"},
        {"flag", FT_BOOLEAN, 0, "boolean"},
        {"seen_at", FT_TIMESTAMP_MICROS, 0, "timestamptz"},
        {"address", FT_RECORD, 0, "jsonb"},
        {"tags", FT_ARRAY, 0, "jsonb"},
        {"attrs", FT_MAP, 0, "jsonb"},
        {"prev_address", FT_RECORD, 1, "jsonb"}, /* a named reference */
        {"amount", FT_DECIMAL, 1, "numeric(38,10)"},
        {"color", FT_ENUM, 0, "text"},
        {"note", FT_STRING, 1, "text"}, /* ["string", "null"] */
    };
    record_schema_t *rs = NULL;
    char err[256] = "";

    (void)state;
    assert_int_equal(record_schema_load(KITCHEN, &rs, err, sizeof(err)), 0);
    assert_string_equal(rs->fullname, "test.tidemark.Kitchen");
    check_fields(rs, want, sizeof(want) / sizeof(want[0]));
    record_schema_destroy(rs);
}

static void test_no_namespace_dotted_name(void **state)
{
    record_schema_t *rs = NULL;
    char err[256] = "";

    (void)state;
    assert_int_equal(record_schema_parse("{\"type\":\"record\",\"name\":\"T\","
                                         "\"fields\":[{\"name\":\"a\","
                                         "\"type\":\"int\"}]}",
                                         &rs, err, sizeof(err)),
                     0);
    assert_null(rs->namespace);
    assert_string_equal(rs->fullname, "T");
    record_schema_destroy(rs);

    assert_int_equal(record_schema_parse("{\"type\":\"record\",\"name\":"
                                         "\"a.b.T\",\"namespace\":\"x\","
                                         "\"fields\":[]}",
                                         &rs, err, sizeof(err)),
                     0);
    assert_string_equal(rs->name, "T");
    assert_string_equal(rs->namespace, "a.b");
    assert_string_equal(rs->fullname, "a.b.T");
    assert_int_equal(rs->n_fields, 0);
    record_schema_destroy(rs);
}

#define REC(fields) "{\"type\":\"record\",\"name\":\"R\",\"fields\":[" fields "]}"

static void test_bad_schemas(void **state)
{
    static const struct {
        const char *json;
        const char *err; /* expected in errstr, from the start */
    } cases[] = {
        {"{\"type\":", "schema: line 1"},
        {"\"int\"", "schema: not an Avro record schema"},
        {"{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}",
         "schema: not an Avro record schema"},
        {"{\"type\":\"record\",\"fields\":[]}", "schema: the record has no name"},
        {REC("{\"name\":\"price\",\"type\":{\"type\":\"bytes\","
             "\"logicalType\":\"decimal\"}}"),
         "schema: field 'price': decimal without precision"},
        {REC("{\"name\":\"price\",\"type\":{\"type\":\"bytes\","
             "\"logicalType\":\"decimal\",\"precision\":\"12\"}}"),
         "schema: field 'price': decimal precision must be"},
        {REC("{\"name\":\"price\",\"type\":{\"type\":\"bytes\","
             "\"logicalType\":\"decimal\",\"precision\":4,\"scale\":5}}"),
         "schema: field 'price': decimal scale must be"},
        {REC("{\"name\":\"price\",\"type\":{\"type\":\"string\","
             "\"logicalType\":\"decimal\",\"precision\":4}}"),
         "schema: field 'price': decimal is supported on bytes only"},
        {REC("{\"name\":\"ts\",\"type\":{\"type\":\"int\","
             "\"logicalType\":\"timestamp-millis\"}}"),
         "schema: field 'ts': timestamp-millis must be on long"},
        {REC("{\"name\":\"d\",\"type\":{\"type\":\"long\","
             "\"logicalType\":\"date\"}}"),
         "schema: field 'd': date must be on int"},
        {REC("{\"name\":\"u\",\"type\":[\"null\",\"int\",\"string\"]}"),
         "schema: field 'u': only unions of the form [\"null\", T]"},
        {REC("{\"name\":\"u\",\"type\":[\"int\",\"string\"]}"),
         "schema: field 'u': only unions of the form [\"null\", T]"},
        {REC("{\"name\":\"n\",\"type\":\"null\"}"), "schema: field 'n': a field of type null"},
        {REC("{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\","
             "\"size\":4}}"),
         "schema: field 'f': type fixed is not supported"},
        {REC("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"a\","
             "\"type\":\"long\"}"),
         "schema: "}, /* avro-c or we: either says so */
        {REC("{\"name\":\"x\",\"type\":\"nosuchtype\"}"), "schema: "},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        record_schema_t *rs = (record_schema_t *)1;
        char err[256] = "";
        int rc = record_schema_parse(cases[i].json, &rs, err, sizeof(err));
        if (rc == 0 || strncmp(err, cases[i].err, strlen(cases[i].err)))
            print_error("case %zu: rc %d, err '%s', want '%s'\n", i, rc, err, cases[i].err);
        assert_int_equal(rc, -1);
        assert_null(rs);
        assert_memory_equal(err, cases[i].err, strlen(cases[i].err));
        assert_true(strlen(err) > strlen("schema: "));
    }
}

static void test_load_errors_name_the_file(void **state)
{
    record_schema_t *rs = NULL;
    char err[256] = "";

    (void)state;
    assert_int_equal(record_schema_load("fixtures/bad_decimal.avsc", &rs, err, sizeof(err)), -1);
    assert_null(rs);
    assert_string_equal(err, "fixtures/bad_decimal.avsc: field 'price': "
                             "decimal without precision");

    assert_int_equal(record_schema_load("fixtures/nonexistent.avsc", &rs, err, sizeof(err)), -1);
    assert_string_equal(err, "fixtures/nonexistent.avsc: No such file or "
                             "directory");
}

static void test_sql_type_small_buffer(void **state)
{
    schema_field_t f = {.name = "x", .type = FT_DECIMAL, .precision = 12, .scale = 2};
    char buf[8];

    (void)state;
    /* truncated, never overrun; callers size buffers for numeric(p,s) */
    assert_string_equal(schema_field_sql_type(&f, buf, sizeof(buf)), "numeric");
    assert_string_equal(schema_field_sql_type(&f, NULL, 0), "numeric");
}

/* The Avro type words of messages (the worker's table check, schema
 * evolution's reasons). */
static void test_avro_type(void **state)
{
    static const struct {
        schema_field_t f;
        const char *want;
    } cases[] = {
        {{.type = FT_STRING}, "string"},
        {{.type = FT_INT}, "int"},
        {{.type = FT_TIMESTAMP_MICROS}, "timestamp-micros"},
        {{.type = FT_DATE}, "date"},
        {{.type = FT_DECIMAL, .precision = 12, .scale = 2}, "decimal(12,2)"},
        {{.type = FT_ENUM}, "enum"},
        {{.type = FT_MAP}, "map"},
        {{.type = (field_type_t)99}, "?"},
    };
    char buf[32];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(schema_field_avro_type(&cases[i].f, buf, sizeof(buf)), cases[i].want);
    assert_string_equal(schema_field_avro_type(&cases[4].f, NULL, 0), "decimal");
}

/* A field's named type is resolved once, with the schema: a reference by
 * name gives the definition, an inline type itself, a primitive's name
 * nothing (converted by its Avro type). The converters read it per record
 * instead of walking the schema's JSON for every field of every record. */
static void test_type_resolved(void **state)
{
    static const char *avsc =
        "{\"type\": \"record\", \"name\": \"R\", \"namespace\": \"x\", \"fields\": ["
        "{\"name\": \"a\", \"type\": {\"type\": \"enum\", \"name\": \"Status\","
        " \"symbols\": [\"ON\", \"OFF\"]}},"
        "{\"name\": \"b\", \"type\": \"x.Status\"},"
        "{\"name\": \"c\", \"type\": [\"null\", \"Status\"]},"
        "{\"name\": \"d\", \"type\": \"string\"},"
        "{\"name\": \"e\", \"type\": {\"type\": \"long\","
        " \"logicalType\": \"timestamp-millis\"}}]}";
    record_schema_t *rs = NULL;
    char err[256] = "";

    (void)state;
    assert_int_equal(record_schema_parse(avsc, &rs, err, sizeof(err)), 0);
    const json_t *def = rs->fields[0].type_json;
    assert_ptr_equal(rs->fields[0].type_resolved, def);
    assert_ptr_equal(rs->fields[1].type_resolved, def);
    assert_ptr_equal(rs->fields[2].type_resolved, def);
    assert_null(rs->fields[3].type_resolved);
    assert_ptr_equal(rs->fields[4].type_resolved, rs->fields[4].type_json);
    for (size_t i = 0; i < rs->n_fields; i++)
        assert_ptr_equal(rs->fields[i].type_resolved,
                         schema_resolve_type(rs->json_doc, rs->fields[i].type_json));
    assert_ptr_equal(schema_resolve_type(NULL, rs->fields[1].type_json), rs->fields[1].type_json);
    record_schema_destroy(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customer),
        cmocka_unit_test(test_kitchen),
        cmocka_unit_test(test_no_namespace_dotted_name),
        cmocka_unit_test(test_bad_schemas),
        cmocka_unit_test(test_load_errors_name_the_file),
        cmocka_unit_test(test_sql_type_small_buffer),
        cmocka_unit_test(test_avro_type),
        cmocka_unit_test(test_type_resolved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
