/*
 * sqlgen.c - see sqlgen.h.
 */
#include "errstr.h"
#include "sqlgen_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void sqlgen_append_table(strbuf_t *sb, const char *table, const char *suffix)
{
    const char *name = config_table_name(table);
    char *part;

    if (name != table) {
        part = strndup(table, (size_t)(name - 1 - table));
        if (!part) {
            sb->failed = 1;
            return;
        }
        strbuf_append_ident(sb, part);
        free(part);
        strbuf_append(sb, ".");
        table = name;
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
    sqlgen_append_table(&sb, table, TOMBSTONES_SUFFIX);
    strbuf_append(&sb, " (");
    strbuf_append_ident(&sb, id->name);
    strbuf_appendf(&sb, " %s NOT NULL PRIMARY KEY", schema_field_sql_type(id, tbuf, sizeof(tbuf)));
    strbuf_append(&sb, ", \"_source_ts\" timestamptz NOT NULL"
                       ", \"_kafka_partition\" integer"
                       ", \"_kafka_offset\" bigint"
                       ", \"_produced_at\" timestamptz)");
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
    if (f->type == FT_TIME_MILLIS || f->type == FT_TIME_MICROS)
        return "time without time zone"; /* as format_type() names them */
    if (f->type == FT_LOCAL_TS_MILLIS || f->type == FT_LOCAL_TS_MICROS)
        return "timestamp without time zone";
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
        c->is_json = f->type == FT_RECORD || f->type == FT_ARRAY || f->type == FT_MAP;
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
        for (j = 0; sqlgen_bookkeeping[j]; j++)
            if (!strcmp(rs->fields[i].name, sqlgen_bookkeeping[j])) {
                errstr_set(errstr, errstr_size,
                           "field '%s' of %s collides with the worker's "
                           "bookkeeping column of that name",
                           rs->fields[i].name, rs->fullname);
                return -1;
            }
    return 0;
}

int stream_sql_build(const record_schema_t *rs, const char *table, const char *id_field,
                     delete_mode_t mode, int table_shared, stream_sql_t *out, char *errstr,
                     size_t errstr_size)
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
    int dml = sqlgen_build_dml(rs, table, id_field, mode, table_shared, out);
    if (mode == DELETE_MODE_HARD) {
        out->create_tombstones = build_tombstones(record_schema_field(rs, id_field), table);
        sqlgen_append_table(&sb, table, TOMBSTONES_SUFFIX);
        out->tombstones = strbuf_take(&sb);
        out->add_produced_at_tombstones = build_add_produced_at(table, TOMBSTONES_SUFFIX);
    }
    out->add_produced_at = build_add_produced_at(table, "");
    if (dml < 0 || !out->table || !out->create_table || !out->add_produced_at ||
        (mode == DELETE_MODE_HARD && !out->add_produced_at_tombstones) ||
        (mode == DELETE_MODE_HARD &&
         (!out->create_tombstones || !out->tombstones || !out->move_soft_deleted ||
          !out->move_soft_deleted_one || !out->soft_deleted_ids))) {
        stream_sql_clear(out);
        errstr_set(errstr, errstr_size, "out of memory building SQL");
        return -1;
    }
    return 0;
}

int stream_sql_bookkeeping(const char *column)
{
    for (size_t i = 0; sqlgen_bookkeeping[i]; i++)
        if (!strcmp(sqlgen_bookkeeping[i], column))
            return 1;
    return 0;
}

int stream_sql_writes(const stream_sql_t *ss, const char *column)
{
    for (size_t i = 0; i < ss->n_columns; i++)
        if (!strcmp(ss->columns[i].column, column))
            return 1;
    return stream_sql_bookkeeping(column);
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
    free(ss->move_soft_deleted);
    free(ss->move_soft_deleted_one);
    free(ss->soft_deleted_ids);
    free(ss->stage);
    free(ss->create_stage);
    free(ss->empty_stage);
    free(ss->copy_rows);
    free(ss->copy_keys);
    free(ss->upsert);
    free(ss->delete_rows);
    free(ss->tombstone_rows);
    free(ss->add_produced_at);
    free(ss->add_produced_at_tombstones);
    memset(ss, 0, sizeof(*ss));
}
