/*
 * config.h - tidemark's INI configuration, shared by both programs.
 *
 * Owns: the parsed configuration (tm_config_t) and every string in it.
 * config_load() returns a tree the caller frees with config_destroy();
 * nothing in it is shared with the caller's buffers.
 *
 * Threads: load once at start-up on the main thread; afterwards the tree
 * is read-only and may be read from any thread.
 *
 * Every key the file may hold is described by one table in config.c (key,
 * type, default, bounds, doc); the README and tidemark.conf.example list
 * the same keys, and a unit test checks that they do. Keys in [kafka]
 * other than the two tidemark reads are passed to librdkafka unchanged.
 *
 * Errors name the file, the line and the key: "tidemark.conf:12: [worker]
 * batch.max.ms: bad duration 'soon' (use ms, s, m, h or d)".
 */
#ifndef TIDEMARK_CONFIG_H
#define TIDEMARK_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

/* The longest stream name: its run ids (runrecord.h, RUN_ID_SIZE) must
 * hold all of it and their time and random parts. */
#define CONFIG_STREAM_NAME_MAX 64

typedef enum { CURSOR_PRECISION_TIMESTAMP, CURSOR_PRECISION_DATE } cursor_precision_t;
/* How cursor values are written: ISO-8601 text, or seconds or
 * milliseconds since the Unix epoch (a number, or digits in a string). */
typedef enum { CURSOR_FORMAT_ISO8601, CURSOR_FORMAT_UNIX, CURSOR_FORMAT_UNIX_MS } cursor_format_t;

typedef enum {
    PAGINATION_NONE,
    PAGINATION_PAGE,    /* page.param = 1, 2, ... */
    PAGINATION_OFFSET,  /* page.param = 0, page.size, 2*page.size, ... */
    PAGINATION_CURSOR,  /* next.path in the body names the next page's token */
    PAGINATION_LINK,    /* RFC 8288 Link: <url>; rel="next" header */
    PAGINATION_NEXT_URL /* next.path in the body names the next page's URL */
} pagination_t;

typedef enum { DELETE_MODE_SOFT, DELETE_MODE_HARD } delete_mode_t;

/* What delete.mode = hard adds to a table's name for its tombstones. */
#define TOMBSTONES_SUFFIX "__tombstones"

/* A stream's table, [schema.]name, split at the first '.' as the worker's
 * SQL names it: the name without its schema (table itself when it has
 * none). */
const char *config_table_name(const char *table);

/* [worker] offset.out_of_range: a stored offset outside its partition */
typedef enum {
    OFFSET_OOR_FAIL,     /* stop applying the partition until reset-offsets */
    OFFSET_OOR_EARLIEST, /* go on from its low watermark */
    OFFSET_OOR_LATEST    /* go on from its high watermark */
} offset_oor_t;

typedef enum { LOG_FORMAT_LOGFMT, LOG_FORMAT_JSON } log_format_t;

/* [schema_registry] subject.name.strategy (schema_registry.h) */
typedef enum {
    SUBJECT_TOPIC,       /* <topic>-value */
    SUBJECT_TOPIC_RECORD /* <topic>-<record full name> */
} subject_strategy_t;

/* One key = value of [kafka] that goes to rd_kafka_conf_set() as is. */
typedef struct config_kv {
    char *key;
    char *value; /* after ${ENV} expansion; may be a secret: never log */
    int line;
} config_kv_t;

typedef struct stream_conf {
    char *name;      /* from the section header [stream NAME] */
    int line;        /* line of the section header, for error messages */
    int schema_line; /* line of the schema key, for schema load errors */
    char *url;
    char *schema_path; /* resolved against the config file's directory */
    char *table;       /* default: name */
    char *id_field;    /* default: id */
    char *cursor_field;
    char *cursor_param;
    cursor_precision_t cursor_precision;
    cursor_format_t cursor_format;
    char *cursor_timezone;       /* IANA name; "UTC" by default */
    char *cursor_param_format;   /* strftime pattern of the parameter, or NULL: ISO-8601 */
    char *records_path;          /* dotted path; "" means the body is the array */
    int records_absent_is_empty; /* an object answer without records_path is an empty page */
    pagination_t pagination;
    char *page_param;
    char *page_size_param;
    int page_size;
    int page_first; /* the number of the first page (page.first) */
    char *next_path;
    char *more_path;     /* NULL: none; page|offset: the body's more-pages flag */
    int cursor_sorted;   /* pages come in ascending cursor order: progress
                            checkpoints allowed. Unset: 1 for the seek walk
                            (none, page, offset), 0 for cursor and link */
    int page_end_on_404; /* a 404 for a later page at one since of a seek
                            walk ends it, as an empty page would */
    int more_end_on_204; /* with more.path, a 204 ends the walk as a page
                            saying none would */
    int none_uncapped;   /* pagination = none: the endpoint answers every
                            record at once, so an answer as large as the
                            largest proves the walk's end */
    int page_empty_max;  /* empty pages in a row a walk follows before it
                            fails (more.path saying more; cursor tokens) */
    int64_t lookback_ms;
    char *deleted_url; /* NULL: no deleted endpoint ("" in the file) */
    char *deleted_param;
    /* The deleted endpoint's walk; each inherits the main key when unset. */
    pagination_t deleted_pagination;
    int deleted_sorted; /* its items come in ascending deleted_at order;
                           unset: 1 for none, page, offset, 0 else */
    char *deleted_records_path;
    char *deleted_next_path;
    char *deleted_more_path; /* NULL: none (inherits more.path for page|offset) */
    char *soft_delete_field; /* NULL: none */
    char *auth_header;       /* NULL: none; a secret: never log */
    /* OAuth2 client credentials (common/oauth2.h): all three or none;
     * not with auth_header. NULL: none. The secret: never log. */
    char *oauth2_token_url;
    char *oauth2_client_id;
    char *oauth2_client_secret;
    char *oauth2_scope; /* NULL: none sent */
    int64_t timeout_ms;
    int max_retries;
    int64_t retry_max_wait_ms; /* cap of a Retry-After wait */
    int64_t max_response_size; /* bytes, after decompression */
} stream_conf_t;

typedef struct tm_config {
    char *path; /* the file it was read from */

    /* top level (before any section) */
    log_format_t log_format; /* log.format = logfmt | json */
    int log_level;           /* log.level = error | warn | info | debug */

    /* [kafka] */
    char *bootstrap_servers;
    char *topic_prefix;
    config_kv_t *kafka_props; /* every other [kafka] key, in file order */
    size_t n_kafka_props;

    /* [postgres] */
    char *pg_conninfo;          /* a secret (may hold a password): never log.
                                   NULL when the file has no conninfo: the parser
                                   does not require it (the producer never uses it),
                                   the worker checks it. "" is kept as "". */
    int64_t pg_lock_timeout_ms; /* 0: leave the session's lock_timeout */

    /* [worker] */
    char *group_id;
    int batch_max_records;
    int64_t batch_max_ms; /* a bare number here means ms, as the key says */
    int64_t batch_min_ms;
    delete_mode_t delete_mode;
    offset_oor_t offset_out_of_range;
    char *worker_metrics_listen; /* host:port, or NULL: no metrics endpoint */

    /* [producer] */
    int64_t poll_interval_ms;
    int64_t progress_interval_ms;      /* least ms between progress checkpoints */
    int64_t full_sync_every_ms;        /* 0 = never */
    double full_sync_max_delete_ratio; /* share of the live ids a full run
                                          may delete, 0..1 */
    char *producer_metrics_listen;     /* host:port, or NULL: no metrics endpoint */
    char *producer_lock_dir;           /* runlock.h's directory, or NULL: the default */

    /* [schema_registry] (schema_registry.h) */
    char *registry_url;         /* http(s) base URL; NULL: no registry, events
                                   in single-object encoding */
    char *registry_basic_auth;  /* USER:SECRET, or NULL; a secret: never log */
    char *registry_ca_location; /* CA bundle (PEM), or NULL: the system's */
    subject_strategy_t registry_subject_strategy;
    int64_t registry_timeout_ms;

    stream_conf_t *streams; /* in file order */
    size_t n_streams;
} tm_config_t;

/*
 * Which file to read: cli_path (-c) if not NULL, else $TIDEMARK_CONFIG if
 * set and non-empty, else "./tidemark.conf". Returns a pointer into one of
 * those; the caller does not free it.
 */
const char *config_default_path(const char *cli_path);

/*
 * Reads and validates path. On success *out is a new tree (free with
 * config_destroy) and 0 is returned. On failure -1 is returned, *out is
 * NULL, and errstr holds one line "FILE:LINE: [SECTION] KEY: reason"
 * (or "FILE: reason" when the file itself cannot be read).
 *
 * Errors: unknown section or key, missing required key (url, schema,
 * cursor.field, cursor.param of a stream; bootstrap.servers; [postgres]
 * conninfo is not required here), a key set twice, a value out
 * of its bounds or not of its type (integer, number, duration, enum), ${NAME} with
 * NAME unset, a duplicate stream. The schema file is not opened here.
 */
int config_load(const char *path, tm_config_t **out, char *errstr,
                size_t errstr_size) TM_WARN_UNUSED;

void config_destroy(tm_config_t *conf);

/* The stream named name, or NULL. */
const stream_conf_t *config_stream(const tm_config_t *conf, const char *name);

/*
 * Parses "30s", "500ms", "7d", "0" into milliseconds. Returns 0 on
 * success, -1 if s is not a non-negative integer followed by an optional
 * ms|s|m|h|d suffix (a bare integer means seconds).
 */
int config_parse_duration(const char *s, int64_t *ms_out) TM_WARN_UNUSED;

/*
 * Parses a byte size: a non-negative integer, optionally followed by KiB,
 * MiB or GiB (powers of 1024; the unit is case-insensitive, "256 MiB"
 * with one space is accepted too). 0, or -1 on anything else or overflow.
 */
int config_parse_size(const char *s, int64_t *bytes_out) TM_WARN_UNUSED;

/*
 * Parses a plain decimal number ("0.2", "1", ".5", "3.") into *out.
 * Returns 0, or -1 unless s is digits with at most one '.' and at least
 * one digit: no sign, exponent, spaces, "nan" or "inf" (the locale plays
 * no part).
 */
int config_parse_number(const char *s, double *out) TM_WARN_UNUSED;

/*
 * Expands every ${NAME} in value. Returns a new string (caller frees) or
 * NULL with errstr set ("environment variable NAME is not set").
 */
char *config_expand_env(const char *value, char *errstr, size_t errstr_size);

/*
 * The documentation table, for the test that checks README.md and
 * tidemark.conf.example: each entry is "section key", for example
 * "worker batch.max.ms" or "stream url". Ends with NULL.
 */
const char *const *config_documented_keys(void);

#endif
