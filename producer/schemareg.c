/*
 * schemareg.c - see schemareg.h.
 */
#include "schemareg.h"

#include <stdlib.h>

#include "errstr.h"
#include "log.h"
#include "result.h"
#include "topics.h"

schemareg_result_t schemareg_ensure(const tm_config_t *conf, schema_registry_t *sr,
                                    const char *topic, envelope_schema_t *es, char *errstr,
                                    size_t errstr_size)
{
    if (envelope_schema_registry_id(es))
        return SCHEMAREG_OK; /* this process registered it already */
    char *record = envelope_schema_fullname(es);
    char *subject = record ? schema_registry_subject(conf, topic, record) : NULL;
    free(record);
    if (!subject) {
        errstr_set(errstr, errstr_size, "out of memory");
        return SCHEMAREG_UNAVAILABLE;
    }
    uint32_t id = 0;
    sr_status_t st =
        schema_registry_register(sr, subject, envelope_schema_json(es), &id, errstr, errstr_size);
    if (st == SR_OK) {
        envelope_schema_set_registry_id(es, id);
        log_info("schema registered", "topic=%s subject=%s id=%u", topic, subject, (unsigned)id);
    }
    free(subject);
    return st == SR_OK        ? SCHEMAREG_OK
           : st == SR_REFUSED ? SCHEMAREG_REFUSED
                              : SCHEMAREG_UNAVAILABLE;
}

schemareg_result_t schemareg_start(const tm_config_t *conf, schema_registry_t *sr,
                                   stream_set_t *set, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < set->n; i++) {
        char topic[512];
        topic_for_stream(conf, set->items[i].sc->name, topic, sizeof(topic));
        schemareg_result_t rc =
            schemareg_ensure(conf, sr, topic, set->items[i].es, errstr, errstr_size);
        /* unavailable: the next streams would each wait out the same
         * retries (a minute and more when it does not answer); their runs
         * register them */
        if (rc != SCHEMAREG_OK)
            return rc;
    }
    return SCHEMAREG_OK;
}
