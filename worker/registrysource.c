/*
 * registrysource.c - see registrysource.h.
 */
#include "registrysource.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "errstr.h"
#include "isotime.h"
#include "registry_answer.h"

typedef struct registry_impl {
    schema_registry_t *sr;
    int64_t grace_ms;
    pthread_mutex_t lock;      /* guards the two below */
    int64_t window_start_ms;   /* monotonic: the first 404 of the window; 0: none yet */
    int64_t last_not_found_ms; /* monotonic: the latest 404 */
} registry_impl_t;

/*
 * Whether a 404 at now falls within the grace: the window opens at a 404
 * after a quiet time without any, and lasts the grace. One window serves
 * every id it meets: ids come from the events' bytes, and a grace per id
 * would let a run of distinct unknown ids hold a partition for the grace
 * each, one after the other (decoding stops at the first id to retry).
 * Quiet is longer than the grace plus the longest wait between two tries
 * of a batch (BACKOFF_CAP_MS), so that the retries of the batch that
 * opened a window never open the next one.
 */
static int within_grace(registry_impl_t *ri, int64_t now)
{
    pthread_mutex_lock(&ri->lock);
    if (ri->window_start_ms == 0 || now - ri->last_not_found_ms > ri->grace_ms + BACKOFF_CAP_MS)
        ri->window_start_ms = now;
    ri->last_not_found_ms = now;
    int within = now - ri->window_start_ms < ri->grace_ms;
    pthread_mutex_unlock(&ri->lock);
    return within;
}

/*
 * An id the registry does not know is asked again, the batch retried,
 * while within_grace(): a registry of several nodes may answer from a
 * replica that has not yet read an id registered a moment ago on another,
 * and dead-lettering its events then would take them out of the table
 * for a lag of milliseconds. An id no registry can hold (0, above
 * 2^31-1) is not asked at all (schema_registry.h).
 */
static sr_status_t fetch_from_registry(void *impl, uint32_t id, char **json_out, char *errstr,
                                       size_t errstr_size)
{
    registry_impl_t *ri = impl;
    sr_status_t st = schema_registry_fetch(ri->sr, id, json_out, errstr, errstr_size);
    if (st != SR_NOT_FOUND || !registry_id_in_range(id) ||
        !within_grace(ri, isotime_monotonic_ms()))
        return st;
    char why[600];
    errstr_set(why, sizeof(why), "%s", errstr);
    errstr_set(errstr, errstr_size,
               "%s; asked again for %lld ms in all before its events are dead-lettered (a "
               "registry replica may not have it yet)",
               why, (long long)ri->grace_ms);
    return SR_UNAVAILABLE;
}

static void destroy_registry(void *impl)
{
    registry_impl_t *ri = impl;
    schema_registry_destroy(ri->sr);
    pthread_mutex_destroy(&ri->lock);
    free(ri);
}

int registry_source_new(const tm_config_t *conf, registry_source_t *out, char *errstr,
                        size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    if (!conf->registry_url)
        return 0;
    char err[512];
    registry_impl_t *ri = calloc(1, sizeof(*ri));
    if (!ri) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (!(ri->sr = schema_registry_new(conf, err, sizeof(err)))) {
        errstr_set(errstr, errstr_size, "%s: [schema_registry] %s", conf->path, err);
        free(ri);
        return -1;
    }
    ri->grace_ms = conf->registry_timeout_ms;
    pthread_mutex_init(&ri->lock, NULL);
    out->fetch = fetch_from_registry;
    out->destroy = destroy_registry;
    out->impl = ri;
    return 0;
}

void registry_source_destroy(registry_source_t *s)
{
    if (s && s->destroy)
        s->destroy(s->impl);
    if (s)
        memset(s, 0, sizeof(*s));
}
