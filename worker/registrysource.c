/*
 * registrysource.c - see registrysource.h.
 */
#include "errstr.h"
#include "registrysource.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"

/* Ids the registry did not know, each with when it first said so. */
#define PENDING_MAX 64

typedef struct registry_impl {
    schema_registry_t *sr;
    int64_t grace_ms;
    pthread_mutex_t lock; /* guards pending */
    struct {
        uint32_t id;
        int64_t first_ms; /* monotonic */
    } pending[PENDING_MAX];
    size_t n_pending;
} registry_impl_t;

/* When the registry first said it did not know id (now, the first time),
 * and forgets it once the grace is over or it answered (gone). */
static int64_t first_not_found(registry_impl_t *ri, uint32_t id, int64_t now, int gone)
{
    pthread_mutex_lock(&ri->lock);
    size_t i = 0;
    while (i < ri->n_pending && ri->pending[i].id != id)
        i++;
    int64_t first = i < ri->n_pending ? ri->pending[i].first_ms : now;
    if (i < ri->n_pending && (gone || now - first >= ri->grace_ms)) {
        ri->pending[i] = ri->pending[--ri->n_pending];
    } else if (i == ri->n_pending && !gone) {
        if (ri->n_pending == PENDING_MAX) /* ids come from events: keep the newest */
            memmove(ri->pending, ri->pending + 1, --ri->n_pending * sizeof(ri->pending[0]));
        ri->pending[ri->n_pending].id = id;
        ri->pending[ri->n_pending++].first_ms = now;
    }
    pthread_mutex_unlock(&ri->lock);
    return first;
}

/*
 * An id the registry does not know is asked again, the batch retried, for
 * the grace before it counts as unknown: a registry of several nodes may
 * answer from a replica that has not yet read an id registered a moment
 * ago on another, and dead-lettering its events then would take them out
 * of the table for a lag of milliseconds. An id no registry can hold (0,
 * above 2^31-1) is not asked at all (schema_registry.h).
 */
static sr_status_t fetch_from_registry(void *impl, uint32_t id, char **json_out, char *errstr,
                                       size_t errstr_size)
{
    registry_impl_t *ri = impl;
    sr_status_t st = schema_registry_fetch(ri->sr, id, json_out, errstr, errstr_size);
    int64_t now = isotime_monotonic_ms();
    if (st != SR_NOT_FOUND || id == 0 || id > INT32_MAX) {
        if (st == SR_OK)
            (void)first_not_found(ri, id, now, 1);
        return st;
    }
    int64_t first = first_not_found(ri, id, now, 0);
    if (now - first >= ri->grace_ms)
        return SR_NOT_FOUND;
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
