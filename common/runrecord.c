/*
 * runrecord.c - run records <-> JSON (jansson).
 *
 * Timestamps are ISO-8601 strings with milliseconds (isotime), so a record
 * read back is the record written, to the millisecond. Times that are 0
 * (not finished, no full run yet) are written as null.
 */
#include "errstr.h"
#include "runrecord.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "config_keys.h"
#include "hexnum.h"
#include "isotime.h"
#include "random.h"
#include "utf8.h"

static const char *const status_names[] = {"running", "completed", "failed"};
static const char *const mode_names[] = {"incremental", "full"};

const char *run_status_name(run_status_t s)
{
    return (unsigned)s < 3 ? status_names[s] : "unknown";
}

const char *run_mode_name(run_mode_t m)
{
    return (unsigned)m < 2 ? mode_names[m] : "unknown";
}

void run_chunk_ref_clear(run_chunk_ref_t *ref)
{
    free(ref->key);
    free(ref->data);
    memset(ref, 0, sizeof(*ref));
}

int run_chunk_ref_copy(run_chunk_ref_t *dst, const run_chunk_ref_t *src)
{
    *dst = (run_chunk_ref_t){.ids = src->ids, .bytes = src->bytes, .sum = src->sum};
    dst->key = strdup(src->key ? src->key : "");
    return dst->key ? 0 : -1;
}

int run_chunk_key(char *buf, size_t size, const char *stream, const char *run_id, unsigned n)
{
    int len = snprintf(buf, size, "%s/ckpt/%s/%u", stream, run_id, n);
    return len > 0 && (size_t)len < size ? 0 : -1;
}

size_t run_chunk_key_stream(const char *key, size_t len)
{
    static const char sep[] = "/ckpt/";
    const char *slash = key ? memchr(key, '/', len) : NULL;
    if (!slash || slash == key)
        return 0;
    size_t at = (size_t)(slash - key);
    if (len - at <= sizeof(sep) - 1 || memcmp(slash, sep, sizeof(sep) - 1) != 0)
        return 0;
    return at;
}

void run_hwm_clear(run_hwm_t *hwm)
{
    for (size_t i = 0; i < hwm->n_ids; i++) {
        free(hwm->ids[i]);
        if (hwm->digests)
            free(hwm->digests[i]);
    }
    free(hwm->ids);
    free(hwm->digests);
    for (size_t i = 0; i < hwm->n_chunks; i++)
        run_chunk_ref_clear(&hwm->chunks[i]);
    free(hwm->chunks);
    memset(hwm, 0, sizeof(*hwm));
}

int run_hwm_copy(run_hwm_t *dst, const run_hwm_t *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->has_value = src->has_value;
    dst->value_ms = src->value_ms;
    if (src->n_chunks > 0) {
        if (!(dst->chunks = calloc(src->n_chunks, sizeof(*dst->chunks))))
            goto fail;
        for (size_t i = 0; i < src->n_chunks; i++) {
            dst->n_chunks = i + 1;
            if (run_chunk_ref_copy(&dst->chunks[i], &src->chunks[i]) != 0)
                goto fail;
        }
    }
    if (src->n_ids == 0)
        return 0;
    dst->ids = calloc(src->n_ids, sizeof(*dst->ids));
    dst->digests = calloc(src->n_ids, sizeof(*dst->digests));
    if (!dst->ids || !dst->digests)
        goto fail;
    for (size_t i = 0; i < src->n_ids; i++) {
        dst->n_ids = i + 1; /* so that clear frees what was copied */
        dst->ids[i] = strdup(src->ids[i]);
        dst->digests[i] = strdup(src->digests && src->digests[i] ? src->digests[i] : "");
        if (!dst->ids[i] || !dst->digests[i])
            goto fail;
    }
    return 0;
fail:
    run_hwm_clear(dst); /* the arrays are zeroed past what was copied */
    return -1;
}

void run_record_destroy(run_record_t *rr)
{
    if (!rr)
        return;
    free(rr->stream);
    free(rr->run_id);
    run_hwm_clear(&rr->hwm);
    run_hwm_clear(&rr->deleted_hwm);
    free(rr->end_offsets);
    free(rr->error);
    free(rr->source);
    for (size_t i = 0; i < rr->n_stale_chunks; i++)
        free(rr->stale_chunks[i]);
    free(rr->stale_chunks);
    free(rr);
}

/* ---- to JSON ----------------------------------------------------------- */

static json_t *time_json(int64_t ms, int zero_is_null)
{
    if (ms == 0 && zero_is_null)
        return json_null();
    char buf[ISOTIME_BUFSIZE];
    isotime_format(ms, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *hwm_json(const run_hwm_t *h)
{
    json_t *o = json_object();
    json_t *ids = json_object();

    if (!o || !ids)
        goto fail;
    if (json_object_set_new(o, "value", h->has_value ? time_json(h->value_ms, 0) : json_null()))
        goto fail;
    for (size_t i = 0; i < h->n_ids; i++) {
        const char *d = h->digests && h->digests[i] ? h->digests[i] : "";
        /* An id JSON cannot carry (not UTF-8) is left out: the set only
         * serves skipping, and an id missing from it is published again. */
        (void)json_object_set_new(ids, h->ids[i], json_string(d));
    }
    if (json_object_set_new(o, "ids", ids) != 0) {
        ids = NULL; /* set_new consumed it even on failure */
        goto fail;
    }
    ids = NULL;
    if (h->n_chunks > 0) {
        json_t *arr = json_array();
        if (json_object_set_new(o, "chunks", arr) != 0)
            goto fail;
        for (size_t i = 0; i < h->n_chunks; i++) {
            const run_chunk_ref_t *c = &h->chunks[i];
            char sum[17];
            snprintf(sum, sizeof(sum), "%016llx", (unsigned long long)c->sum);
            json_t *ref = json_pack("{s:s, s:I, s:I, s:s}", "key", c->key ? c->key : "", "ids",
                                    (json_int_t)c->ids, "bytes", (json_int_t)c->bytes, "sum", sum);
            if (json_array_append_new(arr, ref) != 0)
                goto fail;
        }
    }
    return o;
fail:
    json_decref(ids);
    json_decref(o);
    return NULL;
}

static json_t *offsets_json(const run_record_t *rr)
{
    json_t *o = json_object();

    for (size_t i = 0; o && i < rr->n_end_offsets; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%d", (int)rr->end_offsets[i].partition);
        if (json_object_set_new(o, key, json_integer(rr->end_offsets[i].offset))) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/*
 * text as a JSON string, each byte that is not part of valid UTF-8 (an
 * API's Latin-1 quoted in an error, a character cut by a fixed buffer)
 * replaced by '?': jansson refuses such text, and a failed run record
 * that cannot be written loses the HWM the run reached. NULL on ENOMEM.
 */
static json_t *text_json(const char *text)
{
    json_t *j = json_string(text);
    if (j)
        return j;
    size_t n = strlen(text), o = 0;
    char *mended = malloc(n + 1);
    if (!mended)
        return NULL;
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)text + i;
        size_t k = *p < 0x80 ? 1 : utf8_seq(p, n - i);
        if (k == 0) {
            mended[o++] = '?';
            i++;
        } else {
            memcpy(mended + o, p, k);
            o += k;
            i += k;
        }
    }
    j = json_stringn(mended, o);
    free(mended);
    return j;
}

char *run_record_to_json(const run_record_t *rr)
{
    json_t *o = json_object();
    char *out = NULL;

    /* json_object_set_new() takes each value (and returns -1 for a NULL
     * one), so a failed allocation anywhere shows up in err. */
    int err = !o;
    err |= json_object_set_new(o, "stream", json_string(rr->stream ? rr->stream : ""));
    err |= json_object_set_new(o, "run_id", json_string(rr->run_id ? rr->run_id : ""));
    err |= json_object_set_new(o, "mode", json_string(run_mode_name(rr->mode)));
    err |= json_object_set_new(o, "status", json_string(run_status_name(rr->status)));
    err |= json_object_set_new(o, "hwm", hwm_json(&rr->hwm));
    err |= json_object_set_new(o, "deleted_hwm", hwm_json(&rr->deleted_hwm));
    err |= json_object_set_new(o, "records", json_integer(rr->records));
    err |= json_object_set_new(o, "deletes", json_integer(rr->deletes));
    err |= json_object_set_new(o, "failed_records", json_integer(rr->failed_records));
    err |= json_object_set_new(o, "started_at", time_json(rr->started_at_ms, 0));
    err |= json_object_set_new(o, "finished_at", time_json(rr->finished_at_ms, 1));
    err |= json_object_set_new(o, "last_full_at", time_json(rr->last_full_at_ms, 1));
    err |= json_object_set_new(o, "end_offsets", offsets_json(rr));
    err |= json_object_set_new(o, "error", rr->error ? text_json(rr->error) : json_null());
    if (rr->source)
        err |= json_object_set_new(o, "source", json_string(rr->source));
    if (rr->restart_full)
        err |= json_object_set_new(o, "restart_full", json_true());
    if (!err)
        out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

/* ---- from JSON --------------------------------------------------------- */

static int bad(char *errstr, size_t errstr_size, const char *member, const char *why)
{
    errstr_set(errstr, errstr_size, "run record: '%s': %s", member, why);
    return -1;
}

static int get_string(json_t *o, const char *name, char **out, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return bad(errstr, errstr_size, name, v ? "expected a string" : "missing");
    *out = strdup(json_string_value(v));
    return *out ? 0 : bad(errstr, errstr_size, name, "out of memory");
}

/* A run id as some producer wrote it: text every reader may print as it
 * is (logs, `status`, sync_metadata), printable ASCII without spaces,
 * quotes, '=' or '\\', shorter than RUN_ID_SIZE. run_id_make() gives such
 * ids; one with a newline forged log lines and status rows. */
static int is_run_id_text(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= RUN_ID_SIZE)
        return 0;
    for (; *s; s++)
        if (*s <= ' ' || *s > '~' || *s == '"' || *s == '=' || *s == '\\')
            return 0;
    return 1;
}

_Static_assert(CONFIG_STREAM_NAME_MAX == 64 && RUN_ID_SIZE == 128, "check_names() names both");

/* stream and run_id: each must be what tidemark writes there (a stream
 * name as config.c takes it), or the record is not one of a stream. */
static int check_names(const run_record_t *rr, char *errstr, size_t errstr_size)
{
    if (!config_is_topic_token(rr->stream) || strlen(rr->stream) > CONFIG_STREAM_NAME_MAX)
        return bad(errstr, errstr_size, "stream",
                   "not a stream name (letters, digits, '.', '_' and '-', at most "
                   "64 characters)");
    if (!is_run_id_text(rr->run_id))
        return bad(errstr, errstr_size, "run_id",
                   "not a run id (printable ASCII without spaces, quotes, '=' or '\\', "
                   "shorter than 128 characters)");
    return 0;
}

static int get_enum(json_t *o, const char *name, const char *const *names, int n, int *out,
                    char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return bad(errstr, errstr_size, name, v ? "expected a string" : "missing");
    for (int i = 0; i < n; i++) {
        if (strcmp(json_string_value(v), names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return bad(errstr, errstr_size, name, "unknown value");
}

/* An optional count: absent means 0. */
#define RUN_COUNT_MAX (INT64_C(1) << 53)

/* An optional string member: *out a copy, NULL when absent or null. */
static int get_text(json_t *o, const char *name, char **out, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(o, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return bad(errstr, errstr_size, name, "expected a string or null");
    if (!(*out = strdup(json_string_value(v))))
        return bad(errstr, errstr_size, name, "out of memory");
    return 0;
}

static int get_count(json_t *o, const char *name, int64_t *out, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(o, name);
    *out = 0;
    if (!v)
        return 0;
    /* 2^53: more events than any topic holds, and the sums of two counts
     * (records + deletes) stay far from bigint's end in sync_metadata */
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > RUN_COUNT_MAX)
        return bad(errstr, errstr_size, name, "expected an integer from 0 to 2^53");
    *out = json_integer_value(v);
    return 0;
}

/* A timestamp; null (or absent, unless required) means 0. */
static int get_time(json_t *o, const char *name, int required, int64_t *out, char *errstr,
                    size_t errstr_size)
{
    json_t *v = json_object_get(o, name);

    *out = 0;
    if (!v && required)
        return bad(errstr, errstr_size, name, "missing");
    if (!v || (json_is_null(v) && !required))
        return 0;
    if (!json_is_string(v))
        return bad(errstr, errstr_size, name, "expected an ISO-8601 string");
    char why[128];
    if (isotime_parse(json_string_value(v), out, NULL, why, sizeof(why)) < 0)
        return bad(errstr, errstr_size, name, why);
    return 0;
}

/* 16 hex digits into *out. 0 or -1. */
static int parse_sum(const char *s, uint64_t *out)
{
    return hexnum_parse(s, 16, out) == 0 && s[16] == '\0' ? 0 : -1;
}

static int get_chunks(json_t *v, const char *name, run_hwm_t *h, char *errstr, size_t errstr_size)
{
    json_t *arr = json_object_get(v, "chunks");
    char member[64];

    snprintf(member, sizeof(member), "%s.chunks", name);
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return bad(errstr, errstr_size, member, "expected an array of chunk references");
    if (json_array_size(arr) == 0)
        return 0;
    h->chunks = calloc(json_array_size(arr), sizeof(*h->chunks));
    if (!h->chunks)
        return bad(errstr, errstr_size, member, "out of memory");
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        json_t *key = json_object_get(c, "key"), *ids = json_object_get(c, "ids");
        json_t *bytes = json_object_get(c, "bytes"), *sum = json_object_get(c, "sum");
        run_chunk_ref_t *r = &h->chunks[h->n_chunks];
        if (!json_is_object(c) || !json_is_string(key) || !json_is_integer(ids) ||
            json_integer_value(ids) < 0 || !json_is_integer(bytes) ||
            json_integer_value(bytes) < 0 || !json_is_string(sum) ||
            parse_sum(json_string_value(sum), &r->sum) != 0)
            return bad(errstr, errstr_size, member,
                       "each chunk needs a key, ids and bytes counts and a 16-hex-digit sum");
        if (!run_chunk_key_stream(json_string_value(key), json_string_length(key)))
            return bad(errstr, errstr_size, member, "a chunk key must be <stream>/ckpt/...");
        r->ids = json_integer_value(ids);
        r->bytes = json_integer_value(bytes);
        if (!(r->key = strdup(json_string_value(key))))
            return bad(errstr, errstr_size, member, "out of memory");
        h->n_chunks++;
    }
    return 0;
}

static int get_hwm(json_t *o, const char *name, run_hwm_t *h, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(o, name);

    memset(h, 0, sizeof(*h));
    if (!v || json_is_null(v))
        return 0; /* no HWM yet */
    if (!json_is_object(v))
        return bad(errstr, errstr_size, name, "expected an object");

    json_t *val = json_object_get(v, "value");
    char member[64];
    snprintf(member, sizeof(member), "%s.value", name);
    if (val && !json_is_null(val)) {
        if (!json_is_string(val))
            return bad(errstr, errstr_size, member, "expected an ISO-8601 string or null");
        char why[128];
        if (isotime_parse(json_string_value(val), &h->value_ms, NULL, why, sizeof(why)) < 0)
            return bad(errstr, errstr_size, member, why);
        h->has_value = 1;
    }
    if (get_chunks(v, name, h, errstr, errstr_size) < 0)
        return -1;

    json_t *ids = json_object_get(v, "ids");
    snprintf(member, sizeof(member), "%s.ids", name);
    if (!ids || json_is_null(ids))
        return 0;
    if (!json_is_object(ids))
        return bad(errstr, errstr_size, member, "expected an object of id -> digest");
    size_t n = json_object_size(ids);
    if (n == 0)
        return 0;
    h->ids = calloc(n, sizeof(*h->ids));
    h->digests = calloc(n, sizeof(*h->digests));
    if (!h->ids || !h->digests)
        return bad(errstr, errstr_size, member, "out of memory");
    const char *id;
    json_t *dg;
    json_object_foreach(ids, id, dg)
    {
        if (!json_is_string(dg))
            return bad(errstr, errstr_size, member, "each digest must be a string");
        size_t i = h->n_ids++;
        h->ids[i] = strdup(id);
        h->digests[i] = strdup(json_string_value(dg));
        if (!h->ids[i] || !h->digests[i])
            return bad(errstr, errstr_size, member, "out of memory");
    }
    return 0;
}

static int get_offsets(json_t *o, run_record_t *rr, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(o, "end_offsets");

    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return bad(errstr, errstr_size, "end_offsets", "expected an object of partition -> offset");
    if (json_object_size(v) == 0)
        return 0;
    rr->end_offsets = calloc(json_object_size(v), sizeof(*rr->end_offsets));
    if (!rr->end_offsets)
        return bad(errstr, errstr_size, "end_offsets", "out of memory");
    const char *key;
    json_t *off;
    json_object_foreach(v, key, off)
    {
        errno = 0;
        char *end;
        long p = strtol(key, &end, 10);
        if (errno || !(*key >= '0' && *key <= '9') || *end || p < 0 || p > INT32_MAX)
            return bad(errstr, errstr_size, "end_offsets", "keys must be partition numbers");
        if (!json_is_integer(off) || json_integer_value(off) < 0)
            return bad(errstr, errstr_size, "end_offsets", "offsets must be non-negative integers");
        end_offset_t *e = &rr->end_offsets[rr->n_end_offsets++];
        e->partition = (int32_t)p;
        e->offset = json_integer_value(off);
    }
    return 0;
}

run_record_t *run_record_from_json(const char *buf, size_t len, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    run_record_t *rr = NULL;
    int mode = 0, status = 0;

    if (!o) {
        errstr_set(errstr, errstr_size, "run record: bad JSON at line %d column %d: %s", jerr.line,
                   jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(o)) {
        errstr_set(errstr, errstr_size, "run record: expected a JSON object");
        goto fail;
    }
    if (!(rr = calloc(1, sizeof(*rr)))) {
        errstr_set(errstr, errstr_size, "run record: out of memory");
        goto fail;
    }
    if (get_string(o, "stream", &rr->stream, errstr, errstr_size) < 0 ||
        get_string(o, "run_id", &rr->run_id, errstr, errstr_size) < 0 ||
        check_names(rr, errstr, errstr_size) < 0 ||
        get_enum(o, "mode", mode_names, 2, &mode, errstr, errstr_size) < 0 ||
        get_enum(o, "status", status_names, 3, &status, errstr, errstr_size) < 0 ||
        get_hwm(o, "hwm", &rr->hwm, errstr, errstr_size) < 0 ||
        get_hwm(o, "deleted_hwm", &rr->deleted_hwm, errstr, errstr_size) < 0 ||
        get_count(o, "records", &rr->records, errstr, errstr_size) < 0 ||
        get_count(o, "deletes", &rr->deletes, errstr, errstr_size) < 0 ||
        get_count(o, "failed_records", &rr->failed_records, errstr, errstr_size) < 0 ||
        get_time(o, "started_at", 1, &rr->started_at_ms, errstr, errstr_size) < 0 ||
        get_time(o, "finished_at", 0, &rr->finished_at_ms, errstr, errstr_size) < 0 ||
        get_time(o, "last_full_at", 0, &rr->last_full_at_ms, errstr, errstr_size) < 0 ||
        get_offsets(o, rr, errstr, errstr_size) < 0 ||
        get_text(o, "source", &rr->source, errstr, errstr_size) < 0 ||
        get_text(o, "error", &rr->error, errstr, errstr_size) < 0)
        goto fail;
    rr->mode = (run_mode_t)mode;
    rr->status = (run_status_t)status;
    /* only true sets it: anything else (absent, an older build's record)
     * lets an unfinished full run resume as it did */
    rr->restart_full = json_is_true(json_object_get(o, "restart_full"));

    json_decref(o);
    return rr;
fail:
    run_record_destroy(rr);
    json_decref(o);
    return NULL;
}

void run_id_make(const char *stream, int64_t now_ms, char *buf, size_t size)
{
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, size, "%s-%s-%08x", stream, when, (unsigned)random_u32());
}

int run_id_is_of_stream(const char *run_id, const char *stream)
{
    /* after "<stream>-": "yyyymmddThhmmssZ-" and 8 hex digits */
    static const char form[] = "ddddddddTddddddZ-xxxxxxxx";
    size_t n = strlen(stream);
    if (strncmp(run_id, stream, n) != 0 || run_id[n] != '-')
        return 0;
    const char *p = run_id + n + 1;
    if (strlen(p) != sizeof(form) - 1)
        return 0;
    for (size_t i = 0; form[i]; i++) {
        int ok = form[i] == 'd'   ? p[i] >= '0' && p[i] <= '9'
                 : form[i] == 'x' ? (p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')
                                  : p[i] == form[i];
        if (!ok)
            return 0;
    }
    return 1;
}
