/*
 * status.h - the worker's `status` command: how far behind each stream
 * is, for people and for monitoring.
 *
 *   tidemark-worker status [--max-staleness DUR]
 *
 * Two plain tables on stdout. Per stream and partition of its topic: the
 * consumer group's stored next_offset (sync_offsets; "-" when none: the
 * worker starts at the beginning), the topic's high watermark, the lag
 * (high watermark - stored offset) and a state: ok, or out-of-range when
 * the stored offset lies outside the partition's watermarks (a worker
 * with offset.out_of_range = fail does not apply such a partition; the
 * lag is then "-" and an error on stderr names it). Then per stream: the last completed
 * run in sync_metadata (run_id, completed_at, records_synced,
 * records_deleted, HWM = last_sync_timestamp), its staleness (the
 * database's now() - completed_at, as duration.h writes it) and a state: ok, stale (older than
 * --max-staleness) or no-run (no completed run yet).
 *
 * Read-only: creates no table (missing ones read as empty). Exit status:
 * 0; 1 when a stream has no completed run or is stale, a partition is
 * out of range, or on a runtime failure (what could be read is still
 * printed); 2 on bad usage.
 *
 * The parsing, lag and state are pure functions, exposed for the unit
 * tests. Main thread.
 */
#ifndef TIDEMARK_WORKER_STATUS_H
#define TIDEMARK_WORKER_STATUS_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cli.h"
#include "config.h"

typedef struct worker_status_args {
    int64_t max_staleness_ms; /* -1: not given */
} worker_status_args_t;

/* The command on the command line (cli.h), named by its row in
 * worker/main.c: its handler, options, their check and help texts. */
int worker_status_command(const tm_config_t *conf, const cli_args_t *args);
extern const cli_option_t worker_status_options[];
int worker_status_check(const cli_args_t *args, char *errstr, size_t errstr_size);
extern const cli_help_t worker_status_help;

/* The command's options as cli_parse found them (args->command is the
 * status row), typed. 0, or -1 with errstr (bad usage). */
int worker_status_args_from_cli(const cli_args_t *args, worker_status_args_t *out, char *errstr,
                                size_t errstr_size) TM_WARN_UNUSED;

/* Lag of a partition: high - stored, or high - low when nothing is
 * stored (stored < 0); never negative. -1 when high is unknown (< 0). */
int64_t worker_status_lag(int64_t stored, int64_t low, int64_t high);

typedef enum { STREAM_OK = 0, STREAM_STALE, STREAM_NO_RUN } stream_state_t;

/* found: a completed run exists; staleness_ms: its age; max_ms: -1 for
 * no limit. */
stream_state_t worker_status_state(int found, int64_t staleness_ms, int64_t max_ms);

const char *worker_status_state_name(stream_state_t s);

#endif
