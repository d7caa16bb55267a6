/*
 * bookkeeping.h - the PostgreSQL side of the admin commands (reset-offsets,
 * status): connecting, the bookkeeping tables (created, or only looked
 * for by commands that must change nothing), writing a reset of a
 * group's stored offsets in one transaction, and reading a stream's last
 * completed run from sync_metadata.
 *
 * Stored offsets are read with offsets.h. Owns nothing beyond what each
 * function says. Main thread; uses the caller's pg_t.
 */
#ifndef TIDEMARK_WORKER_BOOKKEEPING_H
#define TIDEMARK_WORKER_BOOKKEEPING_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "pg.h"

/*
 * Connects. With create != 0 also creates the bookkeeping tables when
 * they are missing (ddl.h) and sets *present to 1; else only looks:
 * *present is 1 when sync_offsets and sync_metadata both exist.
 */
pg_status_t bookkeeping_open(pg_t *pg, int create, int *present, char *errstr,
                             size_t errstr_size) TM_WARN_UNUSED;

/*
 * Sets (group, topic, partitions[i]) to offsets[i] for every i, and
 * deletes the rows of (group, topic, gone[j]) for every j (partitions the
 * topic no longer has), in one transaction (rows are created when
 * missing). A worker's batch in flight then fails its compare-and-set and
 * seeks to the new offset.
 */
pg_status_t bookkeeping_write_offsets(pg_t *pg, const char *group, const char *topic,
                                      const int32_t *partitions, const int64_t *offsets, size_t n,
                                      const int32_t *gone, size_t n_gone, char *errstr,
                                      size_t errstr_size) TM_WARN_UNUSED;

/* The latest completed run of a stream (sync_metadata.record_type). */
typedef struct admin_last_run {
    int found; /* 0: no completed run */
    char run_id[128];
    char completed_at[40]; /* ISO-8601, UTC */
    char hwm[40];          /* last_sync_timestamp, "-" when NULL */
    int64_t records_synced;
    int64_t records_deleted;
    int64_t staleness_ms; /* server's now() - completed_at */
} admin_last_run_t;

pg_status_t bookkeeping_last_run(pg_t *pg, const char *stream, admin_last_run_t *out, char *errstr,
                                 size_t errstr_size) TM_WARN_UNUSED;

#endif
