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
    pthread_mutex_t lock; /* guards grace */
    registry_grace_t grace;
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
static int within_grace(registry_grace_t *g, int64_t now)
{
    if (g->window_start_ms == 0 || now - g->last_not_found_ms > g->grace_ms + BACKOFF_CAP_MS)
        g->window_start_ms = now;
    g->last_not_found_ms = now;
    return now - g->window_start_ms < g->grace_ms;
}

/* When id was first answered 404 (now, the first time; the ring forgets
 * the oldest). */
static int64_t first_not_found(registry_grace_t *g, uint32_t id, int64_t now)
{
    for (size_t i = 0; i < g->n_seen; i++)
        if (g->seen[i].id == id)
            return g->seen[i].first_ms;
    size_t at = g->next_seen;
    g->next_seen = (at + 1) % REGISTRY_GRACE_IDS;
    if (g->n_seen < REGISTRY_GRACE_IDS)
        g->n_seen++;
    g->seen[at].id = id;
    g->seen[at].first_ms = now;
    return now;
}

/*
 * Refused for good only after a grace of its own: when the window is
 * spent by other ids (unknown ids arriving all the time), a new id met
 * now is given up for this event only, and asked again for the next.
 */
sr_status_t registry_grace_judge(registry_grace_t *g, uint32_t id, int64_t now_ms)
{
    int64_t first = first_not_found(g, id, now_ms);
    if (within_grace(g, now_ms))
        return SR_UNAVAILABLE;
    return now_ms - first >= g->grace_ms ? SR_NOT_FOUND : SR_NOT_FOUND_YET;
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
    if (st != SR_NOT_FOUND || !registry_id_in_range(id))
        return st;
    pthread_mutex_lock(&ri->lock);
    st = registry_grace_judge(&ri->grace, id, isotime_monotonic_ms());
    pthread_mutex_unlock(&ri->lock);
    char why[600];
    errstr_set(why, sizeof(why), "%s", errstr);
    if (st == SR_UNAVAILABLE)
        errstr_set(errstr, errstr_size,
                   "%s; asked again for %lld ms in all before its events are dead-lettered (a "
                   "registry replica may not have it yet)",
                   why, (long long)ri->grace.grace_ms);
    else if (st == SR_NOT_FOUND_YET)
        errstr_set(errstr, errstr_size,
                   "%s; not yet %lld ms since its first 404 and the grace is spent by other "
                   "ids: asked again for the next event",
                   why, (long long)ri->grace.grace_ms);
    return st;
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
    ri->grace.grace_ms = conf->registry_timeout_ms;
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
