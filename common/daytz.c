/*
 * daytz.c - local days in an IANA time zone (see daytz.h).
 *
 * glibc offers no "localtime in zone X" call; the portable way is to set
 * TZ, tzset(), convert, and put TZ back. Parsing TZif files ourselves
 * would also mean parsing the POSIX TZ rule at their end (Debian's files
 * stop listing transitions and rely on it), which glibc already does.
 */
#include "daytz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "errstr.h"
#include "isotime.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"

typedef struct zone_cache {
    struct zone_cache *next;
    char *name;
    int64_t day_start, next_day_start; /* the last local day computed */
} zone_cache_t;

static zone_cache_t *zones;

int daytz_is_utc(const char *tz)
{
    return !tz || !*tz || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0;
}

int daytz_check(const char *tz, char *errstr, size_t errstr_size)
{
    if (daytz_is_utc(tz))
        return 0;
    /* A zone name is a relative path inside the database: no way out of it. */
    if (tz[0] == '/' || strstr(tz, "..") ||
        strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "abcdefghijklmnopqrstuvwxyz"
                   "0123456789/_+-") != strlen(tz)) {
        errstr_set(errstr, errstr_size, "'%s' is not an IANA time zone name", tz);
        return -1;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", ZONEINFO_DIR, tz);
    FILE *f = fopen(path, "rb");
    char magic[4] = {0};
    size_t n = f ? fread(magic, 1, sizeof(magic), f) : 0;
    if (f)
        fclose(f);
    if (n != sizeof(magic) || memcmp(magic, "TZif", 4) != 0) {
        errstr_set(errstr, errstr_size, "unknown time zone '%s' (not in %s)", tz, ZONEINFO_DIR);
        return -1;
    }
    return 0;
}

/*
 * glibc holds one zone at a time, read from its file when TZ changes, and
 * when it cannot read the file (out of descriptors, tzdata being upgraded)
 * it takes UTC without a word: the date sent was then UTC's, a day off,
 * and a run moved its HWM past changes it never asked for. So TZ changes
 * only when another zone is wanted (a stream's zone is read once, not at
 * every conversion), each load is checked, and a failed one is kept for
 * daytz_take_failure(). The lock keeps TZ still between a switch and
 * the conversion that needs it, whichever thread converts. TZ is left
 * set: nothing else in the programs reads local time.
 */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static char tz_loaded[600]; /* the TZ glibc holds, "" when none or failed */
static char tz_failed[256]; /* the zone whose load failed, "" if none */

/* Whether the zone glibc holds was read: every zone's file names its
 * times ("CET", "GMT", "-03"); a failed load leaves no name. */
static int tz_load_ok(void)
{
    time_t epoch = 0;
    struct tm t;
    if (!localtime_r(&epoch, &t) || !t.tm_zone)
        return 0;
    unsigned char c = (unsigned char)t.tm_zone[0];
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '+' || c == '-';
}

/* Takes the lock and makes tz glibc's zone. 0, or -1 when its file could
 * not be read (noted for daytz_take_failure; the conversion that follows
 * is UTC's, and its caller must not keep it). */
static int tz_enter(const char *tz)
{
    char spec[600];
    /* the path daytz_check() read: a name alone is looked up in $TZDIR,
     * and one missing there (an image with its own zoneinfo) is taken
     * for UTC without a word */
    snprintf(spec, sizeof(spec), ":" ZONEINFO_DIR "/%s", tz);
    pthread_mutex_lock(&tz_lock);
    const char *cur = getenv("TZ"); /* someone else may have set it since */
    if (cur && strcmp(cur, spec) == 0 && strcmp(spec, tz_loaded) == 0)
        return 0;
    setenv("TZ", spec, 1);
    tzset();
    if (tz_load_ok()) {
        snprintf(tz_loaded, sizeof(tz_loaded), "%s", spec);
        return 0;
    }
    /* glibc reads a zone's file only when TZ changes: set another, so
     * that the next conversion reads this one's again */
    setenv("TZ", "UTC0", 1);
    tzset();
    tz_loaded[0] = '\0';
    snprintf(tz_failed, sizeof(tz_failed), "%s", tz);
    return -1;
}

static void tz_leave(void)
{
    pthread_mutex_unlock(&tz_lock);
}

int daytz_take_failure(char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&tz_lock);
    int failed = tz_failed[0] != '\0';
    if (failed)
        errstr_set(errstr, errstr_size,
                   "the time zone file of '%s' could not be read (%s/%s): its local dates "
                   "were not known",
                   tz_failed, ZONEINFO_DIR, tz_failed);
    tz_failed[0] = '\0';
    pthread_mutex_unlock(&tz_lock);
    return failed ? -1 : 0;
}

/* The local date of ms in tz into out: 0, or -1 when tz could not be
 * loaded (out is then UTC's). */
static int local_date(const char *tz, int64_t ms, struct tm *out)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    int rc = tz_enter(tz);
    localtime_r(&secs, out);
    tz_leave();
    return rc;
}

/* The UTC instant of 00:00 local time on (year, mon, mday) in tz into
 * *out: 0, or -1 as local_date(). */
static int local_midnight(const char *tz, const struct tm *date, int64_t *out)
{
    struct tm t = {0};
    t.tm_year = date->tm_year;
    t.tm_mon = date->tm_mon;
    t.tm_mday = date->tm_mday;
    t.tm_isdst = -1; /* let mktime decide whether DST applies */
    int rc = tz_enter(tz);
    time_t secs = mktime(&t);
    tz_leave();
    *out = (int64_t)secs * 1000;
    return rc;
}

static zone_cache_t *zone(const char *tz)
{
    for (zone_cache_t *z = zones; z; z = z->next)
        if (strcmp(z->name, tz) == 0)
            return z;
    zone_cache_t *z = calloc(1, sizeof(*z));
    if (z && !(z->name = strdup(tz))) {
        free(z);
        z = NULL;
    }
    if (z) {
        z->next_day_start = INT64_MIN; /* empty interval */
        z->next = zones;
        zones = z;
    }
    return z;
}

int64_t daytz_day_start(const char *tz, int64_t ms)
{
    if (daytz_is_utc(tz))
        return isotime_day_start(ms);
    zone_cache_t *z = zone(tz);
    if (z && ms >= z->day_start && ms < z->next_day_start)
        return z->day_start;
    struct tm d;
    int64_t start, next_start;
    int failed = local_date(tz, ms, &d) < 0;
    failed |= local_midnight(tz, &d, &start) < 0;
    struct tm next = d;
    next.tm_mday++; /* mktime normalises the 32nd into the next month */
    failed |= local_midnight(tz, &next, &next_start) < 0;
    if (z && !failed) { /* a day UTC's stands in for is not kept */
        z->day_start = start;
        z->next_day_start = next_start;
    }
    return start;
}

void daytz_format_date(const char *tz, int64_t ms, char *buf, size_t size)
{
    if (daytz_is_utc(tz)) {
        isotime_format_date(ms, buf, size);
        return;
    }
    struct tm d;
    (void)local_date(tz, ms, &d); /* a failure is daytz_take_failure()'s */
    snprintf(buf, size, "%04d-%02d-%02d", d.tm_year + 1900, d.tm_mon + 1, d.tm_mday);
}

void daytz_cleanup(void)
{
    while (zones) {
        zone_cache_t *z = zones;
        zones = z->next;
        free(z->name);
        free(z);
    }
}
