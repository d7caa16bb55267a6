/*
 * tableschema.h - the table follows the schema: at start-up, inside
 * ddl.c's transaction and advisory lock, a stream's existing table is
 * compared with what its record schema asks (sqlgen.h's columns), and
 * brought in line or refused.
 *
 *   a field without a column        ALTER TABLE ... ADD COLUMN (nullable)
 *   a column of a type the field's  ALTER TABLE ... ALTER COLUMN ... TYPE:
 *     type widens, as Avro          integer -> bigint, real, double precision;
 *     promotes                      bigint -> real, double precision;
 *                                   real -> double precision; and
 *                                   numeric(p,s) -> numeric(p2,s), p2 > p
 *   the same type                   nothing
 *   any other type                  refused: a schema error (exit 2) that
 *                                   names the field and both types
 *   a column no field names         kept (a removed field: new rows hold
 *                                   NULL there; existing rows keep theirs)
 *
 * Field names longer than PostgreSQL's 63-byte identifiers: PostgreSQL
 * would cut them, and a column created from such a field never matches
 * its key in the rows the worker sends (the value would silently be
 * NULL). Such a field is refused, unless the table already has a
 * "matching" column: one whose name is exactly the field's name cut as
 * PostgreSQL cuts it (the first 63 bytes, back to a whole UTF-8
 * character), which is what an older tidemark created; its type is then
 * checked like any column's, and the worker writes it under that name.
 *
 * An existing table must also have a primary key or unique index the
 * upsert's ON CONFLICT can use on exactly the stream's id column
 * (tableschema_check_arbiter()); a table created here has it (PRIMARY KEY).
 *
 * The planning is a pure function (exposed for the unit tests); the rest
 * runs statements in the caller's transaction. Main thread.
 */
#ifndef TIDEMARK_WORKER_TABLESCHEMA_H
#define TIDEMARK_WORKER_TABLESCHEMA_H

#include "compiler.h"
#include <stddef.h>
#include "pg.h"
#include "sqlgen.h"

/* One column of an existing table. */
typedef struct table_col {
    const char *name;
    const char *type; /* format_type() */
} table_col_t;

typedef enum { TS_ADD_COLUMN, TS_ALTER_TYPE } ts_kind_t;

typedef struct ts_action {
    ts_kind_t kind;
    const sql_column_t *col; /* borrowed from the stream_sql_t */
    const char *from_type;   /* TS_ALTER_TYPE: the column's type now */
} ts_action_t;

/*
 * What brings ss's table in line: exists = 0 when the table does not
 * exist yet (it will be created from the schema; only the name lengths
 * are checked). actions must hold ss->n_columns entries. Returns 0 with
 * *n_actions set, or -1 with errstr naming the field (a schema error).
 */
int tableschema_plan(const stream_sql_t *ss, int exists, const table_col_t *cols, size_t n_cols,
                     ts_action_t *actions, size_t *n_actions, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/*
 * Whether an existing table (cols) has the bookkeeping columns the worker
 * writes in every row (README, "PostgreSQL"; _produced_at, younger than
 * the others, is added at start instead). A table the user created from
 * the schema has only the fields': the worker would join its group and
 * fail its first batch on every start (42703). Returns 0, or -1 with
 * errstr naming the missing columns (a schema error: exit 2).
 */
int tableschema_check_bookkeeping(const stream_sql_t *ss, const table_col_t *cols, size_t n_cols,
                                  char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* One unique index of an existing table, as pg_index describes it. */
typedef struct table_index {
    const char *column; /* its first key column ("" for an expression) */
    int n_keys;         /* indnkeyatts */
    int deferrable;     /* NOT indimmediate */
    int partial;        /* a WHERE (indpred) */
    int expression;     /* an expression among its columns (indexprs) */
    int valid;          /* indisvalid: not a failed CREATE INDEX CONCURRENTLY */
} table_index_t;

/*
 * Whether one of an existing table's unique indexes (idx) can be the
 * arbiter of the upsert's ON CONFLICT (id column): unique on exactly that
 * one column, not deferrable, not partial, no expression, valid - what
 * PostgreSQL infers from ON CONFLICT (col). A primary key is one. Without
 * it (two streams that write one table keyed by different id fields, a
 * table the user made without a key) every batch of the stream fails
 * with 42P10, on every start, and the worker stops on the first. table:
 * the one idx belongs to (ss->table, or its tombstones under delete.mode
 * = hard, whose upserts take the same ON CONFLICT). Returns 0, or -1 with
 * errstr naming the stream, table and id field (a schema error: exit 2).
 * Only for an ordinary or partitioned table: a view that PostgreSQL can
 * write through infers its arbiter from the table under it.
 */
int tableschema_check_arbiter(const stream_sql_t *ss, const char *table, const table_index_t *idx,
                              size_t n_idx, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Whether a column of type from may be altered to type to (above). */
int tableschema_widens(const char *from, const char *to);

/* *exists: whether table (quoted, as stream_sql_t has it) exists; an
 * unqualified name is looked up in current_schema(), where CREATE TABLE
 * puts it. */
pg_status_t tableschema_exists(pg_t *pg, const char *table, int *exists, char *errstr,
                               size_t errstr_size) TM_WARN_UNUSED;

/* *rows: whether table has a row (1 when that cannot be read). In a
 * transaction a failure aborts it, as any statement's does. */
pg_status_t tableschema_has_rows(pg_t *pg, const char *table, int *rows, char *errstr,
                                 size_t errstr_size) TM_WARN_UNUSED;

/*
 * Creates ss's table when it does not exist, else reads its columns and
 * runs the plan (each change logged at info). A refused schema returns
 * PG_FATAL with *schema_error = 1 and errstr naming the table and field.
 */
pg_status_t tableschema_ensure(pg_t *pg, const stream_sql_t *ss, int *schema_error, char *errstr,
                               size_t errstr_size) TM_WARN_UNUSED;

#endif
