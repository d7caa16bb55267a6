/*
 * checkpoint.c - read, resolve and write checkpoints: run records and
 * their chunks (see checkpoint.h for the design).
 */
#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "idset.h"
#include "log.h"
#include "topics.h"
#include "topicscan.h"

uint64_t checkpoint_sum(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* ---- chunks: encode ------------------------------------------------ */

void checkpoint_chunks_clear(checkpoint_chunks_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        run_chunk_ref_clear(&c->items[i].ref);
        free(c->items[i].value);
    }
    free(c->items);
    memset(c, 0, sizeof *c);
}

typedef struct plan_ctx {
    const char *stream, *run_id;
    unsigned *seq;
    checkpoint_chunks_t *out;
    json_t *ids;   /* the chunk being filled, or NULL */
    size_t room;   /* bytes left for its entries */
    char key[512]; /* its key */
} plan_ctx_t;

/* Serializes the chunk being filled (if it holds an id) into out. */
static int close_chunk(plan_ctx_t *p, char *errstr, size_t errstr_size)
{
    json_t *ids = p->ids;
    p->ids = NULL;
    if (!ids)
        return 0;
    if (json_object_size(ids) == 0) {
        json_decref(ids);
        return 0;
    }
    size_t n_ids = json_object_size(ids);
    json_t *o = json_pack("{s:s, s:o}", "chunk", p->key, "ids", ids); /* takes ids */
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    checkpoint_chunk_t *grown =
        text ? realloc(p->out->items, (p->out->n + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(text);
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    p->out->items = grown;
    size_t len = strlen(text);
    checkpoint_chunk_t *c = &grown[p->out->n];
    *c = (checkpoint_chunk_t){.value = text};
    c->ref = (run_chunk_ref_t){.key = strdup(p->key),
                               .ids = (int64_t)n_ids,
                               .bytes = (int64_t)len,
                               .sum = checkpoint_sum(text, len)};
    p->out->n++; /* cleared with the rest on failure */
    if (!c->ref.key) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (len > CHECKPOINT_CHUNK_BYTES) { /* the estimate is an upper bound */
        errstr_set(errstr, errstr_size, "checkpoint chunk %s: %zu bytes, over the %d allowed",
                   p->key, len, CHECKPOINT_CHUNK_BYTES);
        return -1;
    }
    return 0;
}

static int open_chunk(plan_ctx_t *p, char *errstr, size_t errstr_size)
{
    if (run_chunk_key(p->key, sizeof p->key, p->stream, p->run_id, (*p->seq)++) != 0) {
        errstr_set(errstr, errstr_size, "checkpoint chunk key too long for stream %s", p->stream);
        return -1;
    }
    if (!(p->ids = json_object())) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    /* {"chunk":"<key>","ids":{...}}: the key is plain ASCII */
    p->room = CHECKPOINT_CHUNK_BYTES - strlen(p->key) - 32;
    return 0;
}

/* Adds one id to the chunks being built. */
static int plan_add(plan_ctx_t *p, const char *id, const hwm_entry_t *e, char *errstr,
                    size_t errstr_size)
{
    size_t size = hwm_entry_json_size(id, strlen(id));
    if (p->ids && size > p->room && close_chunk(p, errstr, errstr_size) != 0)
        return -1;
    if (!p->ids && open_chunk(p, errstr, errstr_size) != 0)
        return -1;
    char dg[BOUNDARY_DIGEST_SIZE];
    hwm_digest_format(e, dg, sizeof dg);
    /* An id JSON cannot carry (not UTF-8) is left out: it is only
     * published again next time. */
    if (json_object_set_new(p->ids, id, json_string(dg)) == 0)
        p->room -= size < p->room ? size : p->room;
    return 0;
}

int checkpoint_plan(const hwm_tracker_t *t, const char *stream, const char *run_id, unsigned *seq,
                    checkpoint_chunks_t *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof *out);
    size_t need = t->bytes / CHECKPOINT_CHUNK_BYTES + 1;
    int all = t->n_chunks > CHECKPOINT_FRAGMENTED_MIN && t->n_chunks > 4 * need;
    if (!all && t->pending_bytes <= CHECKPOINT_INLINE_BYTES)
        return 0; /* the pending ids travel inline */
    out->replace = all;
    plan_ctx_t p = {.stream = stream, .run_id = run_id, .seq = seq, .out = out};
    idset_t *from = all ? t->ids : t->pending;
    size_t pos = 0;
    const char *id;
    void *v;
    int rc = 0;
    while (rc == 0 && from && idset_next(from, &pos, &id, &v)) {
        const hwm_entry_t *e = all ? v : idset_get(t->ids, id, strlen(id));
        if (e)
            rc = plan_add(&p, id, e, errstr, errstr_size);
    }
    if (rc == 0)
        rc = close_chunk(&p, errstr, errstr_size);
    json_decref(p.ids);
    if (rc != 0)
        checkpoint_chunks_clear(out);
    return rc;
}

int checkpoint_head_view(const hwm_tracker_t *t, run_hwm_t *head)
{
    memset(head, 0, sizeof *head);
    head->has_value = t->has_value;
    head->value_ms = t->value_ms;
    size_t n = t->pending ? idset_count(t->pending) : 0;
    if (t->n_chunks > 0) {
        if (!(head->chunks = calloc(t->n_chunks, sizeof *head->chunks)))
            goto fail;
        for (size_t i = 0; i < t->n_chunks; i++) {
            head->n_chunks = i + 1;
            if (run_chunk_ref_copy(&head->chunks[i], &t->chunks[i]) != 0)
                goto fail;
        }
    }
    if (n == 0)
        return 0;
    head->ids = calloc(n, sizeof *head->ids);
    head->digests = calloc(n, sizeof *head->digests);
    if (!head->ids || !head->digests)
        goto fail;
    size_t pos = 0;
    const char *id;
    void *v;
    while (idset_next(t->pending, &pos, &id, &v)) {
        const hwm_entry_t *e = idset_get(t->ids, id, strlen(id));
        if (!e)
            continue;
        char dg[BOUNDARY_DIGEST_SIZE];
        hwm_digest_format(e, dg, sizeof dg);
        size_t i = head->n_ids++;
        head->ids[i] = strdup(id);
        head->digests[i] = strdup(dg);
        if (!head->ids[i] || !head->digests[i])
            goto fail;
    }
    return 0;
fail:
    run_hwm_clear(head);
    return -1;
}

/* ---- chunks: decode ------------------------------------------------ */

int checkpoint_decode_chunk(hwm_tracker_t *t, const run_chunk_ref_t *ref, const char *value,
                            size_t len, char *errstr, size_t errstr_size)
{
    if (!value) {
        errstr_set(errstr, errstr_size, "chunk %s: not found", ref->key);
        return -1;
    }
    if ((int64_t)len != ref->bytes || checkpoint_sum(value, len) != ref->sum) {
        errstr_set(errstr, errstr_size,
                   "chunk %s: %zu bytes, sum %016llx; the run record names %lld bytes, "
                   "sum %016llx",
                   ref->key, len, (unsigned long long)checkpoint_sum(value, len),
                   (long long)ref->bytes, (unsigned long long)ref->sum);
        return -1;
    }
    json_error_t jerr;
    json_t *o = json_loadb(value, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *key = json_object_get(o, "chunk"), *ids = json_object_get(o, "ids");
    const char *why = NULL;
    if (!o)
        why = "not JSON";
    else if (!json_is_string(key) || strcmp(json_string_value(key), ref->key) != 0)
        why = "its \"chunk\" is not its key";
    else if (!json_is_object(ids))
        why = "no \"ids\" object";
    else if ((int64_t)json_object_size(ids) != ref->ids)
        why = "the number of ids is not the one the run record names";
    const char *id;
    json_t *dg;
    if (!why)
        json_object_foreach(ids, id, dg)
        {
            if (!json_is_string(dg)) {
                why = "a digest is not a string";
                break;
            }
        }
    int rc = 0;
    if (why) {
        errstr_set(errstr, errstr_size, "chunk %s: %s", ref->key, why);
        rc = -1;
    } else if (t) {
        json_object_foreach(ids, id, dg)
        {
            if (hwm_tracker_put(t, id, strlen(id), json_string_value(dg), 0) != 0) {
                errstr_set(errstr, errstr_size, "out of memory");
                rc = -2;
                break;
            }
        }
    }
    json_decref(o);
    return rc;
}

int checkpoint_load_tracker(hwm_tracker_t *t, const run_hwm_t *h, const char *stream)
{
    t->has_value = h->has_value;
    t->value_ms = h->value_ms;
    run_chunk_ref_t *good = calloc(h->n_chunks ? h->n_chunks : 1, sizeof *good);
    size_t n_good = 0;
    if (!good)
        return -1;
    for (size_t i = 0; i < h->n_chunks; i++) {
        const run_chunk_ref_t *ref = &h->chunks[i];
        char err[512];
        int rc = checkpoint_decode_chunk(t, ref, ref->data, ref->data ? strlen(ref->data) : 0, err,
                                         sizeof err);
        if (rc == -2) {
            free(good);
            return -1;
        }
        if (rc != 0) {
            /* checkpoint_read checked it: only a damaged record gets here */
            log_warn("checkpoint chunk left out: its ids will be published again",
                     "stream=%s error=\"%s\"", stream, err);
            continue;
        }
        good[n_good++] = *ref; /* shallow: chunked() copies what it keeps */
    }
    int rc = hwm_tracker_chunked(t, good, n_good, 1);
    free(good);
    for (size_t i = 0; rc == 0 && i < h->n_ids; i++)
        rc = hwm_tracker_put(t, h->ids[i], strlen(h->ids[i]), h->digests ? h->digests[i] : "", 1);
    return rc;
}

/* ---- reading: collect and resolve ----------------------------------- */

typedef struct cand {
    run_record_t *rr;
    int32_t partition;
    int64_t offset, ts;
} cand_t;

typedef struct chunk_slot { /* value of collector.chunks */
    char *data;             /* NULL: tombstoned */
    size_t len;
    uint32_t mark; /* complete(): seen in this check */
} chunk_slot_t;

struct checkpoint_collector {
    const char *const *streams;
    size_t n;
    cand_t *cands; /* n * CHECKPOINT_CANDIDATES, newest first */
    size_t *n_cands;
    idset_t *chunks; /* chunk key -> chunk_slot_t */
    uint32_t mark;
};

checkpoint_collector_t *checkpoint_collector_new(const char *const *streams, size_t n)
{
    checkpoint_collector_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->streams = streams;
    c->n = n;
    c->cands = calloc(n ? n * CHECKPOINT_CANDIDATES : 1, sizeof *c->cands);
    c->n_cands = calloc(n ? n : 1, sizeof *c->n_cands);
    c->chunks = idset_new(sizeof(chunk_slot_t));
    if (!c->cands || !c->n_cands || !c->chunks) {
        checkpoint_collector_destroy(c);
        return NULL;
    }
    return c;
}

void checkpoint_collector_destroy(checkpoint_collector_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->cands && c->n_cands && i < c->n; i++)
        for (size_t j = 0; j < c->n_cands[i]; j++)
            run_record_destroy(c->cands[i * CHECKPOINT_CANDIDATES + j].rr);
    if (c->chunks) {
        size_t pos = 0;
        const char *k;
        void *v;
        while (idset_next(c->chunks, &pos, &k, &v))
            free(((chunk_slot_t *)v)->data);
    }
    idset_destroy(c->chunks);
    free(c->cands);
    free(c->n_cands);
    free(c);
}

/* The index of the stream whose key (len bytes) this is, or -1. */
static long stream_index(const checkpoint_collector_t *c, const char *key, size_t len)
{
    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->streams[i]) == len && memcmp(c->streams[i], key, len) == 0)
            return (long)i;
    return -1;
}

static int newer(const cand_t *a, const cand_t *b)
{
    return a->partition == b->partition ? a->offset > b->offset : a->ts > b->ts;
}

static int add_head(checkpoint_collector_t *c, size_t i, const char *value, size_t len,
                    int32_t partition, int64_t offset, int64_t ts)
{
    char err[256];
    run_record_t *rr = run_record_from_json(value, len, err, sizeof err);
    if (!rr) {
        log_warn("ignoring a run record that does not parse",
                 "stream=%s partition=%d offset=%lld error=\"%s\"", c->streams[i], (int)partition,
                 (long long)offset, err);
        return 0;
    }
    cand_t nc = {rr, partition, offset, ts};
    cand_t *list = &c->cands[i * CHECKPOINT_CANDIDATES];
    size_t n = c->n_cands[i], at = 0;
    while (at < n && !newer(&nc, &list[at]))
        at++;
    if (at == CHECKPOINT_CANDIDATES) { /* older than every one kept */
        run_record_destroy(rr);
        return 0;
    }
    if (n == CHECKPOINT_CANDIDATES)
        run_record_destroy(list[--n].rr);
    memmove(&list[at + 1], &list[at], (n - at) * sizeof *list);
    list[at] = nc;
    c->n_cands[i] = n + 1;
    return 0;
}

int checkpoint_collect(checkpoint_collector_t *c, const char *key, size_t key_len,
                       const char *value, size_t len, int32_t partition, int64_t offset, int64_t ts)
{
    if (!key)
        return 0;
    long i = stream_index(c, key, key_len);
    if (i >= 0) /* a head; a tombstone would be a reset to "no checkpoint" */
        return value ? add_head(c, (size_t)i, value, len, partition, offset, ts) : 0;
    size_t at = run_chunk_key_stream(key, key_len);
    if (!at || stream_index(c, key, at) < 0 || key_len > IDSET_MAX_KEY ||
        memchr(key, '\0', key_len))
        return 0; /* another stream's, or not ours at all */
    chunk_slot_t *s = idset_add(c->chunks, key, key_len, NULL);
    if (!s)
        return -1;
    free(s->data);
    s->data = NULL;
    s->len = 0;
    if (value) {
        if (!(s->data = malloc(len + 1)))
            return -1;
        memcpy(s->data, value, len);
        s->data[len] = '\0';
        s->len = len;
    }
    return 0;
}

/* True when every chunk rr names is there, of stream, and valid. */
static int complete(checkpoint_collector_t *c, const char *stream, const run_record_t *rr,
                    char *why, size_t why_size)
{
    const run_hwm_t *hs[2] = {&rr->hwm, &rr->deleted_hwm};
    uint32_t mark = ++c->mark;
    for (int h = 0; h < 2; h++) {
        for (size_t k = 0; k < hs[h]->n_chunks; k++) {
            const run_chunk_ref_t *ref = &hs[h]->chunks[k];
            size_t kl = strlen(ref->key), at = run_chunk_key_stream(ref->key, kl);
            chunk_slot_t *s = at == strlen(stream) && memcmp(ref->key, stream, at) == 0
                                  ? idset_get(c->chunks, ref->key, kl)
                                  : NULL;
            if (!s || !s->data) {
                errstr_set(why, why_size, "chunk %s: not found", ref->key);
                return 0;
            }
            if (s->mark == mark) {
                errstr_set(why, why_size, "chunk %s: named twice", ref->key);
                return 0;
            }
            s->mark = mark;
            if (checkpoint_decode_chunk(NULL, ref, s->data, s->len, why, why_size) != 0)
                return 0;
        }
    }
    return 1;
}

/* Moves each named chunk's data into its reference. */
static void attach(checkpoint_collector_t *c, run_record_t *rr)
{
    run_hwm_t *hs[2] = {&rr->hwm, &rr->deleted_hwm};
    for (int h = 0; h < 2; h++)
        for (size_t k = 0; k < hs[h]->n_chunks; k++) {
            run_chunk_ref_t *ref = &hs[h]->chunks[k];
            chunk_slot_t *s = idset_get(c->chunks, ref->key, strlen(ref->key));
            if (s) {
                free(ref->data);
                ref->data = s->data;
                s->data = NULL;
            }
        }
}

/* rr->stale_chunks = the live chunks of stream that rr does not hold.
 * Best effort: on ENOMEM the list is shorter (they stay on the topic). */
static void find_stale(checkpoint_collector_t *c, const char *stream, run_record_t *rr)
{
    size_t pos = 0, sl = strlen(stream);
    const char *key;
    void *v;
    while (idset_next(c->chunks, &pos, &key, &v)) {
        chunk_slot_t *s = v;
        if (!s->data || strncmp(key, stream, sl) != 0 || key[sl] != '/')
            continue;
        char **grown = realloc(rr->stale_chunks, (rr->n_stale_chunks + 1) * sizeof *grown);
        char *k = grown ? strdup(key) : NULL;
        if (grown)
            rr->stale_chunks = grown;
        if (!k)
            return;
        rr->stale_chunks[rr->n_stale_chunks++] = k;
    }
}

static void drop_chunk_refs(run_hwm_t *h)
{
    for (size_t k = 0; k < h->n_chunks; k++)
        run_chunk_ref_clear(&h->chunks[k]);
    free(h->chunks);
    h->chunks = NULL;
    h->n_chunks = 0;
}

run_record_t *checkpoint_collector_take(checkpoint_collector_t *c, size_t i)
{
    if (i >= c->n || c->n_cands[i] == 0)
        return NULL;
    const char *stream = c->streams[i];
    cand_t *list = &c->cands[i * CHECKPOINT_CANDIDATES];
    size_t n = c->n_cands[i], pick = 0;
    char why[512] = "", first_why[512] = "";
    while (pick < n && !complete(c, stream, list[pick].rr, why, sizeof why)) {
        if (pick == 0)
            snprintf(first_why, sizeof first_why, "%s", why);
        pick++;
    }
    run_record_t *rr;
    if (pick < n) {
        rr = list[pick].rr;
        if (pick > 0)
            log_warn("the latest checkpoint is incomplete: using an older one; records "
                     "after it are published again",
                     "stream=%s run_id=%s error=\"%s\"", stream, rr->run_id, first_why);
        attach(c, rr);
    } else {
        pick = 0;
        rr = list[0].rr;
        log_warn("no complete checkpoint: its ids at the HWM are forgotten, records at "
                 "the HWM are published again",
                 "stream=%s run_id=%s error=\"%s\"", stream, rr->run_id, first_why);
        drop_chunk_refs(&rr->hwm);
        drop_chunk_refs(&rr->deleted_hwm);
    }
    memmove(&list[pick], &list[pick + 1], (n - pick - 1) * sizeof *list);
    c->n_cands[i] = n - 1;
    find_stale(c, stream, rr);
    return rr;
}

static int take(const rd_kafka_message_t *m, void *opaque, char *errstr, size_t errstr_size)
{
    if (checkpoint_collect(opaque, m->key, m->key_len, m->payload, m->len, m->partition, m->offset,
                           rd_kafka_message_timestamp(m, NULL)) != 0) {
        errstr_set(errstr, errstr_size, "out of memory reading checkpoints");
        return -1;
    }
    return 0;
}

int checkpoint_read(const tm_config_t *conf, const char *const *streams, size_t n,
                    run_record_t **out, char *errstr, size_t errstr_size)
{
    char topic[512];
    topic_sync_runs(conf, topic, sizeof topic);
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    checkpoint_collector_t *c = checkpoint_collector_new(streams, n);
    if (!c) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc =
        topicscan_read(conf, "tidemark-producer-checkpoint", topic, take, c, errstr, errstr_size);
    for (size_t i = 0; rc == 0 && i < n; i++)
        out[i] = checkpoint_collector_take(c, i);
    checkpoint_collector_destroy(c);
    return rc;
}

/* ---- writing -------------------------------------------------------- */

int checkpoint_write(publisher_t *pub, const char *topic, const run_record_t *rr, char *errstr,
                     size_t errstr_size)
{
    char *json = run_record_to_json(rr);
    if (!json) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    size_t len = strlen(json);
    if (len > CHECKPOINT_HEAD_MAX_BYTES) {
        errstr_set(errstr, errstr_size,
                   "run record of %zu bytes, over the %d a checkpoint may take (%zu chunks)", len,
                   CHECKPOINT_HEAD_MAX_BYTES, rr->hwm.n_chunks + rr->deleted_hwm.n_chunks);
        free(json);
        return -1;
    }
    pub_delivery_t d = {0};
    int rc = publisher_produce(pub, topic, rr->stream, json, len, NULL, 0, &d, errstr, errstr_size);
    free(json);
    /* Only this record's own report decides: the caller flushed and checked
     * the events before it (and a failed-run record must still go out). */
    if (rc == 0) {
        char ferr[256];
        int frc = publisher_flush(pub, ferr, sizeof ferr); /* settles d in any case */
        (void)frc;
    }
    if (rc == 0 && (!d.done || d.err)) {
        errstr_set(errstr, errstr_size, "run record to %s: %s", topic,
                   d.done ? rd_kafka_err2str(d.err) : "no delivery report");
        rc = -1;
    }
    return rc;
}

/* Produces the chunks and waits until each one is acknowledged. */
static int write_chunks(publisher_t *pub, const char *topic, const checkpoint_chunks_t *cs,
                        char *errstr, size_t errstr_size)
{
    pub_delivery_t *d = calloc(cs->n, sizeof *d);
    if (!d) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = 0;
    size_t sent = 0;
    for (; sent < cs->n && rc == 0; sent++)
        rc = publisher_produce(pub, topic, cs->items[sent].ref.key, cs->items[sent].value,
                               (size_t)cs->items[sent].ref.bytes, NULL, 0, &d[sent], errstr,
                               errstr_size);
    char ferr[256];
    int frc = publisher_flush(pub, ferr, sizeof ferr); /* settles every d */
    (void)frc;
    for (size_t i = 0; rc == 0 && i < sent; i++) {
        if (!d[i].done || d[i].err) {
            errstr_set(errstr, errstr_size, "checkpoint chunk %s to %s: %s", cs->items[i].ref.key,
                       topic, d[i].done ? rd_kafka_err2str(d[i].err) : "no delivery report");
            rc = -1;
        }
    }
    free(d);
    return rc;
}

int checkpoint_prepare(publisher_t *pub, const char *topic, const char *stream, const char *run_id,
                       unsigned *seq, hwm_tracker_t *t, run_hwm_t *head, char *errstr,
                       size_t errstr_size)
{
    checkpoint_chunks_t cs;
    memset(head, 0, sizeof *head);
    if (checkpoint_plan(t, stream, run_id, seq, &cs, errstr, errstr_size) != 0)
        return -1;
    int rc = 0;
    if (cs.n > 0) {
        size_t bytes = 0, ids = 0;
        for (size_t i = 0; i < cs.n; i++) {
            bytes += (size_t)cs.items[i].ref.bytes;
            ids += (size_t)cs.items[i].ref.ids;
        }
        rc = write_chunks(pub, topic, &cs, errstr, errstr_size);
        run_chunk_ref_t *refs = rc == 0 ? calloc(cs.n, sizeof *refs) : NULL;
        if (rc == 0) {
            for (size_t i = 0; refs && i < cs.n; i++)
                refs[i] = cs.items[i].ref; /* shallow: chunked() copies them */
            if (!refs || hwm_tracker_chunked(t, refs, cs.n, cs.replace) != 0) {
                errstr_set(errstr, errstr_size, "out of memory");
                rc = -1;
            }
            free(refs);
        }
        if (rc == 0)
            log_info("checkpoint chunks written",
                     "stream=%s run_id=%s chunks=%zu ids=%zu bytes=%zu rewrite=%s "
                     "chunks_in_set=%zu ids_in_set=%zu",
                     stream, run_id, cs.n, ids, bytes, cs.replace ? "true" : "false", t->n_chunks,
                     hwm_tracker_count(t));
    }
    checkpoint_chunks_clear(&cs);
    if (rc == 0 && checkpoint_head_view(t, head) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        rc = -1;
    }
    return rc;
}

static int drop(publisher_t *pub, const char *topic, const char *key, char *errstr,
                size_t errstr_size)
{
    return publisher_produce(pub, topic, key, NULL, 0, NULL, 0, NULL, errstr, errstr_size);
}

int checkpoint_drop_unused(publisher_t *pub, const char *topic, const run_hwm_t *old,
                           const run_hwm_t *cur, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < old->n_chunks; i++) {
        int used = 0;
        for (size_t j = 0; cur && !used && j < cur->n_chunks; j++)
            used = strcmp(old->chunks[i].key, cur->chunks[j].key) == 0;
        if (!used && drop(pub, topic, old->chunks[i].key, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

int checkpoint_drop_keys(publisher_t *pub, const char *topic, char *const *keys, size_t n,
                         char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < n; i++)
        if (drop(pub, topic, keys[i], errstr, errstr_size) != 0)
            return -1;
    return 0;
}
