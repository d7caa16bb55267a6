/*
 * config_reader.c - config_load(): reads tidemark.conf, line by line,
 * into a tm_config_t, with the table and value rules of config.c.
 *
 * The file follows inih's dialect (sections in [], "key = value", ';' and
 * '#' comments at the start of a line, inline comments after whitespace),
 * but is read here line by line rather than through libinih: Debian's
 * libinih is built without INI_HANDLER_LINENO, so it cannot tell which line
 * a key came from, and its 200-byte line buffer silently splits longer
 * lines (a bearer token, a conninfo URI) into two. Every error must name
 * file:line and key, so the reader is ours; it is short.
 *
 * Main thread, at start-up (config.h); fails with "FILE:LINE: WHERE:
 * reason" in errstr.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "errstr.h"
#include "runrecord.h"
#include "topics.h"
#include "url.h"
#include "url_redact.h"

/* ---- parser state ------------------------------------------------------ */

typedef struct parser {
    const char *path;
    tm_config_t *conf;
    section_t sec;
    size_t stream_idx;       /* current stream when sec == SEC_STREAM */
    int *glob_line;          /* line that set each key of config_keys outside streams; 0 = unset */
    int *stream_line;        /* the same per stream: [stream * config_n_keys + key] */
    int sec_line[SEC_COUNT]; /* first header line of each non-stream section */
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
        snprintf(buf, size, "[%s]%s%s", config_section_name(sec), key ? " " : "", key ? key : "");
}

/* Formats "FILE:LINE: WHERE: reason" (or "FILE: WHERE: reason" when line
 * is 0) and returns -1. */
TM_PRINTF(4, 5) static int perr(parser_t *p, int line, const char *where, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    char reason[512];
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (line > 0)
        errstr_set(p->err, p->errsize, "%s:%d: %s%s%s", p->path, line, where, *where ? ": " : "",
                   reason);
    else
        errstr_set(p->err, p->errsize, "%s: %s%s%s", p->path, where, *where ? ": " : "", reason);
    return -1;
}

/* Sets every default of sec into base. Defaults are constants of
 * config.c: a failure here is a bug in the table, reported like any other
 * error. */
static int apply_defaults(parser_t *p, section_t sec, char *base)
{
    const char *key = "";
    char why[256];

    if (config_apply_defaults(sec, base, &key, why, sizeof(why)) < 0)
        return perr(p, 0, key, "bad built-in default: %s", why);
    return 0;
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

/* "<stream>-yyyymmddThhmmssZ-xxxxxxxx" and its NUL (run_id_make()) */
_Static_assert(CONFIG_STREAM_NAME_MAX + 27 <= RUN_ID_SIZE, "a run id must hold its stream name");

/* Whether two stream names give topics Kafka takes for one: it refuses a
 * topic whose name differs from an existing one's only by '.' against '_'
 * (both become '_' in its metric names). */
static int topics_collide(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (*a != *b && !((*a == '.' || *a == '_') && (*b == '.' || *b == '_')))
            return 0;
    return *a == *b;
}

static int open_stream(parser_t *p, const char *name, int line)
{
    tm_config_t *c = p->conf;
    char where[300];

    snprintf(where, sizeof(where), "[stream %s]", name);
    if (!config_is_topic_token(name))
        return perr(p, line, where,
                    "a stream name may hold only letters, digits, '.', '_' and '-'");
    if (strlen(name) > CONFIG_STREAM_NAME_MAX)
        return perr(p, line, where,
                    "a stream name may be at most %d characters long (its run ids are built "
                    "from it)",
                    CONFIG_STREAM_NAME_MAX);
    /* <prefix>.<stream> would be one of tidemark's own topics. */
    for (size_t i = 0; topic_own_names[i]; i++)
        if (strcmp(name, topic_own_names[i]) == 0)
            return perr(p, line, where,
                        "the name '%s' is reserved: <prefix>.%s is tidemark's own topic", name,
                        name);
    const stream_conf_t *dup = config_stream(c, name);
    if (dup)
        return perr(p, line, where, "duplicate stream (first at line %d)", dup->line);
    for (size_t i = 0; i < c->n_streams; i++)
        if (topics_collide(name, c->streams[i].name))
            return perr(p, line, where,
                        "its topic and that of [stream %s] (line %d) differ only by '.' against "
                        "'_', which Kafka takes for one topic: it would create only the first",
                        c->streams[i].name, c->streams[i].line);

    stream_conf_t *ns = realloc(c->streams, (c->n_streams + 1) * sizeof(*ns));
    if (!ns)
        return perr(p, line, where, "out of memory");
    c->streams = ns;
    int *nl = realloc(p->stream_line, (c->n_streams + 1) * config_n_keys * sizeof(*nl));
    if (!nl)
        return perr(p, line, where, "out of memory");
    p->stream_line = nl;

    stream_conf_t *st = &c->streams[c->n_streams];
    memset(st, 0, sizeof(*st));
    memset(p->stream_line + c->n_streams * config_n_keys, 0, config_n_keys * sizeof(int));
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
        if (strcmp(name, config_section_name((section_t)i)) == 0) {
            p->sec = (section_t)i;
            if (!p->sec_line[i])
                p->sec_line[i] = line;
            return 0;
        }
    }
    char where[300];
    snprintf(where, sizeof(where), "[%s]", name);
    return perr(p, line, where,
                "unknown section (expected kafka, postgres, worker, producer, "
                "schema_registry or stream NAME)");
}

/*
 * librdkafka keys the programs set themselves, after [kafka]'s (so that
 * theirs win): set in [kafka], a value would be ignored without a word.
 * Each with what to do instead, or why it is not the user's to set.
 */
static const struct {
    const char *key, *why;
} kafka_keys_set[] = {
    {"group.id", "use [worker] group.id"},
    {"acks", "the producer's events are acknowledged by all in-sync replicas, always"},
    {"request.required.acks", "the producer's events are acknowledged by all in-sync "
                              "replicas, always"}, /* librdkafka's other name for acks */
    {"enable.idempotence", "the producer is idempotent, always: a retry must not double an event"},
    {"transactional.id", "the producer does not write in transactions"},
    {"enable.auto.commit", "the worker's offsets live in PostgreSQL, with its rows"},
    {"enable.auto.offset.store", "the worker's offsets live in PostgreSQL, with its rows"},
    {"auto.offset.reset", "use [worker] offset.out_of_range"},
    {"enable.partition.eof", "the programs rely on end-of-partition events"},
    {"isolation.level", "the worker reads committed messages only: an aborted transaction's "
                        "never happened"},
};

/* A [kafka] key tidemark does not read: kept for rd_kafka_conf_set(). */
static int add_kafka_prop(parser_t *p, const char *key, char *value, int line)
{
    tm_config_t *c = p->conf;
    char where[300];

    snprintf(where, sizeof(where), "[kafka] %s", key);
    for (size_t i = 0; i < sizeof(kafka_keys_set) / sizeof(kafka_keys_set[0]); i++) {
        if (strcmp(kafka_keys_set[i].key, key) == 0) {
            free(value);
            return perr(p, line, where, "set by tidemark itself: %s", kafka_keys_set[i].why);
        }
    }
    for (size_t i = 0; i < c->n_kafka_props; i++) {
        if (strcmp(c->kafka_props[i].key, key) == 0) {
            free(value);
            return perr(p, line, where, "set twice (first at line %d)", c->kafka_props[i].line);
        }
    }
    config_kv_t *kv = realloc(c->kafka_props, (c->n_kafka_props + 1) * sizeof(*kv));
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
    char where[300];
    label(p->sec, st, key, where, sizeof(where));

    size_t idx;
    const key_def_t *def = config_key_find(p->sec, key, &idx);
    if (!def && p->sec != SEC_KAFKA)
        return perr(p, line, where,
                    p->sec == SEC_TOP ? "unknown key (before any section)" : "unknown key");

    char why[512];
    char *value = config_expand_env(raw, why, sizeof(why));
    if (!value)
        return perr(p, line, where, "%s", why);
    if (!def)
        return add_kafka_prop(p, key, value, line); /* value now owned by conf */

    int *set_line = st ? &p->stream_line[p->stream_idx * config_n_keys + idx] : &p->glob_line[idx];
    if (*set_line) {
        free(value);
        return perr(p, line, where, "set twice (first at line %d)", *set_line);
    }
    *set_line = line;
    int rc = config_key_set(def, st ? (char *)st : (char *)p->conf, value, why, sizeof(why));
    free(value);
    return rc < 0 ? perr(p, line, where, "%s", why) : 0;
}

static int parse_line(parser_t *p, char *line, size_t len, int lineno)
{
    /* getline() keeps a NUL byte; every parse below would stop at it and
     * take the rest of the line for absent (a truncated secret or path) */
    if (memchr(line, '\0', len))
        return perr(p, lineno, "", "a NUL byte in the line (is this a text file?)");
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

/* path (a schema, a CA bundle) resolved against the directory of the
 * configuration file. Caller frees; NULL on ENOMEM. */
static char *resolve_path(const char *conf_path, const char *path)
{
    const char *slash = strrchr(conf_path, '/');
    if (path[0] == '/' || !slash)
        return strdup(path);
    size_t dl = (size_t)(slash - conf_path) + 1;
    char *out = malloc(dl + strlen(path) + 1);
    if (out) {
        memcpy(out, conf_path, dl);
        strcpy(out + dl, path);
    }
    return out;
}

/* The line that set key in stream i; 0 when the file leaves it unset. */
static int stream_key_line(const parser_t *p, size_t i, const char *key)
{
    for (size_t k = 0; k < config_n_keys; k++)
        if (config_keys[k].section == SEC_STREAM && !strcmp(config_keys[k].key, key))
            return p->stream_line[i * config_n_keys + k];
    return 0;
}

/* Whether url is http(s) with a host: what every URL the programs request
 * must be (the endpoints, the token endpoint, the registry). */
static int is_http_url(const char *url)
{
    char red[512];
    return url_check_follow(NULL, url, red, sizeof(red)) == 0 && url_same_origin(url, url);
}

/*
 * An API endpoint of stream i (key set to url): http(s) with a host, and
 * no fragment: the producer appends its query parameters, which after a
 * '#' would never be sent (every request would lose its cursor and page).
 */
static int check_endpoint(parser_t *p, size_t i, const char *key, const char *url)
{
    stream_conf_t *st = &p->conf->streams[i];
    char where[300], red[512];
    const char *why = NULL;
    if (!is_http_url(url))
        why = "is not an http(s) URL with a host";
    else if (strchr(url, '#'))
        why = "has a fragment ('#'), after which the query parameters tidemark adds would not "
              "be sent";
    if (!why)
        return 0;
    label(SEC_STREAM, st, key, where, sizeof(where));
    return perr(p, stream_key_line(p, i, key), where, "'%s' %s", url_redact(url, red, sizeof(red)),
                why);
}

/*
 * auth.header: one HTTP header line, "Name: value", the name a token
 * (RFC 9110's tchar), no CR or LF (a ${NAME}'s line breaks at its end are
 * trimmed: config_expand_env()), and a value after
 * the ':'. libcurl silently drops a line without a ':' ("Bearer s3cret"
 * alone), and takes "X-Api-Key:" with nothing after it (an unset secret)
 * for "send no such header": either way every request went out without
 * credentials. The error names the key, never the value: it is a secret.
 */
static int check_auth_header(parser_t *p, size_t i)
{
    stream_conf_t *st = &p->conf->streams[i];
    const char *h = st->auth_header, *colon = h ? strchr(h, ':') : NULL;
    char where[300];

    if (!h)
        return 0;
    size_t name_len = colon ? (size_t)(colon - h) : 0;
    int ok = name_len > 0 &&
             strspn(h, "!#$%&'*+-.^_`|~0123456789"
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == name_len;
    label(SEC_STREAM, st, "auth.header", where, sizeof(where));
    if (!ok)
        return perr(p, stream_key_line(p, i, "auth.header"), where,
                    "must be one header line, 'Name: value' (Authorization: Bearer ...): "
                    "without a name and ':' it is not sent at all");
    if (strpbrk(h, "\r\n"))
        return perr(p, stream_key_line(p, i, "auth.header"), where,
                    "holds a line break: one header line only");
    if (colon[1 + strspn(colon + 1, " \t")] == '\0')
        return perr(p, stream_key_line(p, i, "auth.header"), where,
                    "has no value after the ':' (an empty secret?): libcurl would send no such "
                    "header");
    return 0;
}

/*
 * The auth.oauth2.* keys: token_url, client_id and client_secret all set
 * or none; token_url an http(s) URL with a host; not with auth.header
 * (two credentials for one API: which one wins would be a guess). Errors
 * name keys, never values: the secret must not reach a message.
 */
static int check_oauth2(parser_t *p, size_t i)
{
    stream_conf_t *st = &p->conf->streams[i];
    static const char *const keys[] = {"auth.oauth2.token_url", "auth.oauth2.client_id",
                                       "auth.oauth2.client_secret"};
    const char *vals[] = {st->oauth2_token_url, st->oauth2_client_id, st->oauth2_client_secret};
    int set = 0, line = 0;
    for (size_t k = 0; k < 3; k++) {
        set += vals[k] != NULL;
        if (vals[k] && !line)
            line = stream_key_line(p, i, keys[k]);
    }
    char where[300];
    if (set == 0 && st->oauth2_scope) {
        label(SEC_STREAM, st, "auth.oauth2.scope", where, sizeof(where));
        return perr(p, stream_key_line(p, i, "auth.oauth2.scope"), where,
                    "needs auth.oauth2.token_url, client_id and client_secret");
    }
    if (set == 0)
        return 0;
    for (size_t k = 0; k < 3; k++) {
        if (!vals[k]) {
            label(SEC_STREAM, st, keys[k], where, sizeof(where));
            return perr(p, line, where,
                        "required with the other auth.oauth2 keys (token_url, client_id and "
                        "client_secret go together)");
        }
    }
    char red[512];
    if (!is_http_url(st->oauth2_token_url)) {
        label(SEC_STREAM, st, keys[0], where, sizeof(where));
        return perr(p, stream_key_line(p, i, keys[0]), where,
                    "'%s' is not an http(s) URL with a host",
                    url_redact(st->oauth2_token_url, red, sizeof(red)));
    }
    if (st->auth_header) {
        label(SEC_STREAM, st, "auth.header", where, sizeof(where));
        return perr(p, stream_key_line(p, i, "auth.header"), where,
                    "cannot be used with the auth.oauth2 keys: set one or the other");
    }
    return 0;
}

static int is_seek_walk(pagination_t style)
{
    return style == PAGINATION_PAGE || style == PAGINATION_OFFSET;
}

/* more.path speaks of page and offset walks only (a cursor or link walk
 * ends where its next token does); deleted.more.path inherits it where
 * the deleted endpoint is one too, unless set (empty: none). */
static int check_more_path(parser_t *p, size_t i)
{
    stream_conf_t *st = &p->conf->streams[i];
    char where[300];
    static const char why[] = "applies to pagination page or offset only (none reads one page; "
                              "a cursor or link walk ends where its next token does)";

    if (st->more_path && !is_seek_walk(st->pagination)) {
        label(SEC_STREAM, st, "more.path", where, sizeof(where));
        return perr(p, stream_key_line(p, i, "more.path"), where, "%s", why);
    }
    if (st->deleted_more_path && !is_seek_walk(st->deleted_pagination)) {
        label(SEC_STREAM, st, "deleted.more.path", where, sizeof(where));
        return perr(p, stream_key_line(p, i, "deleted.more.path"), where, "%s", why);
    }
    /* set empty, it is none: a deleted endpoint without the flag */
    if (!stream_key_line(p, i, "deleted.more.path") && st->more_path &&
        is_seek_walk(st->deleted_pagination) && !(st->deleted_more_path = strdup(st->more_path))) {
        label(SEC_STREAM, st, NULL, where, sizeof(where));
        return perr(p, st->line, where, "out of memory");
    }
    return 0;
}

static int finish_stream(parser_t *p, size_t i)
{
    stream_conf_t *st = &p->conf->streams[i];

    for (size_t k = 0; k < config_n_keys; k++) {
        if (config_keys[k].section == SEC_STREAM && (config_keys[k].flags & F_REQUIRED) &&
            !p->stream_line[i * config_n_keys + k]) {
            char where[300];
            label(SEC_STREAM, st, config_keys[k].key, where, sizeof(where));
            return perr(p, st->line, where, "required key missing");
        }
    }
    st->schema_line = stream_key_line(p, i, "schema");
    char where[300];
    label(SEC_STREAM, st, NULL, where, sizeof(where));
    if (!st->table && !(st->table = strdup(st->name)))
        return perr(p, st->line, where, "out of memory");
    /* Keys whose default is another key's value or depends on it. */
    if (!stream_key_line(p, i, "cursor.sorted"))
        st->cursor_sorted = st->pagination == PAGINATION_NONE ||
                            st->pagination == PAGINATION_PAGE ||
                            st->pagination == PAGINATION_OFFSET;
    if (!stream_key_line(p, i, "deleted.pagination"))
        st->deleted_pagination = st->pagination;
    if (!stream_key_line(p, i, "deleted.sorted"))
        st->deleted_sorted = st->deleted_pagination == PAGINATION_NONE ||
                             st->deleted_pagination == PAGINATION_PAGE ||
                             st->deleted_pagination == PAGINATION_OFFSET;
    if (st->cursor_format != CURSOR_FORMAT_ISO8601 &&
        st->cursor_precision == CURSOR_PRECISION_DATE) {
        label(SEC_STREAM, st, "cursor.format", where, sizeof(where));
        return perr(p, stream_key_line(p, i, "cursor.format"), where,
                    "an epoch time has no day to filter by: cursor.precision = date needs "
                    "cursor.format = iso8601");
    }
    if (st->cursor_param_format && (st->cursor_format != CURSOR_FORMAT_ISO8601 ||
                                    st->cursor_precision != CURSOR_PRECISION_TIMESTAMP)) {
        label(SEC_STREAM, st, "cursor.param.format", where, sizeof(where));
        return perr(p, stream_key_line(p, i, "cursor.param.format"), where,
                    "a pattern of a time needs cursor.format = iso8601 and cursor.precision = "
                    "timestamp");
    }
    if (check_more_path(p, i) < 0)
        return -1;
    if ((!st->deleted_records_path && !(st->deleted_records_path = strdup(st->records_path))) ||
        (!st->deleted_next_path && !(st->deleted_next_path = strdup(st->next_path))))
        return perr(p, st->line, where, "out of memory");
    /* http:/u:p@h as libcurl reads it, http://u:p@h: the form shown */
    if (url_canonical_slashes(&st->url) < 0 || url_canonical_slashes(&st->deleted_url) < 0 ||
        url_canonical_slashes(&st->oauth2_token_url) < 0)
        return perr(p, st->line, where, "out of memory");
    if (check_oauth2(p, i) < 0 || check_auth_header(p, i) < 0 ||
        check_endpoint(p, i, "url", st->url) < 0 ||
        (st->deleted_url && check_endpoint(p, i, "deleted.url", st->deleted_url) < 0))
        return -1;
    char *resolved = resolve_path(p->path, st->schema_path);
    if (!resolved)
        return perr(p, st->line, where, "out of memory");
    free(st->schema_path);
    st->schema_path = resolved;
    return 0;
}

/* The line that set key of section sec (not a stream's); 0 when unset.
 * where gets the key's label for an error. */
static int key_line(const parser_t *p, section_t sec, const char *key, char *where,
                    size_t where_size)
{
    size_t idx;
    label(sec, NULL, key, where, where_size);
    return config_key_find(sec, key, &idx) ? p->glob_line[idx] : 0;
}

/* PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1): a longer
 * one is cut there, so two names could become one table. */
#define PG_IDENT_MAX 63
/* The worker's own tables, in the search_path's first schema. */
static const char *const bookkeeping_tables[] = {"sync_metadata", "sync_offsets", NULL};

/*
 * Stream i's table, [schema.]name as the worker reads it (split at the
 * first '.'): both parts 1 to 63 bytes, the name 51 under delete.mode =
 * hard (its tombstone table is <name>__tombstones: cut to 63 bytes, that
 * was the table itself); without '"' (the worker quotes every name, case
 * kept: quotes written as in SQL became part of the name); not one of the
 * worker's own tables, nor a name ending in __tombstones (under
 * delete.mode = hard another stream's table would be this one's
 * tombstones, and take its deletions as rows); and, when it is the
 * stream's name by default, without a '.', which would make it a schema
 * and a table.
 */
static int check_table(parser_t *p, size_t i)
{
    const stream_conf_t *st = &p->conf->streams[i];
    char where[300];
    int line = stream_key_line(p, i, "table");
    const char *name = config_table_name(st->table), *dot = name != st->table ? name - 1 : NULL;
    size_t max = PG_IDENT_MAX, schema_len = dot ? (size_t)(dot - st->table) : 0;

    label(SEC_STREAM, st, "table", where, sizeof(where));
    if (!line && dot)
        return perr(p, st->line, where,
                    "not set, and the stream's name '%s' would be read as schema '%.*s', table "
                    "'%s': set table (a name without '.', or schema.table)",
                    st->name, (int)schema_len, st->table, name);
    if (p->conf->delete_mode == DELETE_MODE_HARD)
        max -= strlen(TOMBSTONES_SUFFIX);
    if ((dot && (schema_len == 0 || schema_len > PG_IDENT_MAX)) || !*name || strlen(name) > max)
        return perr(p, line ? line : st->line, where,
                    "'%s': a schema and a table name of 1 to %d bytes each are allowed, the "
                    "table's at most %zu%s (PostgreSQL cuts a longer name, and two tables "
                    "would become one)",
                    st->table, PG_IDENT_MAX, max,
                    max < PG_IDENT_MAX ? " under delete.mode = hard, which adds " TOMBSTONES_SUFFIX
                                       : "");
    if (strchr(st->table, '"'))
        return perr(p, line, where,
                    "'%s': write the name without quotes: tidemark quotes it, and keeps its case",
                    st->table);
    size_t name_len = strlen(name), sfx_len = strlen(TOMBSTONES_SUFFIX);
    if (name_len >= sfx_len && !strcmp(name + name_len - sfx_len, TOMBSTONES_SUFFIX))
        return perr(p, line ? line : st->line, where,
                    "'%s': a name ending in " TOMBSTONES_SUFFIX " is where delete.mode = hard "
                    "keeps a table's tombstones",
                    st->table);
    for (size_t k = 0; bookkeeping_tables[k]; k++)
        if (!strcmp(name, bookkeeping_tables[k]))
            return perr(p, line ? line : st->line, where,
                        "'%s' is a table of tidemark-worker's own bookkeeping", st->table);
    return 0;
}

/* The longest topic name Kafka takes. */
#define KAFKA_TOPIC_MAX 249

/* <prefix>.<stream>, and the shared topics: Kafka refuses a longer name
 * than 249 characters (the producer failed at its first event, the worker
 * waited for ever for a topic that could not exist). */
static int check_topic_length(parser_t *p, size_t i)
{
    const tm_config_t *c = p->conf;
    const char *longest = c->streams[i].name;
    char where[300];

    for (size_t k = 0; topic_own_names[k]; k++)
        if (strlen(topic_own_names[k]) > strlen(longest))
            longest = topic_own_names[k];
    if (strlen(c->topic_prefix) + 1 + strlen(longest) <= KAFKA_TOPIC_MAX)
        return 0;
    int line = key_line(p, SEC_KAFKA, "topic.prefix", where, sizeof(where));
    return perr(p, line ? line : c->streams[i].line, where,
                "topic '%s.%s' would be longer than the %d characters Kafka allows",
                c->topic_prefix, longest, KAFKA_TOPIC_MAX);
}

/*
 * [schema_registry]: url an http(s) URL with a host (the other keys need
 * it); basic.auth.user.info USER:SECRET; ssl.ca.location a readable file,
 * relative to the configuration's directory. Errors never hold the
 * secret.
 */
static int check_registry(parser_t *p)
{
    tm_config_t *c = p->conf;
    char where[300], red[512];
    int line;
    if (!c->registry_url) {
        static const char *const needs_url[] = {"basic.auth.user.info", "ssl.ca.location",
                                                "subject.name.strategy", "timeout"};
        for (size_t k = 0; k < sizeof(needs_url) / sizeof(needs_url[0]); k++)
            if ((line = key_line(p, SEC_SCHEMA_REGISTRY, needs_url[k], where, sizeof(where))) != 0)
                return perr(p, line, where, "needs [schema_registry] url");
        return 0;
    }
    line = key_line(p, SEC_SCHEMA_REGISTRY, "url", where, sizeof(where));
    if (url_canonical_slashes(&c->registry_url) < 0)
        return perr(p, line, where, "out of memory");
    if (!is_http_url(c->registry_url))
        return perr(p, line, where, "'%s' is not an http(s) URL with a host",
                    url_redact(c->registry_url, red, sizeof(red)));
    if (c->registry_basic_auth && !strchr(c->registry_basic_auth, ':')) {
        line = key_line(p, SEC_SCHEMA_REGISTRY, "basic.auth.user.info", where, sizeof(where));
        return perr(p, line, where, "must be USER:SECRET (the value has no ':')");
    }
    if (!c->registry_ca_location)
        return 0;
    line = key_line(p, SEC_SCHEMA_REGISTRY, "ssl.ca.location", where, sizeof(where));
    char *ca = resolve_path(p->path, c->registry_ca_location);
    if (!ca)
        return perr(p, line, where, "out of memory");
    free(c->registry_ca_location);
    c->registry_ca_location = ca;
    FILE *f = fopen(ca, "r");
    int readable = f && (fgetc(f) != EOF || !ferror(f)); /* a directory opens, but fails here */
    int err = errno;
    if (f)
        fclose(f);
    if (!readable)
        return perr(p, line, where, "cannot read '%s': %s", ca, strerror(err));
    return 0;
}

/* [worker]: a batch collects at least batch.min.ms and at most
 * batch.max.ms, so the first may not exceed the second (it would be cut
 * short without a word). */
static int check_worker(parser_t *p)
{
    const tm_config_t *c = p->conf;
    char where[300];

    if (c->batch_min_ms <= c->batch_max_ms)
        return 0;
    return perr(p, key_line(p, SEC_WORKER, "batch.min.ms", where, sizeof(where)), where,
                "%lldms is longer than batch.max.ms (%lldms)", (long long)c->batch_min_ms,
                (long long)c->batch_max_ms);
}

static int finish(parser_t *p)
{
    for (size_t k = 0; k < config_n_keys; k++) {
        if (config_keys[k].section != SEC_STREAM && (config_keys[k].flags & F_REQUIRED) &&
            !p->glob_line[k]) {
            char where[300];
            label(config_keys[k].section, NULL, config_keys[k].key, where, sizeof(where));
            return perr(p, p->sec_line[config_keys[k].section], where, "required key missing");
        }
    }
    if (p->conf->n_streams == 0)
        return perr(p, 0, "", "no [stream NAME] section: at least one stream is required");
    if (check_registry(p) < 0 || check_worker(p) < 0)
        return -1;
    for (size_t i = 0; i < p->conf->n_streams; i++)
        if (finish_stream(p, i) < 0 || check_table(p, i) < 0 || check_topic_length(p, i) < 0)
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
    p.conf = calloc(1, sizeof(*p.conf));
    p.glob_line = calloc(config_n_keys, sizeof(int));
    if (!p.conf || !p.glob_line || !(p.conf->path = strdup(path))) {
        rc = perr(&p, 0, "", "out of memory");
        goto done;
    }
    if (apply_defaults(&p, SEC_TOP, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_KAFKA, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_POSTGRES, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_WORKER, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_PRODUCER, (char *)p.conf) < 0 ||
        apply_defaults(&p, SEC_SCHEMA_REGISTRY, (char *)p.conf) < 0) {
        rc = -1;
        goto done;
    }
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        if ((rc = parse_line(&p, line, (size_t)len, ++lineno)) < 0)
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
    free(p.glob_line);
    fclose(f);
    if (rc < 0) {
        config_destroy(p.conf);
        return -1;
    }
    *out = p.conf;
    return 0;
}
