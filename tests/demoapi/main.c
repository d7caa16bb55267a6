/*
 * main.c - tidemark-demoapi: a deterministic customer REST API on
 * 127.0.0.1 for tests, the demo and the benchmark. Options, start-up and
 * the wait for SIGTERM/SIGINT; the rest is in dataset.c (data), server.c
 * and admin.c (HTTP), oauth.c (tokens), render.c (JSON), customer.c
 * (fake customers).
 *
 * Prints "http://127.0.0.1:PORT" on stdout and, with --url-file, writes it
 * there atomically (removed at exit). Exit: 0 after a signal, 1 on a
 * runtime failure, 2 on bad usage. A development fixture: never linked
 * into the programs.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "daytz.h"
#include "isotime.h"
#include "log.h"
#include "server.h"
#include "signals.h"
#include "../fixturelib/atomic_file.h"

#define MAIN_POLL_MS 200

typedef struct {
    long port;
    const char *url_file;
    dataset_conf_t data;
    server_conf_t http;
} options_t;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tidemark-demoapi [options]\n"
            "A deterministic customer REST API on 127.0.0.1, for tests and the demo.\n"
            "  --port P               listen port (default 0: any free port)\n"
            "  --url-file PATH        also write http://127.0.0.1:PORT to PATH\n"
            "  --records N            initial records (default 1000)\n"
            "  --seed S               data set seed (default 1)\n"
            "  --base-time ISO        cursor of record 1 (default 2026-01-01T00:00:00Z)\n"
            "  --ties K               K consecutive records share a timestamp (default 3)\n"
            "  --max-page-size N      cap on the page size (default 1000)\n"
            "  --stream NAME          GET /NAME, /NAME/deleted (default customers)\n"
            "  --id-field F           (default id)\n"
            "  --cursor-field F       (default last_modified)\n"
            "  --cursor-param P       (default modified_since)\n"
            "  --records-path P       dotted, e.g. result.items; \"\" = bare array (default data)\n"
            "  --page-param P         (default page)\n"
            "  --page-size-param P    (default per_page)\n"
            "  --deleted-param P      (default since)\n"
            "  --string-ids           ids are strings \"cus_000017\"\n"
            "  --date-cursor          the cursor filter compares UTC days only\n"
            "  --cursor-timezone TZ   ... the days of this IANA zone instead (Europe/Berlin)\n"
            "  --oauth2-client ID:SECRET  POST /oauth/token issues tokens to this client\n"
            "                         (client credentials, HTTP Basic); the data endpoints\n"
            "                         then answer 401 without a valid one\n"
            "  --oauth2-ttl SECONDS   expires_in of those tokens (default 3600)\n"
            "Data:  GET /<stream>?<cursor-param>=ISO&<page-param>=N&<page-size-param>=M\n"
            "       GET /<stream>/deleted?<deleted-param>=ISO\n"
            "Admin: POST /admin/update?ids=1,5|count=N[&at=ISO|max]  POST /admin/create?count=N\n"
            "       POST /admin/delete?ids=..  POST /admin/soft-delete?ids=..\n"
            "       POST /admin/restore?ids=.. (deleted ids come back; still listed as deleted)\n"
            "       POST /admin/fault?status=500&count=3[&delay_ms=D][&after=N]\n"
            "       POST /admin/revoke-tokens (every token issued is refused from now on)\n"
            "       GET /admin/records  GET /admin/deleted  GET /admin/stats\n");
}

static int parse_num(const char *opt, const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "tidemark-demoapi: --%s: expected an integer in %lld..%lld, got \"%s\"\n",
                opt, min, max, s);
        return -1;
    }
    *out = v;
    return 0;
}

static void set_defaults(options_t *o)
{
    int64_t base = 0;
    char err[128];

    memset(o, 0, sizeof(*o));
    if (isotime_parse("2026-01-01T00:00:00Z", &base, NULL, err, sizeof(err)))
        base = 1767225600000LL; /* the same instant; the parse cannot fail */
    o->data = (dataset_conf_t){.records = 1000, .seed = 1, .base_ms = base, .ties = 3};
    o->http = (server_conf_t){
        .stream = "customers",
        .id_field = "id",
        .cursor_field = "last_modified",
        .cursor_param = "modified_since",
        .records_path = "data",
        .page_param = "page",
        .page_size_param = "per_page",
        .deleted_param = "since",
        .max_page_size = 1000,
        .oauth2_ttl_s = 3600,
    };
}

/* One option's value; returns 0 or -1 (message printed). */
static int set_option(options_t *o, const char *name, const char *val)
{
    long long v;
    char err[256];

    if (!strcmp(name, "port")) {
        if (parse_num(name, val, 0, 65535, &v))
            return -1;
        o->port = (long)v;
    } else if (!strcmp(name, "records")) {
        if (parse_num(name, val, 0, 100000000LL, &v))
            return -1;
        o->data.records = v;
    } else if (!strcmp(name, "seed")) {
        if (parse_num(name, val, 0, INT64_MAX, &v))
            return -1;
        o->data.seed = (uint64_t)v;
    } else if (!strcmp(name, "ties")) {
        if (parse_num(name, val, 1, 1000000, &v))
            return -1;
        o->data.ties = v;
    } else if (!strcmp(name, "max-page-size")) {
        if (parse_num(name, val, 1, 10000000, &v))
            return -1;
        o->http.max_page_size = (long)v;
    } else if (!strcmp(name, "oauth2-ttl")) {
        if (parse_num(name, val, 1, 86400 * 365, &v))
            return -1;
        o->http.oauth2_ttl_s = (long)v;
    } else if (!strcmp(name, "oauth2-client")) {
        if (!strchr(val, ':') || val[0] == ':') {
            fprintf(stderr, "tidemark-demoapi: --oauth2-client: expected ID:SECRET\n");
            return -1;
        }
        o->http.oauth2_client = val;
    } else if (!strcmp(name, "base-time")) {
        if (isotime_parse(val, &o->data.base_ms, NULL, err, sizeof(err))) {
            fprintf(stderr, "tidemark-demoapi: --base-time: %s\n", err);
            return -1;
        }
    } else {
        static const char *const names[] = {
            "url-file",     "stream",     "id-field",        "cursor-field",  "cursor-param",
            "records-path", "page-param", "page-size-param", "deleted-param",
        };
        const char **slots[] = {
            &o->url_file,          &o->http.stream,          &o->http.id_field,
            &o->http.cursor_field, &o->http.cursor_param,    &o->http.records_path,
            &o->http.page_param,   &o->http.page_size_param, &o->http.deleted_param,
        };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (!strcmp(name, names[i])) {
                *slots[i] = val;
                return 0;
            }
        }
        return -1;
    }
    return 0;
}

/* Returns 0 to run, 1 when --help was shown, 2 on bad usage. */
static int parse_options(int argc, char **argv, options_t *o)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 0},
        {"url-file", required_argument, NULL, 0},
        {"records", required_argument, NULL, 0},
        {"seed", required_argument, NULL, 0},
        {"base-time", required_argument, NULL, 0},
        {"ties", required_argument, NULL, 0},
        {"max-page-size", required_argument, NULL, 0},
        {"stream", required_argument, NULL, 0},
        {"id-field", required_argument, NULL, 0},
        {"cursor-field", required_argument, NULL, 0},
        {"cursor-param", required_argument, NULL, 0},
        {"records-path", required_argument, NULL, 0},
        {"page-param", required_argument, NULL, 0},
        {"page-size-param", required_argument, NULL, 0},
        {"deleted-param", required_argument, NULL, 0},
        {"oauth2-client", required_argument, NULL, 0},
        {"oauth2-ttl", required_argument, NULL, 0},
        {"string-ids", no_argument, NULL, 'S'},
        {"date-cursor", no_argument, NULL, 'D'},
        {"cursor-timezone", required_argument, NULL, 'Z'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, idx;

    set_defaults(o);
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        if (c == 0) {
            if (set_option(o, longopts[idx].name, optarg))
                return 2;
        } else if (c == 'S') {
            o->data.string_ids = 1;
        } else if (c == 'D') {
            o->http.date_cursor = 1;
        } else if (c == 'Z') {
            char tzerr[256];
            if (daytz_check(optarg, tzerr, sizeof(tzerr)) != 0) {
                fprintf(stderr, "tidemark-demoapi: --cursor-timezone: %s\n", tzerr);
                return 2;
            }
            o->http.cursor_timezone = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 1;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tidemark-demoapi: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (!*o->http.stream || strchr(o->http.stream, '?') || !strcmp(o->http.stream, "admin")) {
        fprintf(stderr, "tidemark-demoapi: --stream: not a usable path segment\n");
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    options_t o;
    char errstr[512], url[64];
    dataset_t *ds;
    server_t *srv;
    int rc = parse_options(argc, argv, &o);

    if (rc)
        return rc == 1 ? 0 : 2;
    log_setup(LOG_INFO, 0);
    signals_install();

    if (!(ds = dataset_new(&o.data, errstr, sizeof(errstr)))) {
        log_error(errstr, "component=%s", "demoapi");
        return 1;
    }
    srv = server_new(&o.http, ds, (uint16_t)o.port, errstr, sizeof(errstr));
    ds = NULL; /* now owned by srv, even on failure */
    if (!srv) {
        log_error(errstr, "component=%s", "demoapi");
        return 1;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)server_port(srv));
    printf("%s\n", url);
    fflush(stdout);
    rc = 0;
    if (o.url_file && write_file_atomic(o.url_file, url, errstr, sizeof(errstr))) {
        log_error(errstr, "component=%s", "demoapi");
        rc = 1;
    }
    if (!rc)
        log_info("ready", "component=demoapi url=%s records=%" PRId64 " stream=%s", url,
                 o.data.records, o.http.stream);
    while (!rc && tm_running)
        poll(NULL, 0, MAIN_POLL_MS);
    server_destroy(srv);
    if (o.url_file)
        unlink(o.url_file);
    return rc;
}
