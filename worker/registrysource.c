/*
 * registrysource.c - see registrysource.h.
 */
#include "errstr.h"
#include "registrysource.h"

#include <string.h>

static sr_status_t fetch_from_registry(void *impl, uint32_t id, char **json_out, char *errstr,
                                       size_t errstr_size)
{
    return schema_registry_fetch(impl, id, json_out, errstr, errstr_size);
}

static void destroy_registry(void *impl)
{
    schema_registry_destroy(impl);
}

int registry_source_new(const tm_config_t *conf, registry_source_t *out, char *errstr,
                        size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    if (!conf->registry_url)
        return 0;
    char err[512];
    schema_registry_t *sr = schema_registry_new(conf, err, sizeof(err));
    if (!sr) {
        errstr_set(errstr, errstr_size, "%s: [schema_registry] %s", conf->path, err);
        return -1;
    }
    out->fetch = fetch_from_registry;
    out->destroy = destroy_registry;
    out->impl = sr;
    return 0;
}

void registry_source_destroy(registry_source_t *s)
{
    if (s && s->destroy)
        s->destroy(s->impl);
    if (s)
        memset(s, 0, sizeof(*s));
}
