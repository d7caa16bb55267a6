/*
 * hwm.c - digest, bucket, skip rule and HWM tracker (see hwm.h).
 */
#include "hwm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daytz.h"
#include "hexnum.h"
#include "fnv1a.h"
#include "isotime.h"

int hwm_digest_bytes(const void *bytes, size_t len, char *buf, size_t size)
{
    if (size < HWM_DIGEST_SIZE)
        return PRODUCER_FAILED;
    snprintf(buf, size, "%016llx", (unsigned long long)fnv1a64(bytes, len));
    return PRODUCER_OK;
}

int hwm_digest(const json_t *rec, char *buf, size_t size)
{
    char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text) /* json_dumps escapes NUL: strlen is the whole text */
        return PRODUCER_FAILED;
    int rc = hwm_digest_bytes(text, strlen(text), buf, size);
    free(text);
    return rc;
}

hwm_entry_t hwm_digest_parse(const char *digest)
{
    hwm_entry_t e = {0, HWM_DIGEST_NONE};
    if (!digest || !*digest)
        return e;
    e.kind = HWM_DIGEST_OTHER;
    uint64_t v;
    /* a NUL before 16 digits is no digit */
    if (hexnum_parse(digest, 16, &v) == 0 && digest[16] == '\0')
        e = (hwm_entry_t){v, HWM_DIGEST_HEX};
    return e;
}

void hwm_digest_format(const hwm_entry_t *e, char *buf, size_t size)
{
    if (e->kind == HWM_DIGEST_HEX)
        snprintf(buf, size, "%016llx", (unsigned long long)e->value);
    else
        snprintf(buf, size, "%s", e->kind == HWM_DIGEST_NONE ? "" : "?");
}

cursor_clock_t hwm_clock(const stream_conf_t *sc)
{
    return (cursor_clock_t){sc->cursor_precision, sc->cursor_timezone, sc->cursor_format,
                            sc->cursor_param_format};
}

int64_t hwm_bucket(const cursor_clock_t *clock, int64_t ms)
{
    return clock->precision == CURSOR_PRECISION_DATE ? daytz_day_start(clock->timezone, ms) : ms;
}

size_t hwm_entry_json_size(const char *id, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        n += c == '"' || c == '\\' ? 2 : c < 0x20 || c == 0x7f ? 6 : 1;
    }
    return n + 22; /* quotes, colon, "16 hex", comma */
}

static int key_ok(const char *id, size_t len)
{
    return len > 0 && len <= IDSET_MAX_KEY && !memchr(id, '\0', len);
}

const hwm_entry_t *hwm_find_id(const hwm_tracker_t *t, const char *id)
{
    size_t len = strlen(id);
    if (!t->ids || !key_ok(id, len))
        return NULL;
    return idset_get(t->ids, id, len);
}

size_t hwm_tracker_count(const hwm_tracker_t *t)
{
    return t->ids ? idset_count(t->ids) : 0;
}

int hwm_in_bucket(const hwm_tracker_t *t, const cursor_clock_t *clock, int64_t cursor_ms)
{
    return t->has_value && hwm_bucket(clock, cursor_ms) == hwm_bucket(clock, t->value_ms);
}

void hwm_standin_id(const char *digest, char *buf)
{
    buf[0] = '\x7f';
    snprintf(buf + 1, HWM_DIGEST_SIZE, "%s", digest);
}

int hwm_should_skip(const hwm_tracker_t *t, const cursor_clock_t *clock, const char *id,
                    int64_t cursor_ms, const char *digest)
{
    if (!hwm_in_bucket(t, clock, cursor_ms))
        return 0;
    const hwm_entry_t *e = hwm_find_id(t, id);
    if (!e)
        return 0;
    if (!digest)
        return 1;
    hwm_entry_t q = hwm_digest_parse(digest);
    return q.kind != HWM_DIGEST_OTHER && q.kind == e->kind && q.value == e->value;
}

void hwm_chunk_refs_drop(run_chunk_ref_t **chunks, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        run_chunk_ref_clear(&(*chunks)[i]);
    free(*chunks);
    *chunks = NULL;
    *n = 0;
}

static void drop_chunks(hwm_tracker_t *t)
{
    hwm_chunk_refs_drop(&t->chunks, &t->n_chunks);
}

/* A new bucket: no id of the old one matters any more. */
static void reset_ids(hwm_tracker_t *t)
{
    if (t->ids)
        idset_clear(t->ids);
    if (t->pending)
        idset_clear(t->pending);
    t->bytes = t->pending_bytes = 0;
    drop_chunks(t);
}

int hwm_tracker_put(hwm_tracker_t *t, const char *id, size_t len, const char *digest, int pending)
{
    if (!key_ok(id, len))
        return PRODUCER_OK; /* not remembered: published again next time */
    if (!t->ids && !(t->ids = idset_new(sizeof(hwm_entry_t))))
        return PRODUCER_FAILED;
    if (pending && !t->pending && !(t->pending = idset_new(0)))
        return PRODUCER_FAILED;
    hwm_entry_t e = hwm_digest_parse(digest);
    int added;
    hwm_entry_t *v = idset_add(t->ids, id, len, &added);
    if (!v)
        return PRODUCER_FAILED;
    size_t size = hwm_entry_json_size(id, len);
    if (added)
        t->bytes += size;
    else if (v->kind == e.kind && v->value == e.value)
        return PRODUCER_OK; /* unchanged: nothing new to write */
    *v = e;
    if (!pending)
        return PRODUCER_OK;
    if (!idset_add(t->pending, id, len, &added))
        return PRODUCER_FAILED;
    if (added)
        t->pending_bytes += size;
    return PRODUCER_OK;
}

int hwm_observe(hwm_tracker_t *t, const cursor_clock_t *clock, const char *id, int64_t cursor_ms,
                const char *digest)
{
    int64_t b = hwm_bucket(clock, cursor_ms);
    if (t->has_value) {
        int64_t cur = hwm_bucket(clock, t->value_ms);
        if (b < cur)
            return PRODUCER_OK;
        if (b > cur)
            reset_ids(t);
    }
    if (!t->has_value || cursor_ms > t->value_ms)
        t->value_ms = cursor_ms;
    t->has_value = 1;
    return hwm_tracker_put(t, id, strlen(id), digest, 1);
}

int hwm_tracker_cap(hwm_tracker_t *t, const cursor_clock_t *clock, int64_t mark_ms)
{
    if (!t->has_value || hwm_bucket(clock, mark_ms) >= hwm_bucket(clock, t->value_ms))
        return 0;
    reset_ids(t);
    t->value_ms = mark_ms;
    return 1;
}

int hwm_tracker_chunked(hwm_tracker_t *t, const run_chunk_ref_t *refs, size_t n, int replace)
{
    size_t keep = replace ? 0 : t->n_chunks;
    run_chunk_ref_t *all = calloc(keep + n ? keep + n : 1, sizeof(*all));
    if (!all)
        return PRODUCER_FAILED;
    for (size_t i = 0; i < n; i++) {
        if (run_chunk_ref_copy(&all[keep + i], &refs[i]) != 0) {
            for (size_t j = 0; j <= i; j++)
                run_chunk_ref_clear(&all[keep + j]);
            free(all);
            return PRODUCER_FAILED;
        }
    }
    if (replace) {
        drop_chunks(t);
    } else {
        if (keep)
            memcpy(all, t->chunks, keep * sizeof(*all)); /* moved, not copied */
        free(t->chunks);
    }
    t->chunks = all;
    t->n_chunks = keep + n;
    if (t->pending)
        idset_clear(t->pending);
    t->pending_bytes = 0;
    return PRODUCER_OK;
}

void hwm_tracker_clear(hwm_tracker_t *t)
{
    idset_destroy(t->ids);
    idset_destroy(t->pending);
    drop_chunks(t);
    memset(t, 0, sizeof(*t));
}
