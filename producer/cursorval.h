/*
 * cursorval.h - a record's cursor value as the stream writes it
 * (cursor.format): ISO-8601 text, or seconds or milliseconds since the
 * Unix epoch. Read into epoch milliseconds, the one form the HWM, the
 * run records and the events' source_ts use.
 *
 * Why: many APIs (exports of help desks, payment and chat services) keep
 * their last-modified times as epoch seconds, a JSON number; read as
 * ISO-8601 text every record was dead-lettered.
 *
 * Pure functions over the caller's values; any thread. A value that
 * cannot be read fails with -1 and a reason (no partial result).
 */
#ifndef TIDEMARK_CURSORVAL_H
#define TIDEMARK_CURSORVAL_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hwm.h"

/*
 * v (a record's cursor field, or a deleted item's deleted_at) into *ms.
 * iso8601: a string isotime_parse() takes. unix and unix_ms: a number
 * (an integer, or a kept-as-text one: jsonnum.h) or a string of digits,
 * a fraction allowed, within years 1..9999; an ISO-8601 string too.
 * Returns 0, or -1 with why ("missing or not a string", the parser's).
 */
int cursorval_read(const cursor_clock_t *clock, const json_t *v, int64_t *ms, char *why,
                   size_t why_size) TM_WARN_UNUSED;

/*
 * The cursor of rec (a record of sc's stream: its cursor.field, read as
 * its cursor.format) into *ms: 1, or 0 when it has none that reads.
 */
int cursorval_of_record(const stream_conf_t *sc, const json_t *rec, int64_t *ms);

/*
 * The since to ask for since_ms from an API that serves records after it
 * (`>`): the last instant before its bucket as the parameter is written
 * (the day before a date; the second before for unix seconds). Pure.
 */
int64_t cursorval_since_below(const stream_conf_t *sc, int64_t since_ms);

#endif
