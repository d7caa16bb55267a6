/*
 * sqlgen_dml.c - the statements that move a batch's rows from the stage
 * into a stream's table (sqlgen.h). Each one reads the stage and leaves
 * it as it is: emptying it as it read (a CTE "DELETE ... RETURNING") cost
 * about a fifth of the upsert's time on every batch, for the few batches
 * that COPY into one stage twice in a transaction. Those run empty_stage
 * first (tableapply.c).
 */
#include "sqlgen_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

const char *const sqlgen_bookkeeping[] = {
    "_source_ts",    "_deleted",     "_deleted_at", "_kafka_partition",
    "_kafka_offset", "_produced_at", "_synced_at",  NULL};

/* Stored a was produced before event b: by _produced_at (a NULL, from a
 * row written before the column existed, first), then offset. */
static void append_produced_before(strbuf_t *sb, const char *a, const char *b)
{
    strbuf_appendf(sb,
                   "(COALESCE(%s.\"_produced_at\", '-infinity'), %s.\"_kafka_offset\") < "
                   "(%s.\"_produced_at\", %s.\"_kafka_offset\")",
                   a, a, b, b);
}

/*
 * The guard of a Kafka tombstone b against stored version a: a comes
 * before b in the topic. In one partition that is offset order (the
 * producer writes a key's messages in order); across partitions (after
 * partitions were added) it is the order of production: a's _produced_at
 * against b's Kafka timestamp. A table that two streams write (shared)
 * holds rows from two topics, whose partitions and offsets have nothing
 * in common: there it is always the order of production (by offsets, a
 * tombstone at offset 18 of one topic deleted the newer row from offset
 * 12 of the other).
 */
static void append_log_guard(strbuf_t *sb, const char *a, const char *b, int shared)
{
    if (!shared)
        strbuf_appendf(sb,
                       "CASE WHEN %s.\"_kafka_partition\" = %s.\"_kafka_partition\" "
                       "THEN %s.\"_kafka_offset\" < %s.\"_kafka_offset\" ELSE ",
                       a, b, a, b);
    append_produced_before(sb, a, b);
    if (!shared)
        strbuf_append(sb, " END");
}

/*
 * The version guard: alias a's stored version is older than event b's
 * (see sqlgen.h). A stored version left by a Kafka tombstone alone has
 * _source_ts '-infinity' and no source version to compare: in its
 * partition an event is newer when it comes later in the topic or was
 * produced later (by the timestamp alone, a tombstone stamped ahead of
 * the clocks, by a stranger or a producer whose clock was set back, kept
 * a later re-creation of its record out; by the offset alone, the first
 * events of a topic deleted and created again did); from another
 * partition, or another stream's topic, when it was produced later.
 * Any other stored version is ordered by (_source_ts, _produced_at,
 * _kafka_offset), where a stored row written before _produced_at existed
 * (NULL) counts as produced before any event (see sqlgen.h). A row the
 * worker never wrote (a table another loader filled, its bookkeeping
 * columns added by hand: NULL) is older than any event: compared as NULL,
 * the guard kept it for ever.
 */
static void append_guard(strbuf_t *sb, const char *a, const char *b, int shared)
{
    strbuf_appendf(sb, "CASE WHEN %s.\"_source_ts\" = '-infinity' THEN ", a);
    if (!shared)
        strbuf_appendf(sb,
                       "CASE WHEN %s.\"_kafka_partition\" = %s.\"_kafka_partition\" THEN "
                       "(%s.\"_kafka_offset\" < %s.\"_kafka_offset\" OR "
                       "COALESCE(%s.\"_produced_at\", '-infinity') < %s.\"_produced_at\") ELSE ",
                       a, b, a, b, a, b);
    append_produced_before(sb, a, b);
    if (!shared)
        strbuf_append(sb, " END");
    strbuf_appendf(sb,
                   " ELSE (COALESCE(%s.\"_source_ts\", '-infinity'), COALESCE(%s.\"_produced_at\", "
                   "'-infinity'), COALESCE(%s.\"_kafka_offset\", -1)) < "
                   "(%s.\"_source_ts\", %s.\"_produced_at\", "
                   "%s.\"_kafka_offset\") END",
                   a, a, a, b, b, b);
}

/* The columns of <table>__tombstones after the id, in the order its
 * INSERTs name them, and those of the stage after the fields: what every
 * event carries besides its record. (sqlgen_bookkeeping[] is that of the
 * table itself.) */
static const char *const tomb_columns[] = {"_source_ts", "_kafka_partition", "_kafka_offset",
                                           "_produced_at", NULL};

/* One assignment of ON CONFLICT ... DO UPDATE SET: column = value, where
 * a NULL value is the row proposed for insertion's (EXCLUDED.column). */
typedef struct {
    const char *column, *value;
} assign_t;

/* An upsert of a live row: not deleted. */
static const assign_t set_upsert[] = {{"_source_ts", NULL},    {"_deleted", "false"},
                                      {"_deleted_at", "NULL"}, {"_kafka_partition", NULL},
                                      {"_kafka_offset", NULL}, {"_produced_at", NULL},
                                      {"_synced_at", NULL},    {NULL, NULL}};
/* A delete event under delete.mode = soft: deleted at its _source_ts. */
static const assign_t set_soft_delete[] = {{"_source_ts", NULL},    {"_deleted", "true"},
                                           {"_deleted_at", NULL},   {"_kafka_partition", NULL},
                                           {"_kafka_offset", NULL}, {"_produced_at", NULL},
                                           {"_synced_at", NULL},    {NULL, NULL}};
/* A Kafka tombstone under delete.mode = soft: the row keeps _source_ts. */
static const assign_t set_soft_tombstone[] = {{"_deleted", "true"},
                                              {"_deleted_at", NULL},
                                              {"_kafka_partition", NULL},
                                              {"_kafka_offset", NULL},
                                              {"_produced_at", NULL},
                                              {"_synced_at", NULL},
                                              {NULL, NULL}};
/* A delete recorded in <table>__tombstones. */
static const assign_t set_tombstone_table[] = {{"_source_ts", NULL},
                                               {"_kafka_partition", NULL},
                                               {"_kafka_offset", NULL},
                                               {"_produced_at", NULL},
                                               {NULL, NULL}};

static void append_assign(strbuf_t *sb, const char *column, const char *value)
{
    strbuf_append_ident(sb, column);
    strbuf_append(sb, " = ");
    if (value) {
        strbuf_append(sb, value);
        return;
    }
    strbuf_append(sb, "EXCLUDED.");
    strbuf_append_ident(sb, column);
}

/* The assignments of set, joined by ", " (and preceded by one when
 * others came before). */
static void append_set(strbuf_t *sb, const assign_t *set, int others_before)
{
    for (size_t i = 0; set[i].column; i++) {
        strbuf_append(sb, i || others_before ? ", " : "");
        append_assign(sb, set[i].column, set[i].value);
    }
}

static void append_on_conflict(strbuf_t *sb, const char *id_field)
{
    strbuf_append(sb, " ON CONFLICT (");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, ") DO UPDATE SET ");
}

/* "col1", "col2", ... of a NULL-terminated list. */
static void append_columns(strbuf_t *sb, const char *const *cols)
{
    for (size_t i = 0; cols[i]; i++) {
        strbuf_append(sb, i ? ", " : "");
        strbuf_append_ident(sb, cols[i]);
    }
}

/* "INSERT INTO <table><suffix> AS <alias> (<id>, <cols>) SELECT ". */
static void append_insert(strbuf_t *sb, const char *table, const char *suffix, const char *alias,
                          const char *id_field, const char *const *cols)
{
    strbuf_append(sb, "INSERT INTO ");
    sqlgen_append_table(sb, table, suffix);
    strbuf_appendf(sb, " AS %s (", alias);
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, ", ");
    append_columns(sb, cols);
    strbuf_append(sb, ") SELECT ");
}

/* The end of an INSERT into <table>__tombstones: the newest delete of an
 * id wins. */
static void append_tombstone_conflict(strbuf_t *sb, const char *id_field, int shared)
{
    append_on_conflict(sb, id_field);
    append_set(sb, set_tombstone_table, 0);
    strbuf_append(sb, " WHERE ");
    append_guard(sb, "d", "EXCLUDED", shared);
}

/* "WHERE NOT EXISTS (a tombstone at least as new as the event)". */
static void append_not_tombstoned(strbuf_t *sb, const char *table, const char *id_field, int shared)
{
    strbuf_append(sb, " WHERE NOT EXISTS (SELECT 1 FROM ");
    sqlgen_append_table(sb, table, TOMBSTONES_SUFFIX);
    strbuf_append(sb, " AS d WHERE d.");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " = r.");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " AND NOT ");
    append_guard(sb, "d", "r", shared);
    strbuf_append(sb, ")");
}

/* "<cte> AS (SELECT <what> FROM <stage> AS r)": the stage's rows. what
 * NULL: every column. */
static void append_read(strbuf_t *sb, const char *cte, const char *stage, const char *id_field,
                        const char *const *what)
{
    strbuf_appendf(sb, "%s AS (SELECT ", cte);
    if (!what) {
        strbuf_appendf(sb, "* FROM %s AS r)", stage);
        return;
    }
    strbuf_append(sb, "r.");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " AS id");
    for (size_t i = 0; what[i]; i++) {
        strbuf_append(sb, ", r.");
        strbuf_append_ident(sb, what[i]);
    }
    strbuf_appendf(sb, " FROM %s AS r)", stage);
}

/* What a Kafka tombstone takes from the stage (a delete event takes
 * tomb_columns). */
static const char *const tomb_cols[] = {"_kafka_partition", "_kafka_offset", "_produced_at", NULL};

static char *build_upsert(const record_schema_t *rs, const char *table, const char *stage,
                          const char *id_field, delete_mode_t mode, int shared)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ");
    append_read(&sb, "r", stage, id_field, NULL);
    strbuf_append(&sb, " INSERT INTO ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS cur (");
    for (size_t i = 0; i < rs->n_fields; i++) {
        strbuf_append_ident(&sb, rs->fields[i].name);
        strbuf_append(&sb, ", ");
    }
    append_columns(&sb, sqlgen_bookkeeping);
    strbuf_append(&sb, ") SELECT ");
    for (size_t i = 0; i < rs->n_fields; i++) {
        strbuf_append(&sb, "r.");
        strbuf_append_ident(&sb, rs->fields[i].name);
        strbuf_append(&sb, ", ");
    }
    strbuf_append(&sb, "r.\"_source_ts\", false, NULL, r.\"_kafka_partition\""
                       ", r.\"_kafka_offset\", r.\"_produced_at\", now() FROM r");
    if (mode == DELETE_MODE_HARD)
        append_not_tombstoned(&sb, table, id_field, shared);
    append_on_conflict(&sb, id_field);
    int fields = 0;
    for (size_t i = 0; i < rs->n_fields; i++) {
        if (!strcmp(rs->fields[i].name, id_field))
            continue;
        strbuf_append(&sb, fields++ ? ", " : "");
        append_assign(&sb, rs->fields[i].name, NULL);
    }
    append_set(&sb, set_upsert, fields > 0);
    strbuf_append(&sb, " WHERE ");
    append_guard(&sb, "cur", "EXCLUDED", shared);
    return strbuf_take(&sb);
}

/*
 * ", upd AS (UPDATE <table> AS cur SET <set> FROM ev WHERE cur.<id> = ev.id
 * AND ": the soft deletes of the rows that exist, which an INSERT would
 * not reach where the user made a data column NOT NULL (the proposed row,
 * with only the id, is checked before ON CONFLICT finds the existing
 * one). The caller ends the condition and appends " RETURNING 1) ".
 */
static void append_update_existing(strbuf_t *sb, const char *table, const char *id_field,
                                   const char *set)
{
    strbuf_append(sb, ", upd AS (UPDATE ");
    sqlgen_append_table(sb, table, "");
    strbuf_appendf(sb, " AS cur SET %s FROM ev WHERE cur.", set);
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " = ev.id AND ");
}

/* " WHERE NOT EXISTS (a row of ev's id)": the INSERT that follows
 * append_update_existing() proposes the ids without one. */
static void append_absent(strbuf_t *sb, const char *table, const char *id_field)
{
    strbuf_append(sb, " WHERE NOT EXISTS (SELECT 1 FROM ");
    sqlgen_append_table(sb, table, "");
    strbuf_append(sb, " AS x WHERE x.");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " = ev.id)");
}

static char *build_soft_delete(const char *table, const char *stage, const char *id_field,
                               int shared)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ");
    append_read(&sb, "ev", stage, id_field, tomb_columns);
    append_update_existing(&sb, table, id_field,
                           "\"_source_ts\" = ev.\"_source_ts\", \"_deleted\" = true, "
                           "\"_deleted_at\" = ev.\"_source_ts\", \"_kafka_partition\" = "
                           "ev.\"_kafka_partition\", \"_kafka_offset\" = ev.\"_kafka_offset\", "
                           "\"_produced_at\" = ev.\"_produced_at\", \"_synced_at\" = now()");
    append_guard(&sb, "cur", "ev", shared);
    strbuf_append(&sb, " RETURNING 1) ");
    append_insert(&sb, table, "", "cur", id_field, sqlgen_bookkeeping);
    strbuf_append(&sb, "id, \"_source_ts\", true, \"_source_ts\", \"_kafka_partition\", "
                       "\"_kafka_offset\", \"_produced_at\", now() FROM ev");
    append_absent(&sb, table, id_field);
    append_on_conflict(&sb, id_field);
    append_set(&sb, set_soft_delete, 0);
    strbuf_append(&sb, " WHERE ");
    append_guard(&sb, "cur", "EXCLUDED", shared);
    return strbuf_take(&sb);
}

/* Records a tombstone (newest wins) and removes the row, both under the
 * version guard, in one statement. */
static char *build_hard_delete(const char *table, const char *stage, const char *id_field,
                               int shared)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ");
    append_read(&sb, "ev", stage, id_field, tomb_columns);
    strbuf_append(&sb, ", tomb AS (");
    append_insert(&sb, table, TOMBSTONES_SUFFIX, "d", id_field, tomb_columns);
    strbuf_append(&sb, "id, \"_source_ts\", \"_kafka_partition\", \"_kafka_offset\", "
                       "\"_produced_at\" FROM ev");
    append_tombstone_conflict(&sb, id_field, shared);
    strbuf_append(&sb, " RETURNING 1) DELETE FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS cur USING ev WHERE cur.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " = ev.id AND ");
    append_guard(&sb, "cur", "ev", shared);
    return strbuf_take(&sb);
}

/*
 * Under delete.mode = hard, the rows a soft mode marked deleted (the mode
 * was switched): moved into the tombstones, where the newest delete of an
 * id wins (one kept from an earlier hard period may be older), and
 * counted. one: only the id $1.
 */
static char *build_move_soft_deleted(const char *table, const char *id_field, int shared, int one)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ev AS (DELETE FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " WHERE \"_deleted\"");
    if (one) {
        strbuf_append(&sb, " AND ");
        strbuf_append_ident(&sb, id_field);
        strbuf_append(&sb, " = $1");
    }
    strbuf_append(&sb, " RETURNING ");
    strbuf_append_ident(&sb, id_field);
    /* a row another loader marked deleted may have no version: none */
    strbuf_append(&sb, " AS id, COALESCE(\"_source_ts\", '-infinity') AS \"_source_ts\","
                       " \"_kafka_partition\", \"_kafka_offset\", \"_produced_at\"), m AS (");
    append_insert(&sb, table, TOMBSTONES_SUFFIX, "d", id_field, tomb_columns);
    strbuf_append(&sb, "id, \"_source_ts\", \"_kafka_partition\", \"_kafka_offset\", "
                       "\"_produced_at\" FROM ev");
    append_tombstone_conflict(&sb, id_field, shared);
    strbuf_append(&sb, " RETURNING 1) SELECT count(*) FROM ev");
    return strbuf_take(&sb);
}

/* The ids of the rows marked deleted, as text (build_move_soft_deleted). */
static char *build_soft_deleted_ids(const char *table, const char *id_field)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "SELECT ");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, "::text FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " WHERE \"_deleted\"");
    return strbuf_take(&sb);
}

/*
 * A Kafka tombstone under delete.mode = soft: a live row that came before
 * it in the topic is marked deleted, keeping its _source_ts; an id without
 * a row gets a deleted row whose _source_ts is '-infinity' (no source
 * version is known: later events are ordered against it by production).
 * A row already deleted is left as its delete event left it.
 */
static char *build_soft_tombstone(const char *table, const char *stage, const char *id_field,
                                  int shared)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ");
    append_read(&sb, "ev", stage, id_field, tomb_cols);
    append_update_existing(&sb, table, id_field,
                           "\"_deleted\" = true, \"_deleted_at\" = ev.\"_produced_at\", "
                           "\"_kafka_partition\" = ev.\"_kafka_partition\", \"_kafka_offset\" = "
                           "ev.\"_kafka_offset\", \"_produced_at\" = ev.\"_produced_at\", "
                           "\"_synced_at\" = now()");
    strbuf_append(&sb, "cur.\"_deleted\" IS NOT TRUE AND ");
    append_log_guard(&sb, "cur", "ev", shared);
    strbuf_append(&sb, " RETURNING 1) ");
    append_insert(&sb, table, "", "cur", id_field, sqlgen_bookkeeping);
    strbuf_append(&sb, "id, '-infinity', true, \"_produced_at\", \"_kafka_partition\", "
                       "\"_kafka_offset\", \"_produced_at\", now() FROM ev");
    append_absent(&sb, table, id_field);
    append_on_conflict(&sb, id_field);
    append_set(&sb, set_soft_tombstone, 0);
    strbuf_append(&sb, " WHERE cur.\"_deleted\" IS NOT TRUE AND ");
    append_log_guard(&sb, "cur", "EXCLUDED", shared);
    return strbuf_take(&sb);
}

/*
 * A Kafka tombstone under delete.mode = hard: a row that came before it in
 * the topic is removed and the tombstone table records the delete at the
 * row's _source_ts; an id with neither row nor recorded delete gets one at
 * '-infinity' (as above). A row that came after it stays.
 */
static char *build_hard_tombstone(const char *table, const char *stage, const char *id_field,
                                  int shared)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ");
    append_read(&sb, "ev", stage, id_field, tomb_cols);
    strbuf_append(&sb, ", gone AS (DELETE FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS cur USING ev WHERE cur.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " = ev.id AND ");
    append_log_guard(&sb, "cur", "ev", shared);
    strbuf_append(&sb, " RETURNING cur.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " AS id, cur.\"_source_ts\") ");
    append_insert(&sb, table, TOMBSTONES_SUFFIX, "d", id_field, tomb_columns);
    strbuf_append(&sb, "ev.id, COALESCE(g.\"_source_ts\", '-infinity'), "
                       "ev.\"_kafka_partition\", ev.\"_kafka_offset\", "
                       "ev.\"_produced_at\" FROM ev LEFT JOIN gone AS g ON "
                       "g.id = ev.id WHERE g.id IS NOT NULL OR NOT EXISTS "
                       "(SELECT 1 FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS live WHERE live.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " = ev.id)");
    append_tombstone_conflict(&sb, id_field, shared);
    return strbuf_take(&sb);
}

/* The stage: the table's own types (what the rows go into), no
 * constraints (a Kafka tombstone has no _source_ts), emptied at commit. */
static char *build_create_stage(const record_schema_t *rs, const char *table, const char *stage)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_appendf(&sb, "CREATE TEMPORARY TABLE IF NOT EXISTS %s ON COMMIT DELETE ROWS AS SELECT ",
                   stage);
    for (size_t i = 0; i < rs->n_fields; i++) {
        strbuf_append_ident(&sb, rs->fields[i].name);
        strbuf_append(&sb, ", ");
    }
    append_columns(&sb, tomb_columns);
    strbuf_append(&sb, " FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " WITH NO DATA");
    return strbuf_take(&sb);
}

/* COPY of every column (keys_only = 0: events' rows, copyrow.h) or of
 * the id and the four of tomb_columns (delete events, Kafka tombstones). */
static char *build_copy(const record_schema_t *rs, const char *stage, const char *id_field,
                        int keys_only)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_appendf(&sb, "COPY %s (", stage);
    if (keys_only) {
        strbuf_append_ident(&sb, id_field);
        strbuf_append(&sb, ", ");
    } else {
        for (size_t i = 0; i < rs->n_fields; i++) {
            strbuf_append_ident(&sb, rs->fields[i].name);
            strbuf_append(&sb, ", ");
        }
    }
    append_columns(&sb, tomb_columns);
    strbuf_append(&sb, ") FROM STDIN");
    return strbuf_take(&sb);
}

/* FNV-1a, 64 bits, over s and its terminating NUL (so that "ab","c" and
 * "a","bc" differ). */
static uint64_t hash_more(uint64_t h, const char *s)
{
    do
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    while (*s++);
    return h;
}

/*
 * The stage and statement names: one per distinct statement set, so a
 * hash of everything the SQL text is made of (table, id field, delete
 * mode, the fields' names). Two streams that write one table with other
 * schemas must not share a stage or a prepared statement: the first one
 * prepared would apply the other's rows, setting the columns that only
 * it has to NULL.
 */
static uint64_t names_hash(const record_schema_t *rs, const char *table, const char *id_field,
                           delete_mode_t mode)
{
    uint64_t h = hash_more(14695981039346656037ULL, table);
    h = hash_more(h, id_field);
    h = hash_more(h, mode == DELETE_MODE_HARD ? "hard" : "soft");
    for (size_t i = 0; i < rs->n_fields; i++)
        h = hash_more(h, rs->fields[i].name);
    return h;
}

int sqlgen_build_dml(const record_schema_t *rs, const char *table, const char *id_field,
                     delete_mode_t mode, int table_shared, stream_sql_t *out)
{
    uint64_t h = names_hash(rs, table, id_field, mode);
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_appendf(&sb, "pg_temp.\"tm_stage_%016" PRIx64 "\"", h);
    out->stage = strbuf_take(&sb);
    snprintf(out->upsert_name, sizeof(out->upsert_name), "tm_%016" PRIx64 "_upsert", h);
    snprintf(out->delete_name, sizeof(out->delete_name), "tm_%016" PRIx64 "_delete", h);
    snprintf(out->tombstone_name, sizeof(out->tombstone_name), "tm_%016" PRIx64 "_tombstone", h);
    if (!out->stage)
        return -1;
    out->create_stage = build_create_stage(rs, table, out->stage);
    strbuf_init(&sb);
    strbuf_appendf(&sb, "DELETE FROM %s", out->stage);
    out->empty_stage = strbuf_take(&sb);
    out->copy_rows = build_copy(rs, out->stage, id_field, 0);
    out->copy_keys = build_copy(rs, out->stage, id_field, 1);
    out->upsert = build_upsert(rs, table, out->stage, id_field, mode, table_shared);
    if (mode == DELETE_MODE_HARD) {
        out->delete_rows = build_hard_delete(table, out->stage, id_field, table_shared);
        out->tombstone_rows = build_hard_tombstone(table, out->stage, id_field, table_shared);
        out->move_soft_deleted = build_move_soft_deleted(table, id_field, table_shared, 0);
        out->move_soft_deleted_one = build_move_soft_deleted(table, id_field, table_shared, 1);
        out->soft_deleted_ids = build_soft_deleted_ids(table, id_field);
    } else {
        out->delete_rows = build_soft_delete(table, out->stage, id_field, table_shared);
        out->tombstone_rows = build_soft_tombstone(table, out->stage, id_field, table_shared);
    }
    return out->create_stage && out->empty_stage && out->copy_rows && out->copy_keys &&
                   out->upsert && out->delete_rows && out->tombstone_rows
               ? 0
               : -1;
}
