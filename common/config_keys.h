/*
 * config_keys.h - what config.c (the table of keys and how a value is
 * stored) and config_reader.c (the file's lines) share. Internal to those
 * two files: other modules use config.h. The table is constant; the
 * functions are pure (any thread) and fail with a reason in why.
 */
#ifndef TIDEMARK_CONFIG_KEYS_H
#define TIDEMARK_CONFIG_KEYS_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#include "config.h"

typedef enum {
    SEC_TOP,
    SEC_KAFKA,
    SEC_POSTGRES,
    SEC_WORKER,
    SEC_PRODUCER,
    SEC_SCHEMA_REGISTRY,
    SEC_STREAM,
    SEC_COUNT
} section_t;

typedef enum {
    T_STR,      /* free text */
    T_INT,      /* decimal integer, stored in an int */
    T_DURATION, /* "30s": bare integer = seconds; stored in ms (int64_t) */
    T_MILLIS,   /* "500" or "2s": bare integer = ms (keys named *.ms) */
    T_SIZE,     /* bytes: "1048576", "512KiB", "256MiB", "1GiB"; int64_t */
    T_NUMBER,   /* plain decimal "0.2", stored in a double; bounds min..max */
    T_ENUM      /* one of enums[], stored as its index in an int */
} key_type_t;

/* Flags. Without F_EMPTY_OK, "" is an error for a key with a default and
 * means "none" (NULL) for an optional key without one. */
#define F_REQUIRED     1  /* no default: the file must set it */
#define F_EMPTY_OK     2  /* "" is a value of its own */
#define F_TOPIC        4  /* part of a Kafka topic name */
#define F_TIMEZONE     8  /* an IANA time zone name (daytz.h) */
#define F_LISTEN       16 /* host:port to listen on (metrics_listen.h) */
#define F_TIME_PATTERN 32 /* a strftime pattern of a time (isotime_format_pattern) */

typedef struct key_def {
    section_t section;
    const char *key;
    key_type_t type;
    const char *def; /* default as the file would write it; NULL = none */
    int flags;
    int64_t min, max; /* T_INT, T_SIZE: the value; durations: ms */
    size_t offset;    /* into tm_config_t, or stream_conf_t for SEC_STREAM */
    const char *const *enums;
    const char *doc;
} key_def_t;

/* The table: every key, in CONFIG_KEYS order. */
extern const key_def_t config_keys[];
extern const size_t config_n_keys;

/* "kafka", "stream", ... ("" for SEC_TOP). */
const char *config_section_name(section_t sec);

/* The key named key in sec (and its index in config_keys), or NULL. */
const key_def_t *config_key_find(section_t sec, const char *key, size_t *idx);

/* Stores value (already expanded) into base (tm_config_t, or stream_conf_t
 * for SEC_STREAM) per def. 0, or -1 with the reason in why. */
int config_key_set(const key_def_t *def, char *base, const char *value, char *why,
                   size_t why_size) TM_WARN_UNUSED;

/* Sets every default of sec into base. 0, or -1 with *bad_key and why (a
 * bug in the table: defaults are constants). */
int config_apply_defaults(section_t sec, char *base, const char **bad_key, char *why,
                          size_t why_size) TM_WARN_UNUSED;

/* Letters, digits, '.', '_' and '-', at least one: part of a topic name. */
int config_is_topic_token(const char *s);

#endif
