/*
 * sqlgen.h - the SQL text of one stream's table, generated once at start-up
 * from its record schema: CREATE TABLE, the batch upsert, the batch delete
 * (soft or hard) and, for hard deletes, the tombstone table that keeps a
 * replayed older upsert from resurrecting a deleted row.
 *
 * The rows of a batch go to a stage first: a temporary table of the
 * session (create_stage, once per connection: its columns are the
 * table's, with the table's own types, and _source_ts, _kafka_partition,
 * _kafka_offset, _produced_at), filled by COPY (copy_rows: every column,
 * copy_keys: the id and those four; copyrow.h writes the rows). Each DML
 * statement then applies the stage's rows and leaves them there; it has
 * no parameters and is run by its prepared name (upsert_name, ...). The
 * stage empties itself at the end of the transaction; a second COPY into
 * it in the same transaction must run empty_stage first (tableapply.h).
 * Ids must be unique within one stage load (ON CONFLICT cannot touch a
 * row twice): see dedupe.h.
 *
 * The version guard (README, "How it works"): an event applies only when the stored
 * (_source_ts, _produced_at, _kafka_offset) is older than the event's.
 * _produced_at (the envelope's produced_at) breaks a tie of _source_ts
 * across partitions: once partitions are added to a topic a key moves to
 * another partition, and offsets of two partitions say nothing about which
 * event came later, while the producer's clock does (one producer per
 * stream, runs one after another). Two events of one key with the same
 * _source_ts produced in the same millisecond on two partitions still
 * fall back to the offsets: that needs partitions added within that
 * millisecond of a run. A stored row of a table made before _produced_at
 * existed (NULL) counts as produced before any event: an event with the
 * same _source_ts replaces it, even an older one replayed (a replay goes
 * on to the newer ones, which replace it in turn), while comparing its
 * offset would keep it against a key's newer version on a new partition.
 *
 * Kafka tombstones (null value, key = id; the producer writes one after
 * each delete event so that compaction can drop the key). Compaction keeps
 * only the latest message of a key in a partition, so a surviving
 * tombstone may be all that is left of a delete, and it IS the latest word
 * on its key in its partition. It carries no source_ts, so it cannot take
 * part in the (_source_ts, ...) order; it is ordered by the topic instead:
 * it deletes a live row that came before it (same partition: a lower
 * offset; another partition: an earlier _produced_at than the tombstone's
 * Kafka timestamp, which the same producer clock set), keeping that row's
 * _source_ts, so that against later events the delete stands where the
 * row stood. A row already deleted stays as its delete event left it
 * (live consumption sees the delete event first: the tombstone is then a
 * no-op). An id with no row at all gets a delete at _source_ts
 * '-infinity', which the guard orders by the topic and by production: in
 * its partition an event later by offset or by production wins over it (a
 * re-created record, whatever the tombstone's timestamp or the topic's
 * offsets after it was made anew), from another partition one produced
 * later; an older event replayed from another partition does not bring it
 * back. A tombstone is never treated as
 * "newest" outright: a later upsert of its key would then be lost.
 *
 * Identifiers are always double-quoted (field names keep their case and may
 * hold any character). A table "s.t" is schema s, table t.
 *
 * Owns: stream_sql_t owns its strings; free with stream_sql_clear(). Pure:
 * any thread.
 */
#ifndef TIDEMARK_WORKER_SQLGEN_H
#define TIDEMARK_WORKER_SQLGEN_H

#include "config.h"
#include <stddef.h>
#include "schema.h"

/* What the schema asks of one column, for the start-up check of an
 * existing table (tableschema.h). */
typedef struct sql_column {
    char *field;  /* the schema's field name */
    char *column; /* the column: the name cut to 63 bytes, as PostgreSQL does */
    char *type;   /* its SQL type as format_type() prints it ("bigint",
                     "timestamp with time zone", "numeric(12,2)") */
    char *avro;   /* the field's Avro type, for messages ("long",
                     "timestamp-millis", "decimal(12,2)", "record") */
    int is_id;
    int is_json; /* a record, array or map: a jsonb column */
} sql_column_t;

typedef struct stream_sql {
    const char *stream;    /* the stream's name, for messages: borrowed, set
                              by the caller after stream_sql_build() (NULL:
                              none) */
    const char *topic;     /* the stream's topic: borrowed, set as stream is
                              (NULL: none) */
    char *table;           /* quoted (schema-qualified) table name */
    char *tombstones;      /* the same for <table>__tombstones, or NULL */
    sql_column_t *columns; /* one per field, in schema order */
    size_t n_columns;
    char *create_table;          /* CREATE TABLE IF NOT EXISTS ... */
    char *create_tombstones;     /* NULL unless delete.mode = hard */
    char *move_soft_deleted;     /* the same: moves the rows a soft mode marked
                                    deleted into the tombstones (the newest
                                    delete of an id wins), and counts them */
    char *move_soft_deleted_one; /* the same for the id $1 */
    char *soft_deleted_ids;      /* the same: their ids, as text */
    char *stage;                 /* pg_temp."tm_stage_<hash of table>" */
    char *create_stage;          /* CREATE TEMPORARY TABLE IF NOT EXISTS ... */
    char *empty_stage;           /* DELETE FROM stage */
    char *copy_rows;             /* COPY stage (fields..., the four) FROM STDIN */
    char *copy_keys;             /* COPY stage (id, the four) FROM STDIN */
    char *upsert;                /* staged by copy_rows: upserts */
    char *delete_rows;           /* staged by copy_keys: delete events */
    char *tombstone_rows;        /* staged by copy_keys, _source_ts NULL and
                                    _produced_at the message's timestamp:
                                    Kafka tombstones */
    char upsert_name[40];        /* prepared statement names */
    char delete_name[40];
    char tombstone_name[40];
    char *add_produced_at;            /* ALTER TABLE ... ADD COLUMN IF NOT EXISTS
                                         _produced_at, for a table made before it */
    char *add_produced_at_tombstones; /* the same for __tombstones, or NULL */
} stream_sql_t;

/*
 * Builds the statements; table_shared: another stream writes the same
 * table (a Kafka tombstone is then ordered against a row by production,
 * not by offsets: the row's offset may be another topic's). Returns 0, or
 * -1 with errstr set when id_field is
 * not a field of rs, a field name collides with a bookkeeping column
 * (_source_ts, _deleted, ...), two field names are the same column once
 * cut to PostgreSQL's 63 bytes, or allocation fails.
 */
int stream_sql_build(const record_schema_t *rs, const char *table, const char *id_field,
                     delete_mode_t mode, int table_shared, stream_sql_t *out, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

void stream_sql_clear(stream_sql_t *ss);

/* Whether column (a name as PostgreSQL reports it) is one the stream's
 * statements write: a field's, or a bookkeeping column. */
int stream_sql_writes(const stream_sql_t *ss, const char *column);

/* Whether column is one of the bookkeeping columns (sqlgen_bookkeeping). */
int stream_sql_bookkeeping(const char *column);

/* The SQL type of f as PostgreSQL's format_type() prints it, into buf. */
const char *sqlgen_pg_type(const schema_field_t *f, char *buf, size_t size);

/* Appends table ("t" or "s.t") quoted, with suffix added to the table part
 * ("" for none). */
struct strbuf;
void sqlgen_append_table(struct strbuf *sb, const char *table, const char *suffix);

#endif
