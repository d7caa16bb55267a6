/*
 * config.c - reads tidemark.conf into a tm_config_t.
 *
 * The file follows inih's dialect (sections in [], "key = value", ';' and
 * '#' comments at the start of a line, inline comments after whitespace),
 * but is read here line by line rather than through libinih: Debian's
 * libinih is built without INI_HANDLER_LINENO, so it cannot tell which line
 * a key came from, and its 200-byte line buffer silently splits longer
 * lines (a bearer token, a conninfo URI) into two. Every error must name
 * file:line and key, so the reader is ours; it is short.
 *
 * One table (CONFIG_KEYS) describes every key: section, name, type,
 * default, bounds and a one-line doc. Defaults go through the same value
 * parser as the file's text, so a default can never disagree with a bound.
 */
#include "errstr.h"
#include "config.h"

#include "daytz.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    SEC_TOP,
    SEC_KAFKA,
    SEC_POSTGRES,
    SEC_WORKER,
    SEC_PRODUCER,
    SEC_STREAM,
    SEC_COUNT
} section_t;

static const char *const section_names[SEC_COUNT] = {"",       "kafka",    "postgres",
                                                     "worker", "producer", "stream"};

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
#define F_REQUIRED 1 /* no default: the file must set it */
#define F_EMPTY_OK 2 /* "" is a value of its own */
#define F_TOPIC    4 /* part of a Kafka topic name */
#define F_TIMEZONE 8 /* an IANA time zone name (daytz.h) */

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

static const char *const log_formats[] = {"logfmt", "json", NULL};
static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};
static const char *const delete_modes[] = {"soft", "hard", NULL};
static const char *const oor_policies[] = {"fail", "earliest", "latest", NULL};
static const char *const precisions[] = {"timestamp", "date", NULL};
static const char *const paginations[] = {"none", "page", "offset", "cursor", "link", NULL};
static const char *const booleans[] = {"false", "true", NULL};

#define G(f)     offsetof(tm_config_t, f)
#define S(f)     offsetof(stream_conf_t, f)
#define DAY_MS   86400000LL
#define MAX_DUR  (3650 * DAY_MS)
#define MAX_SIZE (64LL << 30)

/* X(section, key, type, default, flags, min, max, offset, enums, doc) */
/* clang-format off */
#define CONFIG_KEYS(X)                                                                              \
    X(TOP, "log.format", ENUM, "logfmt", 0, 0, 0, G(log_format), log_formats,                      \
      "log line format: logfmt | json")                                                             \
    X(TOP, "log.level", ENUM, "info", 0, 0, 0, G(log_level), log_levels,                           \
      "lowest level logged: error | warn | info | debug")                                           \
    X(KAFKA, "bootstrap.servers", STR, NULL, F_REQUIRED, 0, 0, G(bootstrap_servers), NULL,         \
      "host:port[,host:port...] of the Kafka cluster")                                              \
    X(KAFKA, "topic.prefix", STR, "tidemark", F_TOPIC, 0, 0, G(topic_prefix), NULL,                \
      "topics are <prefix>.<stream>, <prefix>.sync-runs, <prefix>.dlq")                             \
    X(POSTGRES, "conninfo", STR, NULL, F_EMPTY_OK, 0, 0, G(pg_conninfo), NULL,                     \
      "libpq conninfo or URI (the worker requires it; empty = PG* environment)")                   \
    X(WORKER, "group.id", STR, "tidemark-worker", 0, 0, 0, G(group_id), NULL,                      \
      "Kafka consumer group of the workers")                                                        \
    X(WORKER, "batch.max.records", INT, "10000", 0, 1, 1000000, G(batch_max_records), NULL,         \
      "most events applied in one transaction")                                                     \
    X(WORKER, "batch.max.ms", MILLIS, "500", 0, 1, MAX_DUR, G(batch_max_ms), NULL,                  \
      "longest wait to fill a batch (bare number = milliseconds)")                                  \
    X(WORKER, "delete.mode", ENUM, "soft", 0, 0, 0, G(delete_mode), delete_modes,                  \
      "soft (mark _deleted) | hard (remove the row)")                                               \
    X(WORKER, "offset.out_of_range", ENUM, "fail", 0, 0, 0, G(offset_out_of_range), oor_policies,  \
      "stored offset outside its partition: fail (stop it) | earliest | latest")                   \
    X(PRODUCER, "poll.interval", DURATION, "30s", 0, 1000, MAX_DUR, G(poll_interval_ms), NULL,         \
      "pause between passes in follow mode")                                                        \
    X(PRODUCER, "full_sync.every", DURATION, "7d", 0, 0, MAX_DUR, G(full_sync_every_ms), NULL,      \
      "periodic full sync for deletion reconciliation; 0 = never")                                  \
    X(PRODUCER, "full_sync.max_delete_ratio", NUMBER, "0.2", 0, 0, 1,                              \
      G(full_sync_max_delete_ratio), NULL,                                                          \
      "most a full run may delete, as a share of the live ids (0..1); more fails the run")         \
    X(STREAM, "url", STR, NULL, F_REQUIRED, 0, 0, S(url), NULL, "the API endpoint listing records") \
    X(STREAM, "schema", STR, NULL, F_REQUIRED, 0, 0, S(schema_path), NULL,                         \
      "Avro record schema, relative to the config file's directory")                                \
    X(STREAM, "table", STR, NULL, 0, 0, 0, S(table), NULL, "PostgreSQL table; default: the stream name") \
    X(STREAM, "id.field", STR, "id", 0, 0, 0, S(id_field), NULL, "the record's primary key field")  \
    X(STREAM, "cursor.field", STR, NULL, F_REQUIRED, 0, 0, S(cursor_field), NULL,                  \
      "the record's last-modified field (ISO-8601)")                                                \
    X(STREAM, "cursor.param", STR, NULL, F_REQUIRED, 0, 0, S(cursor_param), NULL,                  \
      "query parameter that passes the high-water mark")                                            \
    X(STREAM, "cursor.precision", ENUM, "timestamp", 0, 0, 0, S(cursor_precision), precisions,     \
      "timestamp | date (the API filters by day)")                                                  \
    X(STREAM, "cursor.timezone", STR, "UTC", F_TIMEZONE, 0, 0, S(cursor_timezone), NULL,            \
      "IANA time zone of the API's days (cursor.precision = date)")                                \
    X(STREAM, "records.path", STR, "data", F_EMPTY_OK, 0, 0, S(records_path), NULL,                \
      "dotted path of the records array; empty = the body is the array")                            \
    X(STREAM, "pagination", ENUM, "page", 0, 0, 0, S(pagination), paginations,                     \
      "none | page | offset | cursor | link")                                                       \
    X(STREAM, "page.param", STR, "page", 0, 0, 0, S(page_param), NULL,                             \
      "query parameter of the page number, offset or cursor token")                                 \
    X(STREAM, "page.size.param", STR, "per_page", 0, 0, 0, S(page_size_param), NULL,               \
      "query parameter of the page size")                                                           \
    X(STREAM, "page.size", INT, "1000", 0, 1, 100000, S(page_size), NULL, "records asked per page")  \
    X(STREAM, "next.path", STR, "next_cursor", 0, 0, 0, S(next_path), NULL,                        \
      "dotted path of the next page's token (pagination = cursor)")                                 \
    X(STREAM, "cursor.sorted", ENUM, NULL, 0, 0, 0, S(cursor_sorted), booleans,                    \
      "true: pages come in ascending cursor order; default true for none|page|offset")             \
    X(STREAM, "lookback", DURATION, "0s", 0, 0, MAX_DUR, S(lookback_ms), NULL,                      \
      "re-read this far behind the HWM (late commits)")                                             \
    X(STREAM, "deleted.url", STR, NULL, 0, 0, 0, S(deleted_url), NULL,                             \
      "endpoint listing deleted records; unset = none")                                             \
    X(STREAM, "deleted.param", STR, "since", 0, 0, 0, S(deleted_param), NULL,                      \
      "query parameter of the deleted endpoint's high-water mark")                                  \
    X(STREAM, "deleted.pagination", ENUM, NULL, 0, 0, 0, S(deleted_pagination), paginations,       \
      "the deleted endpoint's pagination; default: pagination")                                     \
    X(STREAM, "deleted.records.path", STR, NULL, F_EMPTY_OK, 0, 0, S(deleted_records_path), NULL,  \
      "the deleted endpoint's records array; default: records.path")                              \
    X(STREAM, "deleted.next.path", STR, NULL, 0, 0, 0, S(deleted_next_path), NULL,                 \
      "the deleted endpoint's next-page token; default: next.path")                                 \
    X(STREAM, "soft_delete.field", STR, NULL, 0, 0, 0, S(soft_delete_field), NULL,                 \
      "boolean field that marks a record deleted; unset = none")                                    \
    X(STREAM, "auth.header", STR, NULL, 0, 0, 0, S(auth_header), NULL,                             \
      "HTTP header sent with every request (a secret: use ${ENV})")                                 \
    X(STREAM, "timeout", DURATION, "30s", 0, 1, MAX_DUR, S(timeout_ms), NULL, "HTTP request timeout") \
    X(STREAM, "max.retries", INT, "8", 0, 0, 100, S(max_retries), NULL,                             \
      "retries of a failed request, with backoff")                                                  \
    X(STREAM, "retry.max_wait", DURATION, "5m", 0, 0, MAX_DUR, S(retry_max_wait_ms), NULL,          \
      "longest wait a Retry-After header may ask for before a retry")                               \
    X(STREAM, "max.response.size", SIZE, "256MiB", 0, 1024, MAX_SIZE, S(max_response_size), NULL,   \
      "largest response body, after decompression (bytes, KiB, MiB or GiB)")

#define KEY_ENTRY(sec, key, type, def, flags, min, max, off, enums, doc) \
    {SEC_##sec, key, T_##type, def, flags, min, max, off, enums, doc},
static const key_def_t keys[] = {CONFIG_KEYS(KEY_ENTRY)};
#define N_KEYS (sizeof keys / sizeof keys[0])
/* clang-format on */

#define DOCPFX_TOP               ""
#define DOCPFX_KAFKA             "kafka "
#define DOCPFX_POSTGRES          "postgres "
#define DOCPFX_WORKER            "worker "
#define DOCPFX_PRODUCER          "producer "
#define DOCPFX_STREAM            "stream "
#define DOC_ENTRY(sec, key, ...) DOCPFX_##sec key,
static const char *const documented[] = {CONFIG_KEYS(DOC_ENTRY) NULL};

const char *const *config_documented_keys(void)
{
    return documented;
}

/* ---- parser state ------------------------------------------------------ */

typedef struct parser {
    const char *path;
    tm_config_t *conf;
    section_t sec;
    size_t stream_idx;          /* current stream when sec == SEC_STREAM */
    int glob_line[N_KEYS];      /* line that set each non-stream key; 0 = unset */
    int (*stream_line)[N_KEYS]; /* the same per stream */
    int sec_line[SEC_COUNT];    /* first header line of each non-stream section */
    char *err;
    size_t errsize;
} parser_t;

/* "[kafka] key", "[stream customers] key" or "key" (top level). */
static void label(section_t sec, const stream_conf_t *st, const char *key, char *buf, size_t size)
{
    if (sec == SEC_TOP)
        snprintf(buf, size, "%s", key ? key : "");
    else if (sec == SEC_STREAM)
        snprintf(buf, size, "[stream %s]%s%s", st ? st->name : "?", key ? " " : "", key ? key : "");
    else
        snprintf(buf, size, "[%s]%s%s", section_names[sec], key ? " " : "", key ? key : "");
}

/* Formats "FILE:LINE: WHERE: reason" (or "FILE: WHERE: reason" when line
 * is 0) and returns -1. */
TM_PRINTF(4, 5) static int perr(parser_t *p, int line, const char *where, const char *fmt, ...)
{
    char reason[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(p->err, p->errsize, "%s:%d: %s%s%s", p->path, line, where, *where ? ": " : "",
                 reason);
    else
        snprintf(p->err, p->errsize, "%s: %s%s%s", p->path, where, *where ? ": " : "", reason);
    return -1;
}

/* ---- values ------------------------------------------------------------ */

static int is_topic_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return 0;
    return 1;
}

/* A duration; a bare number means seconds, except in a T_MILLIS key (a
 * key named *.ms), where "500" must mean 500 ms as the key's name says. */
static int parse_duration_key(const key_def_t *def, const char *value, int64_t *ms)
{
    if (config_parse_duration(value, ms) < 0)
        return -1;
    if (def->type == T_MILLIS && strspn(value, "0123456789") == strlen(value))
        *ms /= 1000;
    return 0;
}

/* Stores value (already expanded) into base per def. 0, or -1 with the
 * reason in why. */
static int set_value(const key_def_t *def, char *base, const char *value, char *why, size_t wsize)
{
    void *field = base + def->offset;
    int64_t v;
    double d;
    char *end;

    switch (def->type) {
    case T_STR: {
        if (*value == '\0' && (def->flags & F_REQUIRED)) {
            snprintf(why, wsize, "must not be empty");
            return -1;
        }
        if (*value == '\0' && !(def->flags & F_EMPTY_OK) && def->def) {
            snprintf(why, wsize, "must not be empty (default: %s)", def->def);
            return -1;
        }
        if ((def->flags & F_TOPIC) && !is_topic_token(value)) {
            snprintf(why, wsize, "'%s' may hold only letters, digits, '.', '_' and '-'", value);
            return -1;
        }
        if ((def->flags & F_TIMEZONE) && daytz_check(value, why, wsize) != 0)
            return -1;
        /* An optional key without default set to "" means "none". */
        char *copy = (*value || (def->flags & F_EMPTY_OK)) ? strdup(value) : NULL;
        if (!copy && *value) {
            snprintf(why, wsize, "out of memory");
            return -1;
        }
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    case T_INT:
        errno = 0;
        v = strtoll(value, &end, 10);
        if (errno || end == value || *end || isspace((unsigned char)*value)) {
            snprintf(why, wsize, "not an integer: '%s'", value);
            return -1;
        }
        if (v < def->min || v > def->max) {
            snprintf(why, wsize, "must be between %lld and %lld (got %s)", (long long)def->min,
                     (long long)def->max, value);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    case T_DURATION:
    case T_MILLIS:
        if (parse_duration_key(def, value, &v) < 0) {
            snprintf(why, wsize, "bad duration '%s' (use ms, s, m, h or d)", value);
            return -1;
        }
        if (v < def->min || v > def->max) {
            snprintf(why, wsize, "must be between %lldms and %lldd (got %s)", (long long)def->min,
                     (long long)(def->max / DAY_MS), value);
            return -1;
        }
        *(int64_t *)field = v;
        return 0;
    case T_SIZE:
        if (config_parse_size(value, &v) < 0) {
            snprintf(why, wsize, "bad size '%s' (bytes, or a number with KiB, MiB or GiB)", value);
            return -1;
        }
        if (v < def->min || v > def->max) {
            snprintf(why, wsize, "must be between %lld and %lld bytes (got %s)",
                     (long long)def->min, (long long)def->max, value);
            return -1;
        }
        *(int64_t *)field = v;
        return 0;
    case T_NUMBER:
        if (config_parse_number(value, &d) < 0) {
            snprintf(why, wsize, "not a number: '%s' (write a decimal such as 0.2)", value);
            return -1;
        }
        if (d < (double)def->min || d > (double)def->max) {
            snprintf(why, wsize, "must be between %lld and %lld (got %s)", (long long)def->min,
                     (long long)def->max, value);
            return -1;
        }
        *(double *)field = d;
        return 0;
    case T_ENUM:
        for (int i = 0; def->enums[i]; i++) {
            if (strcmp(value, def->enums[i]) == 0) {
                *(int *)field = i;
                return 0;
            }
        }
        {
            char list[128] = "";
            for (int i = 0; def->enums[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         def->enums[i]);
            snprintf(why, wsize, "must be one of %s (got '%s')", list, value);
        }
        return -1;
    }
    return -1;
}

/* Sets every default of sec into base. Defaults are constants of this file:
 * a failure here is a bug in the table, reported like any other error. */
static int apply_defaults(parser_t *p, section_t sec, char *base)
{
    char why[256];

    for (size_t i = 0; i < N_KEYS; i++) {
        if (keys[i].section != sec || !keys[i].def)
            continue;
        if (set_value(&keys[i], base, keys[i].def, why, sizeof why) < 0)
            return perr(p, 0, keys[i].key, "bad built-in default: %s", why);
    }
    return 0;
}

static const key_def_t *find_key(section_t sec, const char *key, size_t *idx)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        if (keys[i].section == sec && strcmp(keys[i].key, key) == 0) {
            *idx = i;
            return &keys[i];
        }
    }
    return NULL;
}

/* ---- lines ------------------------------------------------------------- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Cuts an inline comment: ';' or '#' at the start of s or after
 * whitespace. "http://h/#frag" keeps its '#'. */
static void strip_comment(char *s)
{
    for (char *q = s; *q; q++) {
        if ((*q == ';' || *q == '#') && (q == s || isspace((unsigned char)q[-1]))) {
            *q = '\0';
            return;
        }
    }
}

static int open_stream(parser_t *p, const char *name, int line)
{
    tm_config_t *c = p->conf;
    char where[300];

    snprintf(where, sizeof where, "[stream %s]", name);
    if (!is_topic_token(name))
        return perr(p, line, where,
                    "a stream name may hold only letters, digits, '.', '_' and '-'");
    /* <prefix>.<stream> would be one of tidemark's own topics. */
    static const char *const reserved[] = {"sync-runs", "dlq", "schemas"};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strcmp(name, reserved[i]) == 0)
            return perr(p, line, where,
                        "the name '%s' is reserved: <prefix>.%s is tidemark's own topic", name,
                        name);
    const stream_conf_t *dup = config_stream(c, name);
    if (dup)
        return perr(p, line, where, "duplicate stream (first at line %d)", dup->line);

    stream_conf_t *ns = realloc(c->streams, (c->n_streams + 1) * sizeof *ns);
    if (!ns)
        return perr(p, line, where, "out of memory");
    c->streams = ns;
    int(*nl)[N_KEYS] = realloc(p->stream_line, (c->n_streams + 1) * sizeof *nl);
    if (!nl)
        return perr(p, line, where, "out of memory");
    p->stream_line = nl;

    stream_conf_t *st = &c->streams[c->n_streams];
    memset(st, 0, sizeof *st);
    memset(p->stream_line[c->n_streams], 0, sizeof p->stream_line[0]);
    p->stream_idx = c->n_streams++;
    st->line = line;
    st->name = strdup(name);
    if (!st->name)
        return perr(p, line, where, "out of memory");
    return apply_defaults(p, SEC_STREAM, (char *)st);
}

static int parse_section(parser_t *p, char *s, int line)
{
    char *close = strchr(s, ']');

    if (!close)
        return perr(p, line, "", "section header without ']'");
    char *rest = close + 1;
    strip_comment(rest);
    if (*trim(rest))
        return perr(p, line, "", "text after the section header");
    *close = '\0';
    char *name = trim(s + 1);

    if (strncmp(name, "stream", 6) == 0 && (name[6] == '\0' || isspace((unsigned char)name[6]))) {
        char *sname = trim(name + 6);
        if (!*sname)
            return perr(p, line, "[stream]", "a stream section needs a name: [stream NAME]");
        p->sec = SEC_STREAM;
        return open_stream(p, sname, line);
    }
    for (int i = SEC_KAFKA; i < SEC_STREAM; i++) {
        if (strcmp(name, section_names[i]) == 0) {
            p->sec = (section_t)i;
            if (!p->sec_line[i])
                p->sec_line[i] = line;
            return 0;
        }
    }
    char where[300];
    snprintf(where, sizeof where, "[%s]", name);
    return perr(p, line, where,
                "unknown section (expected kafka, postgres, worker, producer "
                "or stream NAME)");
}

/* A [kafka] key tidemark does not read: kept for rd_kafka_conf_set(). */
static int add_kafka_prop(parser_t *p, const char *key, char *value, int line)
{
    tm_config_t *c = p->conf;
    char where[300];

    snprintf(where, sizeof where, "[kafka] %s", key);
    for (size_t i = 0; i < c->n_kafka_props; i++) {
        if (strcmp(c->kafka_props[i].key, key) == 0) {
            free(value);
            return perr(p, line, where, "set twice (first at line %d)", c->kafka_props[i].line);
        }
    }
    config_kv_t *kv = realloc(c->kafka_props, (c->n_kafka_props + 1) * sizeof *kv);
    if (!kv) {
        free(value);
        return perr(p, line, where, "out of memory");
    }
    c->kafka_props = kv;
    kv = &c->kafka_props[c->n_kafka_props];
    kv->key = strdup(key);
    kv->value = value; /* ownership passes to the conf */
    kv->line = line;
    c->n_kafka_props++;
    if (!kv->key)
        return perr(p, line, where, "out of memory");
    return 0;
}

static int parse_kv(parser_t *p, char *s, int line)
{
    char *eq = strchr(s, '=');
    char where[300], why[512];

    if (!eq)
        return perr(p, line, "", "expected 'key = value' or '[section]'");
    *eq = '\0';
    char *key = trim(s);
    char *raw = eq + 1;
    strip_comment(raw);
    raw = trim(raw);
    if (!*key)
        return perr(p, line, "", "expected 'key = value' (the key is missing)");

    stream_conf_t *st = p->sec == SEC_STREAM ? &p->conf->streams[p->stream_idx] : NULL;
    label(p->sec, st, key, where, sizeof where);

    size_t idx;
    const key_def_t *def = find_key(p->sec, key, &idx);
    if (!def && p->sec != SEC_KAFKA)
        return perr(p, line, where,
                    p->sec == SEC_TOP ? "unknown key (before any section)" : "unknown key");

    char *value = config_expand_env(raw, why, sizeof why);
    if (!value)
        return perr(p, line, where, "%s", why);
    if (!def)
        return add_kafka_prop(p, key, value, line); /* value now owned by conf */

    int *set_line = st ? &p->stream_line[p->stream_idx][idx] : &p->glob_line[idx];
    if (*set_line) {
        free(value);
        return perr(p, line, where, "set twice (first at line %d)", *set_line);
    }
    *set_line = line;
    int rc = set_value(def, st ? (char *)st : (char *)p->conf, value, why, sizeof why);
    free(value);
    return rc < 0 ? perr(p, line, where, "%s", why) : 0;
}

static int parse_line(parser_t *p, char *line, int lineno)
{
    if (lineno == 1 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        line += 3; /* UTF-8 byte order mark */
    char *s = trim(line);
    if (*s == '\0' || *s == ';' || *s == '#')
        return 0;
    if (*s == '[')
        return parse_section(p, s, lineno);
    return parse_kv(p, s, lineno);
}

/* ---- after the last line ----------------------------------------------- */

static char *resolve_schema(const char *conf_path, const char *schema)
{
    const char *slash = strrchr(conf_path, '/');
    if (schema[0] == '/' || !slash)
        return strdup(schema);
    size_t dl = (size_t)(slash - conf_path) + 1;
    char *out = malloc(dl + strlen(schema) + 1);
    if (out) {
        memcpy(out, conf_path, dl);
        strcpy(out + dl, schema);
    }
    return out;
}

/* The line that set key in stream i; 0 when the file leaves it unset. */
static int stream_key_line(const parser_t *p, size_t i, const char *key)
{
    for (size_t k = 0; k < N_KEYS; k++)
        if (keys[k].section == SEC_STREAM && !strcmp(keys[k].key, key))
            return p->stream_line[i][k];
    return 0;
}

static int finish_stream(parser_t *p, size_t i)
{
    stream_conf_t *st = &p->conf->streams[i];
    char where[300];

    for (size_t k = 0; k < N_KEYS; k++) {
        if (keys[k].section == SEC_STREAM && (keys[k].flags & F_REQUIRED) &&
            !p->stream_line[i][k]) {
            label(SEC_STREAM, st, keys[k].key, where, sizeof where);
            return perr(p, st->line, where, "required key missing");
        }
    }
    st->schema_line = stream_key_line(p, i, "schema");
    label(SEC_STREAM, st, NULL, where, sizeof where);
    if (!st->table && !(st->table = strdup(st->name)))
        return perr(p, st->line, where, "out of memory");
    /* Keys whose default is another key's value or depends on it. */
    if (!stream_key_line(p, i, "cursor.sorted"))
        st->cursor_sorted = st->pagination == PAGINATION_NONE ||
                            st->pagination == PAGINATION_PAGE ||
                            st->pagination == PAGINATION_OFFSET;
    if (!stream_key_line(p, i, "deleted.pagination"))
        st->deleted_pagination = st->pagination;
    if ((!st->deleted_records_path && !(st->deleted_records_path = strdup(st->records_path))) ||
        (!st->deleted_next_path && !(st->deleted_next_path = strdup(st->next_path))))
        return perr(p, st->line, where, "out of memory");
    char *resolved = resolve_schema(p->path, st->schema_path);
    if (!resolved)
        return perr(p, st->line, where, "out of memory");
    free(st->schema_path);
    st->schema_path = resolved;
    return 0;
}

static int finish(parser_t *p)
{
    char where[300];

    for (size_t k = 0; k < N_KEYS; k++) {
        if (keys[k].section != SEC_STREAM && (keys[k].flags & F_REQUIRED) && !p->glob_line[k]) {
            label(keys[k].section, NULL, keys[k].key, where, sizeof where);
            return perr(p, p->sec_line[keys[k].section], where, "required key missing");
        }
    }
    if (p->conf->n_streams == 0)
        return perr(p, 0, "", "no [stream NAME] section: at least one stream is required");
    for (size_t i = 0; i < p->conf->n_streams; i++)
        if (finish_stream(p, i) < 0)
            return -1;
    return 0;
}

int config_load(const char *path, tm_config_t **out, char *errstr, size_t errstr_size)
{
    parser_t p = {.path = path, .sec = SEC_TOP, .err = errstr, .errsize = errstr_size};
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;

    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        errstr_set(errstr, errstr_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    p.conf = calloc(1, sizeof *p.conf);
    if (!p.conf || !(p.conf->path = strdup(path))) {
        rc = perr(&p, 0, "", "out of memory");
        goto done;
    }
    if (apply_defaults(&p, SEC_TOP, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_KAFKA, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_POSTGRES, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_WORKER, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_PRODUCER, (char *)p.conf) < 0) {
        rc = -1;
        goto done;
    }
    while (getline(&line, &cap, f) >= 0) {
        if ((rc = parse_line(&p, line, ++lineno)) < 0)
            goto done;
    }
    if (ferror(f)) {
        rc = perr(&p, 0, "", "read error");
        goto done;
    }
    rc = finish(&p);
done:
    free(line);
    free(p.stream_line);
    fclose(f);
    if (rc < 0) {
        config_destroy(p.conf);
        return -1;
    }
    *out = p.conf;
    return 0;
}

/* Frees every T_STR field of sec in base. */
static void free_strings(section_t sec, char *base)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].section == sec && keys[i].type == T_STR)
            free(*(char **)(base + keys[i].offset));
}

void config_destroy(tm_config_t *conf)
{
    if (!conf)
        return;
    for (int s = SEC_TOP; s < SEC_STREAM; s++)
        free_strings((section_t)s, (char *)conf);
    for (size_t i = 0; i < conf->n_streams; i++) {
        free_strings(SEC_STREAM, (char *)&conf->streams[i]);
        free(conf->streams[i].name);
    }
    for (size_t i = 0; i < conf->n_kafka_props; i++) {
        free(conf->kafka_props[i].key);
        free(conf->kafka_props[i].value);
    }
    free(conf->kafka_props);
    free(conf->streams);
    free(conf->path);
    free(conf);
}

const stream_conf_t *config_stream(const tm_config_t *conf, const char *name)
{
    for (size_t i = 0; conf && name && i < conf->n_streams; i++)
        if (strcmp(conf->streams[i].name, name) == 0)
            return &conf->streams[i];
    return NULL;
}

const char *config_default_path(const char *cli_path)
{
    const char *env = getenv("TIDEMARK_CONFIG");

    if (cli_path)
        return cli_path;
    if (env && *env)
        return env;
    return "./tidemark.conf";
}
