/*
 * daytz.h - calendar days in a named time zone, for streams whose API
 * filters by its own local day (cursor.precision = date with
 * cursor.timezone = Europe/Berlin): the bucket of a cursor value is the
 * start of its local day, and the parameter sent is that local date.
 *
 * "UTC" (and NULL) never touch the C library's time-zone state. Any other
 * name is an IANA zone from the system's tz database
 * (/usr/share/zoneinfo, Debian's tzdata); the conversion sets the
 * process's TZ to it (left set: nothing else in the programs reads local
 * time), so glibc reads a zone's file only when another zone was used in
 * between. Any thread: a lock keeps TZ still around each conversion.
 * Each zone remembers the
 * last day it computed, so a run whose records fall on a few days
 * converts a few times, not once per record.
 *
 * Owns: a small per-zone cache (process lifetime, freed by
 * daytz_cleanup; main thread). Failures: daytz_check says why a name is
 * unusable; a zone file glibc could not read when it was needed (glibc
 * then converts as UTC without a word) is kept for daytz_take_failure(),
 * which whoever trusts the results must ask before keeping them.
 */
#ifndef TIDEMARK_DAYTZ_H
#define TIDEMARK_DAYTZ_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

/* True for NULL, "", "UTC", "Etc/UTC": no conversion needed. */
int daytz_is_utc(const char *tz);

/*
 * 0 if tz names a zone of the tz database (or UTC); -1 with errstr
 * ("unknown time zone 'Mars/Base' (not in /usr/share/zoneinfo)").
 */
int daytz_check(const char *tz, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Start (UTC ms) of the local day in tz that holds instant ms. */
int64_t daytz_day_start(const char *tz, int64_t ms);

/* The local date in tz of instant ms, "YYYY-MM-DD". */
void daytz_format_date(const char *tz, int64_t ms, char *buf, size_t size);

/*
 * -1 with errstr naming the zone when a conversion since the last call
 * could not read its zone's file (its result was UTC's, a day off at
 * times); 0 otherwise. Clears what it reports.
 */
int daytz_take_failure(char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Frees the per-zone cache (tests, end of main). */
void daytz_cleanup(void);

#endif
