/*
 * schematopic.h - the writer schemas of <prefix>.schemas, the compacted
 * topic the producer publishes each change-event schema to before its
 * first event with it: key the CRC-64-AVRO fingerprint as 16 lowercase hex
 * digits, value the schema's Avro JSON (see producer/schemapub.h).
 *
 * The topic is read from its beginning at start (schema_source_t.each)
 * and again, from where the last read stopped, whenever a lookup misses:
 * a producer publishes a schema before any event written with it, so an
 * event whose schema is still missing after that read is dead-lettered.
 * Each message is checked: a key that is not the fingerprint of the value
 * is ignored with a warning. A key's latest value is the one lookups
 * answer; the earlier ones still on the topic (not yet compacted away)
 * are kept too, once each, and listed after it by each(). A topic that does not exist (no producer
 * of this version has run) holds no schema.
 *
 * Owns: its rd_kafka_t (a consumer that assigns the topic's partitions
 * for the time of a read and never joins a group) and a copy of every
 * schema read. Main thread only.
 */
#ifndef TIDEMARK_WORKER_SCHEMATOPIC_H
#define TIDEMARK_WORKER_SCHEMATOPIC_H

#include "compiler.h"
#include <stddef.h>
#include "config.h"
#include "schemasource.h"

/* Fills *out with a source over conf's <prefix>.schemas. Nothing is read
 * yet. 0, or -1 with errstr. Free with schema_source_destroy(). */
int schematopic_new(const tm_config_t *conf, schema_source_t *out, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

#endif
