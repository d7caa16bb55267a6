/* test_config.c - config_load() on a table of files: each either loads
 * with the expected values or fails with the exact "file:line: [section]
 * key: reason" line; defaults derived from other keys; where the file is.
 * The value syntax is in test_config_values.c, the keys' documentation in
 * test_config_docs.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* ---- helpers ----------------------------------------------------------- */

typedef struct {
    char dir[64];
    char path[128];
} tmpconf_t;

static int setup(void **state)
{
    tmpconf_t *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    snprintf(t->dir, sizeof(t->dir), "/tmp/tm_config_XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof(t->path), "%s/tidemark.conf", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tmpconf_t *t = *state;
    unlink(t->path);
    rmdir(t->dir);
    free(t);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Loads text from the temp file; fails the test if it does not load. */
static tm_config_t *load_ok(tmpconf_t *t, const char *text)
{
    tm_config_t *c = NULL;
    char err[512] = "";
    write_file(t->path, text);
    if (config_load(t->path, &c, err, sizeof(err)) != 0)
        fail_msg("config_load failed: %s", err);
    assert_non_null(c);
    return c;
}

#define KAFKA "[kafka]\nbootstrap.servers = localhost:9092\n"
#define STREAM                                                                                     \
    "[stream s]\nurl = http://x/s\nschema = s.avsc\ncursor.field = m\n"                            \
    "cursor.param = since\n"

#define REGISTRY "[schema_registry]\n"

/* ---- errors: one table ----------------------------------------------- */

/* names at the limits: 240 characters of topic prefix, tables of 52 and 64 bytes */
#define P10 "pppppppppp"
#define P240                                                                                       \
    P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10
#define T52 "tttttttttttttttttttttttttttttttttttttttttttttttttttt"
#define T64 T52 "tttttttttttt"

typedef struct {
    const char *name;
    const char *text;
    const char *err; /* expected errstr after "<path>" */
} err_case_t;

static const err_case_t err_cases[] = {
    {"unknown key", KAFKA "[worker]\nbatch.size = 5\n" STREAM,
     ":4: [worker] batch.size: unknown key"},
    {"unknown stream key", KAFKA STREAM "colour = red\n", ":8: [stream s] colour: unknown key"},
    {"unknown top-level key", "verbose = 1\n" KAFKA STREAM,
     ":1: verbose: unknown key (before any section)"},
    {"unknown section", KAFKA "[consumer]\n" STREAM,
     ":3: [consumer]: unknown section (expected kafka, postgres, worker, "
     "producer, schema_registry or stream NAME)"},
    {"section without ]", KAFKA "[worker\n" STREAM, ":3: section header without ']'"},
    {"text after section", KAFKA "[worker] x\n" STREAM, ":3: text after the section header"},
    {"stream without name", KAFKA "[stream]\n",
     ":3: [stream]: a stream section needs a name: [stream NAME]"},
    {"bad stream name", KAFKA "[stream a/b]\n",
     ":3: [stream a/b]: a stream name may hold only letters, digits, '.', '_' "
     "and '-'"},
    {"stream name too long for its run ids",
     KAFKA "[stream aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n",
     ":3: [stream aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]: a stream "
     "name may be at most 64 characters long (its run ids are built from it)"},
    {"no equals sign", KAFKA "[worker]\nbatch.max.ms 5\n",
     ":4: expected 'key = value' or '[section]'"},
    {"empty key", KAFKA "[worker]\n= 5\n", ":4: expected 'key = value' (the key is missing)"},
    {"bad duration", KAFKA "[worker]\nbatch.max.ms = soon\n" STREAM,
     ":4: [worker] batch.max.ms: bad duration 'soon' (use ms, s, m, h or d)"},
    {"bad duration suffix", KAFKA "[producer]\npoll.interval = 5w\n" STREAM,
     ":4: [producer] poll.interval: bad duration '5w' (use ms, s, m, h or d)"},
    {"negative duration", KAFKA STREAM "lookback = -5s\n",
     ":8: [stream s] lookback: bad duration '-5s' (use ms, s, m, h or d)"},
    {"duration too long", KAFKA STREAM "timeout = 3651d\n",
     ":8: [stream s] timeout: must be between 1ms and 3650d (got 3651d)"},
    {"zero timeout", KAFKA STREAM "timeout = 0\n",
     ":8: [stream s] timeout: must be between 1ms and 3650d (got 0)"},
    {"batch.max.ms below 1ms", KAFKA "[worker]\nbatch.max.ms = 0ms\n" STREAM,
     ":4: [worker] batch.max.ms: must be between 1ms and 3650d (got 0ms)"},
    {"batch.min.ms above batch.max.ms", KAFKA "[worker]\nbatch.min.ms = 2s\n" STREAM,
     ":4: [worker] batch.min.ms: 2000ms is longer than batch.max.ms (500ms)"},
    {"batch.min.ms above a set batch.max.ms",
     KAFKA "[worker]\nbatch.max.ms = 100\nbatch.min.ms = 101\n" STREAM,
     ":5: [worker] batch.min.ms: 101ms is longer than batch.max.ms (100ms)"},
    {"batch.max.records 0", KAFKA "[worker]\nbatch.max.records = 0\n" STREAM,
     ":4: [worker] batch.max.records: must be between 1 and 1000000 (got 0)"},
    {"batch.max.records too big", KAFKA "[worker]\nbatch.max.records = 1000001\n" STREAM,
     ":4: [worker] batch.max.records: must be between 1 and 1000000 (got "
     "1000001)"},
    {"poll.interval below 1s (a busy loop)", KAFKA "[producer]\npoll.interval = 250ms\n" STREAM,
     ":4: [producer] poll.interval: must be between 1000ms and 3650d (got 250ms)"},
    {"poll.interval 0", KAFKA "[producer]\npoll.interval = 0\n" STREAM,
     ":4: [producer] poll.interval: must be between 1000ms and 3650d (got 0)"},
    {"stream named like the run-record topic", KAFKA "[stream sync-runs]\n",
     ":3: [stream sync-runs]: the name 'sync-runs' is reserved: <prefix>.sync-runs is "
     "tidemark's own topic"},
    {"stream named like the DLQ", KAFKA "[stream dlq]\n",
     ":3: [stream dlq]: the name 'dlq' is reserved: <prefix>.dlq is tidemark's own topic"},
    {"stream named like the schema topic", KAFKA "[stream schemas]\n",
     ":3: [stream schemas]: the name 'schemas' is reserved: <prefix>.schemas is "
     "tidemark's own topic"},
    {"unknown time zone", KAFKA STREAM "cursor.timezone = Mars/Olympus_Mons\n",
     ":8: [stream s] cursor.timezone: unknown time zone 'Mars/Olympus_Mons' (not in "
     "/usr/share/zoneinfo)"},
    {"time zone as a path", KAFKA STREAM "cursor.timezone = ../../etc/passwd\n",
     ":8: [stream s] cursor.timezone: '../../etc/passwd' is not an IANA time zone name"},
    {"cursor parameter pattern not a time", KAFKA STREAM "cursor.param.format = %d.%m.%Y\n",
     ":8: [stream s] cursor.param.format: writes 2026-11-25T12:34:56.789Z as '25.11.2026', "
     "which does not read back as that time (to the second at least)"},
    {"cursor parameter pattern for epoch seconds",
     KAFKA STREAM "cursor.format = unix\ncursor.param.format = %F %T\n",
     ":9: [stream s] cursor.param.format: a pattern of a time needs cursor.format = iso8601 and "
     "cursor.precision = timestamp"},
    {"metrics.listen without a port", KAFKA "[producer]\nmetrics.listen = 127.0.0.1\n",
     ":4: [producer] metrics.listen: '127.0.0.1': expected host:port (an IPv6 address in "
     "brackets)"},
    {"metrics.listen port out of range", KAFKA "[worker]\nmetrics.listen = 0.0.0.0:70000\n",
     ":4: [worker] metrics.listen: '0.0.0.0:70000': the port must be a number from 1 to 65535"},
    {"page.size too big", KAFKA STREAM "page.size = 100001\n",
     ":8: [stream s] page.size: must be between 1 and 100000 (got 100001)"},
    {"page.first neither 0 nor 1", KAFKA STREAM "page.first = 2\n",
     ":8: [stream s] page.first: must be between 0 and 1 (got 2)"},
    {"more.path on a cursor walk", KAFKA STREAM "pagination = cursor\nmore.path = has_more\n",
     ":9: [stream s] more.path: applies to pagination page or offset only (none reads one "
     "page; a cursor or link walk ends where its next token does)"},
    {"deleted.more.path on a link walk",
     KAFKA STREAM "deleted.pagination = link\ndeleted.more.path = has_more\n",
     ":9: [stream s] deleted.more.path: applies to pagination page or offset only (none "
     "reads one page; a cursor or link walk ends where its next token does)"},
    {"lock_timeout past PostgreSQL's limit", KAFKA "[postgres]\nlock_timeout = 25d\n",
     ":4: [postgres] lock_timeout: must be between 0ms and 24d (got 25d)"},
    {"bad size", KAFKA STREAM "max.response.size = 10MB\n",
     ":8: [stream s] max.response.size: bad size '10MB' (bytes, or a number with KiB, "
     "MiB or GiB)"},
    {"size too small", KAFKA STREAM "max.response.size = 1000\n",
     ":8: [stream s] max.response.size: must be between 1024 and 68719476736 bytes "
     "(got 1000)"},
    {"size too large", KAFKA STREAM "max.response.size = 65GiB\n",
     ":8: [stream s] max.response.size: must be between 1024 and 68719476736 bytes "
     "(got 65GiB)"},
    {"bad retry.max_wait", KAFKA STREAM "retry.max_wait = forever\n",
     ":8: [stream s] retry.max_wait: bad duration 'forever' (use ms, s, m, h or d)"},
    {"max.retries too big", KAFKA STREAM "max.retries = 101\n",
     ":8: [stream s] max.retries: must be between 0 and 100 (got 101)"},
    {"max.retries negative", KAFKA STREAM "max.retries = -1\n",
     ":8: [stream s] max.retries: must be between 0 and 100 (got -1)"},
    {"not an integer", KAFKA STREAM "page.size = 10x\n",
     ":8: [stream s] page.size: not an integer: '10x'"},
    {"huge integer", KAFKA STREAM "page.size = 99999999999999999999\n",
     ":8: [stream s] page.size: not an integer: '99999999999999999999'"},
    {"bad enum", KAFKA "[worker]\ndelete.mode = maybe\n" STREAM,
     ":4: [worker] delete.mode: must be one of soft, hard (got 'maybe')"},
    {"bad out-of-range policy", KAFKA "[worker]\noffset.out_of_range = skip\n" STREAM,
     ":4: [worker] offset.out_of_range: must be one of fail, earliest, latest (got 'skip')"},
    {"bad pagination", KAFKA STREAM "pagination = pages\n",
     ":8: [stream s] pagination: must be one of none, page, offset, cursor, "
     "link, next_url (got 'pages')"},
    {"ratio above 1", KAFKA "[producer]\nfull_sync.max_delete_ratio = 1.5\n" STREAM,
     ":4: [producer] full_sync.max_delete_ratio: must be between 0 and 1 (got 1.5)"},
    {"ratio negative", KAFKA "[producer]\nfull_sync.max_delete_ratio = -0.1\n" STREAM,
     ":4: [producer] full_sync.max_delete_ratio: not a number: '-0.1' (write a "
     "decimal such as 0.2)"},
    {"ratio as a percentage", KAFKA "[producer]\nfull_sync.max_delete_ratio = 20%\n" STREAM,
     ":4: [producer] full_sync.max_delete_ratio: not a number: '20%' (write a "
     "decimal such as 0.2)"},
    {"ratio empty", KAFKA "[producer]\nfull_sync.max_delete_ratio =\n" STREAM,
     ":4: [producer] full_sync.max_delete_ratio: not a number: '' (write a "
     "decimal such as 0.2)"},
    {"bad cursor.sorted", KAFKA STREAM "cursor.sorted = yes\n",
     ":8: [stream s] cursor.sorted: must be one of false, true (got 'yes')"},
    {"bad deleted.pagination", KAFKA STREAM "deleted.pagination = pages\n",
     ":8: [stream s] deleted.pagination: must be one of none, page, offset, "
     "cursor, link, next_url (got 'pages')"},
    {"bad log.level", "log.level = loud\n" KAFKA STREAM,
     ":1: log.level: must be one of error, warn, info, debug (got 'loud')"},
    {"missing env var", KAFKA STREAM "auth.header = Bearer ${TM_TEST_SURELY_UNSET}\n",
     ":8: [stream s] auth.header: environment variable TM_TEST_SURELY_UNSET is "
     "not set"},
    {"missing env var in kafka", KAFKA "sasl.password = ${TM_TEST_SURELY_UNSET}\n" STREAM,
     ":3: [kafka] sasl.password: environment variable TM_TEST_SURELY_UNSET is "
     "not set"},
    {"unterminated env", KAFKA STREAM "auth.header = ${TOKEN\n",
     ":8: [stream s] auth.header: unterminated ${ (write ${NAME})"},
    {"bad env name", KAFKA STREAM "auth.header = ${1X}\n",
     ":8: [stream s] auth.header: bad environment variable name '1X'"},
    {"oauth2 without secret",
     KAFKA STREAM "auth.oauth2.token_url = https://a/t\n"
                  "auth.oauth2.client_id = c\n",
     ":8: [stream s] auth.oauth2.client_secret: required with the other auth.oauth2 keys "
     "(token_url, client_id and client_secret go together)"},
    {"oauth2 without token_url",
     KAFKA STREAM "auth.oauth2.client_id = c\n"
                  "auth.oauth2.client_secret = TOPSECRET\n",
     ":8: [stream s] auth.oauth2.token_url: required with the other auth.oauth2 keys "
     "(token_url, client_id and client_secret go together)"},
    {"oauth2 scope alone", KAFKA STREAM "auth.oauth2.scope = read\n",
     ":8: [stream s] auth.oauth2.scope: needs auth.oauth2.token_url, client_id and "
     "client_secret"},
    {"oauth2 token_url not http",
     KAFKA STREAM "auth.oauth2.token_url = ftp://a/t?token=TOPSECRET\n"
                  "auth.oauth2.client_id = c\n"
                  "auth.oauth2.client_secret = TOPSECRET\n",
     ":8: [stream s] auth.oauth2.token_url: 'ftp://a/t?token=***' is not an http(s) URL with a "
     "host"},
    {"oauth2 token_url no host",
     KAFKA STREAM "auth.oauth2.token_url = /oauth/token\n"
                  "auth.oauth2.client_id = c\n"
                  "auth.oauth2.client_secret = TOPSECRET\n",
     ":8: [stream s] auth.oauth2.token_url: '/oauth/token' is not an http(s) URL with a host"},
    {"oauth2 with auth.header",
     KAFKA STREAM "auth.header = X-Key: TOPSECRET\n"
                  "auth.oauth2.token_url = https://a/t\n"
                  "auth.oauth2.client_id = c\n"
                  "auth.oauth2.client_secret = TOPSECRET\n",
     ":8: [stream s] auth.header: cannot be used with the auth.oauth2 keys: set one or the "
     "other"},
    {"missing url", KAFKA "[stream s]\nschema = s.avsc\ncursor.field = m\ncursor.param = p\n",
     ":3: [stream s] url: required key missing"},
    {"missing cursor.param", KAFKA "[stream s]\nurl = u\nschema = s.avsc\ncursor.field = m\n",
     ":3: [stream s] cursor.param: required key missing"},
    {"url not http",
     KAFKA "[stream s]\nurl = api/items\nschema = s.avsc\ncursor.field = m\n"
           "cursor.param = p\n",
     ":4: [stream s] url: 'api/items' is not an http(s) URL with a host"},
    {"url with a fragment", KAFKA STREAM "deleted.url = http://x/d?a=1#top\n",
     ":8: [stream s] deleted.url: 'http://x/d?a=1#top' has a fragment ('#'), after which the "
     "query parameters tidemark adds would not be sent"},
    {"empty required", KAFKA STREAM "[stream t]\nurl =\n", ":9: [stream t] url: must not be empty"},
    {"empty defaulted key", KAFKA STREAM "id.field =\n",
     ":8: [stream s] id.field: must not be empty (default: id)"},
    {"missing bootstrap.servers", "[kafka]\ntopic.prefix = x\n" STREAM,
     ":1: [kafka] bootstrap.servers: required key missing"},
    {"no kafka section", STREAM, ": [kafka] bootstrap.servers: required key missing"},
    {"no stream", KAFKA "[worker]\n",
     ": no [stream NAME] section: at least one stream is required"},
    {"duplicate stream", KAFKA STREAM "[stream s]\n",
     ":8: [stream s]: duplicate stream (first at line 3)"},
    {"stream topics one to Kafka",
     KAFKA "[stream c.2]\nurl = http://x/s\n[stream c_2]\nurl = http://x/t\n",
     ":5: [stream c_2]: its topic and that of [stream c.2] (line 3) differ only by '.' against "
     "'_', which Kafka takes for one topic: it would create only the first"},
    {"key set twice", KAFKA "[worker]\ngroup.id = a\n[worker]\ngroup.id = b\n" STREAM,
     ":6: [worker] group.id: set twice (first at line 4)"},
    {"kafka prop set twice", KAFKA "linger.ms = 5\nlinger.ms = 1\n" STREAM,
     ":4: [kafka] linger.ms: set twice (first at line 3)"},
    {"registry url not http", KAFKA REGISTRY "url = ftp://r:8081/?token=TOPSECRET\n" STREAM,
     ":4: [schema_registry] url: 'ftp://r:8081/?token=***' is not an http(s) URL with a host"},
    {"registry url without a host", KAFKA REGISTRY "url = registry:8081\n" STREAM,
     ":4: [schema_registry] url: 'registry:8081' is not an http(s) URL with a host"},
    {"registry strategy unknown", KAFKA REGISTRY "url = http://r\nsubject.name.strategy = record\n",
     ":5: [schema_registry] subject.name.strategy: must be one of topic, topic_record (got "
     "'record')"},
    {"registry timeout 0", KAFKA REGISTRY "url = http://r\ntimeout = 0\n",
     ":5: [schema_registry] timeout: must be between 1ms and 3650d (got 0)"},
    {"registry CA unreadable",
     KAFKA REGISTRY "url = http://r\nssl.ca.location = /nonexistent/ca.pem\n" STREAM,
     ":5: [schema_registry] ssl.ca.location: cannot read '/nonexistent/ca.pem': No such file or "
     "directory"},
    {"registry CA a directory", KAFKA REGISTRY "url = http://r\nssl.ca.location = /\n" STREAM,
     ":5: [schema_registry] ssl.ca.location: cannot read '/': Is a directory"},
    {"registry user info without ':' (the value stays out)",
     KAFKA REGISTRY "url = http://r\nbasic.auth.user.info = TOPSECRET\n" STREAM,
     ":5: [schema_registry] basic.auth.user.info: must be USER:SECRET (the value has no ':')"},
    {"registry key without url", KAFKA REGISTRY "basic.auth.user.info = u:TOPSECRET\n" STREAM,
     ":4: [schema_registry] basic.auth.user.info: needs [schema_registry] url"},
    {"bad topic prefix", "[kafka]\nbootstrap.servers = b\ntopic.prefix = a b\n" STREAM,
     ":3: [kafka] topic.prefix: 'a b' may hold only letters, digits, '.', '_' "
     "and '-'"},
    {"a [kafka] key tidemark sets itself", KAFKA "group.id = ops\n" STREAM,
     ":3: [kafka] group.id: set by tidemark itself: use [worker] group.id"},
    {"isolation.level in [kafka]", KAFKA "isolation.level = read_uncommitted\n" STREAM,
     ":3: [kafka] isolation.level: set by tidemark itself: the worker reads committed messages "
     "only: an aborted transaction's never happened"},
    {"topic name past Kafka's 249 characters",
     "[kafka]\nbootstrap.servers = b\ntopic.prefix = " P240 "\n" STREAM,
     ":3: [kafka] topic.prefix: topic '" P240 ".sync-runs' would be longer than the 249 "
     "characters Kafka allows"},
    {"a dotted stream name as the table",
     KAFKA "[stream a.b]\nurl = http://x/s\nschema = s.avsc\n"
           "cursor.field = m\ncursor.param = since\n",
     ":3: [stream a.b] table: not set, and the stream's name 'a.b' would be read as schema 'a', "
     "table 'b': set table (a name without '.', or schema.table)"},
    {"a table name PostgreSQL would cut", KAFKA STREAM "table = " T64 "\n",
     ":8: [stream s] table: '" T64 "': a schema and a table name of 1 to 63 bytes each are "
     "allowed, the table's at most 63 (PostgreSQL cuts a longer name, and two tables would "
     "become one)"},
    {"a table name whose tombstones PostgreSQL would cut",
     KAFKA "[worker]\ndelete.mode = hard\n" STREAM "table = x." T52 "\n",
     ":10: [stream s] table: 'x." T52 "': a schema and a table name of 1 to 63 bytes each "
     "are allowed, the table's at most 51 under delete.mode = hard, which adds __tombstones "
     "(PostgreSQL cuts a longer name, and two tables would become one)"},
    {"an empty schema", KAFKA STREAM "table = .t\n",
     ":8: [stream s] table: '.t': a schema and a table name of 1 to 63 bytes each are allowed, "
     "the table's at most 63 (PostgreSQL cuts a longer name, and two tables would become one)"},
    {"a table name quoted as in SQL", KAFKA STREAM "table = \"Customers\"\n",
     ":8: [stream s] table: '\"Customers\"': write the name without quotes: tidemark quotes "
     "it, and keeps its case"},
    {"acks under librdkafka's other name", KAFKA "request.required.acks = 1\n" STREAM,
     ":3: [kafka] request.required.acks: set by tidemark itself: the producer's events are "
     "acknowledged by all in-sync replicas, always"},
    {"a table named as another's tombstones", KAFKA STREAM "table = customers__tombstones\n",
     ":8: [stream s] table: 'customers__tombstones': a name ending in __tombstones is where "
     "delete.mode = hard keeps a table's tombstones"},
    {"the worker's own table", KAFKA STREAM "table = public.sync_metadata\n",
     ":8: [stream s] table: 'public.sync_metadata' is a table of tidemark-worker's own "
     "bookkeeping"},
    {"auth.header without a name (the secret stays out)",
     KAFKA STREAM "auth.header = Bearer TOPSECRET\n",
     ":8: [stream s] auth.header: must be one header line, 'Name: value' (Authorization: "
     "Bearer ...): without a name and ':' it is not sent at all"},
    {"auth.header with no value", KAFKA STREAM "auth.header = X-Api-Key:  \n",
     ":8: [stream s] auth.header: has no value after the ':' (an empty secret?): libcurl would "
     "send no such header"},
    {"auth.header with a space in its name", KAFKA STREAM "auth.header = X Key: TOPSECRET\n",
     ":8: [stream s] auth.header: must be one header line, 'Name: value' (Authorization: "
     "Bearer ...): without a name and ':' it is not sent at all"},
};

static void test_errors(void **state)
{
    tmpconf_t *t = *state;
    int failures = 0;

    for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
        const err_case_t *c = &err_cases[i];
        tm_config_t *conf = (tm_config_t *)1;
        char err[512] = "", want[512];
        write_file(t->path, c->text);
        int rc = config_load(t->path, &conf, err, sizeof(err));
        snprintf(want, sizeof(want), "%s%s", t->path, c->err);
        if (rc != -1 || conf != NULL || strcmp(err, want) != 0) {
            print_error("case '%s': rc=%d\n  got:  %s\n  want: %s\n", c->name, rc, err, want);
            failures++;
        }
        if (rc == 0)
            config_destroy(conf);
    }
    assert_int_equal(failures, 0);
}

static void test_missing_file(void **state)
{
    tm_config_t *c = (tm_config_t *)1;
    char err[256];
    (void)state;
    assert_int_equal(config_load("/nonexistent/tidemark.conf", &c, err, sizeof(err)), -1);
    assert_null(c);
    assert_string_equal(err, "/nonexistent/tidemark.conf: cannot open: No such file or directory");
}

/* A NUL byte inside a value: fgets-style parsing stopped at it and took
 * the rest of the line for absent, so "secret\0tail" loaded as "secret". */
static void test_nul_byte(void **state)
{
    tmpconf_t *t = *state;
    static const char text[] = KAFKA STREAM "auth.header = X-Api-Key: abc\0def\n";
    tm_config_t *c = (tm_config_t *)1;
    char err[512] = "", want[512];

    FILE *f = fopen(t->path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(config_load(t->path, &c, err, sizeof(err)), -1);
    assert_null(c);
    snprintf(want, sizeof(want), "%s:8: a NUL byte in the line (is this a text file?)", t->path);
    assert_string_equal(err, want);
}

/* ---- successes ----------------------------------------------------------- */

/* deleted.more.path inherits more.path where the deleted endpoint is paged
 * by page or offset too, unless set (empty: the endpoint has no flag). */
static void test_more_path_inherited(void **state)
{
    static const struct {
        const char *keys, *more, *deleted_more;
    } cases[] = {
        {"", NULL, NULL},
        {"more.path = has_more\n", "has_more", "has_more"},
        {"more.path = has_more\ndeleted.pagination = offset\n", "has_more", "has_more"},
        {"more.path = has_more\ndeleted.pagination = cursor\n", "has_more", NULL},
        {"more.path = has_more\ndeleted.more.path =\n", "has_more", NULL},
        {"more.path = has_more\ndeleted.more.path = meta.more\n", "has_more", "meta.more"},
        {"pagination = link\ndeleted.pagination = page\ndeleted.more.path = more\n", NULL, "more"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024];
        snprintf(text, sizeof(text), "%s%s%s", KAFKA, STREAM, cases[i].keys);
        tm_config_t *c = load_ok(*state, text);
        const stream_conf_t *s = config_stream(c, "s");
        assert_non_null(s);
        if (cases[i].more)
            assert_string_equal(s->more_path, cases[i].more);
        else
            assert_null(s->more_path);
        if (cases[i].deleted_more)
            assert_string_equal(s->deleted_more_path, cases[i].deleted_more);
        else
            assert_null(s->deleted_more_path);
        config_destroy(c);
    }
}

static void test_defaults(void **state)
{
    tm_config_t *c = load_ok(*state, KAFKA STREAM);

    assert_int_equal(c->log_format, LOG_FORMAT_LOGFMT);
    assert_int_equal(c->log_level, 2); /* info */
    assert_string_equal(c->bootstrap_servers, "localhost:9092");
    assert_string_equal(c->topic_prefix, "tidemark");
    assert_int_equal(c->n_kafka_props, 0);
    assert_null(c->pg_conninfo);
    assert_string_equal(c->group_id, "tidemark-worker");
    assert_int_equal(c->batch_max_records, 10000);
    assert_int_equal(c->batch_max_ms, 500);
    assert_int_equal(c->pg_lock_timeout_ms, 60000);
    assert_int_equal(c->delete_mode, DELETE_MODE_SOFT);
    assert_int_equal(c->offset_out_of_range, OFFSET_OOR_FAIL);
    assert_int_equal(c->poll_interval_ms, 30000);
    assert_int_equal(c->full_sync_every_ms, 7LL * 86400000);
    assert_true(c->full_sync_max_delete_ratio == 0.2);
    assert_int_equal(c->n_streams, 1);

    const stream_conf_t *s = &c->streams[0];
    assert_string_equal(s->name, "s");
    assert_int_equal(s->line, 3);
    assert_string_equal(s->url, "http://x/s");
    assert_string_equal(s->table, "s");
    assert_string_equal(s->id_field, "id");
    assert_string_equal(s->cursor_field, "m");
    assert_string_equal(s->cursor_param, "since");
    assert_int_equal(s->cursor_precision, CURSOR_PRECISION_TIMESTAMP);
    assert_string_equal(s->records_path, "data");
    assert_int_equal(s->pagination, PAGINATION_PAGE);
    assert_string_equal(s->page_param, "page");
    assert_string_equal(s->page_size_param, "per_page");
    assert_int_equal(s->page_size, 1000);
    assert_int_equal(s->page_first, 1);
    assert_string_equal(s->next_path, "next_cursor");
    assert_int_equal(s->cursor_sorted, 1); /* the seek walk */
    assert_int_equal(s->lookback_ms, 0);
    assert_null(s->deleted_url);
    assert_string_equal(s->deleted_param, "since");
    assert_int_equal(s->deleted_pagination, PAGINATION_PAGE);
    assert_string_equal(s->deleted_records_path, "data");
    assert_string_equal(s->deleted_next_path, "next_cursor");
    assert_null(s->more_path);
    assert_null(s->deleted_more_path);
    assert_null(s->soft_delete_field);
    assert_null(s->auth_header);
    assert_int_equal(s->timeout_ms, 30000);
    assert_int_equal(s->max_retries, 8);
    assert_int_equal(s->retry_max_wait_ms, 300000);
    assert_int_equal(s->max_response_size, 256LL * 1024 * 1024);
    config_destroy(c);
}

static void test_every_key_set(void **state)
{
    tm_config_t *c =
        load_ok(*state, "log.format = json\nlog.level = debug\n"
                        "[kafka]\nbootstrap.servers = b1:9092,b2:9092\n"
                        "topic.prefix = acme.sync\n"
                        "linger.ms = 5\ncompression.type = lz4\n"
                        "[postgres]\nconninfo = dbname=x\n"
                        "[worker]\ngroup.id = g\nbatch.max.records = 7\n"
                        "batch.max.ms = 2s\ndelete.mode = hard\n"
                        "offset.out_of_range = earliest\n"
                        "[producer]\npoll.interval = 1500ms\nfull_sync.every = 0\n"
                        "full_sync.max_delete_ratio = .05\n"
                        "[stream orders]\nurl = https://api/o?v=2\nschema = /abs/o.avsc\n"
                        "table = t_orders\nid.field = oid\ncursor.field = cf\n"
                        "cursor.param = cp\ncursor.precision = date\n"
                        "records.path =\npagination = cursor\npage.param = tok\n"
                        "page.size.param = limit\npage.size = 100000\n"
                        "next.path = meta.next\ncursor.sorted = true\nlookback = 90m\n"
                        "deleted.url = https://api/o/deleted\ndeleted.param = dp\n"
                        "deleted.pagination = offset\ndeleted.records.path =\n"
                        "deleted.next.path = next\ndeleted.more.path = meta.more\n"
                        "soft_delete.field = gone\nauth.header = X-Key: k\n"
                        "timeout = 1\nmax.retries = 0\n"
                        "retry.max_wait = 90s\nmax.response.size = 3MiB\n");

    assert_int_equal(c->log_format, LOG_FORMAT_JSON);
    assert_int_equal(c->log_level, 3);
    assert_string_equal(c->bootstrap_servers, "b1:9092,b2:9092");
    assert_string_equal(c->topic_prefix, "acme.sync");
    assert_int_equal(c->n_kafka_props, 2);
    assert_string_equal(c->kafka_props[0].key, "linger.ms");
    assert_string_equal(c->kafka_props[0].value, "5");
    assert_int_equal(c->kafka_props[0].line, 6);
    assert_string_equal(c->kafka_props[1].key, "compression.type");
    assert_string_equal(c->kafka_props[1].value, "lz4");
    assert_int_equal(c->kafka_props[1].line, 7);
    assert_string_equal(c->pg_conninfo, "dbname=x");
    assert_string_equal(c->group_id, "g");
    assert_int_equal(c->batch_max_records, 7);
    assert_int_equal(c->batch_max_ms, 2000);
    assert_int_equal(c->delete_mode, DELETE_MODE_HARD);
    assert_int_equal(c->offset_out_of_range, OFFSET_OOR_EARLIEST);
    assert_int_equal(c->poll_interval_ms, 1500);
    assert_int_equal(c->full_sync_every_ms, 0);
    assert_true(c->full_sync_max_delete_ratio == 0.05);

    const stream_conf_t *s = config_stream(c, "orders");
    assert_non_null(s);
    assert_string_equal(s->schema_path, "/abs/o.avsc"); /* absolute stays */
    assert_string_equal(s->table, "t_orders");
    assert_string_equal(s->id_field, "oid");
    assert_string_equal(s->cursor_field, "cf");
    assert_string_equal(s->cursor_param, "cp");
    assert_int_equal(s->cursor_precision, CURSOR_PRECISION_DATE);
    assert_string_equal(s->records_path, ""); /* the body is the array */
    assert_int_equal(s->pagination, PAGINATION_CURSOR);
    assert_string_equal(s->page_param, "tok");
    assert_string_equal(s->page_size_param, "limit");
    assert_int_equal(s->page_size, 100000);
    assert_string_equal(s->next_path, "meta.next");
    assert_int_equal(s->cursor_sorted, 1); /* declared, with cursor pages */
    assert_int_equal(s->lookback_ms, 90LL * 60000);
    assert_string_equal(s->deleted_url, "https://api/o/deleted");
    assert_string_equal(s->deleted_param, "dp");
    assert_int_equal(s->deleted_pagination, PAGINATION_OFFSET);
    assert_string_equal(s->deleted_records_path, ""); /* "" is a value here */
    assert_string_equal(s->deleted_next_path, "next");
    assert_string_equal(s->deleted_more_path, "meta.more");
    assert_null(s->more_path); /* cursor: more.path unset */
    assert_string_equal(s->soft_delete_field, "gone");
    assert_string_equal(s->auth_header, "X-Key: k");
    assert_int_equal(s->timeout_ms, 1000); /* bare number = seconds */
    assert_int_equal(s->max_retries, 0);
    assert_int_equal(s->retry_max_wait_ms, 90000);
    assert_int_equal(s->max_response_size, 3LL * 1024 * 1024);
    assert_null(config_stream(c, "customers"));
    config_destroy(c);
}

static void test_registry_keys(void **state)
{
    tm_config_t *c = load_ok(*state, KAFKA STREAM);
    assert_null(c->registry_url); /* no registry: single-object encoding */
    assert_null(c->registry_basic_auth);
    assert_null(c->registry_ca_location);
    assert_int_equal(c->registry_subject_strategy, SUBJECT_TOPIC);
    assert_int_equal(c->registry_timeout_ms, 10000);
    config_destroy(c);

    c = load_ok(*state, KAFKA REGISTRY "url = https://registry:8081\n"
                                       "basic.auth.user.info = u:s\n"
                                       "ssl.ca.location = /etc/hostname\n"
                                       "subject.name.strategy = topic_record\n"
                                       "timeout = 250ms\n" STREAM);
    assert_string_equal(c->registry_url, "https://registry:8081");
    assert_string_equal(c->registry_basic_auth, "u:s");
    assert_string_equal(c->registry_ca_location, "/etc/hostname");
    assert_int_equal(c->registry_subject_strategy, SUBJECT_TOPIC_RECORD);
    assert_int_equal(c->registry_timeout_ms, 250);
    config_destroy(c);
}

static void test_inline_comments(void **state)
{
    tm_config_t *c = load_ok(*state, "; a comment\n# another\n"
                                     "[kafka]   ; section comment\n"
                                     "bootstrap.servers = k:1 ; inline\n"
                                     "[worker] # hash comment\n"
                                     "group.id = g # hash inline\n"
                                     "[stream s]\n"
                                     "url = http://x/s\n"
                                     "page.param = p#1 ; the '#' above stays\n"
                                     "schema = s.avsc\ncursor.field = m\ncursor.param = p\n"
                                     "deleted.url = ; empty: none\n");
    assert_string_equal(c->bootstrap_servers, "k:1");
    assert_string_equal(c->group_id, "g");
    assert_string_equal(c->streams[0].page_param, "p#1");
    assert_null(c->streams[0].deleted_url);
    config_destroy(c);

    /* "20;not..." is not an integer: the ';' needs whitespace before it. */
    tmpconf_t *t = *state;
    tm_config_t *bad = NULL;
    char err[512], want[512];
    write_file(t->path, KAFKA "[worker]\nbatch.max.records = 20;no space\n" STREAM);
    assert_int_equal(config_load(t->path, &bad, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:4: [worker] batch.max.records: not an integer: '20;no space'",
             t->path);
    assert_string_equal(err, want);
}

static void test_env_expansion(void **state)
{
    setenv("TM_TEST_TOKEN", "s3cr3t ; # not a comment", 1);
    setenv("TM_TEST_HOST", "broker", 1);
    setenv("TM_TEST_EMPTY", "", 1);
    /* a secret from a file, with its line break */
    setenv("TM_TEST_SECRET", "cl1ent-secret\r\n", 1);
    setenv("TM_TEST_USERINFO", "user:pa55\n", 1);
    tm_config_t *c =
        load_ok(*state, "[kafka]\nbootstrap.servers = ${TM_TEST_HOST}:9092\n"
                        "sasl.password = ${TM_TEST_TOKEN}\n"
                        "[schema_registry]\nurl = http://127.0.0.1:1\n"
                        "basic.auth.user.info = ${TM_TEST_USERINFO}\n" STREAM
                        "auth.header = Authorization: Bearer ${TM_TEST_TOKEN}\n"
                        "id.field = id${TM_TEST_EMPTY}\n"
                        "table = $HOME_is_not_expanded\n"
                        "[stream b]\nurl = http://x/b\nschema = s.avsc\ncursor.field = m\n"
                        "cursor.param = since\n"
                        "auth.oauth2.token_url = http://127.0.0.1:1/token\n"
                        "auth.oauth2.client_id = c\n"
                        "auth.oauth2.client_secret = ${TM_TEST_SECRET}\n");
    assert_string_equal(c->bootstrap_servers, "broker:9092");
    assert_string_equal(c->kafka_props[0].value, "s3cr3t ; # not a comment");
    assert_string_equal(c->streams[0].auth_header,
                        "Authorization: Bearer s3cr3t ; # not a comment");
    assert_string_equal(c->streams[0].id_field, "id");
    assert_string_equal(c->streams[0].table, "$HOME_is_not_expanded");
    assert_string_equal(c->streams[1].oauth2_client_secret, "cl1ent-secret");
    assert_string_equal(c->registry_basic_auth, "user:pa55");
    config_destroy(c);
    unsetenv("TM_TEST_SECRET");
    unsetenv("TM_TEST_USERINFO");
    unsetenv("TM_TEST_TOKEN");
    unsetenv("TM_TEST_HOST");
    unsetenv("TM_TEST_EMPTY");
}

static void test_schema_path(void **state)
{
    tmpconf_t *t = *state;
    char want[256];
    tm_config_t *c = load_ok(t, KAFKA "[stream a]\nurl = http://api/a\nschema = schemas/a.avsc\n"
                                      "cursor.field = m\ncursor.param = p\n"
                                      "[stream b]\nurl = http://api/b\nschema = /etc/b.avsc\n"
                                      "cursor.field = m\ncursor.param = p\n");
    snprintf(want, sizeof(want), "%s/schemas/a.avsc", t->dir);
    assert_int_equal(c->n_streams, 2);
    assert_string_equal(c->streams[0].name, "a"); /* file order */
    assert_string_equal(c->streams[0].schema_path, want);
    assert_string_equal(c->streams[1].schema_path, "/etc/b.avsc");
    config_destroy(c);
}

static void test_crlf_bom_long_line(void **state)
{
    char text[2048], longurl[1024];
    memset(longurl, 'a', sizeof(longurl) - 1);
    longurl[sizeof(longurl) - 1] = '\0';
    snprintf(text, sizeof(text),
             "\xEF\xBB\xBF[kafka]\r\nbootstrap.servers = k:1\r\n"
             "[stream s]\r\nurl = http://x/%s\r\nschema = s.avsc\r\n"
             "cursor.field = m\r\ncursor.param = p\r\n",
             longurl);
    tm_config_t *c = load_ok(*state, text);
    assert_string_equal(c->bootstrap_servers, "k:1");
    assert_int_equal(strlen(c->streams[0].url), strlen("http://x/") + sizeof(longurl) - 1);
    config_destroy(c);
}

/* cursor.sorted defaults by pagination; the deleted.* keys inherit. */
static void test_stream_derived_defaults(void **state)
{
    static const struct {
        const char *pagination;
        int sorted;
    } cases[] = {{"none", 1}, {"page", 1}, {"offset", 1}, {"cursor", 0}, {"link", 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 KAFKA STREAM "pagination = %s\nrecords.path = r.items\nnext.path = n\n",
                 cases[i].pagination);
        tm_config_t *c = load_ok(*state, text);
        const stream_conf_t *s = &c->streams[0];
        if (s->cursor_sorted != cases[i].sorted)
            fail_msg("pagination = %s: cursor_sorted %d", cases[i].pagination, s->cursor_sorted);
        assert_int_equal(s->deleted_pagination, s->pagination);
        assert_string_equal(s->deleted_records_path, "r.items");
        assert_string_equal(s->deleted_next_path, "n");
        config_destroy(c);
    }
    tm_config_t *c =
        load_ok(*state, KAFKA STREAM "pagination = link\ncursor.sorted = true\n"
                                     "deleted.pagination = none\n"
                                     "[stream t]\nurl = http://api/t\nschema = s.avsc\n"
                                     "cursor.field = m\ncursor.param = p\n"
                                     "cursor.sorted = false\n");
    assert_int_equal(c->streams[0].cursor_sorted, 1);
    assert_int_equal(c->streams[0].deleted_pagination, PAGINATION_NONE);
    assert_int_equal(c->streams[1].cursor_sorted, 0); /* page walk, declared unsorted */
    config_destroy(c);
}

static void test_default_path(void **state)
{
    (void)state;
    unsetenv("TIDEMARK_CONFIG");
    assert_string_equal(config_default_path(NULL), "./tidemark.conf");
    setenv("TIDEMARK_CONFIG", "", 1);
    assert_string_equal(config_default_path(NULL), "./tidemark.conf");
    setenv("TIDEMARK_CONFIG", "/etc/tm.conf", 1);
    assert_string_equal(config_default_path(NULL), "/etc/tm.conf");
    assert_string_equal(config_default_path("cli.conf"), "cli.conf");
    unsetenv("TIDEMARK_CONFIG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_path_inherited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_key_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_comments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_expansion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crlf_bom_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_derived_defaults, setup, teardown),
        cmocka_unit_test(test_default_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
