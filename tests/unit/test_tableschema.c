/*
 * test_tableschema.c - a stream's table following its schema: PostgreSQL's
 * 63-byte identifiers (how a name is cut, two fields that become one
 * column, a long field with and without a matching column) and the plan
 * for an existing table (new columns, widenings, incompatible changes,
 * removed fields), its bookkeeping columns and the index ON CONFLICT needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "sqlgen.h"
#include "strbuf.h"
#include "tableschema.h"

/* 72 bytes; the first 63 are "a_field_name_that_is_far_too_long_for_a_postgres_identifier_abc" */
#define LONG72 "a_field_name_that_is_far_too_long_for_a_postgres_identifier_abcdefghijkl"
#define CUT63  "a_field_name_that_is_far_too_long_for_a_postgres_identifier_abc"

static record_schema_t *parse(const char *json)
{
    record_schema_t *rs = NULL;
    char err[256] = "";

    if (record_schema_parse(json, &rs, err, sizeof(err)) != 0)
        print_error("%s\n", err);
    assert_non_null(rs);
    return rs;
}

static void test_ident_len(void **state)
{
    char s[200];

    (void)state;
    assert_int_equal(strlen(LONG72), 72);
    assert_int_equal(strlen(CUT63), 63);
    assert_int_equal(strbuf_ident_len("id"), 2);
    assert_int_equal(strbuf_ident_len(CUT63), 63);
    assert_int_equal(strbuf_ident_len(LONG72), 63);
    /* a two-byte character across byte 63 is dropped whole */
    memset(s, 'x', 62);
    strcpy(s + 62, "\xc3\xa9tail"); /* 'é' at bytes 62-63 */
    assert_int_equal(strbuf_ident_len(s), 62);
    memset(s, 'x', 61);
    strcpy(s + 61, "\xc3\xa9tail"); /* 'é' at bytes 61-62 */
    assert_int_equal(strbuf_ident_len(s), 63);

    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_append_ident(&sb, LONG72);
    char *q = strbuf_take(&sb);
    assert_string_equal(q, "\"" CUT63 "\"");
    free(q);
}

static const char SCHEMA_FMT[] =
    "{\"type\":\"record\",\"name\":\"T\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"%s\"},"
    "{\"name\":\"amount\",\"type\":%s},"
    "{\"name\":\"%s\",\"type\":[\"null\",\"string\"],\"default\":null},"
    "{\"name\":\"at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";

static void build(stream_sql_t *ss, const char *id_type, const char *amount, const char *third,
                  record_schema_t **rs)
{
    char json[1024], err[256] = "";

    snprintf(json, sizeof(json), SCHEMA_FMT, id_type, amount, third);
    *rs = parse(json);
    if (stream_sql_build(*rs, "t", "id", DELETE_MODE_HARD, 0, ss, err, sizeof(err)) != 0)
        print_error("%s\n", err);
    assert_non_null(ss->table);
}

static void test_columns(void **state)
{
    record_schema_t *rs;
    stream_sql_t ss;

    (void)state;
    build(&ss, "long",
          "{\"type\":\"bytes\",\"logicalType\":\"decimal\","
          "\"precision\":12,\"scale\":2}",
          LONG72, &rs);
    assert_int_equal(ss.n_columns, 4);
    assert_string_equal(ss.columns[0].type, "bigint");
    assert_true(ss.columns[0].is_id);
    assert_string_equal(ss.columns[1].type, "numeric(12,2)");
    assert_string_equal(ss.columns[1].avro, "decimal(12,2)");
    assert_string_equal(ss.columns[2].field, LONG72);
    assert_string_equal(ss.columns[2].column, CUT63);
    assert_string_equal(ss.columns[3].type, "timestamp with time zone");
    assert_string_equal(ss.columns[3].avro, "timestamp-millis");
    assert_string_equal(ss.tombstones, "\"t__tombstones\"");
    /* the statements name the column PostgreSQL has */
    assert_non_null(strstr(ss.upsert, "\"" CUT63 "\""));
    assert_null(strstr(ss.upsert, LONG72));
    stream_sql_clear(&ss);
    record_schema_destroy(rs);
}

/* Two fields whose first 63 bytes are equal are one column: refused. */
static void test_cut_collision(void **state)
{
    static const char json[] = "{\"type\":\"record\",\"name\":\"T\",\"fields\":["
                               "{\"name\":\"id\",\"type\":\"long\"},"
                               "{\"name\":\"" CUT63 "\",\"type\":\"string\"},"
                               "{\"name\":\"" LONG72 "\",\"type\":\"string\"}]}";
    record_schema_t *rs = parse(json);
    stream_sql_t ss;
    char err[512] = "";

    (void)state;
    assert_int_equal(stream_sql_build(rs, "t", "id", DELETE_MODE_SOFT, 0, &ss, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "fields '" CUT63 "' and '" LONG72 "'"));
    assert_non_null(strstr(err, "first 63 bytes"));
    record_schema_destroy(rs);
}

static const char DEC[] =
    "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":12,\"scale\":2}";

static void test_plan(void **state)
{
    static const struct {
        const char *id_type, *amount, *third;
        table_col_t cols[6];
        size_t n_cols;
        int exists;
        const char *err; /* expected error substrings, or NULL */
        const char *err2;
        const char *actions; /* "add:COLUMN alter:COLUMN:FROM" */
    } cases[] = {
        /* a new table: only name lengths matter */
        {"long", "\"int\"", "note", {{0}}, 0, 0, NULL, NULL, ""},
        {"long", "\"int\"", LONG72, {{0}}, 0, 0, "field '" LONG72 "'", "does not exist yet", NULL},
        /* the same columns: nothing */
        {"long",
         "\"int\"",
         "note",
         {{"id", "bigint"},
          {"amount", "integer"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         NULL,
         NULL,
         ""},
        /* an added field */
        {"long",
         "\"int\"",
         "note",
         {{"id", "bigint"}, {"amount", "integer"}, {"at", "timestamp with time zone"}},
         3,
         1,
         NULL,
         NULL,
         "add:note "},
        /* a removed field's column stays, unmentioned */
        {"long",
         "\"int\"",
         "note",
         {{"id", "bigint"},
          {"amount", "integer"},
          {"note", "text"},
          {"gone", "text"},
          {"at", "timestamp with time zone"}},
         5,
         1,
         NULL,
         NULL,
         ""},
        /* widenings */
        {"long",
         "\"long\"",
         "note",
         {{"id", "integer"},
          {"amount", "integer"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         NULL,
         NULL,
         "alter:id:integer alter:amount:integer "},
        {"long",
         "\"double\"",
         "note",
         {{"id", "bigint"},
          {"amount", "real"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         NULL,
         NULL,
         "alter:amount:real "},
        {"long",
         "\"float\"",
         "note",
         {{"id", "bigint"},
          {"amount", "bigint"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         NULL,
         NULL,
         "alter:amount:bigint "},
        {"long",
         DEC,
         "note",
         {{"id", "bigint"},
          {"amount", "numeric(10,2)"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         NULL,
         NULL,
         "alter:amount:numeric(10,2) "},
        /* narrowing and other changes: refused, naming field and types */
        {"long",
         "\"int\"",
         "note",
         {{"id", "bigint"},
          {"amount", "bigint"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         "field 'amount' changed type incompatibly",
         "column \"amount\" of type bigint, the schema now says int (column type integer)",
         NULL},
        {"long",
         "\"string\"",
         "note",
         {{"id", "bigint"},
          {"amount", "integer"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         "field 'amount'",
         "of type integer, the schema now says string (column type text)",
         NULL},
        {"long",
         DEC,
         "note",
         {{"id", "bigint"},
          {"amount", "numeric(12,3)"},
          {"note", "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         "field 'amount'",
         "numeric(12,3), the schema now says decimal(12,2)",
         NULL},
        {"long",
         "\"double\"",
         "note",
         {{"id", "bigint"},
          {"amount", "double precision"},
          {"note", "text"},
          {"at", "timestamp without time zone"}},
         4,
         1,
         "field 'at'",
         "timestamp without time zone",
         NULL},
        /* a long field: refused unless its cut name is a column */
        {"long",
         "\"int\"",
         LONG72,
         {{"id", "bigint"}, {"amount", "integer"}, {"at", "timestamp with time zone"}},
         3,
         1,
         "field '" LONG72 "'",
         "no column named its first 63 bytes",
         NULL},
        {"long",
         "\"int\"",
         LONG72,
         {{"id", "bigint"},
          {"amount", "integer"},
          {CUT63, "text"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         NULL,
         NULL,
         ""},
        {"long",
         "\"int\"",
         LONG72,
         {{"id", "bigint"},
          {"amount", "integer"},
          {CUT63, "integer"},
          {"at", "timestamp with time zone"}},
         4,
         1,
         "field '" LONG72 "'",
         "of type integer",
         NULL},
        /* a table without the id column was not made for this stream */
        {"long",
         "\"int\"",
         "note",
         {{"amount", "integer"}},
         1,
         1,
         "no column \"id\" for the id field",
         NULL,
         NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        record_schema_t *rs;
        stream_sql_t ss;
        ts_action_t acts[8];
        size_t n = 99;
        char err[1024] = "", got[512] = "";

        build(&ss, cases[i].id_type, cases[i].amount, cases[i].third, &rs);
        int rc = tableschema_plan(&ss, cases[i].exists, cases[i].cols, cases[i].n_cols, acts, &n,
                                  err, sizeof(err));
        if (cases[i].err) {
            if (rc != -1 || !strstr(err, cases[i].err) ||
                (cases[i].err2 && !strstr(err, cases[i].err2)))
                print_error("case %zu: rc %d err '%s'\n", i, rc, err);
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, cases[i].err));
            if (cases[i].err2)
                assert_non_null(strstr(err, cases[i].err2));
        } else {
            if (rc != 0)
                print_error("case %zu: %s\n", i, err);
            assert_int_equal(rc, 0);
            for (size_t k = 0; k < n; k++) {
                size_t l = strlen(got);
                if (acts[k].kind == TS_ADD_COLUMN)
                    snprintf(got + l, sizeof(got) - l, "add:%s ", acts[k].col->column);
                else
                    snprintf(got + l, sizeof(got) - l, "alter:%s:%s ", acts[k].col->column,
                             acts[k].from_type);
            }
            if (strcmp(got, cases[i].actions))
                print_error("case %zu: actions '%s'\n", i, got);
            assert_string_equal(got, cases[i].actions);
        }
        stream_sql_clear(&ss);
        record_schema_destroy(rs);
    }
}

static void test_widens(void **state)
{
    (void)state;
    assert_true(tableschema_widens("integer", "bigint"));
    assert_true(tableschema_widens("integer", "double precision"));
    assert_true(tableschema_widens("bigint", "real"));
    assert_true(tableschema_widens("real", "double precision"));
    assert_true(tableschema_widens("numeric(5,2)", "numeric(6,2)"));
    assert_false(tableschema_widens("bigint", "integer"));
    assert_false(tableschema_widens("double precision", "real"));
    assert_false(tableschema_widens("text", "bytea"));
    assert_false(tableschema_widens("numeric(6,2)", "numeric(5,2)"));
    assert_false(tableschema_widens("numeric(5,2)", "numeric(6,3)"));
    assert_false(tableschema_widens("numeric(5,2)x", "numeric(6,2)"));
    assert_false(tableschema_widens("numeric", "numeric(6,2)"));
    /* uuid, time and timestamp: no ALTER to or from them (README) */
    assert_false(tableschema_widens("text", "uuid"));
    assert_false(tableschema_widens("uuid", "text"));
    assert_false(tableschema_widens("integer", "time without time zone"));
    assert_false(tableschema_widens("bigint", "time without time zone"));
    assert_false(tableschema_widens("timestamp with time zone", "timestamp without time zone"));
    assert_false(tableschema_widens("timestamp without time zone", "timestamp with time zone"));
    assert_false(tableschema_widens("bigint", "timestamp without time zone"));
}

/* A table without the worker's bookkeeping columns is refused, naming
 * them; _produced_at alone may be missing (it is added at start). */
static void test_bookkeeping(void **state)
{
    static const table_col_t all[] = {{"id", "bigint"},
                                      {"_source_ts", "timestamp with time zone"},
                                      {"_deleted", "boolean"},
                                      {"_deleted_at", "timestamp with time zone"},
                                      {"_kafka_partition", "integer"},
                                      {"_kafka_offset", "bigint"},
                                      {"_synced_at", "timestamp with time zone"}};
    static const struct {
        size_t n_cols; /* the first n of all */
        const char *missing;
    } cases[] = {
        {7, NULL},
        {6, "_synced_at"},
        {1, "_source_ts, _deleted, _deleted_at, _kafka_partition, _kafka_offset, _synced_at"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        record_schema_t *rs;
        stream_sql_t ss;
        char err[1024] = "";
        build(&ss, "long", "\"int\"", "note", &rs);
        int rc = tableschema_check_bookkeeping(&ss, all, cases[i].n_cols, err, sizeof(err));
        if (!cases[i].missing) {
            assert_int_equal(rc, 0);
        } else {
            char want[300];
            snprintf(want, sizeof(want), "has no column %s,", cases[i].missing);
            if (rc != -1 || !strstr(err, want))
                fail_msg("case %zu: rc %d err '%s'", i, rc, err);
        }
        stream_sql_clear(&ss);
        record_schema_destroy(rs);
    }
}

/* The upsert's ON CONFLICT (id) needs a unique index on exactly the id
 * column: another stream's key on the same table, a composite, partial,
 * deferrable or expression index, or none at all, is refused at start. */
static void test_arbiter(void **state)
{
    static const struct {
        table_index_t idx[3];
        size_t n_idx;
        const char *err2; /* NULL: accepted; else what the error says besides */
    } cases[] = {
        {{{"id", 1, 0, 0, 0, 1}}, 1, NULL},
        /* the usable one need not be the first */
        {{{"email", 1, 0, 0, 0, 1}, {"id", 2, 0, 0, 0, 1}, {"id", 1, 0, 0, 0, 1}}, 3, NULL},
        {{{0}}, 0, ""},
        {{{"email", 1, 0, 0, 0, 1}}, 1, ""},
        {{{"id", 2, 0, 0, 0, 1}}, 1, "(its unique index on \"id\" is on more columns than it)"},
        {{{"id", 1, 1, 0, 0, 1}}, 1, "is deferrable"},
        {{{"id", 1, 0, 1, 0, 1}}, 1, "is partial"},
        {{{"id", 1, 0, 0, 0, 0}}, 1, "is not valid"},
        /* (lower(id)): its key is no column */
        {{{"", 1, 0, 0, 1, 1}}, 1, ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        record_schema_t *rs;
        stream_sql_t ss;
        char err[1024] = "";
        build(&ss, "long", "\"int\"", "note", &rs);
        ss.stream = "orders2";
        int rc = tableschema_check_arbiter(&ss, ss.table, cases[i].idx, cases[i].n_idx, err,
                                           sizeof(err));
        if (!cases[i].err2) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, err);
        } else if (rc != -1 ||
                   !strstr(err, "table \"t\" has no primary key or unique index on exactly "
                                "(\"id\"), the id.field of stream orders2") ||
                   !strstr(err, cases[i].err2) || (!*cases[i].err2 && strstr(err, "its unique"))) {
            fail_msg("case %zu: rc %d err '%s'", i, rc, err);
        }
        stream_sql_clear(&ss);
        record_schema_destroy(rs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ident_len),     cmocka_unit_test(test_columns),
        cmocka_unit_test(test_cut_collision), cmocka_unit_test(test_plan),
        cmocka_unit_test(test_widens),        cmocka_unit_test(test_bookkeeping),
        cmocka_unit_test(test_arbiter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
