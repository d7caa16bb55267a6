/*
 * ddl.h - the worker's tables, created when they do not exist, in one
 * transaction under pg_advisory_xact_lock so that two workers starting
 * together do not race on CREATE (IF NOT EXISTS is not safe against a
 * concurrent CREATE of the same name). Its lock waits are cut to 2 s
 * (ddl.c: an ALTER TABLE waiting for a lock makes every later reader of
 * the table wait behind it); the caller tries again.
 *
 *   sync_offsets (consumer_group, topic, partition, next_offset,
 *                 updated_at, placed_by_reset, applied_table, last_ts,
 *                 last_key_sum, last_offset)  -- primary key the first
 *                                 three; the source of truth of every
 *                                 group's position (placed_by_reset: set
 *                                 by reset-offsets, cleared by a batch;
 *                                 applied_table: offsets.h; last_*: the
 *                                 message below the offset, offsetmark.h)
 *   sync_metadata -- one row per producer run as applied here: the README's
 *                    columns (id, record_type, run_id, is_full_sync,
 *                    last_sync_timestamp, records_synced, records_deleted,
 *                    sync_status, started_at, completed_at, created_at)
 *                    and tidemark's own bookkeeping:
 *       topic            the stream's topic, whose partitions end_offsets
 *                        names
 *       end_offsets      jsonb {"partition": offset after the run's last
 *                        event}, from the latest run record
 *       producer_status  the producer's status of the run (running,
 *                        completed, failed); sync_status becomes
 *                        'completed' once it is 'completed' and this
 *                        consumer group's sync_offsets reach end_offsets
 *       producer_records, producer_deletes  events the producer published
 *       applied_offsets  jsonb {"partition": next offset already counted}
 *                        (see runcount.h)
 *       records_dead_lettered  events of the run sent to the DLQ; the run
 *                        completes when synced + deleted + dead-lettered
 *                        reach producer_records + producer_deletes
 *       updated_at       last change of the row
 *   <table>               one per stream (sqlgen.h), following its
 *                         schema (tableschema.h)
 *   <table>__tombstones   with delete.mode = hard
 *
 * Main thread; uses the caller's pg_t.
 */
#ifndef TIDEMARK_WORKER_DDL_H
#define TIDEMARK_WORKER_DDL_H

#include "compiler.h"
#include <stddef.h>
#include "pg.h"
#include "sqlgen.h"

/* Creates the bookkeeping tables and every stream's tables, and brings an
 * existing stream table in line with its schema (tableschema.h: new
 * columns, widened types), all in one transaction under the lock.
 * Returns a pg_status_t with errstr naming the statement's table on
 * failure; *schema_error (may be NULL) is set to 1 when the failure is the
 * schema's, not the database's (an incompatible type change, a field name
 * PostgreSQL would cut, a table without a key on the stream's id field):
 * a configuration error. A stream table that holds nothing (missing:
 * dropped, or renamed in the configuration; or emptied, or made
 * beforehand) while group (may be NULL) has stored offsets for the
 * stream's topic has those offsets deleted in the same transaction: the
 * topic is replayed into it from its first message (ddl.c). Offsets
 * reset-offsets placed, no batch having moved them since, are kept. Under
 * delete.mode = hard, rows marked deleted (a soft mode before) move into
 * the tombstones. */
pg_status_t ddl_ensure(pg_t *pg, const char *group, const stream_sql_t *const *streams,
                       size_t n_streams, int *schema_error, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

/*
 * tables_json ({"topic": "table as the worker's SQL names it"}) with each
 * existing table as one name whatever its spelling in the configuration
 * (customers, public.customers, "public"."customers"): schema.table,
 * quoted where PostgreSQL needs it, into *out (caller frees; NULL when
 * there is no stream). Offsets say which table they were applied to by
 * it (offsets.h): a spelling of its own made one table two.
 */
pg_status_t ddl_table_names(pg_t *pg, const char *tables_json, char **out, char *errstr,
                            size_t errstr_size) TM_WARN_UNUSED;

#endif
