/*
 * checkpoint_collect.c - the checkpoint of each stream from a scan of
 * <prefix>.sync-runs: its newest heads and chunks, resolved to the newest
 * complete head (see checkpoint.h, "Reading"; checkpoint_collect.h).
 */
#include "checkpoint_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "checkpoint_chunks.h"
#include "hwm.h"
#include "idset.h"
#include "log.h"

/* The bytes of a named= value (quotes and escapes included): the other
 * stream's name, cut on a character boundary (log_quote). */
#define NAMED_QUOTED_MAX 72

typedef struct cand {
    run_record_t *rr; /* parsed from json: what complete() checks */
    char *json;       /* the head as read: pick() hands out a fresh parse */
    size_t len;
    int32_t partition;
    int64_t offset, ts;
} cand_t;

typedef struct chunk_slot { /* value of collector.chunks */
    char *data;             /* NULL: tombstoned */
    size_t len;
    uint64_t mark; /* complete(): seen in this check */
} chunk_slot_t;

struct checkpoint_collector {
    const char *const *streams;
    size_t n;
    cand_t *cands; /* n * CHECKPOINT_CANDIDATES, newest first */
    size_t *n_cands;
    idset_t *chunks;   /* chunk key -> chunk_slot_t */
    size_t tombstoned; /* slots of chunks' set with data NULL */
    uint64_t mark;     /* 64 bits: a collector kept for years never comes round */
};

checkpoint_collector_t *checkpoint_collector_new(const char *const *streams, size_t n)
{
    size_t slots = n ? n : 1;
    checkpoint_collector_t *c = malloc(sizeof(*c));
    cand_t *cands = calloc(slots * CHECKPOINT_CANDIDATES, sizeof(*cands));
    size_t *n_cands = calloc(slots, sizeof(*n_cands));
    idset_t *chunks = idset_new(sizeof(chunk_slot_t));
    if (c && cands && n_cands && chunks) {
        *c = (checkpoint_collector_t){
            .streams = streams, .n = n, .cands = cands, .n_cands = n_cands, .chunks = chunks};
        return c;
    }
    idset_destroy(chunks);
    free(n_cands);
    free(cands);
    free(c);
    return NULL;
}

static void cand_clear(cand_t *cd)
{
    run_record_destroy(cd->rr);
    free(cd->json);
}

void checkpoint_collector_destroy(checkpoint_collector_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->cands && c->n_cands && i < c->n; i++)
        for (size_t j = 0; j < c->n_cands[i]; j++)
            cand_clear(&c->cands[i * CHECKPOINT_CANDIDATES + j]);
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
    char err[256], q[600];
    run_record_t *rr = run_record_from_json(value, len, err, sizeof(err));
    if (!rr) {
        log_warn("ignoring a run record that does not parse",
                 "stream=%s partition=%d offset=%lld error=%s", c->streams[i], (int)partition,
                 (long long)offset, log_quote(q, sizeof(q), err));
        return PRODUCER_OK;
    }
    if (!rr->stream || strcmp(rr->stream, c->streams[i]) != 0) {
        /* taken as this stream's checkpoint, its HWM would be another
         * stream's, and an abandoned run's record written under the
         * other's key */
        log_warn("ignoring a run record that names another stream than its key",
                 "stream=%s partition=%d offset=%lld named=%s", c->streams[i], (int)partition,
                 (long long)offset, log_quote(q, NAMED_QUOTED_MAX, rr->stream ? rr->stream : ""));
        run_record_destroy(rr);
        return PRODUCER_OK;
    }
    cand_t nc = {rr, NULL, len, partition, offset, ts};
    cand_t *list = &c->cands[i * CHECKPOINT_CANDIDATES];
    size_t n = c->n_cands[i], at = 0;
    while (at < n && !newer(&nc, &list[at]))
        at++;
    if (at == CHECKPOINT_CANDIDATES) { /* older than every one kept */
        run_record_destroy(rr);
        return PRODUCER_OK;
    }
    if (!(nc.json = malloc(len ? len : 1))) {
        run_record_destroy(rr);
        return PRODUCER_FAILED;
    }
    memcpy(nc.json, value, len);
    if (n == CHECKPOINT_CANDIDATES)
        cand_clear(&list[--n]);
    memmove(&list[at + 1], &list[at], (n - at) * sizeof(*list));
    list[at] = nc;
    c->n_cands[i] = n + 1;
    return PRODUCER_OK;
}

/*
 * The chunks' set without its tombstoned slots (data NULL): the live
 * slots move to a fresh set. 0, or -1 on ENOMEM (the set is as it was).
 */
static int compact_chunks(checkpoint_collector_t *c)
{
    idset_t *live = idset_new(sizeof(chunk_slot_t));
    size_t pos = 0;
    const char *k;
    void *v;
    /* every live key first, so that a failure leaves the old set whole */
    while (live && idset_next(c->chunks, &pos, &k, &v))
        if (((chunk_slot_t *)v)->data && !idset_add(live, k, strlen(k), NULL)) {
            idset_destroy(live);
            live = NULL;
        }
    if (!live)
        return -1;
    for (pos = 0; idset_next(c->chunks, &pos, &k, &v);) {
        chunk_slot_t *from = v, *to = from->data ? idset_get(live, k, strlen(k)) : NULL;
        if (to) {
            *to = *from;
            from->data = NULL;
        }
    }
    idset_destroy(c->chunks);
    c->chunks = live;
    c->tombstoned = 0;
    return 0;
}

/*
 * A chunk's tombstone: its data goes. The set has no removal, so its slot
 * stays, data NULL (as good as absent: complete() and find_stale() skip
 * it). A collector kept for a follow producer's life sees every chunk key
 * ever written and then tombstoned (new ones each time the HWM's ties are
 * written anew), so past CHUNKS_TOMBSTONED_MAX such slots, and more of
 * them than live ones, the set is compacted. Only ENOMEM fails, and
 * not for a failed compaction (tried again at the next tombstone).
 */
#define CHUNKS_TOMBSTONED_MAX 1024

static int drop_chunk(checkpoint_collector_t *c, const char *key, size_t key_len)
{
    chunk_slot_t *s = idset_get(c->chunks, key, key_len);
    if (!s || !s->data)
        return PRODUCER_OK;
    free(s->data);
    s->data = NULL;
    s->len = 0;
    size_t slots = idset_count(c->chunks);
    if (++c->tombstoned > CHUNKS_TOMBSTONED_MAX && c->tombstoned * 2 > slots)
        (void)compact_chunks(c);
    return PRODUCER_OK;
}

size_t checkpoint_collector_chunk_slots(const checkpoint_collector_t *c)
{
    return idset_count(c->chunks);
}

int checkpoint_collect(checkpoint_collector_t *c, const char *key, size_t key_len,
                       const char *value, size_t len, int32_t partition, int64_t offset, int64_t ts)
{
    if (!key)
        return PRODUCER_OK;
    long i = stream_index(c, key, key_len);
    if (i >= 0) /* a head; a tombstone would be a reset to "no checkpoint" */
        return value ? add_head(c, (size_t)i, value, len, partition, offset, ts) : PRODUCER_OK;
    size_t at = run_chunk_key_stream(key, key_len);
    if (!at || stream_index(c, key, at) < 0 || key_len > IDSET_MAX_KEY ||
        memchr(key, '\0', key_len))
        return PRODUCER_OK; /* another stream's, or not ours at all */
    if (!value)
        return drop_chunk(c, key, key_len);
    chunk_slot_t *s = idset_add(c->chunks, key, key_len, NULL);
    if (!s)
        return PRODUCER_FAILED;
    free(s->data);
    s->len = 0;
    if (!(s->data = malloc(len + 1)))
        return PRODUCER_FAILED;
    memcpy(s->data, value, len);
    s->data[len] = '\0';
    s->len = len;
    return PRODUCER_OK;
}

/* True when every chunk rr names is there, of stream, and valid. */
static int complete(checkpoint_collector_t *c, const char *stream, const run_record_t *rr,
                    char *why, size_t why_size)
{
    const run_hwm_t *hs[2] = {&rr->hwm, &rr->deleted_hwm};
    uint64_t mark = ++c->mark;
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

/* A copy of each named chunk's data in its reference (complete() found
 * them all): 0, or -1 on ENOMEM. The collector keeps its own for the
 * next pick: a later read adds only what is new to it (checkpoint.c). */
static int attach(checkpoint_collector_t *c, run_record_t *rr)
{
    run_hwm_t *hs[2] = {&rr->hwm, &rr->deleted_hwm};
    for (int h = 0; h < 2; h++)
        for (size_t k = 0; k < hs[h]->n_chunks; k++) {
            run_chunk_ref_t *ref = &hs[h]->chunks[k];
            const chunk_slot_t *s = idset_get(c->chunks, ref->key, strlen(ref->key));
            free(ref->data);
            if (!(ref->data = malloc(s->len + 1)))
                return -1;
            memcpy(ref->data, s->data, s->len + 1);
        }
    return 0;
}

/* rr->stale_chunks = the live chunks of stream that rr does not name
 * (marked: the ones complete() last marked, the chosen head's, or 0 when
 * it names none). Best effort: on ENOMEM the list is shorter (they stay
 * on the topic). */
static void find_stale(checkpoint_collector_t *c, const char *stream, uint64_t marked,
                       run_record_t *rr)
{
    size_t pos = 0, sl = strlen(stream);
    const char *key;
    void *v;
    while (idset_next(c->chunks, &pos, &key, &v)) {
        chunk_slot_t *s = v;
        if (!s->data || (marked && s->mark == marked) || strncmp(key, stream, sl) != 0 ||
            key[sl] != '/')
            continue;
        char **grown = realloc(rr->stale_chunks, (rr->n_stale_chunks + 1) * sizeof(*grown));
        char *k = grown ? strdup(key) : NULL;
        if (grown)
            rr->stale_chunks = grown;
        if (!k)
            return;
        rr->stale_chunks[rr->n_stale_chunks++] = k;
    }
}

/* A fresh parse of cand's head (it parsed when collected: only ENOMEM
 * fails), or NULL. */
static run_record_t *cand_parse(const cand_t *cd)
{
    char err[256];
    return run_record_from_json(cd->json, cd->len, err, sizeof(err));
}

int checkpoint_collector_pick(checkpoint_collector_t *c, size_t i, run_record_t **out)
{
    *out = NULL;
    if (i >= c->n || c->n_cands[i] == 0)
        return 0;
    const char *stream = c->streams[i];
    const cand_t *list = &c->cands[i * CHECKPOINT_CANDIDATES];
    size_t n = c->n_cands[i], pick = 0;
    char why[512] = "", first_why[512] = "", q[1100];
    while (pick < n && !complete(c, stream, list[pick].rr, why, sizeof(why))) {
        if (pick == 0)
            snprintf(first_why, sizeof(first_why), "%s", why);
        pick++;
    }
    int whole = pick < n;
    run_record_t *rr = cand_parse(&list[whole ? pick : 0]);
    if (!rr || (whole && attach(c, rr) != 0)) {
        run_record_destroy(rr);
        return -1;
    }
    if (whole && pick > 0)
        log_warn("the latest checkpoint is incomplete: using an older one; records "
                 "after it are published again",
                 "stream=%s run_id=%s error=%s", stream, rr->run_id,
                 log_quote(q, sizeof(q), first_why));
    if (!whole) {
        log_warn("no complete checkpoint: its ids at the HWM are forgotten, records at "
                 "the HWM are published again",
                 "stream=%s run_id=%s error=%s", stream, rr->run_id,
                 log_quote(q, sizeof(q), first_why));
        hwm_chunk_refs_drop(&rr->hwm.chunks, &rr->hwm.n_chunks);
        hwm_chunk_refs_drop(&rr->deleted_hwm.chunks, &rr->deleted_hwm.n_chunks);
    }
    find_stale(c, stream, whole ? c->mark : 0, rr);
    *out = rr;
    return 0;
}
