/*
 * daytz.c - local days in an IANA time zone (see daytz.h).
 *
 * glibc offers no "localtime in zone X" call; the portable way is to set
 * TZ, tzset(), convert, and put TZ back. Parsing TZif files ourselves
 * would also mean parsing the POSIX TZ rule at their end (Debian's files
 * stop listing transitions and rely on it), which glibc already does.
 */
#include "daytz.h"

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

/* Runs localtime_r or mktime with TZ = tz, then puts TZ back. */
typedef struct saved_tz {
    char *old;
    int had;
} saved_tz_t;

static saved_tz_t tz_enter(const char *tz)
{
    const char *cur = getenv("TZ");
    saved_tz_t s = {cur ? strdup(cur) : NULL, cur != NULL};
    char spec[600];
    /* the path daytz_check() read: a name alone is looked up in $TZDIR,
     * and one missing there (an image with its own zoneinfo) is taken
     * for UTC without a word */
    snprintf(spec, sizeof(spec), ":" ZONEINFO_DIR "/%s", tz);
    setenv("TZ", spec, 1);
    tzset();
    return s;
}

static void tz_leave(saved_tz_t *s)
{
    if (s->had && s->old)
        setenv("TZ", s->old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(s->old);
}

static void local_date(const char *tz, int64_t ms, struct tm *out)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    saved_tz_t s = tz_enter(tz);
    localtime_r(&secs, out);
    tz_leave(&s);
}

/* The UTC instant of 00:00 local time on (year, mon, mday) in tz. */
static int64_t local_midnight(const char *tz, const struct tm *date)
{
    struct tm t = {0};
    t.tm_year = date->tm_year;
    t.tm_mon = date->tm_mon;
    t.tm_mday = date->tm_mday;
    t.tm_isdst = -1; /* let mktime decide whether DST applies */
    saved_tz_t s = tz_enter(tz);
    time_t secs = mktime(&t);
    tz_leave(&s);
    return (int64_t)secs * 1000;
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
    local_date(tz, ms, &d);
    int64_t start = local_midnight(tz, &d);
    if (z) {
        struct tm next = d;
        next.tm_mday++; /* mktime normalises the 32nd into the next month */
        z->day_start = start;
        z->next_day_start = local_midnight(tz, &next);
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
    local_date(tz, ms, &d);
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
