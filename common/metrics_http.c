/*
 * metrics_http.c - see metrics_http.h.
 */
#include "metrics_http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "errstr.h"
#include "metrics_health.h"
#include "metrics_listen.h"
#include "version.h"

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CONTENT_TYPE_TEXT    "text/plain; charset=utf-8"

struct metrics_server {
    struct MHD_Daemon *daemon;
    int fd;
    metrics_source_t source;
    double start_time; /* process_start_time_seconds */
};

/* The process's start, in seconds since the epoch: from /proc (the
 * kernel's clock ticks since boot), else now. */
static double process_start_seconds(void)
{
    struct timespec real, mono;
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_BOOTTIME, &mono);
    double now = (double)real.tv_sec + (double)real.tv_nsec / 1e9;
    FILE *f = fopen("/proc/self/stat", "r");
    char line[1024];
    size_t n = f ? fread(line, 1, sizeof(line) - 1, f) : 0;
    if (f)
        fclose(f);
    line[n] = '\0';
    char *p = strrchr(line, ')'); /* the command name may hold spaces */
    unsigned long long ticks = 0;
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    long hz = sysconf(_SC_CLK_TCK);
    if (!p || sscanf(p, " %llu", &ticks) != 1 || hz <= 0)
        return now;
    double uptime = (double)mono.tv_sec + (double)mono.tv_nsec / 1e9;
    return now - uptime + (double)ticks / (double)hz;
}

static char *render_metrics(const metrics_server_t *srv)
{
    metrics_text_t t = {0};
    srv->source.render(srv->source.ctx, &t);
    metrics_text_single(&t, "process_start_time_seconds", "gauge",
                        "Start time of the process since unix epoch in seconds.", srv->start_time);
    metrics_text_family(&t, "tidemark_build_info", "gauge",
                        "Always 1; the version label says which build runs.");
    metrics_label_t version = {"version", TIDEMARK_VERSION};
    metrics_text_sample(&t, "tidemark_build_info", &version, 1, 1);
    return metrics_text_take(&t);
}

/* Queues body (malloc'ed, freed here) with status; a NULL body (out of
 * memory) is a 500. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
                             char *body)
{
    static char oom[] = "out of memory\n";
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(sizeof(oom) - 1, oom, MHD_RESPMEM_PERSISTENT);
    if (!body)
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET");
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* prefix + why + "\n", for a body (caller frees); NULL on ENOMEM. */
static char *text_line(const char *prefix, const char *why)
{
    size_t n = strlen(prefix) + strlen(why) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s\n", prefix, why);
    return s;
}

static enum MHD_Result health(const metrics_server_t *srv, struct MHD_Connection *conn)
{
    int64_t age = metrics_heartbeat_age_ms();
    char why[128];
    if (age >= 0 && age <= srv->source.stale_ms)
        return reply(conn, MHD_HTTP_OK, CONTENT_TYPE_TEXT, strdup("ok\n"));
    if (age < 0)
        snprintf(why, sizeof(why), "no heartbeat from the main loop yet");
    else
        snprintf(why, sizeof(why), "the main loop's last heartbeat was %lld ms ago (limit %lld)",
                 (long long)age, (long long)srv->source.stale_ms);
    return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, CONTENT_TYPE_TEXT, text_line("", why));
}

static enum MHD_Result ready(const metrics_server_t *srv, struct MHD_Connection *conn)
{
    char why[512] = "";
    if (srv->source.ready(srv->source.ctx, why, sizeof(why)))
        return reply(conn, MHD_HTTP_OK, CONTENT_TYPE_TEXT, strdup("ready\n"));
    return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, CONTENT_TYPE_TEXT,
                 text_line("not ready: ", why));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version, (void)upload_data, (void)upload_data_size, (void)con_cls;
    const metrics_server_t *srv = cls;
    int known = !strcmp(url, "/metrics") || !strcmp(url, "/healthz") || !strcmp(url, "/readyz");
    if (!known)
        return reply(conn, MHD_HTTP_NOT_FOUND, CONTENT_TYPE_TEXT, strdup("not found\n"));
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, CONTENT_TYPE_TEXT,
                     strdup("method not allowed\n"));
    if (!strcmp(url, "/metrics"))
        return reply(conn, MHD_HTTP_OK, CONTENT_TYPE_METRICS, render_metrics(srv));
    return !strcmp(url, "/healthz") ? health(srv, conn) : ready(srv, conn);
}

/* A listening socket bound to l. -1 with errstr naming the address. */
static int listen_on(const char *listen_s, const metrics_listen_t *l, char *errstr,
                     size_t errstr_size)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    char port[16];
    snprintf(port, sizeof(port), "%d", l->port);
    int gai = getaddrinfo(l->host, port, &hints, &ai);
    if (gai != 0) {
        errstr_set(errstr, errstr_size, "metrics.listen %s: %s", listen_s, gai_strerror(gai));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
        errstr_set(errstr, errstr_size, "metrics.listen %s: %s", listen_s, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

metrics_server_t *metrics_server_start(const char *listen_s, const metrics_source_t *source,
                                       char *errstr, size_t errstr_size)
{
    metrics_listen_t l;
    char why[512];
    if (metrics_listen_parse(listen_s, &l, why, sizeof(why)) != 0) {
        errstr_set(errstr, errstr_size, "metrics.listen %s", why);
        return NULL;
    }
    metrics_server_t *srv = calloc(1, sizeof(*srv));
    if (!srv) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    srv->source = *source;
    srv->start_time = process_start_seconds();
    if ((srv->fd = listen_on(listen_s, &l, errstr, errstr_size)) < 0) {
        free(srv);
        return NULL;
    }
    /* A thread per connection: /healthz must answer while a /readyz or a
     * scrape waits on a slow PostgreSQL or Kafka (a liveness probe that
     * times out restarts a healthy process). A few connections per
     * client, so that one slow client cannot take them all. */
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
        NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, srv->fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)32, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)8,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10, MHD_OPTION_END);
    if (!srv->daemon) {
        errstr_set(errstr, errstr_size, "metrics.listen %s: cannot start the HTTP server",
                   listen_s);
        close(srv->fd);
        free(srv);
        return NULL;
    }
    metrics_heartbeat();
    return srv;
}

void metrics_server_stop(metrics_server_t *srv)
{
    if (!srv)
        return;
    MHD_stop_daemon(srv->daemon); /* closes the listening socket too */
    free(srv);
}
