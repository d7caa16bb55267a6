/*
 * runner.h - `tidemark-worker run`: connect to PostgreSQL, create the
 * tables, join the consumer group and apply batches until SIGTERM/SIGINT;
 * then apply (or roll back) the batches in hand, leave the group and
 * return.
 *
 * Batches go through a pipeline of two: while PostgreSQL applies one
 * batch, the messages librdkafka holds ready are taken as the next batch
 * and decoded on a thread (decodeahead.h). Each batch holds at most half
 * of batch.max.records, so that the two together hold no more than one
 * did before. The next batch is applied only once the one before it
 * committed, and its Kafka offsets are committed after its own
 * transaction; when the one before is not applied (fenced: the stored
 * offsets are sought again; a failure that stops the worker), the next is
 * dropped unapplied and will be consumed again. A rebalance (or SIGTERM)
 * applies both, in order, before the partitions go.
 *
 * Failures: a poison message is dead-lettered inside the batch (apply.h);
 * transient ones (pg.h: connection lost, timeouts, a read-only standby,
 * resources, a dead letter not acknowledged) roll the batch back and
 * retry it after a backoff for as long as it takes, each retry logged with
 * attempt= and retries_total=, except one that a stream's own table
 * causes with more than one stream configured (apply_result_t.refused):
 * that stream is held back and the rest applied at once, the held one
 * tried again on a backoff (streamhold.h), while /readyz names it; a
 * fenced batch is rolled back and the
 * worker seeks to the stored offsets (fencing.h); a fatal one stops the
 * worker. While a partition is stuck out of range (consumer.h) the stored
 * offsets are re-read every 2 s even when busy, so that reset-offsets
 * resumes it.
 *
 * Counters (batches, events, upserts, deletes, dead letters, retries,
 * fenced batches, lag) are kept in a worker_stats_t (stats.h) that the
 * batch loop updates and the log lines read.
 *
 * Owns: everything it creates, for the duration of the call. Borrows conf
 * and streams. Main thread.
 */
#ifndef TIDEMARK_WORKER_RUNNER_H
#define TIDEMARK_WORKER_RUNNER_H

#include "config.h"
#include "streams.h"

/* Returns the process exit status: 0 after a clean stop, 1 on a runtime
 * failure, 2 when a stream's table refuses its schema at start (an
 * incompatible type change, a field name PostgreSQL would cut: see
 * tableschema.h); already logged. */
int runner_run(const tm_config_t *conf, const worker_streams_t *streams);

#endif
