/*
 * isotime.h - ISO-8601 / RFC 3339 timestamps as milliseconds since the
 * epoch (UTC), the one representation of a cursor value inside tidemark.
 *
 * Pure functions, no state, safe from any thread. No function here reads
 * the local time zone.
 */
#ifndef TIDEMARK_ISOTIME_H
#define TIDEMARK_ISOTIME_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#define ISOTIME_BUFSIZE 32 /* enough for "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

/* The instants isotime_parse accepts: 0001-01-01T00:00:00.000Z to
 * 9999-12-31T23:59:59.999Z, the ones isotime_format writes back. */
#define ISOTIME_MIN_MS (-62135596800000LL)
#define ISOTIME_MAX_MS 253402300799999LL

/*
 * Parses "2026-11-25", "2026-11-25T12:00:00Z", "2026-11-25T12:00:00.5+02:00",
 * "2026-11-25 12:00:00.123456-0130" (space or T; Z, +HH:MM, +HHMM, +HH or
 * no offset, which means UTC; any number of fractional digits, truncated to
 * milliseconds). *date_only is set to 1 when s had no time part (may be
 * NULL). Returns 0, or -1 with errstr saying what is wrong; an instant
 * outside ISOTIME_MIN_MS..ISOTIME_MAX_MS (year 0000; "9999-12-31T23:00-05")
 * is wrong.
 */
int isotime_parse(const char *s, int64_t *ms_out, int *date_only, char *errstr,
                  size_t errstr_size) TM_WARN_UNUSED;

/* "2026-11-25T12:00:00.123Z" (always milliseconds, always Z). */
void isotime_format(int64_t ms, char *buf, size_t size);

/* Bytes isotime_format_pattern() may write, its NUL included. */
#define ISOTIME_PATTERN_BUFSIZE 128

/*
 * ms as pattern says, in UTC: strftime(3)'s conversions, and %f for the
 * microseconds (six digits, as Python's strftime writes them; an instant
 * kept in milliseconds ends in 000). How a cursor parameter is written
 * for an API that compares it as text in its own spelling (SQLite's
 * "%Y-%m-%d %H:%M:%S.%f"). Returns 0, or -1 when the text needs size
 * bytes or more (or is empty).
 */
int isotime_format_pattern(const char *pattern, int64_t ms, char *buf, size_t size) TM_WARN_UNUSED;

/* 0 when pattern writes a time that isotime_parse() reads back as the
 * instant written, cut to the second at most (tried on two instants);
 * else -1 with errstr saying what it wrote. */
int isotime_pattern_check(const char *pattern, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* "2026-11-25" (the UTC day of ms). */
void isotime_format_date(int64_t ms, char *buf, size_t size);

/* ms rounded down to 00:00:00.000 UTC of its day. */
int64_t isotime_day_start(int64_t ms);

/* Days since 1970-01-01 (Avro "date") <-> milliseconds. */
int32_t isotime_ms_to_days(int64_t ms);
int64_t isotime_days_to_ms(int32_t days);

/* Wall clock, milliseconds since the epoch (CLOCK_REALTIME). */
int64_t isotime_now_ms(void);

/* Monotonic clock in milliseconds, for timeouts and intervals. */
int64_t isotime_monotonic_ms(void);

#endif
