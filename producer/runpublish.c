/*
 * runpublish.c - one change event of a run, or one dead letter (see
 * runstate.h).
 */
#include <stdlib.h>
#include <string.h>

#include "dlq_send.h"
#include "errstr.h"
#include "isotime.h"
#include "log.h"
#include "runstate.h"

int run_oom(char *errstr, size_t errstr_size)
{
    errstr_set(errstr, errstr_size, "out of memory");
    return PRODUCER_FAILED;
}

static void log_dead_letter(const run_t *r, const char *id, const char *why)
{
    char qid[300], qwhy[600];
    log_warn("record dead-lettered", "stream=%s id=%s error=%s", r->sc->name,
             log_quote(qid, sizeof(qid), id ? id : "-"), log_quote(qwhy, sizeof(qwhy), why));
}

int run_dead_letter(run_t *r, const char *id, const json_t *rec, const char *why, const char *url,
                    char *errstr, size_t errstr_size)
{
    log_dead_letter(r, id, why);
    r->stats.dead_lettered++;
    return dlq_send(r->pub, r->dlq_topic, id, rec, why, url, errstr, errstr_size);
}

int run_first_dead_letter(run_t *r, const char *digest)
{
    int added = 0;
    if (!r->dlq_digests && !(r->dlq_digests = idset_new(0)))
        return -1;
    if (!idset_add(r->dlq_digests, digest, strlen(digest), &added))
        return -1;
    return added;
}

int run_dead_letter_raw(run_t *r, const char *id, const jsonpage_bad_t *bad, const char *url,
                        char *errstr, size_t errstr_size)
{
    log_dead_letter(r, id, bad->reason);
    r->stats.dead_lettered++;
    return dlq_send_raw(r->pub, r->dlq_topic, id, bad->raw, bad->raw_len, bad->reason, url, errstr,
                        errstr_size);
}

int run_publish_tombstone(run_t *r, const char *key, const char *reason, char *errstr,
                          size_t errstr_size)
{
    const pub_header_t hdrs[] = {
        {"tidemark.op", "delete"},
        {"tidemark.run", r->run_id},
        {RUN_REASON_HEADER, reason},
    };
    return publisher_produce(r->pub, r->topic, key, NULL, 0, hdrs, reason ? 3 : 2, NULL, errstr,
                             errstr_size) == 0
               ? PRODUCER_OK
               : PRODUCER_FAILED;
}

int run_publish(run_t *r, change_op_t op, const char *id, int64_t source_ts, const json_t *rec,
                const char *url, const char *reason, int *dlqd, char *errstr, size_t errstr_size)
{
    const void *buf = NULL; /* r->es's write buffer: no copy, no free */
    size_t len = 0;
    char why[512];
    *dlqd = 0;
    if (r->registry && !envelope_schema_registry_id(r->es)) { /* never unframed: run_init's */
        errstr_set(errstr, errstr_size, "the schema has no registry id: no event is written");
        return PRODUCER_FAILED;
    }
    if (envelope_encode_view(r->es, op, id, source_ts, r->run_id, r->mode.full, isotime_now_ms(),
                             op == CHANGE_OP_UPSERT ? rec : NULL, &buf, &len, why,
                             sizeof(why)) != 0) {
        *dlqd = 1; /* a per-record error: dead-letter it, the run goes on */
        return run_dead_letter(r, id, rec, why, url, errstr, errstr_size);
    }
    const pub_header_t hdrs[] = {
        {"tidemark.op", op == CHANGE_OP_DELETE ? "delete" : "upsert"},
        {"tidemark.run", r->run_id},
        {RUN_REASON_HEADER, reason},
    };
    size_t n_hdrs = reason ? 3 : 2;
    int rc =
        publisher_produce(r->pub, r->topic, id, buf, len, hdrs, n_hdrs, NULL, why, sizeof(why));
    if (rc == PUBLISHER_TOO_LARGE) {
        /* Kafka will never take it: dead-letter it, or it blocks the
         * stream on every run. */
        *dlqd = 1;
        return run_dead_letter(r, id, rec, why, url, errstr, errstr_size);
    }
    if (rc != 0) {
        errstr_set(errstr, errstr_size, "%s", why);
        return PRODUCER_FAILED;
    }
    r->stats.bytes_published += (int64_t)len;
    if (op == CHANGE_OP_DELETE) /* lets compaction drop the key */
        return run_publish_tombstone(r, id, reason, errstr, errstr_size);
    return PRODUCER_OK;
}
