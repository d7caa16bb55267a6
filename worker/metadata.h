/*
 * metadata.h - the sync_metadata rows (see ddl.h for the columns): one per
 * producer run, fed from two sides that may arrive in either order - the
 * run records of <prefix>.sync-runs and the run's own change events - and
 * completed once this consumer group's stored offsets reach the run's
 * end_offsets.
 *
 * Every function works inside the caller's transaction. Main thread.
 */
#ifndef TIDEMARK_WORKER_METADATA_H
#define TIDEMARK_WORKER_METADATA_H

#include <stddef.h>
#include <stdint.h>
#include "pg.h"
#include "runcount.h"
#include "runrecord.h"

/*
 * Inserts or updates the run's row from a run record: record_type,
 * is_full_sync, last_sync_timestamp (the HWM), started_at, topic,
 * end_offsets, producer_status/records/deletes. A 'failed' run makes
 * sync_status 'failed'. A stale 'running' record does not overwrite a row
 * the producer already finished.
 */
pg_status_t metadata_apply_run_record(pg_t *pg, const run_record_t *rr,
                                      const char *topic, char *errstr,
                                      size_t errstr_size)
    __attribute__((warn_unused_result));

/*
 * Counts a run's events of this batch (runcount.h): creates the row if
 * the run is new (sync_status 'running', record_type = stream), locks it,
 * and adds what was not counted before.
 */
pg_status_t metadata_count_events(pg_t *pg, const char *run_id,
                                  const char *stream, const char *topic,
                                  int full_sync, const runcount_event_t *evs,
                                  size_t n, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/*
 * Marks 'completed' every running row whose producer finished and whose
 * end_offsets this group's sync_offsets all reach (rows another worker
 * holds locked are left to that worker). *n_completed (may be NULL) is
 * how many; each is logged at info.
 */
pg_status_t metadata_complete_runs(pg_t *pg, const char *group,
                                   int *n_completed, char *errstr,
                                   size_t errstr_size)
    __attribute__((warn_unused_result));

#endif
