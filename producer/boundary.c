/*
 * boundary.c - digest, bucket, skip rule and HWM tracker (see boundary.h).
 */
#include "boundary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"

int boundary_digest_bytes(const void *bytes, size_t len, char *buf, size_t size)
{
    if (size < BOUNDARY_DIGEST_SIZE)
        return -1;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
    for (const unsigned char *p = bytes, *end = p + len; p < end; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL; /* FNV 64 prime */
    }
    snprintf(buf, size, "%016llx", (unsigned long long)h);
    return 0;
}

int boundary_digest(const json_t *rec, char *buf, size_t size)
{
    char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text) /* json_dumps escapes NUL: strlen is the whole text */
        return -1;
    int rc = boundary_digest_bytes(text, strlen(text), buf, size);
    free(text);
    return rc;
}

int64_t boundary_bucket(cursor_precision_t prec, int64_t ms)
{
    return prec == CURSOR_PRECISION_DATE ? isotime_day_start(ms) : ms;
}

long boundary_find_id(const run_hwm_t *hwm, const char *id)
{
    for (size_t i = 0; i < hwm->n_ids; i++)
        if (strcmp(hwm->ids[i], id) == 0)
            return (long)i;
    return -1;
}

int boundary_should_skip(const run_hwm_t *hwm, cursor_precision_t prec,
                         const char *id, int64_t cursor_ms, const char *digest)
{
    if (!hwm->has_value ||
        boundary_bucket(prec, cursor_ms) != boundary_bucket(prec, hwm->value_ms))
        return 0;
    long i = boundary_find_id(hwm, id);
    if (i < 0)
        return 0;
    return digest == NULL || strcmp(hwm->digests[i], digest) == 0;
}

static void free_ids(run_hwm_t *hwm)
{
    for (size_t i = 0; i < hwm->n_ids; i++) {
        free(hwm->ids[i]);
        free(hwm->digests[i]);
    }
    hwm->n_ids = 0;
}

static int add_id(run_hwm_t *hwm, const char *id, const char *digest)
{
    long i = boundary_find_id(hwm, id);
    char *d = strdup(digest ? digest : "");
    if (!d)
        return -1;
    if (i >= 0) {
        free(hwm->digests[i]);
        hwm->digests[i] = d;
        return 0;
    }
    char *idc = strdup(id);
    /* Grow both arrays one at a time so a failure leaves hwm consistent. */
    char **ids = idc ? realloc(hwm->ids, (hwm->n_ids + 1) * sizeof *ids) : NULL;
    if (ids)
        hwm->ids = ids;
    char **digs = ids ? realloc(hwm->digests, (hwm->n_ids + 1) * sizeof *digs) : NULL;
    if (!digs) {
        free(idc);
        free(d);
        return -1;
    }
    hwm->digests = digs;
    hwm->ids[hwm->n_ids] = idc;
    hwm->digests[hwm->n_ids] = d;
    hwm->n_ids++;
    return 0;
}

int boundary_observe(run_hwm_t *hwm, cursor_precision_t prec, const char *id,
                     int64_t cursor_ms, const char *digest)
{
    int64_t b = boundary_bucket(prec, cursor_ms);
    if (hwm->has_value) {
        int64_t cur = boundary_bucket(prec, hwm->value_ms);
        if (b < cur)
            return 0;
        if (b > cur)
            free_ids(hwm);
    }
    if (!hwm->has_value || cursor_ms > hwm->value_ms)
        hwm->value_ms = cursor_ms;
    hwm->has_value = 1;
    return add_id(hwm, id, digest);
}
