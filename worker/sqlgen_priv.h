/*
 * sqlgen_priv.h - what sqlgen.c and sqlgen_dml.c share: the statements
 * that stage a batch and move it into the table are built apart from the
 * table's DDL.
 *
 * Pure: any thread.
 */
#ifndef TIDEMARK_WORKER_SQLGEN_PRIV_H
#define TIDEMARK_WORKER_SQLGEN_PRIV_H

#include "sqlgen.h"

/* The worker's own columns of a stream's table, in the order its INSERTs
 * name them; no field of the record may take one of these names. */
extern const char *const sqlgen_bookkeeping[];

/* Fills out's stage, create_stage, copy_rows, copy_keys, upsert,
 * delete_rows, tombstone_rows and statement names. -1: out of memory
 * (what was made is freed by stream_sql_clear()). */
int sqlgen_build_dml(const record_schema_t *rs, const char *table, const char *id_field,
                     delete_mode_t mode, int table_shared, stream_sql_t *out) TM_WARN_UNUSED;

#endif
