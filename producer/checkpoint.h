/*
 * checkpoint.h - the producer's checkpoints: run records in
 * <prefix>.sync-runs, keyed by stream name; the latest one per stream is
 * the checkpoint.
 *
 * Reading scans the topic once with topicscan.h (assign-only, never
 * commits, every partition from its low to its high watermark); a topic
 * that does not exist yet means "no checkpoint". Across partitions (a
 * custom partitioner could spread one key) the message with the latest
 * timestamp wins; within one, the later offset.
 *
 * Writing goes through the run's publisher and succeeds only once the
 * record's own delivery report is in without error.
 *
 * Owns: checkpoint_read() hands each found run_record_t to the caller
 * (run_record_destroy). Main thread.
 */
#ifndef TIDEMARK_CHECKPOINT_H
#define TIDEMARK_CHECKPOINT_H

#include <stddef.h>
#include "config.h"
#include "publisher.h"
#include "runrecord.h"

/*
 * For each of the n stream names, out[i] = its latest run record or NULL.
 * Returns 0, or -1 with errstr (Kafka unreachable, read timed out); on -1
 * every out[i] is NULL.
 */
int checkpoint_read(const tm_config_t *conf, const char *const *streams,
                    size_t n, run_record_t **out, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

/*
 * Produces rr to topic (key rr->stream) and waits for its ack. 0 or -1.
 * Only this record's own delivery report decides: the caller must have
 * flushed and checked the events the record covers before calling.
 */
int checkpoint_write(publisher_t *pub, const char *topic,
                     const run_record_t *rr, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

#endif
