/*
 * schemapub.h - publishes a stream's change-event schema to
 * <prefix>.schemas before the run's first event, so that a worker whose
 * schema is another version can resolve the events (worker/schematopic.h
 * reads them). Without a schema registry this topic is one: key the
 * CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form as 16
 * lowercase hex digits (the number, as `printf %016x` prints it), value
 * the schema's Avro JSON as `tidemark-producer schema` prints it.
 *
 * Compaction keeps the latest value of each key for ever, which is what
 * a reader of an old backlog needs; time-based retention would drop the
 * schema of old events. When the cluster does not have the topic it is
 * created with cleanup.policy=compact (one partition, the broker's
 * replication factor); a cluster that refuses the creation (no
 * CreateTopics, no permission) gets a warning, and the produce then
 * relies on the broker's auto-creation, without compaction.
 *
 * Owns nothing. Main thread (the publisher's).
 */
#ifndef TIDEMARK_SCHEMAPUB_H
#define TIDEMARK_SCHEMAPUB_H

#include "compiler.h"
#include <stddef.h>
#include "config.h"
#include "envelope.h"
#include "publisher.h"

/*
 * Publishes es's schema and waits for Kafka's acknowledgement (acks=all).
 * Call at the start of every run, before its first event: it publishes
 * once per process and schema (remembered in es), so that follow mode
 * does not add a message per pass. Resets the publisher's counters
 * (publisher_reset) when it publishes. 0, or -1 with errstr: the run must
 * not publish events then (the next run tries again).
 */
int schemapub_publish(const tm_config_t *conf, publisher_t *pub, envelope_schema_t *es,
                      char *errstr, size_t errstr_size) TM_WARN_UNUSED;

#endif
