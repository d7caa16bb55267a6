/*
 * copyrow.h - one change event (or Kafka tombstone) as one line of
 * PostgreSQL COPY text format, in the column order of sqlgen.h's
 * copy_rows (an upsert: every field, then _source_ts, _kafka_partition,
 * _kafka_offset, _produced_at) or copy_keys (a delete event, a Kafka
 * tombstone: the id, then the same four).
 *
 * A value is written from the event's row form (convert.h) as
 * PostgreSQL's jsonb_populate_record() would hand it to the column's
 * input function: a string as its text, a number or boolean as its JSON
 * text, null or a missing member as NULL (\N), an object or array as its
 * JSON text (and any value of a jsonb column as JSON); timestamps of the
 * envelope as ISO-8601. Text is escaped as COPY wants it (backslash, tab,
 * newline, carriage return). An upsert's id is the envelope id when
 * after.<id> is missing or null.
 *
 * PostgreSQL text cannot hold U+0000: a field's string holding one makes
 * the row COPYROW_NUL (nothing written). Inside a jsonb value the server
 * refuses it itself (22P05), but for a string that starts with it, which
 * decoding already refused (convert_avro_to_row(): such a string is how
 * jsonnum marks a number kept as text, written here as that number).
 * Either way the event is dead-lettered with the reason PostgreSQL gives
 * a \u0000 in jsonb, COPYROW_NUL_WHY.
 *
 * Pure: any thread; appends to the caller's buffer.
 */
#ifndef TIDEMARK_WORKER_COPYROW_H
#define TIDEMARK_WORKER_COPYROW_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "envelope.h"
#include "sqlgen.h"
#include "strbuf.h"

#define COPYROW_OK  0
#define COPYROW_NUL 1 /* a string holds U+0000 */

#define COPYROW_NUL_WHY "22P05: unsupported Unicode escape sequence"

/* Appends ev's line (ending in '\n'). COPYROW_OK, COPYROW_NUL (sb as it
 * was), or -1 when out of memory (sb->failed). */
int copyrow_event(strbuf_t *sb, const stream_sql_t *ss, const change_event_t *ev, int32_t partition,
                  int64_t offset) TM_WARN_UNUSED;

/* Appends the line of a Kafka tombstone of id: no _source_ts, and
 * _produced_at its Kafka timestamp (the epoch when it has none,
 * timestamp_ms < 0). COPYROW_OK or -1. */
int copyrow_tombstone(strbuf_t *sb, const char *id, int32_t partition, int64_t offset,
                      int64_t timestamp_ms) TM_WARN_UNUSED;

#endif
