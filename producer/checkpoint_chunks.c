/*
 * checkpoint_chunks.c - the chunk format of checkpoints: which chunks a
 * tracker needs written, the head's view of it, and checking and loading
 * chunks back (see checkpoint.h for the design, checkpoint_chunks.h).
 */
#include "checkpoint_chunks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "fnv1a.h"
#include "idset.h"
#include "log.h"

uint64_t checkpoint_sum(const void *data, size_t len)
{
    return fnv1a64(data, len);
}

/* ---- chunks: encode ------------------------------------------------ */

void checkpoint_chunks_clear(checkpoint_chunks_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        run_chunk_ref_clear(&c->items[i].ref);
        free(c->items[i].value);
    }
    free(c->items);
    memset(c, 0, sizeof(*c));
}

typedef struct plan_ctx {
    const char *stream, *run_id;
    size_t chunk_max; /* checkpoint_sizes_t.chunk */
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
        return PRODUCER_OK;
    if (json_object_size(ids) == 0) {
        json_decref(ids);
        return PRODUCER_OK;
    }
    size_t n_ids = json_object_size(ids);
    json_t *o = json_pack("{s:s, s:o}", "chunk", p->key, "ids", ids); /* takes ids */
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    checkpoint_chunk_t *grown =
        text ? realloc(p->out->items, (p->out->n + 1) * sizeof(*grown)) : NULL;
    if (!grown) {
        free(text);
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
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
        return PRODUCER_FAILED;
    }
    if (len > p->chunk_max) { /* the estimate is an upper bound */
        errstr_set(errstr, errstr_size, "checkpoint chunk %s: %zu bytes, over the %zu allowed",
                   p->key, len, p->chunk_max);
        return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

static int open_chunk(plan_ctx_t *p, char *errstr, size_t errstr_size)
{
    if (run_chunk_key(p->key, sizeof(p->key), p->stream, p->run_id, (*p->seq)++) != 0) {
        errstr_set(errstr, errstr_size, "checkpoint chunk key too long for stream %s", p->stream);
        return PRODUCER_FAILED;
    }
    if (!(p->ids = json_object())) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
    }
    /* {"chunk":"<key>","ids":{...}}: the key is plain ASCII */
    size_t frame = strlen(p->key) + 32;
    p->room = p->chunk_max > frame ? p->chunk_max - frame : 0; /* 0: an id a chunk */
    return PRODUCER_OK;
}

/* Adds one id to the chunks being built. */
static int plan_add(plan_ctx_t *p, const char *id, const hwm_entry_t *e, char *errstr,
                    size_t errstr_size)
{
    size_t size = hwm_entry_json_size(id, strlen(id));
    if (p->ids && size > p->room && close_chunk(p, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    if (!p->ids && open_chunk(p, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    char dg[HWM_DIGEST_SIZE];
    hwm_digest_format(e, dg, sizeof(dg));
    /* An id JSON cannot carry (not UTF-8) is left out: it is only
     * published again next time. */
    if (json_object_set_new(p->ids, id, json_string(dg)) == 0)
        p->room -= size < p->room ? size : p->room;
    return PRODUCER_OK;
}

/* What a message of max_message bytes leaves its value. */
static size_t value_room(size_t max_message)
{
    return max_message > 2 * CHECKPOINT_MESSAGE_MARGIN ? max_message - CHECKPOINT_MESSAGE_MARGIN
                                                       : max_message / 2;
}

checkpoint_sizes_t checkpoint_sizes(size_t max_message)
{
    checkpoint_sizes_t s = {CHECKPOINT_CHUNK_BYTES, CHECKPOINT_INLINE_BYTES};
    size_t room = value_room(max_message);

    /* An id too large for such a chunk alone is still written in one,
     * whose produce then fails saying so. */
    if (s.chunk > room)
        s.chunk = room;
    if (s.inline_ids > max_message / 4)
        s.inline_ids = max_message / 4;
    return s;
}

size_t checkpoint_head_max(size_t max_message)
{
    size_t room = value_room(max_message);
    return room < CHECKPOINT_HEAD_MAX_BYTES ? room : CHECKPOINT_HEAD_MAX_BYTES;
}

int checkpoint_plan(const hwm_tracker_t *t, const checkpoint_sizes_t *sizes, const char *stream,
                    const char *run_id, unsigned *seq, checkpoint_chunks_t *out, char *errstr,
                    size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    size_t need = t->bytes / sizes->chunk + 1;
    int all = t->n_chunks > CHECKPOINT_FRAGMENTED_MIN && t->n_chunks > 4 * need;
    if (!all && t->pending_bytes <= sizes->inline_ids)
        return PRODUCER_OK; /* the pending ids travel inline */
    out->replace = all;
    plan_ctx_t p = {
        .stream = stream, .run_id = run_id, .chunk_max = sizes->chunk, .seq = seq, .out = out};
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
    /* value and chunk references as they are, then the pending ids */
    const run_hwm_t chunked = {.has_value = t->has_value,
                               .value_ms = t->value_ms,
                               .chunks = t->chunks,
                               .n_chunks = t->n_chunks};
    if (run_hwm_copy(head, &chunked) != 0)
        return PRODUCER_FAILED;
    size_t n = t->pending ? idset_count(t->pending) : 0;
    if (n == 0)
        return PRODUCER_OK;
    head->ids = calloc(n, sizeof(*head->ids));
    head->digests = calloc(n, sizeof(*head->digests));
    int ok = head->ids && head->digests;
    size_t pos = 0;
    const char *id;
    void *v;
    while (ok && idset_next(t->pending, &pos, &id, &v)) {
        const hwm_entry_t *e = idset_get(t->ids, id, strlen(id));
        if (!e)
            continue;
        char dg[HWM_DIGEST_SIZE];
        hwm_digest_format(e, dg, sizeof(dg));
        size_t i = head->n_ids++;
        head->ids[i] = strdup(id);
        head->digests[i] = strdup(dg);
        ok = head->ids[i] && head->digests[i];
    }
    if (!ok) {
        run_hwm_clear(head);
        return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

/* ---- chunks: decode ------------------------------------------------ */

checkpoint_decode_result_t checkpoint_decode_chunk(hwm_tracker_t *t, const run_chunk_ref_t *ref,
                                                   const char *value, size_t len, char *errstr,
                                                   size_t errstr_size)
{
    if (!value) {
        errstr_set(errstr, errstr_size, "chunk %s: not found", ref->key);
        return CHECKPOINT_DECODE_INVALID;
    }
    if ((int64_t)len != ref->bytes || checkpoint_sum(value, len) != ref->sum) {
        errstr_set(errstr, errstr_size,
                   "chunk %s: %zu bytes, sum %016llx; the run record names %lld bytes, "
                   "sum %016llx",
                   ref->key, len, (unsigned long long)checkpoint_sum(value, len),
                   (long long)ref->bytes, (unsigned long long)ref->sum);
        return CHECKPOINT_DECODE_INVALID;
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
    checkpoint_decode_result_t rc = CHECKPOINT_DECODE_OK;
    if (why) {
        errstr_set(errstr, errstr_size, "chunk %s: %s", ref->key, why);
        rc = CHECKPOINT_DECODE_INVALID;
    } else if (t) {
        json_object_foreach(ids, id, dg)
        {
            if (hwm_tracker_put(t, id, strlen(id), json_string_value(dg), 0) != 0) {
                errstr_set(errstr, errstr_size, "out of memory");
                rc = CHECKPOINT_DECODE_NOMEM;
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
    run_chunk_ref_t *good = calloc(h->n_chunks ? h->n_chunks : 1, sizeof(*good));
    size_t n_good = 0;
    if (!good)
        return PRODUCER_FAILED;
    for (size_t i = 0; i < h->n_chunks; i++) {
        const run_chunk_ref_t *ref = &h->chunks[i];
        char err[512], q[1100];
        int rc = checkpoint_decode_chunk(t, ref, ref->data, ref->data ? strlen(ref->data) : 0, err,
                                         sizeof(err));
        if (rc == CHECKPOINT_DECODE_NOMEM) {
            free(good);
            return PRODUCER_FAILED;
        }
        if (rc != 0) {
            /* checkpoint_read checked it: only a damaged record gets here */
            log_warn("checkpoint chunk left out: its ids will be published again",
                     "stream=%s error=%s", stream, log_quote(q, sizeof(q), err));
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
