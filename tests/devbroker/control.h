/*
 * control.h - the devbroker's fault-injection channel: a FIFO that scripts
 * write line commands to ("broker 2 down", "fail Produce 3", ...), applied
 * to the mock cluster as they arrive.
 *
 * Owns: the FIFO (created by control_new, removed by control_destroy) and
 * its read buffer. Does not own the mock cluster. Main thread only.
 *
 * Commands (words separated by blanks; API and error names are matched
 * case-insensitively; numbers are also accepted for both):
 *
 *   broker ID down | broker ID up       take a broker off / back on line
 *   rtt ID MS                           add MS of latency to broker ID
 *   fail API COUNT [ERROR]              the next COUNT requests of API fail
 *                                       with ERROR (default REQUEST_TIMED_OUT)
 *   clear API                           drop API's pending injected errors
 *   topic NAME PARTITIONS               create a topic (replication
 *                                       factor min(3, brokers))
 *   leader TOPIC PARTITION ID           move a partition's leader
 *   coordinator group|transaction KEY ID  move a coordinator
 *
 * Each command's result goes to the log as "ok: <command>" or
 * "error: <command>: <why>".
 */
#ifndef TIDEMARK_DEVBROKER_CONTROL_H
#define TIDEMARK_DEVBROKER_CONTROL_H

#include "compiler.h"
#include <stddef.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

typedef struct control control_t;

/*
 * broker_cnt sizes the replication factor of topics created by command.
 * Creates the FIFO at path (replacing a stale FIFO left there, refusing
 * any other kind of file) and opens it for reading. Returns NULL with
 * errstr filled on failure.
 */
control_t *control_new(const char *path, rd_kafka_mock_cluster_t *mcluster, int broker_cnt,
                       char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Waits up to timeout_ms for input, then applies every complete line
 * received. Returns 0, or -1 with errstr filled when the FIFO failed
 * (a bad command is not a failure: it is logged and skipped).
 */
int control_poll(control_t *ctl, int timeout_ms, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Applies one command line (no trailing newline needed). Returns 0 when it
 * was applied, else -1 with errstr saying why. Exposed so that commands can
 * be tested without a FIFO.
 */
int control_apply(rd_kafka_mock_cluster_t *mcluster, int broker_cnt, const char *line, char *errstr,
                  size_t errstr_size) TM_WARN_UNUSED;

/* Closes and removes the FIFO. NULL is a no-op. */
void control_destroy(control_t *ctl);

#endif
