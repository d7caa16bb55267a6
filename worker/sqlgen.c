/*
 * sqlgen.c - see sqlgen.h.
 */
#include "errstr.h"
#include "sqlgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* The worker's own columns of a stream's table, in the order its INSERTs
 * name them; no field of the record may take one of these names. */
static const char *const bookkeeping[] = {
    "_source_ts",    "_deleted",     "_deleted_at", "_kafka_partition",
    "_kafka_offset", "_produced_at", "_synced_at",  NULL};

/*
 * The version guard: alias a's stored version is older than event b's
 * (see sqlgen.h). A stored version left by a Kafka tombstone alone has
 * _source_ts '-infinity' and is ordered by when it was produced; any
 * other by (_source_ts, _produced_at, _kafka_offset), where a stored row
 * written before _produced_at existed (NULL) counts as produced before
 * any event (see sqlgen.h).
 */
static void append_guard(strbuf_t *sb, const char *a, const char *b)
{
    strbuf_appendf(sb,
                   "CASE WHEN %s.\"_source_ts\" = '-infinity' THEN "
                   "(%s.\"_produced_at\", %s.\"_kafka_offset\") < "
                   "(%s.\"_produced_at\", %s.\"_kafka_offset\") ELSE "
                   "(%s.\"_source_ts\", COALESCE(%s.\"_produced_at\", "
                   "'-infinity'), %s.\"_kafka_offset\") < "
                   "(%s.\"_source_ts\", %s.\"_produced_at\", "
                   "%s.\"_kafka_offset\") END",
                   a, a, a, b, b, a, a, a, b, b, b);
}

/*
 * The guard of a Kafka tombstone b against stored version a: a comes
 * before b in the topic. In one partition that is offset order (the
 * producer writes a key's messages in order); across partitions (after
 * partitions were added) it is the order of production: a's _produced_at
 * against b's Kafka timestamp.
 */
static void append_log_guard(strbuf_t *sb, const char *a, const char *b)
{
    strbuf_appendf(sb,
                   "CASE WHEN %s.\"_kafka_partition\" = %s.\"_kafka_partition\" "
                   "THEN %s.\"_kafka_offset\" < %s.\"_kafka_offset\" ELSE "
                   "(COALESCE(%s.\"_produced_at\", '-infinity'), "
                   "%s.\"_kafka_offset\") < (%s.\"_produced_at\", "
                   "%s.\"_kafka_offset\") END",
                   a, b, a, b, a, a, b, b);
}

void sqlgen_append_table(strbuf_t *sb, const char *table, const char *suffix)
{
    const char *dot = strchr(table, '.');
    char *part;

    if (dot) {
        part = strndup(table, (size_t)(dot - table));
        if (!part) {
            sb->failed = 1;
            return;
        }
        strbuf_append_ident(sb, part);
        free(part);
        strbuf_append(sb, ".");
        table = dot + 1;
    }
    part = malloc(strlen(table) + strlen(suffix) + 1);
    if (!part) {
        sb->failed = 1;
        return;
    }
    strcpy(part, table);
    strcat(part, suffix);
    strbuf_append_ident(sb, part);
    free(part);
}

static char *build_create(const record_schema_t *rs, const char *table, const char *id_field)
{
    strbuf_t sb;
    char tbuf[64];
    size_t i;

    strbuf_init(&sb);
    strbuf_append(&sb, "CREATE TABLE IF NOT EXISTS ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " (");
    for (i = 0; i < rs->n_fields; i++) {
        const schema_field_t *f = &rs->fields[i];

        strbuf_append(&sb, i ? ", " : "");
        strbuf_append_ident(&sb, f->name);
        strbuf_appendf(&sb, " %s", schema_field_sql_type(f, tbuf, sizeof(tbuf)));
        /* Every data column is nullable: a delete of an id never seen
         * leaves a row that holds only the id. */
        if (!strcmp(f->name, id_field))
            strbuf_append(&sb, " NOT NULL PRIMARY KEY");
    }
    strbuf_append(&sb, ", \"_source_ts\" timestamptz NOT NULL"
                       ", \"_deleted\" boolean NOT NULL DEFAULT false"
                       ", \"_deleted_at\" timestamptz"
                       ", \"_kafka_partition\" integer"
                       ", \"_kafka_offset\" bigint"
                       ", \"_synced_at\" timestamptz"
                       ", \"_produced_at\" timestamptz)");
    return strbuf_take(&sb);
}

static char *build_tombstones(const schema_field_t *id, const char *table)
{
    strbuf_t sb;
    char tbuf[64];

    strbuf_init(&sb);
    strbuf_append(&sb, "CREATE TABLE IF NOT EXISTS ");
    sqlgen_append_table(&sb, table, "__tombstones");
    strbuf_append(&sb, " (");
    strbuf_append_ident(&sb, id->name);
    strbuf_appendf(&sb, " %s NOT NULL PRIMARY KEY", schema_field_sql_type(id, tbuf, sizeof(tbuf)));
    strbuf_append(&sb, ", \"_source_ts\" timestamptz NOT NULL"
                       ", \"_kafka_partition\" integer"
                       ", \"_kafka_offset\" bigint"
                       ", \"_produced_at\" timestamptz)");
    return strbuf_take(&sb);
}

/* The columns of <table>__tombstones after the id, in the order its
 * INSERTs name them. (bookkeeping[] is that of the table itself.) */
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
static void append_tombstone_conflict(strbuf_t *sb, const char *id_field)
{
    append_on_conflict(sb, id_field);
    append_set(sb, set_tombstone_table, 0);
    strbuf_append(sb, " WHERE ");
    append_guard(sb, "d", "EXCLUDED");
}

static void append_recordset(strbuf_t *sb, const char *table)
{
    strbuf_append(sb, " FROM jsonb_populate_recordset(NULL::");
    sqlgen_append_table(sb, table, "");
    strbuf_append(sb, ", $1::jsonb) AS r");
}

/* "WHERE NOT EXISTS (a tombstone at least as new as the event)". */
static void append_not_tombstoned(strbuf_t *sb, const char *table, const char *id_field)
{
    strbuf_append(sb, " WHERE NOT EXISTS (SELECT 1 FROM ");
    sqlgen_append_table(sb, table, "__tombstones");
    strbuf_append(sb, " AS d WHERE d.");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " = r.");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " AND NOT ");
    append_guard(sb, "d", "r");
    strbuf_append(sb, ")");
}

static char *build_upsert(const record_schema_t *rs, const char *table, const char *id_field,
                          delete_mode_t mode)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "INSERT INTO ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS cur (");
    for (size_t i = 0; i < rs->n_fields; i++) {
        strbuf_append_ident(&sb, rs->fields[i].name);
        strbuf_append(&sb, ", ");
    }
    append_columns(&sb, bookkeeping);
    strbuf_append(&sb, ") SELECT ");
    for (size_t i = 0; i < rs->n_fields; i++) {
        strbuf_append(&sb, "r.");
        strbuf_append_ident(&sb, rs->fields[i].name);
        strbuf_append(&sb, ", ");
    }
    strbuf_append(&sb, "r.\"_source_ts\", false, NULL, r.\"_kafka_partition\""
                       ", r.\"_kafka_offset\", r.\"_produced_at\", now()");
    append_recordset(&sb, table);
    if (mode == DELETE_MODE_HARD)
        append_not_tombstoned(&sb, table, id_field);
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
    append_guard(&sb, "cur", "EXCLUDED");
    return strbuf_take(&sb);
}

static char *build_soft_delete(const char *table, const char *id_field)
{
    strbuf_t sb;

    strbuf_init(&sb);
    append_insert(&sb, table, "", "cur", id_field, bookkeeping);
    strbuf_append(&sb, "r.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, ", r.\"_source_ts\", true, r.\"_source_ts\", "
                       "r.\"_kafka_partition\", r.\"_kafka_offset\", "
                       "r.\"_produced_at\", now()");
    append_recordset(&sb, table);
    append_on_conflict(&sb, id_field);
    append_set(&sb, set_soft_delete, 0);
    strbuf_append(&sb, " WHERE ");
    append_guard(&sb, "cur", "EXCLUDED");
    return strbuf_take(&sb);
}

/* Records a tombstone (newest wins) and removes the row, both under the
 * version guard, in one statement. */
static char *build_hard_delete(const char *table, const char *id_field)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ev AS (SELECT r.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " AS id, r.\"_source_ts\", r.\"_kafka_partition\", "
                       "r.\"_kafka_offset\", r.\"_produced_at\"");
    append_recordset(&sb, table);
    strbuf_append(&sb, "), tomb AS (");
    append_insert(&sb, table, "__tombstones", "d", id_field, tomb_columns);
    strbuf_append(&sb, "id, \"_source_ts\", \"_kafka_partition\", \"_kafka_offset\", "
                       "\"_produced_at\" FROM ev");
    append_tombstone_conflict(&sb, id_field);
    strbuf_append(&sb, " RETURNING 1) DELETE FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS cur USING ev WHERE cur.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " = ev.id AND ");
    append_guard(&sb, "cur", "ev");
    return strbuf_take(&sb);
}

/* The columns of a Kafka tombstone's $1 row. */
static void append_tomb_recordset(strbuf_t *sb, const char *table, const char *id_field)
{
    strbuf_append(sb, "SELECT r.");
    strbuf_append_ident(sb, id_field);
    strbuf_append(sb, " AS id, r.\"_kafka_partition\", r.\"_kafka_offset\", "
                      "r.\"_produced_at\"");
    append_recordset(sb, table);
}

/*
 * A Kafka tombstone under delete.mode = soft: a live row that came before
 * it in the topic is marked deleted, keeping its _source_ts; an id without
 * a row gets a deleted row whose _source_ts is '-infinity' (no source
 * version is known: later events are ordered against it by production).
 * A row already deleted is left as its delete event left it.
 */
static char *build_soft_tombstone(const char *table, const char *id_field)
{
    strbuf_t sb;

    strbuf_init(&sb);
    append_insert(&sb, table, "", "cur", id_field, bookkeeping);
    strbuf_append(&sb, "id, '-infinity', true, \"_produced_at\", \"_kafka_partition\", "
                       "\"_kafka_offset\", \"_produced_at\", now() FROM (");
    append_tomb_recordset(&sb, table, id_field);
    strbuf_append(&sb, ") AS ev");
    append_on_conflict(&sb, id_field);
    append_set(&sb, set_soft_tombstone, 0);
    strbuf_append(&sb, " WHERE NOT cur.\"_deleted\" AND ");
    append_log_guard(&sb, "cur", "EXCLUDED");
    return strbuf_take(&sb);
}

/*
 * A Kafka tombstone under delete.mode = hard: a row that came before it in
 * the topic is removed and the tombstone table records the delete at the
 * row's _source_ts; an id with neither row nor recorded delete gets one at
 * '-infinity' (as above). A row that came after it stays.
 */
static char *build_hard_tombstone(const char *table, const char *id_field)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH ev AS (");
    append_tomb_recordset(&sb, table, id_field);
    strbuf_append(&sb, "), gone AS (DELETE FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS cur USING ev WHERE cur.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " = ev.id AND ");
    append_log_guard(&sb, "cur", "ev");
    strbuf_append(&sb, " RETURNING cur.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " AS id, cur.\"_source_ts\") ");
    append_insert(&sb, table, "__tombstones", "d", id_field, tomb_columns);
    strbuf_append(&sb, "ev.id, COALESCE(g.\"_source_ts\", '-infinity'), "
                       "ev.\"_kafka_partition\", ev.\"_kafka_offset\", "
                       "ev.\"_produced_at\" FROM ev LEFT JOIN gone AS g ON "
                       "g.id = ev.id WHERE g.id IS NOT NULL OR NOT EXISTS "
                       "(SELECT 1 FROM ");
    sqlgen_append_table(&sb, table, "");
    strbuf_append(&sb, " AS live WHERE live.");
    strbuf_append_ident(&sb, id_field);
    strbuf_append(&sb, " = ev.id)");
    append_tombstone_conflict(&sb, id_field);
    return strbuf_take(&sb);
}

/* Adds _produced_at to a table created before it existed. */
static char *build_add_produced_at(const char *table, const char *suffix)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "ALTER TABLE ");
    sqlgen_append_table(&sb, table, suffix);
    strbuf_append(&sb, " ADD COLUMN IF NOT EXISTS \"_produced_at\" timestamptz");
    return strbuf_take(&sb);
}

const char *sqlgen_pg_type(const schema_field_t *f, char *buf, size_t size)
{
    if (f->type == FT_TIMESTAMP_MILLIS || f->type == FT_TIMESTAMP_MICROS)
        return "timestamp with time zone";
    return schema_field_sql_type(f, buf, size);
}

static int build_columns(const record_schema_t *rs, const char *id_field, stream_sql_t *out)
{
    char tbuf[64], abuf[64];

    out->columns = calloc(rs->n_fields + 1, sizeof(*out->columns));
    if (!out->columns)
        return -1;
    out->n_columns = rs->n_fields;
    for (size_t i = 0; i < rs->n_fields; i++) {
        const schema_field_t *f = &rs->fields[i];
        sql_column_t *c = &out->columns[i];

        c->field = strdup(f->name);
        c->column = strndup(f->name, strbuf_ident_len(f->name));
        c->type = strdup(sqlgen_pg_type(f, tbuf, sizeof(tbuf)));
        c->avro = strdup(schema_field_avro_type(f, abuf, sizeof(abuf)));
        c->is_id = !strcmp(f->name, id_field);
        if (!c->field || !c->column || !c->type || !c->avro)
            return -1;
    }
    return 0;
}

static int check_fields(const record_schema_t *rs, const char *id_field, char *errstr,
                        size_t errstr_size)
{
    size_t i, j;

    /* PostgreSQL keeps 63 bytes of a name: two fields that agree on those
     * would be one column. */
    for (i = 0; i < rs->n_fields; i++)
        for (j = 0; j < i; j++) {
            const char *a = rs->fields[j].name, *b = rs->fields[i].name;
            size_t la = strbuf_ident_len(a), lb = strbuf_ident_len(b);

            if (la == lb && !memcmp(a, b, la)) {
                errstr_set(errstr, errstr_size,
                           "fields '%s' and '%s' of %s are one column in "
                           "PostgreSQL, which keeps only the first %d bytes of "
                           "a name ('%.*s'): rename one of them",
                           a, b, rs->fullname, STRBUF_IDENT_MAX, (int)la, a);
                return -1;
            }
        }

    if (record_schema_field_index(rs, id_field) < 0) {
        errstr_set(errstr, errstr_size, "id.field '%s' is not a field of %s", id_field,
                   rs->fullname);
        return -1;
    }
    for (i = 0; i < rs->n_fields; i++)
        for (j = 0; bookkeeping[j]; j++)
            if (!strcmp(rs->fields[i].name, bookkeeping[j])) {
                errstr_set(errstr, errstr_size,
                           "field '%s' of %s collides with the worker's "
                           "bookkeeping column of that name",
                           rs->fields[i].name, rs->fullname);
                return -1;
            }
    return 0;
}

int stream_sql_build(const record_schema_t *rs, const char *table, const char *id_field,
                     delete_mode_t mode, stream_sql_t *out, char *errstr, size_t errstr_size)
{
    strbuf_t sb;

    memset(out, 0, sizeof(*out));
    if (!table || !*table) {
        errstr_set(errstr, errstr_size, "empty table name");
        return -1;
    }
    if (check_fields(rs, id_field, errstr, errstr_size) < 0)
        return -1;
    strbuf_init(&sb);
    sqlgen_append_table(&sb, table, "");
    out->table = strbuf_take(&sb);
    if (build_columns(rs, id_field, out) < 0) {
        stream_sql_clear(out);
        errstr_set(errstr, errstr_size, "out of memory building SQL");
        return -1;
    }
    out->create_table = build_create(rs, table, id_field);
    out->upsert = build_upsert(rs, table, id_field, mode);
    if (mode == DELETE_MODE_HARD) {
        out->create_tombstones = build_tombstones(record_schema_field(rs, id_field), table);
        sqlgen_append_table(&sb, table, "__tombstones");
        out->tombstones = strbuf_take(&sb);
        out->delete_rows = build_hard_delete(table, id_field);
        out->tombstone_rows = build_hard_tombstone(table, id_field);
        out->add_produced_at_tombstones = build_add_produced_at(table, "__tombstones");
    } else {
        out->delete_rows = build_soft_delete(table, id_field);
        out->tombstone_rows = build_soft_tombstone(table, id_field);
    }
    out->add_produced_at = build_add_produced_at(table, "");
    if (!out->table || !out->create_table || !out->upsert || !out->delete_rows ||
        !out->tombstone_rows || !out->add_produced_at ||
        (mode == DELETE_MODE_HARD && !out->add_produced_at_tombstones) ||
        (mode == DELETE_MODE_HARD && (!out->create_tombstones || !out->tombstones))) {
        stream_sql_clear(out);
        errstr_set(errstr, errstr_size, "out of memory building SQL");
        return -1;
    }
    return 0;
}

void stream_sql_clear(stream_sql_t *ss)
{
    for (size_t i = 0; ss->columns && i < ss->n_columns; i++) {
        free(ss->columns[i].field);
        free(ss->columns[i].column);
        free(ss->columns[i].type);
        free(ss->columns[i].avro);
    }
    free(ss->columns);
    free(ss->tombstones);
    free(ss->table);
    free(ss->create_table);
    free(ss->create_tombstones);
    free(ss->upsert);
    free(ss->delete_rows);
    free(ss->tombstone_rows);
    free(ss->add_produced_at);
    free(ss->add_produced_at_tombstones);
    memset(ss, 0, sizeof(*ss));
}
