/*
 * metadata.h - the sync_metadata rows (see ddl.h for the columns): one per
 * producer run, fed from two sides that may arrive in either order - the
 * run records of <prefix>.sync-runs and the run's own change events - and
 * completed once this consumer group's stored offsets reach the run's
 * end_offsets AND every event the producer published for it is accounted
 * for: records_synced + records_deleted + records_dead_lettered reach
 * producer_records + producer_deletes (offsets alone would let a skipped
 * partition pass).
 *
 * Every function works inside the caller's transaction. Main thread.
 */
#ifndef TIDEMARK_WORKER_METADATA_H
#define TIDEMARK_WORKER_METADATA_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "pg.h"
#include "runcount.h"
#include "runrecord.h"

/*
 * Inserts or updates the run's row from a run record: record_type,
 * is_full_sync, last_sync_timestamp (the HWM), started_at, topic,
 * end_offsets, producer_status/records/deletes. A 'failed' run makes
 * sync_status 'failed'. A stale 'running' record does not overwrite a row
 * the producer already finished.
 *
 * not_configured: the stream is not in this worker's configuration (another
 * deployment's, or one a member of this group was not yet given in a
 * rolling restart). A new row then gets sync_status 'not_configured',
 * out of the index of running rows every batch reads; the first event
 * of the run counted here (metadata_count_events) makes it 'running',
 * and it completes as any run does. Dropped, such a record left the run
 * of a stream added by a rolling restart running for good.
 */
pg_status_t metadata_apply_run_record(pg_t *pg, const run_record_t *rr, const char *topic,
                                      int not_configured, char *errstr,
                                      size_t errstr_size) TM_WARN_UNUSED;

/*
 * Counts a run's events of this batch (runcount.h): creates the row if
 * the run is new (sync_status 'running', record_type = stream), locks it,
 * and adds what was not counted before (spans: what the batch consumed
 * in the run's topic, runcount.h). A PG_DATA failure is the run_id's
 * fault (too long for the index, not UTF-8): its events are poison.
 */
pg_status_t metadata_count_events(pg_t *pg, const char *run_id, const char *stream,
                                  const char *topic, int full_sync, const runcount_event_t *evs,
                                  size_t n, const runcount_span_t *spans, size_t n_spans,
                                  char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Turns 'running' the not_configured rows of conf's streams (a member
 * lacking the stream read their records: a run with no event has nothing
 * else to turn it), then marks 'completed' every running row whose
 * producer finished, whose
 * end_offsets this group's sync_offsets all reach and whose events are all
 * counted (see above); rows another worker holds locked are left to that
 * worker. stuck (may be NULL) is a JSON array of {"topic":..,
 * "partition":..} that this worker does not apply (offset.out_of_range =
 * fail): a run with events there is not completed. tables (may be NULL:
 * every row counts) is worker_streams_tables_json(): a row applied to
 * another table than its topic's (offsets_same_table()) reaches nothing.
 * *completed (may be
 * NULL) gets their rows for metadata_log_completed() (caller PQclears;
 * NULL when it failed): they are completed only once the transaction
 * commits, and only then to be logged.
 */
pg_status_t metadata_complete_runs(pg_t *pg, const tm_config_t *conf, const char *stuck,
                                   const char *tables, PGresult **completed, char *errstr,
                                   size_t errstr_size) TM_WARN_UNUSED;

/* One info line per run of completed (metadata_complete_runs(); NULL: none). */
void metadata_log_completed(const PGresult *completed);

#endif
