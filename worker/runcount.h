/*
 * runcount.h - counting each event of a producer run once, across Kafka
 * redelivery, worker crashes and replays.
 *
 * A run's sync_metadata row keeps applied_offsets, a JSON object with an
 * entry per partition: the offsets already counted, as a number N (every
 * offset below N) or, when they do not start at 0 or have a gap, an array
 * of [from, to) pairs ({"0": 12, "3": [[40, 55], [60, 71]]}). An event at
 * an offset not counted yet adds one to records_synced (upsert) or
 * records_deleted (delete), whether or not the version guard let it change
 * a row, or to records_dead_lettered when it went to the DLQ; an event at
 * a counted offset was counted before and adds nothing. A run is complete
 * only when these three add up to the events its producer published
 * (metadata.h).
 *
 * Why ranges and not the highest offset counted: a worker whose offsets
 * were moved forward (reset-offsets) skips some of a run's events, and the
 * run stays running; replaying them (reset-offsets back) must count them
 * then. Below a high mark they counted as seen, and the run never
 * completed. The offsets a batch consumed in a partition (its span: from
 * its first message to its last) are all counted at once,
 * so that the messages between a run's events (tombstones, other runs'
 * events) leave no gap and an entry stays one range unless offsets were
 * really skipped.
 *
 * Owns: applied_offsets_t owns its entries and their ranges; free with
 * applied_offsets_clear(). Pure; any thread.
 */
#ifndef TIDEMARK_WORKER_RUNCOUNT_H
#define TIDEMARK_WORKER_RUNCOUNT_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

typedef struct offset_range {
    int64_t from, to; /* [from, to) */
} offset_range_t;

typedef struct applied_entry {
    int32_t partition;
    offset_range_t *ranges; /* ascending, disjoint, none touching the next */
    size_t n_ranges;
} applied_entry_t;

typedef struct applied_offsets {
    applied_entry_t *entries;
    size_t n;
} applied_offsets_t;

/* The offsets a batch consumed in one partition of the run's topic. */
typedef struct runcount_span {
    int32_t partition;
    int64_t from, to; /* [from, to) */
} runcount_span_t;

typedef struct runcount_event {
    int32_t partition;
    int64_t offset;
    int is_delete;
    int countable; /* 0 for an event that was dead-lettered: counted as
                      dead-lettered, not as a synced record */
    int by_header; /* dead-lettered at decode, its run named by the
                      message's tidemark.run header (decode.h) */
} runcount_event_t;

/* Parses applied_offsets JSON text (NULL or "" = empty); end_offsets
 * too ({"0": 12}: a run's end, every offset below it). 0 or -1. */
int applied_offsets_parse(const char *json, applied_offsets_t *out) TM_WARN_UNUSED;

/* {"0":12,"3":[[7,9]]} sorted by partition; NULL on allocation failure. */
char *applied_offsets_to_json(const applied_offsets_t *ao);

void applied_offsets_clear(applied_offsets_t *ao);

/*
 * Counts evs (any order) against ao and advances ao. Adds to *synced,
 * *deleted and *dead (the dead-lettered ones). ends (NULL: not known yet)
 * are the run's final end offsets (its last run record's, not a progress
 * record's), in the same form as ao: an event at or past its partition's
 * end, or in a partition ends do not list (the run wrote nothing there),
 * is not the run's (a header or run id anyone may write, on a message
 * after the run: it would make up for an event skipped by moving an
 * offset) and counts nothing. spans (n_spans; NULL: none) are what the
 * batch consumed: a partition's span is counted whole where evs have an
 * event in it. Returns 0, or -1 on allocation failure (ao may then be
 * partly advanced: the caller abandons its transaction).
 */
int runcount_apply(applied_offsets_t *ao, const applied_offsets_t *ends,
                   const runcount_event_t *evs, size_t n, const runcount_span_t *spans,
                   size_t n_spans, int64_t *synced, int64_t *deleted, int64_t *dead) TM_WARN_UNUSED;

#endif
