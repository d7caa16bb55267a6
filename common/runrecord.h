/*
 * runrecord.h - the run record (README "Kafka topics"): the JSON value the producer
 * writes to <prefix>.sync-runs (key: stream name) after Kafka acknowledged
 * every event it accounts for. The latest one per stream is the producer's
 * checkpoint; the worker turns each into a sync_metadata row.
 *
 *   {"stream":"customers","run_id":"...","mode":"incremental",
 *    "status":"completed",
 *    "hwm":{"value":"2026-11-25T12:00:00.000Z",
 *           "ids":{"17":"9f2c...","18":"0b1e..."},
 *           "chunks":[{"key":"customers/ckpt/<run_id>/0","ids":9000,
 *                      "bytes":262000,"sum":"<16 hex>"}]},
 *    "deleted_hwm":{"value":"...","ids":{"4":""}},
 *    "records":120,"deletes":3,"failed_records":0,
 *    "started_at":"...","finished_at":"...","last_full_at":"...",
 *    "end_offsets":{"0":1234,"3":77},"error":null}
 *
 * The ids at the HWM: each id whose cursor equals the HWM (at the stream's
 * cursor precision) with a digest of the content that was published, so
 * that a record served again at the HWM is skipped only if it is
 * unchanged. "value" is null before the first record was ever published.
 *
 * A large id set does not fit one Kafka message (a million ids are about
 * 30 MB), so it is split: "chunks" lists the *checkpoint chunks*, other
 * messages of <prefix>.sync-runs (key "<stream>/ckpt/<run_id>/<n>", see
 * run_chunk_key) each holding part of the set, and "ids" holds the rest
 * inline. The set is the chunks' ids in list order, then "ids"; a later
 * entry for an id overrides an earlier one. "bytes" and "sum" (FNV-1a 64
 * of the chunk's value, 16 hex digits) let a reader check that the chunk
 * it found is the one this record was written with. The producer's
 * checkpoint module (producer/checkpoint.h) writes and resolves chunks;
 * here a chunk reference is plain data. Records without "chunks" (all
 * records of earlier versions) hold their whole set inline.
 *
 * Owns: run_record_t owns all its strings and arrays; free with
 * run_record_destroy(). Pure data: any thread.
 */
#ifndef TIDEMARK_RUNRECORD_H
#define TIDEMARK_RUNRECORD_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

/* A run id's buffer: "<stream>-yyyymmddThhmmssZ-xxxxxxxx" (run_id_make())
 * for a stream name of up to CONFIG_STREAM_NAME_MAX characters (config.h). */
#define RUN_ID_SIZE 128

typedef enum { RUN_STATUS_RUNNING, RUN_STATUS_COMPLETED, RUN_STATUS_FAILED } run_status_t;
typedef enum { RUN_MODE_INCREMENTAL, RUN_MODE_FULL } run_mode_t;

/* Where the ids of a checkpoint chunk are (see above). */
typedef struct run_chunk_ref {
    char *key;     /* the chunk message's key */
    int64_t ids;   /* entries in the chunk */
    int64_t bytes; /* length of its value */
    uint64_t sum;  /* FNV-1a 64 of its value */
    char *data;    /* the value (NUL-terminated), once the producer's
                      checkpoint reader found and checked it; NULL
                      otherwise. Never in JSON, never copied. */
} run_chunk_ref_t;

/* A high-water mark: the largest cursor value durably published and the
 * ids (with content digests) that share it: those of chunks[], then ids[]. */
typedef struct run_hwm {
    int has_value;
    int64_t value_ms;
    size_t n_ids;
    char **ids;     /* n_ids strings */
    char **digests; /* n_ids strings, "" where no digest applies */
    size_t n_chunks;
    run_chunk_ref_t *chunks;
} run_hwm_t;

typedef struct end_offset {
    int32_t partition;
    int64_t offset; /* the offset after the run's last event there */
} end_offset_t;

typedef struct run_record {
    char *stream;
    char *run_id;
    run_mode_t mode;
    run_status_t status;
    run_hwm_t hwm;
    run_hwm_t deleted_hwm;
    int64_t records;        /* upsert events published */
    int64_t deletes;        /* delete events published */
    int64_t failed_records; /* sent to the DLQ */
    int64_t started_at_ms;
    int64_t finished_at_ms;  /* 0 while running */
    int64_t last_full_at_ms; /* start of the latest completed full run
                                (this one or an earlier one); 0 if none.
                                Drives full_sync.every. */
    end_offset_t *end_offsets;
    size_t n_end_offsets;
    char *error;      /* NULL unless status is failed */
    char *source;     /* which endpoint the HWM comes from: a digest of the
                         stream's url (producer/runmode.h); NULL in records
                         written before it, or by `reset` */
    int restart_full; /* a full run started afresh (--full, url changed)
                         whose walk made none of its own progress durable:
                         hwm is the one from before it, so the next run
                         starts it again rather than resuming. In JSON
                         "restart_full": true only when set */
    /* Set by the producer's checkpoint reader only, never in JSON: keys of
     * checkpoint chunks of this stream that the topic still holds but this
     * record does not use (left by a crash or an older checkpoint). */
    char **stale_chunks;
    size_t n_stale_chunks;
} run_record_t;

/* Returns a new JSON text (caller frees), or NULL on allocation failure. */
char *run_record_to_json(const run_record_t *rr);

/* Parses a run record; NULL with errstr naming the bad member. */
run_record_t *run_record_from_json(const char *buf, size_t len, char *errstr, size_t errstr_size);

void run_record_destroy(run_record_t *rr);

/* Frees what hwm holds and zeroes it (hwm itself is not freed). */
void run_hwm_clear(run_hwm_t *hwm);

/* Deep copy of src into dst (dst is overwritten, not freed); chunk
 * references are copied without their data. 0 or -1. */
int run_hwm_copy(run_hwm_t *dst, const run_hwm_t *src);

/* Frees a chunk reference's strings and zeroes it. */
void run_chunk_ref_clear(run_chunk_ref_t *ref);

/* Copies key, ids, bytes and sum of src (not data). 0 or -1 (ENOMEM). */
int run_chunk_ref_copy(run_chunk_ref_t *dst, const run_chunk_ref_t *src) TM_WARN_UNUSED;

/*
 * Checkpoint chunk keys: "<stream>/ckpt/<run_id>/<n>". A stream name
 * holds no '/' (config.c), so no chunk key is ever a stream's key.
 * run_chunk_key writes one into buf (-1 if it does not fit);
 * run_chunk_key_stream returns the length of the stream name a chunk key
 * starts with, or 0 when key (len bytes, not NUL-terminated) is not a
 * chunk key: consumers of <prefix>.sync-runs skip such messages.
 */
int run_chunk_key(char *buf, size_t size, const char *stream, const char *run_id,
                  unsigned n) TM_WARN_UNUSED;
size_t run_chunk_key_stream(const char *key, size_t len);

const char *run_status_name(run_status_t s);
const char *run_mode_name(run_mode_t m);

/* A run's id into buf: "<stream>-<yyyymmddThhmmss>Z-<8 hex digits of
 * random.h>", the start in UTC. */
void run_id_make(const char *stream, int64_t now_ms, char *buf, size_t size);

/*
 * Whether run_id has the form run_id_make() gives for stream. A change
 * event's tidemark.run header, which any producer may write, names a run
 * of the worker's only when it does: not text of another stream's, nor
 * "x".
 */
int run_id_is_of_stream(const char *run_id, const char *stream);

#endif
