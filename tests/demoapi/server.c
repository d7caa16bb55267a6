/*
 * server.c - the demo API's daemon, routing and data endpoints:
 *
 *   GET /<stream>?<cursor_param>=ISO&<page_param>=N&<page_size_param>=M
 *   GET /<stream>/deleted?<deleted_param>=ISO[&<page_param>=N&<page_size_param>=M]
 *
 * and the helpers of handlers.h. /admin/... is in admin.c.
 */
#include "handlers.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daytz.h"
#include "isotime.h"
#include "signals.h"

#define DEFAULT_PAGE_SIZE 100
#define DELAY_SLICE_MS    50
#define MAX_BODY          4096

reply_t reply_error(unsigned int status, const char *fmt, ...)
{
    char msg[512];
    jbuf_t b;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    jbuf_init(&b);
    jbuf_raw(&b, "{\"error\":");
    jbuf_string(&b, msg);
    jbuf_printf(&b, ",\"status\":%u}", status);
    return reply_take(status, &b);
}

reply_t reply_take(unsigned int status, jbuf_t *b)
{
    reply_t r = {.status = status};
    r.body = jbuf_take(b, &r.len);
    return r;
}

const char *query_arg(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

int query_long(struct MHD_Connection *conn, const char *name, long min, long max, long def,
               long *out, char *errstr, size_t errstr_size)
{
    const char *s = query_arg(conn, name);
    char *end;
    long v;

    if (!s) {
        *out = def;
        return 0;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        snprintf(errstr, errstr_size, "%s: expected an integer in %ld..%ld, got \"%s\"", name, min,
                 max, s);
        return -1;
    }
    *out = v;
    return 0;
}

int query_time(struct MHD_Connection *conn, const char *name, int64_t *ms, int *present,
               char *errstr, size_t errstr_size)
{
    const char *s = query_arg(conn, name);
    char fixed[128], why[256];

    *present = 0;
    if (!s)
        return 0;
    snprintf(fixed, sizeof(fixed), "%s", s);
    /* Past the date and its T-or-space separator, a space can only be an
     * offset's '+' that form decoding turned into a space. */
    for (size_t i = 11; i < strlen(fixed); i++)
        if (fixed[i] == ' ')
            fixed[i] = '+';
    if (isotime_parse(fixed, ms, NULL, why, sizeof(why))) {
        snprintf(errstr, errstr_size, "%s: %s", name, why);
        return -1;
    }
    *present = 1;
    return 0;
}

/* Takes one pending fault of a data request (token 0) or a token request
 * (token 1), if any; applies its delay outside the lock. Returns the
 * answer to give (status 0: answer normally). */
static reply_t take_fault(server_t *srv, int token)
{
    int status = 0;
    long delay = 0, retry_after = 0;

    pthread_mutex_lock(&srv->lock);
    if (!token)
        srv->requests++;
    if (token == srv->fault_token) { /* else the faults are the other endpoint's */
        if (srv->fault_after > 0) {
            srv->fault_after--;
        } else if (srv->fault_count > 0) {
            srv->fault_count--;
            status = srv->fault_status;
            delay = srv->fault_delay_ms;
            retry_after = srv->fault_retry_after_s;
        }
    }
    pthread_mutex_unlock(&srv->lock);
    /* In slices, so that SIGTERM is not held up by a long delay. */
    for (long waited = 0; waited < delay && tm_running; waited += DELAY_SLICE_MS)
        poll(NULL, 0, (int)(delay - waited < DELAY_SLICE_MS ? delay - waited : DELAY_SLICE_MS));
    if (!status)
        return (reply_t){0};
    reply_t r = reply_error((unsigned)status, "injected fault");
    r.retry_after_s = retry_after;
    return r;
}

/* The filter's lower bound: with --date-cursor, the start of the
 * parameter's day, in --cursor-timezone (default UTC). */
static int since_arg(server_t *srv, struct MHD_Connection *conn, const char *name, int64_t *since,
                     char *errstr, size_t errstr_size)
{
    int present;

    if (query_time(conn, name, since, &present, errstr, errstr_size))
        return -1;
    if (!present) {
        *since = INT64_MIN;
    } else if (srv->conf.date_cursor) {
        /* A bare date names a local calendar day: its noon UTC lies in
         * that day in every zone within 12 hours of UTC. */
        int bare_date = strlen(query_arg(conn, name)) == 10;
        *since = daytz_day_start(srv->conf.cursor_timezone,
                                 *since + (bare_date ? 12 * 3600 * 1000LL : 0));
    }
    return 0;
}

typedef struct {
    long page, per_page;
} paging_t;

static int paging_args(server_t *srv, struct MHD_Connection *conn, paging_t *p, char *errstr,
                       size_t errstr_size)
{
    long def =
        srv->conf.max_page_size < DEFAULT_PAGE_SIZE ? srv->conf.max_page_size : DEFAULT_PAGE_SIZE;
    if (query_long(conn, srv->conf.page_param, 1, 1000000000L, 1, &p->page, errstr, errstr_size) ||
        query_long(conn, srv->conf.page_size_param, 1, 1000000000L, def, &p->per_page, errstr,
                   errstr_size))
        return -1;
    if (p->per_page > srv->conf.max_page_size)
        p->per_page = srv->conf.max_page_size; /* capped, as real APIs do */
    return 0;
}

static reply_t get_records(server_t *srv, struct MHD_Connection *conn)
{
    char err[512], extra[160];
    int64_t since;
    paging_t pg;
    jbuf_t b;
    size_t start, total, from, to;

    if (since_arg(srv, conn, srv->conf.cursor_param, &since, err, sizeof(err)) ||
        paging_args(srv, conn, &pg, err, sizeof(err)))
        return reply_error(400, "%s", err);
    jbuf_init(&b);
    pthread_mutex_lock(&srv->lock);
    start = dataset_lower_bound(srv->ds, since);
    total = dataset_count(srv->ds) - start;
    from = (size_t)(pg.page - 1) * (size_t)pg.per_page;
    from = from > total ? total : from;
    to = from + (size_t)pg.per_page > total ? total : from + (size_t)pg.per_page;
    render_open(&b, srv->conf.records_path);
    for (size_t i = start + from; i < start + to; i++)
        render_customer(&b, &srv->render, dataset_at(srv->ds, i));
    srv->records_served += to - from;
    pthread_mutex_unlock(&srv->lock);
    snprintf(extra, sizeof(extra), "\"page\":%ld,\"per_page\":%ld,\"total\":%zu", pg.page,
             pg.per_page, total);
    render_close(&b, srv->conf.records_path, extra);
    return reply_take(200, &b);
}

/* Without paging parameters, every deleted id at or after the filter. */
static reply_t get_deleted(server_t *srv, struct MHD_Connection *conn)
{
    char err[512], extra[160] = "";
    int64_t since;
    paging_t pg = {1, 0};
    const dataset_deleted_t *del;
    size_t n, start = 0, total, from, to;
    jbuf_t b;
    int paged = query_arg(conn, srv->conf.page_param) || query_arg(conn, srv->conf.page_size_param);

    if (since_arg(srv, conn, srv->conf.deleted_param, &since, err, sizeof(err)) ||
        (paged && paging_args(srv, conn, &pg, err, sizeof(err))))
        return reply_error(400, "%s", err);
    jbuf_init(&b);
    pthread_mutex_lock(&srv->lock);
    del = dataset_deleted(srv->ds, &n);
    while (start < n && del[start].deleted_at_ms < since)
        start++;
    total = n - start;
    from = paged ? (size_t)(pg.page - 1) * (size_t)pg.per_page : 0;
    from = from > total ? total : from;
    to = !paged || from + (size_t)pg.per_page > total ? total : from + (size_t)pg.per_page;
    render_open(&b, srv->conf.records_path);
    for (size_t i = start + from; i < start + to; i++)
        render_deleted(&b, &srv->render, &del[i]);
    srv->records_served += to - from;
    pthread_mutex_unlock(&srv->lock);
    if (paged)
        snprintf(extra, sizeof(extra), "\"page\":%ld,\"per_page\":%ld,\"total\":%zu", pg.page,
                 pg.per_page, total);
    else
        snprintf(extra, sizeof(extra), "\"total\":%zu", total);
    render_close(&b, srv->conf.records_path, extra);
    return reply_take(200, &b);
}

/* /<stream> or /<stream>/deleted; else 404. */
static reply_t route(server_t *srv, struct MHD_Connection *conn, const char *method,
                     const char *url, const char *body)
{
    size_t sl = strlen(srv->conf.stream);
    int is_get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    int data = 0, deleted = 0;

    if (!strncmp(url, "/admin/", 7))
        return admin_handle(srv, conn, method, url + 7);
    if (!strcmp(url, "/oauth/token")) {
        reply_t fault = take_fault(srv, 1);
        return fault.status ? fault : oauth_token(srv, conn, method, body);
    }
    if (url[0] == '/' && !strncmp(url + 1, srv->conf.stream, sl)) {
        const char *rest = url + 1 + sl;
        data = !strcmp(rest, "") || !strcmp(rest, "/");
        deleted = !strcmp(rest, "/deleted");
    }
    if (!data && !deleted)
        return reply_error(404, "no such resource: %s", url);
    if (!is_get)
        return reply_error(405, "%s: method %s not allowed", url, method);
    reply_t refusal;
    if (!oauth_authorized(srv, conn, &refusal))
        return refusal;
    reply_t fault = take_fault(srv, 0);
    if (fault.status)
        return fault;
    return data ? get_records(srv, conn) : get_deleted(srv, conn);
}

/* A request's body so far (only /oauth/token reads it), at most
 * MAX_BODY bytes: a longer one is answered 413, never read cut short. */
typedef struct {
    char body[MAX_BODY + 1];
    size_t len;
    int too_large;
} upload_t;

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    server_t *srv = cls;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    reply_t r;

    (void)version;
    if (!*con_cls) { /* headers only so far: wait for the body */
        *con_cls = calloc(1, sizeof(upload_t));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    upload_t *up = *con_cls;
    if (*upload_data_size) {
        size_t n = *upload_data_size < MAX_BODY - up->len ? *upload_data_size : MAX_BODY - up->len;
        up->too_large |= n < *upload_data_size;
        memcpy(up->body + up->len, upload_data, n);
        up->len += n;
        up->body[up->len] = '\0';
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (up->too_large)
        r = reply_error(413, "the request body is larger than %d bytes", MAX_BODY);
    else
        r = route(srv, conn, method, url, up->body);
    if (!r.body)
        return MHD_NO; /* out of memory: drop the connection */
    resp = MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(r.body);
        return MHD_NO;
    }
    /* r.body is now owned by resp */
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (r.authenticate)
        MHD_add_response_header(resp, "WWW-Authenticate", r.authenticate);
    if (r.retry_after_s > 0) {
        char ra[24];
        snprintf(ra, sizeof(ra), "%ld", r.retry_after_s);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    ret = MHD_queue_response(conn, r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

server_t *server_new(const server_conf_t *conf, dataset_t *ds, uint16_t port, char *errstr,
                     size_t errstr_size)
{
    server_t *srv = calloc(1, sizeof(*srv));
    struct sockaddr_in sin;
    const union MHD_DaemonInfo *info;

    if (!srv) {
        snprintf(errstr, errstr_size, "out of memory");
        dataset_destroy(ds);
        return NULL;
    }
    srv->conf = *conf;
    srv->ds = ds; /* now owned by srv */
    srv->render = (render_conf_t){conf->id_field, conf->cursor_field, conf->records_path,
                                  dataset_string_ids(ds), dataset_seed(ds)};
    pthread_mutex_init(&srv->lock, NULL);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, port,
        NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)120, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(errstr, errstr_size, "cannot listen on 127.0.0.1:%u", (unsigned)port);
        server_destroy(srv);
        return NULL;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || !info->port) {
        snprintf(errstr, errstr_size, "cannot tell which port was bound");
        server_destroy(srv);
        return NULL;
    }
    return srv;
}

uint16_t server_port(const server_t *srv)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void server_destroy(server_t *srv)
{
    if (!srv)
        return;
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    pthread_mutex_destroy(&srv->lock);
    dataset_destroy(srv->ds);
    free(srv);
}
