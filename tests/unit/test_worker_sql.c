/*
 * test_worker_sql.c - the SQL text the worker generates for a stream
 * table (columns, types, quoting, version guard, soft and hard deletes),
 * identifier quoting, and the sorting of PostgreSQL errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "schema.h"
#include "sqlgen.h"
#include "strbuf.h"

/* Mixed case and a keyword as field names: both must stay quoted. */
static const char *const ODD_SCHEMA =
    "{\"type\":\"record\",\"name\":\"Odd\",\"fields\":["
    "{\"name\":\"Key\",\"type\":\"string\"},"
    "{\"name\":\"select\",\"type\":[\"null\",\"long\"],\"default\":null},"
    "{\"name\":\"lastName\",\"type\":{\"type\":\"bytes\","
    "\"logicalType\":\"decimal\",\"precision\":10,\"scale\":3}}]}";

static record_schema_t *parse(const char *json)
{
    record_schema_t *rs = NULL;
    char err[256] = "";

    assert_int_equal(record_schema_parse(json, &rs, err, sizeof(err)), 0);
    return rs;
}

static void test_ident_quoting(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"plain", "\"plain\""}, {"MixedCase", "\"MixedCase\""}, {"we\"ird", "\"we\"\"ird\""},
        {"\"", "\"\"\"\""},     {"sp ace;--", "\"sp ace;--\""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        strbuf_t sb;
        char *s;

        strbuf_init(&sb);
        strbuf_append_ident(&sb, cases[i].in);
        s = strbuf_take(&sb);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
}

static void test_table_names(void **state)
{
    static const struct {
        const char *table, *suffix, *want;
    } cases[] = {
        {"customers", "", "\"customers\""},
        {"app.Customers", "", "\"app\".\"Customers\""},
        {"app.Customers", "__tombstones", "\"app\".\"Customers__tombstones\""},
        {"t\"x", "", "\"t\"\"x\""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        strbuf_t sb;
        char *s;

        strbuf_init(&sb);
        sqlgen_append_table(&sb, cases[i].table, cases[i].suffix);
        s = strbuf_take(&sb);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
}

/* The version guards (sqlgen.h). A Kafka tombstone B comes after stored A
 * in the topic: */
#define LOG_GUARD(A, B)                                                                            \
    "CASE WHEN " A ".\"_kafka_partition\" = " B ".\"_kafka_partition\" THEN " A                    \
    ".\"_kafka_offset\" < " B ".\"_kafka_offset\" ELSE (COALESCE(" A                               \
    ".\"_produced_at\", '-infinity'), " A ".\"_kafka_offset\") < (" B ".\"_produced_at\", " B      \
    ".\"_kafka_offset\") END"

/* Stored A is older than event B. A row a tombstone alone left: in one
 * partition B comes later in the topic or was produced later; else it was
 * produced later. Any other by its source version. */
#define GUARD(A, B)                                                                                \
    "CASE WHEN " A ".\"_source_ts\" = '-infinity' THEN CASE WHEN " A ".\"_kafka_partition\" = " B  \
    ".\"_kafka_partition\" THEN (" A ".\"_kafka_offset\" < " B ".\"_kafka_offset\" OR COALESCE(" A \
    ".\"_produced_at\", '-infinity') < " B ".\"_produced_at\") ELSE (COALESCE(" A                  \
    ".\"_produced_at\", '-infinity'), " A ".\"_kafka_offset\") < (" B ".\"_produced_at\", " B      \
    ".\"_kafka_offset\") END ELSE (COALESCE(" A ".\"_source_ts\", '-infinity'), COALESCE(" A       \
    ".\"_produced_at\", '-infinity'), COALESCE(" A ".\"_kafka_offset\", -1)) < (" B                \
    ".\"_source_ts\", " B ".\"_produced_at\", " B ".\"_kafka_offset\") END"

/* The stage of table "Odd Things": named after the FNV-1a hash of the
 * table, id field, delete mode and field names. */
#define STAGE_HASH "c16b9df58f82bff4"
#define STAGE      "pg_temp.\"tm_stage_" STAGE_HASH "\""
/* ... and of "s.odd" */
#define ODD_HASH "fd22905ad497a325"

static void test_soft_statements(void **state)
{
    record_schema_t *rs = parse(ODD_SCHEMA);
    stream_sql_t ss;
    char err[256] = "";

    (void)state;
    assert_int_equal(
        stream_sql_build(rs, "Odd Things", "Key", DELETE_MODE_SOFT, 0, &ss, err, sizeof(err)), 0);
    assert_string_equal(ss.table, "\"Odd Things\"");
    assert_string_equal(ss.create_table,
                        "CREATE TABLE IF NOT EXISTS \"Odd Things\" (\"Key\" text NOT NULL "
                        "PRIMARY KEY, \"select\" bigint, \"lastName\" numeric(10,3), "
                        "\"_source_ts\" timestamptz NOT NULL, \"_deleted\" boolean NOT NULL "
                        "DEFAULT false, \"_deleted_at\" timestamptz, \"_kafka_partition\" "
                        "integer, \"_kafka_offset\" bigint, \"_synced_at\" timestamptz, "
                        "\"_produced_at\" timestamptz)");
    assert_null(ss.create_tombstones);
    /* the stage: the table's own column types, emptied at commit */
    assert_string_equal(ss.stage, STAGE);
    assert_string_equal(ss.create_stage,
                        "CREATE TEMPORARY TABLE IF NOT EXISTS " STAGE " ON COMMIT DELETE ROWS "
                        "AS SELECT \"Key\", \"select\", \"lastName\", \"_source_ts\", "
                        "\"_kafka_partition\", \"_kafka_offset\", \"_produced_at\" FROM "
                        "\"Odd Things\" WITH NO DATA");
    assert_string_equal(ss.copy_rows, "COPY " STAGE " (\"Key\", \"select\", \"lastName\", "
                                      "\"_source_ts\", \"_kafka_partition\", "
                                      "\"_kafka_offset\", \"_produced_at\") FROM STDIN");
    assert_string_equal(ss.copy_keys, "COPY " STAGE " (\"Key\", \"_source_ts\", "
                                      "\"_kafka_partition\", \"_kafka_offset\", "
                                      "\"_produced_at\") FROM STDIN");
    assert_string_equal(ss.upsert_name, "tm_" STAGE_HASH "_upsert");
    assert_string_equal(ss.delete_name, "tm_" STAGE_HASH "_delete");
    assert_string_equal(ss.tombstone_name, "tm_" STAGE_HASH "_tombstone");
    assert_string_equal(ss.upsert,
                        "WITH r AS (SELECT * FROM " STAGE " AS r) "
                        "INSERT INTO \"Odd Things\" AS cur (\"Key\", \"select\", \"lastName\", "
                        "\"_source_ts\", \"_deleted\", \"_deleted_at\", \"_kafka_partition\", "
                        "\"_kafka_offset\", \"_produced_at\", \"_synced_at\") SELECT r.\"Key\", "
                        "r.\"select\", r.\"lastName\", r.\"_source_ts\", false, NULL, "
                        "r.\"_kafka_partition\", r.\"_kafka_offset\", r.\"_produced_at\", now() "
                        "FROM r ON CONFLICT (\"Key\") DO UPDATE SET "
                        "\"select\" = EXCLUDED.\"select\", \"lastName\" = EXCLUDED.\"lastName\", "
                        "\"_source_ts\" = EXCLUDED.\"_source_ts\", \"_deleted\" = false, "
                        "\"_deleted_at\" = NULL, \"_kafka_partition\" = "
                        "EXCLUDED.\"_kafka_partition\", \"_kafka_offset\" = "
                        "EXCLUDED.\"_kafka_offset\", \"_produced_at\" = "
                        "EXCLUDED.\"_produced_at\", \"_synced_at\" = EXCLUDED.\"_synced_at\" "
                        "WHERE " GUARD("cur", "EXCLUDED"));
    assert_string_equal(
        ss.delete_rows,
        "WITH ev AS (SELECT r.\"Key\" AS id, "
        "r.\"_source_ts\", r.\"_kafka_partition\", r.\"_kafka_offset\", "
        "r.\"_produced_at\" FROM " STAGE " AS r), "
        /* a row that exists: an UPDATE, which no NOT NULL
         * of a user's on a data column refuses */
        "upd AS (UPDATE \"Odd Things\" AS cur SET \"_source_ts\" = "
        "ev.\"_source_ts\", \"_deleted\" = true, \"_deleted_at\" = "
        "ev.\"_source_ts\", \"_kafka_partition\" = ev.\"_kafka_partition\", "
        "\"_kafka_offset\" = ev.\"_kafka_offset\", \"_produced_at\" = "
        "ev.\"_produced_at\", \"_synced_at\" = now() FROM ev WHERE "
        "cur.\"Key\" = ev.id AND " GUARD(
            "cur", "ev") " RETURNING 1) "
                         "INSERT INTO \"Odd Things\" AS cur (\"Key\", \"_source_ts\", "
                         "\"_deleted\", \"_deleted_at\", \"_kafka_partition\", "
                         "\"_kafka_offset\", \"_produced_at\", \"_synced_at\") SELECT id, "
                         "\"_source_ts\", true, \"_source_ts\", \"_kafka_partition\", "
                         "\"_kafka_offset\", \"_produced_at\", now() FROM ev "
                         "WHERE NOT EXISTS (SELECT 1 FROM \"Odd Things\" AS x WHERE "
                         "x.\"Key\" = ev.id) ON CONFLICT (\"Key\") DO UPDATE SET \"_source_ts\" = "
                         "EXCLUDED.\"_source_ts\", \"_deleted\" = true, \"_deleted_at\" = "
                         "EXCLUDED.\"_deleted_at\", \"_kafka_partition\" = "
                         "EXCLUDED.\"_kafka_partition\", \"_kafka_offset\" = "
                         "EXCLUDED.\"_kafka_offset\", \"_produced_at\" = "
                         "EXCLUDED.\"_produced_at\", \"_synced_at\" = EXCLUDED.\"_synced_at\" "
                         "WHERE " GUARD("cur", "EXCLUDED"));
    /* a Kafka tombstone: never over a deleted row, ordered by the topic */
    assert_non_null(strstr(ss.tombstone_rows, "WITH ev AS (SELECT "
                                              "r.\"Key\" AS id, r.\"_kafka_partition\", "
                                              "r.\"_kafka_offset\", r.\"_produced_at\" "
                                              "FROM " STAGE " AS r), upd AS (UPDATE "));
    assert_non_null(strstr(ss.tombstone_rows,
                           "cur.\"Key\" = ev.id AND cur.\"_deleted\" IS NOT TRUE AND " LOG_GUARD(
                               "cur", "ev") " RETURNING 1) "));
    assert_non_null(
        strstr(ss.tombstone_rows, " WHERE NOT EXISTS (SELECT 1 FROM \"Odd Things\" AS x"));
    assert_non_null(strstr(ss.tombstone_rows, "'-infinity', true, \"_produced_at\""));
    assert_non_null(strstr(ss.tombstone_rows, " WHERE cur.\"_deleted\" IS NOT TRUE AND " LOG_GUARD(
                                                  "cur", "EXCLUDED")));
    assert_string_equal(ss.add_produced_at, "ALTER TABLE \"Odd Things\" ADD COLUMN IF NOT EXISTS "
                                            "\"_produced_at\" timestamptz");
    assert_null(ss.add_produced_at_tombstones);
    stream_sql_clear(&ss);
    /* a table another stream writes too: a tombstone is ordered by
     * production alone (the row's offset may be another topic's) */
    char err2[256];
    assert_int_equal(
        stream_sql_build(rs, "Odd Things", "Key", DELETE_MODE_SOFT, 1, &ss, err2, sizeof(err2)), 0);
    assert_null(strstr(ss.tombstone_rows, "CASE WHEN cur.\"_kafka_partition\""));
    assert_null(strstr(ss.upsert, "CASE WHEN cur.\"_kafka_partition\""));
    assert_non_null(strstr(ss.upsert, "CASE WHEN cur.\"_source_ts\" = '-infinity' THEN "
                                      "(COALESCE(cur.\"_produced_at\", '-infinity'), "));
    assert_non_null(
        strstr(ss.tombstone_rows,
               " WHERE cur.\"_deleted\" IS NOT TRUE AND (COALESCE(cur.\"_produced_at\", "
               "'-infinity'), cur.\"_kafka_offset\") < (EXCLUDED.\"_produced_at\", "
               "EXCLUDED.\"_kafka_offset\")"));
    stream_sql_clear(&ss);
    record_schema_destroy(rs);
}

static void test_hard_statements(void **state)
{
    record_schema_t *rs = parse(ODD_SCHEMA);
    stream_sql_t ss;
    char err[256] = "";

    (void)state;
    assert_int_equal(
        stream_sql_build(rs, "s.odd", "Key", DELETE_MODE_HARD, 0, &ss, err, sizeof(err)), 0);
    assert_string_equal(ss.create_tombstones,
                        "CREATE TABLE IF NOT EXISTS \"s\".\"odd__tombstones\" "
                        "(\"Key\" text NOT NULL PRIMARY KEY, \"_source_ts\" "
                        "timestamptz NOT NULL, \"_kafka_partition\" integer, "
                        "\"_kafka_offset\" bigint, \"_produced_at\" timestamptz)");
    /* the upsert must not resurrect a row whose tombstone is as new */
    assert_non_null(strstr(
        ss.upsert, " WHERE NOT EXISTS (SELECT 1 FROM \"s\".\"odd__tombstones\" "
                   "AS d WHERE d.\"Key\" = r.\"Key\" AND NOT " GUARD("d", "r") ") ON CONFLICT"));
    assert_string_equal(
        ss.delete_rows,
        "WITH ev AS (SELECT r.\"Key\" AS id, r.\"_source_ts\", r.\"_kafka_partition\", "
        "r.\"_kafka_offset\", r.\"_produced_at\" FROM pg_temp.\"tm_stage_" ODD_HASH
        "\" AS r), tomb "
        "AS (INSERT INTO \"s\".\"odd__tombstones\" AS d (\"Key\", "
        "\"_source_ts\", \"_kafka_partition\", \"_kafka_offset\", "
        "\"_produced_at\") SELECT id, \"_source_ts\", \"_kafka_partition\", "
        "\"_kafka_offset\", \"_produced_at\" FROM ev ON "
        "CONFLICT (\"Key\") DO UPDATE SET \"_source_ts\" = "
        "EXCLUDED.\"_source_ts\", \"_kafka_partition\" = "
        "EXCLUDED.\"_kafka_partition\", \"_kafka_offset\" = "
        "EXCLUDED.\"_kafka_offset\", \"_produced_at\" = "
        "EXCLUDED.\"_produced_at\" WHERE " GUARD(
            "d", "EXCLUDED") " RETURNING 1) DELETE FROM \"s\".\"odd\" AS "
                             "cur USING ev WHERE cur.\"Key\" = ev.id AND " GUARD("cur", "ev"));
    /* a Kafka tombstone removes only a row that came before it */
    assert_non_null(strstr(ss.tombstone_rows,
                           "gone AS (DELETE FROM \"s\".\"odd\" AS cur USING ev "
                           "WHERE cur.\"Key\" = ev.id AND " LOG_GUARD("cur", "ev")));
    assert_non_null(
        strstr(ss.add_produced_at_tombstones, "ALTER TABLE \"s\".\"odd__tombstones\" ADD COLUMN"));
    stream_sql_clear(&ss);
    record_schema_destroy(rs);
}

/* Two streams may write one table with other schemas: each gets a stage
 * and statements of its own (a shared name made the first one prepared
 * apply the other's rows, setting its missing columns to NULL); the same
 * schema on the same table shares them. */
static void test_stage_names_per_schema(void **state)
{
    (void)state;
    static const char *with_email =
        "{\"type\":\"record\",\"name\":\"C\",\"fields\":[{\"name\":\"id\",\"type\":"
        "\"long\"},{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"email\","
        "\"type\":\"string\"}]}";
    static const char *without_email =
        "{\"type\":\"record\",\"name\":\"C\",\"fields\":[{\"name\":\"id\",\"type\":"
        "\"long\"},{\"name\":\"name\",\"type\":\"string\"}]}";
    record_schema_t *a = parse(with_email), *b = parse(without_email), *a2 = parse(with_email);
    char err[256] = "";
    stream_sql_t sa, sb, sa2;
    assert_int_equal(stream_sql_build(a, "t", "id", DELETE_MODE_SOFT, 0, &sa, err, sizeof(err)), 0);
    assert_int_equal(stream_sql_build(b, "t", "id", DELETE_MODE_SOFT, 0, &sb, err, sizeof(err)), 0);
    assert_int_equal(stream_sql_build(a2, "t", "id", DELETE_MODE_SOFT, 0, &sa2, err, sizeof(err)),
                     0);
    assert_string_not_equal(sa.stage, sb.stage);
    assert_string_not_equal(sa.upsert_name, sb.upsert_name);
    assert_string_not_equal(sa.delete_name, sb.delete_name);
    assert_string_not_equal(sa.tombstone_name, sb.tombstone_name);
    assert_string_equal(sa.stage, sa2.stage);
    assert_string_equal(sa.upsert_name, sa2.upsert_name);
    stream_sql_clear(&sa);
    stream_sql_clear(&sb);
    stream_sql_clear(&sa2);
    record_schema_destroy(a);
    record_schema_destroy(b);
    record_schema_destroy(a2);
}

static void test_customer_schema_file(void **state)
{
    record_schema_t *rs = NULL;
    stream_sql_t ss;
    char err[256] = "";

    (void)state;
    assert_int_equal(record_schema_load("../../schemas/customer.avsc", &rs, err, sizeof(err)), 0);
    assert_int_equal(
        stream_sql_build(rs, "customers", "id", DELETE_MODE_SOFT, 0, &ss, err, sizeof(err)), 0);
    assert_non_null(strstr(ss.create_table, "\"id\" bigint NOT NULL PRIMARY KEY, \"name\" text, "));
    assert_non_null(strstr(ss.create_table, "\"balance\" numeric(12,2), "));
    assert_non_null(strstr(ss.create_table, "\"last_modified\" timestamptz, "));
    stream_sql_clear(&ss);
    record_schema_destroy(rs);
}

static void test_build_errors(void **state)
{
    static const struct {
        const char *schema, *table, *id, *want;
    } cases[] = {
        {NULL, "t", "nope", "id.field 'nope' is not a field of Odd"},
        {NULL, "", "Key", "empty table name"},
        {"{\"type\":\"record\",\"name\":\"B\",\"fields\":["
         "{\"name\":\"id\",\"type\":\"string\"},"
         "{\"name\":\"_deleted\",\"type\":\"boolean\"}]}",
         "t", "id",
         "field '_deleted' of B collides with the worker's bookkeeping "
         "column of that name"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        record_schema_t *rs = parse(cases[i].schema ? cases[i].schema : ODD_SCHEMA);
        stream_sql_t ss;
        char err[256] = "";

        assert_int_equal(stream_sql_build(rs, cases[i].table, cases[i].id, DELETE_MODE_SOFT, 0, &ss,
                                          err, sizeof(err)),
                         -1);
        assert_string_equal(err, cases[i].want);
        assert_null(ss.upsert);
        record_schema_destroy(rs);
    }
}

static void test_classify_sqlstate(void **state)
{
    static const struct {
        const char *state;
        int connection_ok;
        pg_status_t want;
    } cases[] = {
        {"22P02", 1, PG_DATA},      /* invalid text representation */
        {"23502", 1, PG_DATA},      /* not null violation */
        {"22003", 1, PG_DATA},      /* numeric value out of range */
        {"22008", 1, PG_DATA},      /* datetime field overflow */
        {"21000", 1, PG_DATA},      /* ON CONFLICT touches a row twice */
        {"54000", 1, PG_DATA},      /* index row / jsonb too large */
        {"54001", 1, PG_DATA},      /* statement too complex */
        {"08006", 1, PG_TRANSIENT}, /* connection failure */
        {"08000", 1, PG_TRANSIENT}, /* connection exception */
        {"40001", 1, PG_TRANSIENT}, /* serialization failure */
        {"40P01", 1, PG_TRANSIENT}, /* deadlock */
        {"57P01", 1, PG_TRANSIENT}, /* admin shutdown */
        {"57P02", 1, PG_TRANSIENT}, /* crash shutdown */
        {"57P03", 1, PG_TRANSIENT}, /* cannot connect now */
        {"57014", 1, PG_TRANSIENT}, /* statement timeout */
        {"55P03", 1, PG_TRANSIENT}, /* lock timeout */
        {"25006", 1, PG_TRANSIENT}, /* read-only after a failover */
        {"25P03", 1, PG_TRANSIENT}, /* idle-in-transaction timeout: FATAL, the session ended */
        {"53100", 1, PG_TRANSIENT}, /* disk full */
        {"53300", 1, PG_TRANSIENT}, /* too many connections */
        {"42501", 1, PG_TRANSIENT}, /* insufficient privilege */
        {"P0001", 1, PG_DATA},      /* a trigger's RAISE EXCEPTION */
        {"P0004", 1, PG_DATA},      /* ASSERT */
        {"2F005", 1, PG_DATA},      /* a trigger's branch without RETURN */
        {"38000", 1, PG_DATA},      /* a PL/Python error */
        {"39P01", 1, PG_DATA},      /* trigger protocol violated */
        {"09000", 1, PG_DATA},      /* triggered action exception */
        {"27000", 1, PG_DATA},      /* triggered data change violation */
        {"57P04", 1, PG_FATAL},     /* database dropped */
        {"25001", 1, PG_FATAL},     /* active transaction: a bug */
        {"42P01", 1, PG_FATAL},     /* undefined table */
        {"42703", 1, PG_FATAL},     /* undefined column */
        {"XX000", 1, PG_FATAL},     /* internal error */
        {"2200", 1, PG_FATAL},      /* not a SQLSTATE */
        {"", 1, PG_FATAL},          {NULL, 1, PG_FATAL},
        {NULL, 0, PG_TRANSIENT},    {"42P01", 0, PG_TRANSIENT},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(pg_classify_sqlstate(cases[i].state, NULL, cases[i].connection_ok),
                         cases[i].want);
    /* a row-level security policy's WITH CHECK is the row's content */
    assert_int_equal(pg_classify_sqlstate("42501",
                                          "42501: new row violates row-level security policy "
                                          "for table \"customers\"",
                                          1),
                     PG_DATA);
    assert_int_equal(
        pg_classify_sqlstate("42501", "42501: permission denied for table customers", 1),
        PG_TRANSIENT);
}

/* The transient errors a smaller batch may pass (pg_error_shrinks). */
static void test_errors_that_shrink(void **state)
{
    static const struct {
        const char *state, *message;
        int want;
    } cases[] = {
        {"57014", "57014: canceling statement due to statement timeout", 1},
        {"57014", "57014: canceling statement due to user request", 0}, /* an operator */
        /* the statement timeout in lc_messages = de_DE (PostgreSQL 15) */
        {"57014", "57014: FEHLER:  storniere Anfrage wegen Zeitüberschreitung der Anfrage", 1},
        {"25P04", "25P04: terminating connection due to transaction timeout", 1},
        {"53200", "53200: out of memory", 1},
        {"53400", "53400: temporary file size exceeds temp_file_limit (1024kB)", 1},
        {"53100", "53100: could not extend file: No space left on device", 0},
        {"53300", "53300: sorry, too many clients already", 0},
        {"40001", "40001: could not serialize access", 0},
        {"55P03", "55P03: canceling statement due to lock timeout", 0},
        {"", "dead-letter flush to tm.dlq: timed out after 30000 ms", 0},
        {NULL, NULL, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(pg_error_shrinks(cases[i].state, cases[i].message), cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_that_shrink),   cmocka_unit_test(test_ident_quoting),
        cmocka_unit_test(test_table_names),          cmocka_unit_test(test_soft_statements),
        cmocka_unit_test(test_hard_statements),      cmocka_unit_test(test_stage_names_per_schema),
        cmocka_unit_test(test_customer_schema_file), cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_classify_sqlstate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
