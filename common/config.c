/*
 * config.c - the table of every key of tidemark.conf (CONFIG_KEYS) and how
 * a value is checked and stored into a tm_config_t; freeing the tree. The
 * file's lines are read in config_reader.c.
 *
 * One table (CONFIG_KEYS) describes every key: section, name, type,
 * default, bounds and a one-line doc. Defaults go through the same value
 * parser as the file's text, so a default can never disagree with a bound.
 * Pure functions over the table (and strdup); any thread.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "daytz.h"
#include "isotime.h"
#include "metrics_listen.h"
#include "errstr.h"

static const char *const section_names[SEC_COUNT] = {
    "", "kafka", "postgres", "worker", "producer", "schema_registry", "stream"};

const char *config_section_name(section_t sec)
{
    return section_names[sec];
}

static const char *const log_formats[] = {"logfmt", "json", NULL};
static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};
static const char *const delete_modes[] = {"soft", "hard", NULL};
static const char *const oor_policies[] = {"fail", "earliest", "latest", NULL};
static const char *const precisions[] = {"timestamp", "date", NULL};
static const char *const cursor_formats[] = {"iso8601", "unix", "unix_ms", NULL};
static const char *const paginations[] = {"none", "page",     "offset", "cursor",
                                          "link", "next_url", NULL};
static const char *const booleans[] = {"false", "true", NULL};
static const char *const subject_strategies[] = {"topic", "topic_record", NULL};

#define G(f)    offsetof(tm_config_t, f)
#define S(f)    offsetof(stream_conf_t, f)
#define DAY_MS  86400000LL
#define MAX_DUR (3650 * DAY_MS)
/* PostgreSQL's timeouts are int milliseconds */
#define PG_MAX_MS 2147483647LL
#define MAX_SIZE  (64LL << 30)

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
    X(POSTGRES, "lock_timeout", DURATION, "60s", 0, 0, PG_MAX_MS, G(pg_lock_timeout_ms), NULL,     \
      "longest a worker statement waits for another session's lock before its batch is retried "    \
      "with a warning; 0 = the session's own (PostgreSQL's default waits for ever, silently)")      \
    X(WORKER, "group.id", STR, "tidemark-worker", 0, 0, 0, G(group_id), NULL,                      \
      "Kafka consumer group of the workers")                                                        \
    X(WORKER, "batch.max.records", INT, "10000", 0, 1, 1000000, G(batch_max_records), NULL,         \
      "events held at most: two batches of half as many, a transaction each")                                                     \
    X(WORKER, "batch.max.ms", MILLIS, "500", 0, 1, MAX_DUR, G(batch_max_ms), NULL,                  \
      "longest wait to fill a batch (bare number = milliseconds)")                                  \
    X(WORKER, "batch.min.ms", MILLIS, "0", 0, 0, MAX_DUR, G(batch_min_ms), NULL,                    \
      "shortest wait to fill a batch, even at the end of every partition")                         \
    X(WORKER, "delete.mode", ENUM, "soft", 0, 0, 0, G(delete_mode), delete_modes,                  \
      "soft (mark _deleted) | hard (remove the row)")                                               \
    X(WORKER, "offset.out_of_range", ENUM, "fail", 0, 0, 0, G(offset_out_of_range), oor_policies,  \
      "stored offset outside its partition: fail (stop it) | earliest | latest")                   \
    X(WORKER, "metrics.listen", STR, NULL, F_LISTEN, 0, 0, G(worker_metrics_listen), NULL,          \
      "host:port of /metrics, /healthz and /readyz; unset = off")                                   \
    X(PRODUCER, "poll.interval", DURATION, "30s", 0, 1000, MAX_DUR, G(poll_interval_ms), NULL,         \
      "pause between passes in follow mode")                                                        \
    X(PRODUCER, "progress.interval", DURATION, "5s", 0, 0, MAX_DUR, G(progress_interval_ms), NULL,  \
      "least time between a run's progress checkpoints (each waits for Kafka to acknowledge every "  \
      "event sent so far); also at least 20000 events apart; 0 = every 20000 events")              \
    X(PRODUCER, "full_sync.every", DURATION, "7d", 0, 0, MAX_DUR, G(full_sync_every_ms), NULL,      \
      "periodic full sync for deletion reconciliation; 0 = never")                                  \
    X(PRODUCER, "full_sync.max_delete_ratio", NUMBER, "0.2", 0, 0, 1,                              \
      G(full_sync_max_delete_ratio), NULL,                                                          \
      "most a full run may delete, as a share of the live ids (0..1); more fails the run")         \
    X(PRODUCER, "metrics.listen", STR, NULL, F_LISTEN, 0, 0, G(producer_metrics_listen), NULL,      \
      "host:port of /metrics, /healthz and /readyz; unset = off")                                   \
    X(PRODUCER, "lock.dir", STR, NULL, 0, 0, 0, G(producer_lock_dir), NULL,                         \
      "directory of the per-stream run locks that keep a host's runs of one stream from "            \
      "overlapping; unset = /run/lock when world-writable, else /tmp")                                     \
    X(SCHEMA_REGISTRY, "url", STR, NULL, 0, 0, 0, G(registry_url), NULL,                           \
      "Schema Registry base URL (http or https); unset = no registry, single-object encoding")     \
    X(SCHEMA_REGISTRY, "basic.auth.user.info", STR, NULL, 0, 0, 0, G(registry_basic_auth), NULL,   \
      "USER:SECRET for the registry's HTTP Basic auth (a secret: use ${ENV})")                     \
    X(SCHEMA_REGISTRY, "ssl.ca.location", STR, NULL, 0, 0, 0, G(registry_ca_location), NULL,       \
      "CA bundle (PEM) that verifies the registry's certificate; unset = the system's")            \
    X(SCHEMA_REGISTRY, "subject.name.strategy", ENUM, "topic", 0, 0, 0,                            \
      G(registry_subject_strategy), subject_strategies,                                             \
      "topic (<topic>-value) | topic_record (<topic>-<record full name>)")                         \
    X(SCHEMA_REGISTRY, "timeout", DURATION, "10s", 0, 1, MAX_DUR, G(registry_timeout_ms), NULL,    \
      "registry request timeout; the worker's wait for an id the registry does not know yet")      \
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
    X(STREAM, "cursor.format", ENUM, "iso8601", 0, 0, 0, S(cursor_format), cursor_formats,         \
      "iso8601 | unix (epoch seconds) | unix_ms: the cursor's and the parameter's values")         \
    X(STREAM, "cursor.timezone", STR, "UTC", F_TIMEZONE, 0, 0, S(cursor_timezone), NULL,            \
      "IANA time zone of the API's days (cursor.precision = date)")                                \
    X(STREAM, "cursor.param.format", STR, NULL, F_TIME_PATTERN, 0, 0, S(cursor_param_format), NULL, \
      "strftime pattern (UTC; %f = microseconds) cursor.param is written in; default ISO-8601 ms Z") \
    X(STREAM, "records.path", STR, "data", F_EMPTY_OK, 0, 0, S(records_path), NULL,                \
      "dotted path of the records array; empty = the body is the array")                            \
    X(STREAM, "records.absent_is_empty", ENUM, "false", 0, 0, 0, S(records_absent_is_empty),       \
      booleans, "an object answer without records.path is an empty page (Spring Data REST, HAL)")   \
    X(STREAM, "pagination", ENUM, "page", 0, 0, 0, S(pagination), paginations,                     \
      "none | page | offset | cursor | link | next_url")                                            \
    X(STREAM, "page.param", STR, "page", 0, 0, 0, S(page_param), NULL,                             \
      "query parameter of the page number, offset or cursor token")                                 \
    X(STREAM, "page.size.param", STR, "per_page", 0, 0, 0, S(page_size_param), NULL,               \
      "query parameter of the page size")                                                           \
    X(STREAM, "page.size", INT, "1000", 0, 1, 100000, S(page_size), NULL, "records asked per page")  \
    X(STREAM, "page.first", INT, "1", 0, 0, 1, S(page_first), NULL,                                \
      "number of the first page (pagination = page): 1, or 0 (Spring Data, many Java APIs)")       \
    X(STREAM, "next.path", STR, "next_cursor", 0, 0, 0, S(next_path), NULL,                        \
      "dotted path of the next page's token (cursor) or URL (next_url)")                            \
    X(STREAM, "more.path", STR, NULL, 0, 0, 0, S(more_path), NULL,                                \
      "dotted path of the body's more-pages flag (page|offset): the walk ends where it says none")  \
    X(STREAM, "cursor.sorted", ENUM, NULL, 0, 0, 0, S(cursor_sorted), booleans,                    \
      "true: pages come in ascending cursor order; default true for none|page|offset")             \
    X(STREAM, "page.end_on_404", ENUM, "false", 0, 0, 0, S(page_end_on_404), booleans,             \
      "true: a 404 for a page past the last ends the walk (page|offset; Django REST Framework)")  \
    X(STREAM, "more.end_on_204", ENUM, "false", 0, 0, 0, S(more_end_on_204), booleans,             \
      "true: with more.path, a 204 No Content ends the walk (an API that never hides records)")  \
    X(STREAM, "none.uncapped", ENUM, "false", 0, 0, 0, S(none_uncapped), booleans,                 \
      "true: pagination = none answers every record at once (no limit), whatever since says")     \
    X(STREAM, "page.empty_max", INT, "1000", 0, 1, 100000000, S(page_empty_max), NULL,             \
      "empty pages in a row a walk follows (more.path saying more, or cursor/link tokens)")        \
    X(STREAM, "lookback", DURATION, "0s", 0, 0, MAX_DUR, S(lookback_ms), NULL,                      \
      "re-read this far behind the HWM (late commits)")                                             \
    X(STREAM, "deleted.url", STR, NULL, 0, 0, 0, S(deleted_url), NULL,                             \
      "endpoint listing deleted records; unset = none")                                             \
    X(STREAM, "deleted.param", STR, "since", 0, 0, 0, S(deleted_param), NULL,                      \
      "query parameter of the deleted endpoint's high-water mark")                                  \
    X(STREAM, "deleted.pagination", ENUM, NULL, 0, 0, 0, S(deleted_pagination), paginations,       \
      "the deleted endpoint's pagination; default: pagination")                                     \
    X(STREAM, "deleted.sorted", ENUM, NULL, 0, 0, 0, S(deleted_sorted), booleans,                  \
      "true: deleted items come in ascending deleted_at order; default true for none|page|offset")  \
    X(STREAM, "deleted.records.path", STR, NULL, F_EMPTY_OK, 0, 0, S(deleted_records_path), NULL,  \
      "the deleted endpoint's records array; default: records.path")                              \
    X(STREAM, "deleted.next.path", STR, NULL, 0, 0, 0, S(deleted_next_path), NULL,                 \
      "the deleted endpoint's next-page token; default: next.path")                                 \
    X(STREAM, "deleted.more.path", STR, NULL, 0, 0, 0, S(deleted_more_path), NULL,                 \
      "the deleted endpoint's more-pages flag (page|offset); default: more.path")                  \
    X(STREAM, "soft_delete.field", STR, NULL, 0, 0, 0, S(soft_delete_field), NULL,                 \
      "boolean field that marks a record deleted; unset = none")                                    \
    X(STREAM, "auth.header", STR, NULL, 0, 0, 0, S(auth_header), NULL,                             \
      "HTTP header sent with every request (a secret: use ${ENV})")                                 \
    X(STREAM, "auth.oauth2.token_url", STR, NULL, 0, 0, 0, S(oauth2_token_url), NULL,              \
      "OAuth2 token endpoint (client credentials grant); unset = no OAuth2")                       \
    X(STREAM, "auth.oauth2.client_id", STR, NULL, 0, 0, 0, S(oauth2_client_id), NULL,              \
      "OAuth2 client id (with token_url and client_secret)")                                        \
    X(STREAM, "auth.oauth2.client_secret", STR, NULL, 0, 0, 0, S(oauth2_client_secret), NULL,      \
      "OAuth2 client secret (a secret: use ${ENV})")                                                \
    X(STREAM, "auth.oauth2.scope", STR, NULL, 0, 0, 0, S(oauth2_scope), NULL,                      \
      "OAuth2 scope asked for (space-separated); unset = none sent")                               \
    X(STREAM, "timeout", DURATION, "30s", 0, 1, MAX_DUR, S(timeout_ms), NULL, "HTTP request timeout") \
    X(STREAM, "max.retries", INT, "8", 0, 0, 100, S(max_retries), NULL,                             \
      "retries of a failed request, with backoff")                                                  \
    X(STREAM, "retry.max_wait", DURATION, "5m", 0, 0, MAX_DUR, S(retry_max_wait_ms), NULL,          \
      "longest wait a Retry-After header may ask for before a retry")                               \
    X(STREAM, "max.response.size", SIZE, "256MiB", 0, 1024, MAX_SIZE, S(max_response_size), NULL,   \
      "largest response body, after decompression (bytes, KiB, MiB or GiB)")

#define KEY_ENTRY(sec, key, type, def, flags, min, max, off, enums, doc) \
    {SEC_##sec, key, T_##type, def, flags, min, max, off, enums, doc},
const key_def_t config_keys[] = {CONFIG_KEYS(KEY_ENTRY)};
const size_t config_n_keys = sizeof(config_keys) / sizeof(config_keys[0]);
/* clang-format on */

#define DOCPFX_TOP               ""
#define DOCPFX_KAFKA             "kafka "
#define DOCPFX_POSTGRES          "postgres "
#define DOCPFX_WORKER            "worker "
#define DOCPFX_PRODUCER          "producer "
#define DOCPFX_SCHEMA_REGISTRY   "schema_registry "
#define DOCPFX_STREAM            "stream "
#define DOC_ENTRY(sec, key, ...) DOCPFX_##sec key,
static const char *const documented[] = {CONFIG_KEYS(DOC_ENTRY) NULL};

const char *const *config_documented_keys(void)
{
    return documented;
}

/* ---- values ------------------------------------------------------------ */

const char *config_table_name(const char *table)
{
    const char *dot = strchr(table, '.');
    return dot ? dot + 1 : table;
}

int config_is_topic_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return 0;
    return 1;
}

static int set_string(const key_def_t *def, char **field, const char *value, char *why,
                      size_t why_size)
{
    if (*value == '\0' && (def->flags & F_REQUIRED)) {
        errstr_set(why, why_size, "must not be empty");
        return -1;
    }
    if (*value == '\0' && !(def->flags & F_EMPTY_OK) && def->def) {
        errstr_set(why, why_size, "must not be empty (default: %s)", def->def);
        return -1;
    }
    if ((def->flags & F_TOPIC) && !config_is_topic_token(value)) {
        errstr_set(why, why_size, "'%s' may hold only letters, digits, '.', '_' and '-'", value);
        return -1;
    }
    if ((def->flags & F_TIMEZONE) && daytz_check(value, why, why_size) != 0)
        return -1;
    if ((def->flags & F_TIME_PATTERN) && *value && isotime_pattern_check(value, why, why_size))
        return -1;
    metrics_listen_t listen;
    if ((def->flags & F_LISTEN) && *value && metrics_listen_parse(value, &listen, why, why_size))
        return -1;
    /* An optional key without default set to "" means "none". */
    char *copy = (*value || (def->flags & F_EMPTY_OK)) ? strdup(value) : NULL;
    if (!copy && *value) {
        errstr_set(why, why_size, "out of memory");
        return -1;
    }
    free(*field);
    *field = copy;
    return 0;
}

/* The text of an integer-valued key (T_INT, T_DURATION, T_MILLIS, T_SIZE)
 * as a number: a duration in ms (a bare number means seconds, except in a
 * T_MILLIS key, a key named *.ms, where "500" means 500 ms as its name
 * says), a size in bytes. 0, or -1 with why. */
static int parse_integer(const key_def_t *def, const char *value, int64_t *v, char *why,
                         size_t why_size)
{
    switch (def->type) {
    case T_INT: {
        errno = 0;
        char *end;
        *v = strtoll(value, &end, 10);
        if (!errno && end != value && !*end && !isspace((unsigned char)*value))
            return 0;
        errstr_set(why, why_size, "not an integer: '%s'", value);
        return -1;
    }
    case T_DURATION:
    case T_MILLIS:
        if (config_parse_duration(value, v) == 0) {
            if (def->type == T_MILLIS && strspn(value, "0123456789") == strlen(value))
                *v /= 1000;
            return 0;
        }
        errstr_set(why, why_size, "bad duration '%s' (use ms, s, m, h or d)", value);
        return -1;
    default: /* T_SIZE */
        if (config_parse_size(value, v) == 0)
            return 0;
        errstr_set(why, why_size, "bad size '%s' (bytes, or a number with KiB, MiB or GiB)", value);
        return -1;
    }
}

static int set_integer(const key_def_t *def, void *field, const char *value, char *why,
                       size_t why_size)
{
    int64_t v;

    if (parse_integer(def, value, &v, why, why_size) < 0)
        return -1;
    if (v < def->min || v > def->max) {
        if (def->type == T_DURATION || def->type == T_MILLIS)
            errstr_set(why, why_size, "must be between %lldms and %lldd (got %s)",
                       (long long)def->min, (long long)(def->max / DAY_MS), value);
        else
            errstr_set(why, why_size, "must be between %lld and %lld%s (got %s)",
                       (long long)def->min, (long long)def->max,
                       def->type == T_SIZE ? " bytes" : "", value);
        return -1;
    }
    if (def->type == T_INT)
        *(int *)field = (int)v;
    else
        *(int64_t *)field = v;
    return 0;
}

static int set_number(const key_def_t *def, double *field, const char *value, char *why,
                      size_t why_size)
{
    double d;

    if (config_parse_number(value, &d) < 0) {
        errstr_set(why, why_size, "not a number: '%s' (write a decimal such as 0.2)", value);
        return -1;
    }
    if (d < (double)def->min || d > (double)def->max) {
        errstr_set(why, why_size, "must be between %lld and %lld (got %s)", (long long)def->min,
                   (long long)def->max, value);
        return -1;
    }
    *field = d;
    return 0;
}

static int set_enum(const key_def_t *def, int *field, const char *value, char *why, size_t why_size)
{
    for (int i = 0; def->enums[i]; i++) {
        if (strcmp(value, def->enums[i]) == 0) {
            *field = i;
            return 0;
        }
    }
    char list[128] = "";
    for (int i = 0; def->enums[i]; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                 def->enums[i]);
    errstr_set(why, why_size, "must be one of %s (got '%s')", list, value);
    return -1;
}

int config_key_set(const key_def_t *def, char *base, const char *value, char *why, size_t why_size)
{
    void *field = base + def->offset;

    switch (def->type) {
    case T_STR:
        return set_string(def, (char **)field, value, why, why_size);
    case T_INT:
    case T_DURATION:
    case T_MILLIS:
    case T_SIZE:
        return set_integer(def, field, value, why, why_size);
    case T_NUMBER:
        return set_number(def, (double *)field, value, why, why_size);
    case T_ENUM:
        return set_enum(def, (int *)field, value, why, why_size);
    }
    errstr_set(why, why_size, "unknown key type");
    return -1;
}

int config_apply_defaults(section_t sec, char *base, const char **bad_key, char *why,
                          size_t why_size)
{
    for (size_t i = 0; i < config_n_keys; i++) {
        if (config_keys[i].section != sec || !config_keys[i].def)
            continue;
        if (config_key_set(&config_keys[i], base, config_keys[i].def, why, why_size) < 0) {
            *bad_key = config_keys[i].key;
            return -1;
        }
    }
    return 0;
}

const key_def_t *config_key_find(section_t sec, const char *key, size_t *idx)
{
    for (size_t i = 0; i < config_n_keys; i++) {
        if (config_keys[i].section == sec && strcmp(config_keys[i].key, key) == 0) {
            *idx = i;
            return &config_keys[i];
        }
    }
    return NULL;
}

/* ---- the tree ------------------------------------------------------------ */

/* Frees every T_STR field of sec in base. */
static void free_strings(section_t sec, char *base)
{
    for (size_t i = 0; i < config_n_keys; i++)
        if (config_keys[i].section == sec && config_keys[i].type == T_STR)
            free(*(char **)(base + config_keys[i].offset));
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
