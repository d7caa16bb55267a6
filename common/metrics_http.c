/*
 * metrics_http.c - see metrics_http.h.
 */
#include "metrics_http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "errstr.h"
#include "isotime.h"
#include "metrics_health.h"
#include "metrics_listen.h"
#include "version.h"

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CONTENT_TYPE_TEXT    "text/plain; charset=utf-8"

/*
 * The threads:
 *   - MHD's polling thread (epoll or poll) holds every connection, reads
 *     the requests, answers 404, 405 and /healthz itself and sends every
 *     answer: a connection, slow or idle, costs no thread.
 *   - JOB_THREADS job threads run source->render and source->ready (they
 *     may wait on a probe: PostgreSQL, Kafka) for /metrics and /readyz,
 *     whose connections are suspended meanwhile, then resumed to send the
 *     answer.
 *   - the reaper shuts a connection down whose request is not whole (or
 *     whose answer not sent) REQUEST_DEADLINE_MS after it began: MHD's own
 *     timeout counts inactivity only, and a client trickling a byte every
 *     few seconds would keep its connection for ever.
 */
#define CONNECTION_LIMIT    256 /* a connection is a descriptor, no thread */
#define IDLE_TIMEOUT_S      10  /* MHD: a connection silent this long is closed */
#define REQUEST_DEADLINE_MS 10000
#define REAP_EVERY_MS       500
#define JOB_THREADS         2
#define JOBS_QUEUED_MAX     64   /* past it /metrics and /readyz answer 503 */
#define STOP_SEND_MS        2000 /* a stop waits this long for the answers to go */

/* A /metrics or /readyz request waiting for (or done by) a job thread: the
 * request's MHD context, freed when MHD completes the request. */
typedef struct job {
    struct job *next;
    struct MHD_Connection *conn;
    int readyz; /* else /metrics */
    int done;   /* status, type, body set; the connection resumed */
    unsigned status;
    const char *type;
    char *body; /* malloc'ed; NULL: out of memory */
} job_t;

/* A connection, for the reaper (MHD's socket context). */
typedef struct conn_entry {
    struct conn_entry *prev, *next;
    int fd;
    int64_t deadline_ms; /* monotonic; 0: none (a job holds its request) */
} conn_entry_t;

struct metrics_server {
    struct MHD_Daemon *daemon;
    int fd;
    metrics_source_t source;
    double start_time; /* process_start_time_seconds */
    /* the job queue and the stop flag (job threads, reaper, handler) */
    pthread_mutex_t lock;
    pthread_cond_t wake;      /* a job queued, or stopping */
    pthread_cond_t reap_wake; /* stopping (CLOCK_MONOTONIC) */
    pthread_cond_t sent;      /* a job's request completed (CLOCK_MONOTONIC) */
    job_t *head, *tail;
    size_t queued;
    size_t open; /* jobs queued, under way, or answered and not yet sent */
    int stopping;
    pthread_t jobs[JOB_THREADS];
    size_t n_jobs;
    /* the connections (MHD's thread adds, moves and removes them; the
     * reaper reads them) */
    pthread_mutex_t conns_lock;
    conn_entry_t *conns;
    pthread_t reaper;
    int has_reaper;
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

/* /readyz's status and body, on a job thread. */
static void ready(const metrics_server_t *srv, job_t *job)
{
    char why[512] = "";
    job->type = CONTENT_TYPE_TEXT;
    if (srv->source.ready(srv->source.ctx, why, sizeof(why))) {
        job->status = MHD_HTTP_OK;
        job->body = strdup("ready\n");
    } else {
        job->status = MHD_HTTP_SERVICE_UNAVAILABLE;
        job->body = text_line("not ready: ", why);
    }
}

/* The reaper's entry of conn (NULL: not tracked, out of memory). */
static conn_entry_t *conn_entry(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* conn's deadline: REQUEST_DEADLINE_MS from now, or none (pause). */
static void conn_deadline(metrics_server_t *srv, struct MHD_Connection *conn, int pause)
{
    conn_entry_t *e = conn_entry(conn);
    if (!e)
        return;
    pthread_mutex_lock(&srv->conns_lock);
    e->deadline_ms = pause ? 0 : isotime_monotonic_ms() + REQUEST_DEADLINE_MS;
    pthread_mutex_unlock(&srv->conns_lock);
}

/* Queues reply() and gives the answer REQUEST_DEADLINE_MS to be sent. */
static enum MHD_Result answer(metrics_server_t *srv, struct MHD_Connection *conn, unsigned status,
                              const char *type, char *body)
{
    conn_deadline(srv, conn, 0);
    return reply(conn, status, type, body);
}

/* Hands a /metrics or /readyz request to the job threads: the connection
 * is suspended until one has its answer. 503 at once while stopping or
 * with JOBS_QUEUED_MAX waiting. */
static enum MHD_Result to_job(metrics_server_t *srv, struct MHD_Connection *conn, int readyz,
                              void **con_cls)
{
    job_t *job = calloc(1, sizeof(*job));
    if (!job)
        return answer(srv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR, CONTENT_TYPE_TEXT, NULL);
    job->conn = conn;
    job->readyz = readyz;
    pthread_mutex_lock(&srv->lock);
    const char *refused = srv->stopping                    ? "the server is stopping\n"
                          : srv->queued >= JOBS_QUEUED_MAX ? "busy: too many requests wait\n"
                                                           : NULL;
    if (refused) {
        pthread_mutex_unlock(&srv->lock);
        free(job);
        return answer(srv, conn, MHD_HTTP_SERVICE_UNAVAILABLE, CONTENT_TYPE_TEXT, strdup(refused));
    }
    conn_deadline(srv, conn, 1); /* the job's own probes bound its time */
    *con_cls = job;
    /* suspended before a job thread can see it (and resume it) */
    MHD_suspend_connection(conn);
    if (srv->tail)
        srv->tail->next = job;
    else
        srv->head = job;
    srv->tail = job;
    srv->queued++;
    srv->open++;
    pthread_cond_signal(&srv->wake);
    pthread_mutex_unlock(&srv->lock);
    return MHD_YES;
}

/* On MHD's polling thread: must never wait. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version, (void)upload_data, (void)upload_data_size;
    metrics_server_t *srv = cls;
    job_t *job = *con_cls;
    if (job) {
        if (!job->done) /* not resumed yet: nothing to send */
            return MHD_YES;
        char *body = job->body;
        job->body = NULL;
        return answer(srv, conn, job->status, job->type, body);
    }
    int known = !strcmp(url, "/metrics") || !strcmp(url, "/healthz") || !strcmp(url, "/readyz");
    if (!known)
        return answer(srv, conn, MHD_HTTP_NOT_FOUND, CONTENT_TYPE_TEXT, strdup("not found\n"));
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return answer(srv, conn, MHD_HTTP_METHOD_NOT_ALLOWED, CONTENT_TYPE_TEXT,
                      strdup("method not allowed\n"));
    if (!strcmp(url, "/healthz")) {
        conn_deadline(srv, conn, 0);
        return health(srv, conn);
    }
    return to_job(srv, conn, !strcmp(url, "/readyz"), con_cls);
}

/* MHD: a request ended (answered, or its connection closed). */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    metrics_server_t *srv = cls;
    job_t *job = *con_cls;
    *con_cls = NULL;
    if (job) {
        free(job->body);
        free(job);
        pthread_mutex_lock(&srv->lock);
        srv->open--;
        pthread_cond_broadcast(&srv->sent);
        pthread_mutex_unlock(&srv->lock);
    }
    conn_deadline(srv, conn, 0); /* the next request on the connection */
}

/* MHD: a connection opened or closed; the reaper's list follows. An
 * untracked connection (out of memory) has no deadline but its idle
 * timeout. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    metrics_server_t *srv = cls;
    conn_entry_t *e = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!info || !(e = calloc(1, sizeof(*e))))
            return;
        e->fd = info->connect_fd;
        pthread_mutex_lock(&srv->conns_lock);
        e->deadline_ms = isotime_monotonic_ms() + REQUEST_DEADLINE_MS;
        e->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = e;
        srv->conns = e;
        pthread_mutex_unlock(&srv->conns_lock);
        *socket_context = e;
        return;
    }
    if (!e)
        return;
    /* MHD closes the socket after this: the reaper never sees it reused */
    pthread_mutex_lock(&srv->conns_lock);
    if (e->prev)
        e->prev->next = e->next;
    else
        srv->conns = e->next;
    if (e->next)
        e->next->prev = e->prev;
    pthread_mutex_unlock(&srv->conns_lock);
    free(e);
    *socket_context = NULL;
}

/* A job thread: answers queued requests until stopping and none is left
 * (a suspended connection must be resumed before MHD stops); once
 * stopping, without calling the source. */
static void *job_thread(void *arg)
{
    metrics_server_t *srv = arg;
    pthread_mutex_lock(&srv->lock);
    for (;;) {
        while (!srv->head && !srv->stopping)
            pthread_cond_wait(&srv->wake, &srv->lock);
        job_t *job = srv->head;
        if (!job)
            break;
        if (!(srv->head = job->next))
            srv->tail = NULL;
        srv->queued--;
        int stopping = srv->stopping;
        pthread_mutex_unlock(&srv->lock);
        if (stopping) {
            job->status = MHD_HTTP_SERVICE_UNAVAILABLE;
            job->type = CONTENT_TYPE_TEXT;
            job->body = strdup("the server is stopping\n");
        } else if (job->readyz) {
            ready(srv, job);
        } else {
            job->status = MHD_HTTP_OK;
            job->type = CONTENT_TYPE_METRICS;
            job->body = render_metrics(srv);
        }
        job->done = 1;
        /* the handler may free job as soon as the connection resumes */
        struct MHD_Connection *conn = job->conn;
        MHD_resume_connection(conn);
        pthread_mutex_lock(&srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

/* CLOCK_MONOTONIC's now + ms, for a timed wait on a monotonic cond. */
static struct timespec monotonic_after(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

/* The reaper: every REAP_EVERY_MS, shuts down the connections past their
 * deadline (MHD then reads the end and closes them), until stopping. */
static void *reaper_thread(void *arg)
{
    metrics_server_t *srv = arg;
    pthread_mutex_lock(&srv->lock);
    while (!srv->stopping) {
        struct timespec until = monotonic_after(REAP_EVERY_MS);
        pthread_cond_timedwait(&srv->reap_wake, &srv->lock, &until);
        if (srv->stopping)
            break;
        pthread_mutex_unlock(&srv->lock);
        int64_t now = isotime_monotonic_ms();
        pthread_mutex_lock(&srv->conns_lock);
        for (conn_entry_t *e = srv->conns; e; e = e->next)
            if (e->deadline_ms && e->deadline_ms <= now) {
                shutdown(e->fd, SHUT_RDWR);
                e->deadline_ms = 0; /* once */
            }
        pthread_mutex_unlock(&srv->conns_lock);
        pthread_mutex_lock(&srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
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

/* Stops and joins the job threads and the reaper (every queued job
 * answered, its connection resumed). */
static void stop_threads(metrics_server_t *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->stopping = 1;
    pthread_cond_broadcast(&srv->wake);
    pthread_cond_broadcast(&srv->reap_wake);
    pthread_mutex_unlock(&srv->lock);
    for (size_t i = 0; i < srv->n_jobs; i++)
        pthread_join(srv->jobs[i], NULL);
    srv->n_jobs = 0;
    if (srv->has_reaper)
        pthread_join(srv->reaper, NULL);
    srv->has_reaper = 0;
}

/* Waits, at most STOP_SEND_MS, until every job's answer is sent: a job
 * thread resumes its connection and returns, and MHD's thread then sends
 * the answer; MHD_stop_daemon() would close the connection unanswered. */
static void wait_jobs_sent(metrics_server_t *srv)
{
    struct timespec until = monotonic_after(STOP_SEND_MS);
    pthread_mutex_lock(&srv->lock);
    while (srv->open > 0)
        if (pthread_cond_timedwait(&srv->sent, &srv->lock, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&srv->lock);
}

static void server_free(metrics_server_t *srv)
{
    pthread_cond_destroy(&srv->wake);
    pthread_cond_destroy(&srv->reap_wake);
    pthread_cond_destroy(&srv->sent);
    pthread_mutex_destroy(&srv->lock);
    pthread_mutex_destroy(&srv->conns_lock);
    free(srv);
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
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->reap_wake, &attr);
    pthread_cond_init(&srv->sent, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&srv->wake, NULL);
    pthread_mutex_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->conns_lock, NULL);
    if ((srv->fd = listen_on(listen_s, &l, errstr, errstr_size)) < 0) {
        server_free(srv);
        return NULL;
    }
    /* No limit per client address: every client of a proxy has one. */
    srv->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_LISTEN_SOCKET, srv->fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        srv, MHD_OPTION_END);
    int started = srv->daemon != NULL;
    while (started && srv->n_jobs < JOB_THREADS) {
        if (pthread_create(&srv->jobs[srv->n_jobs], NULL, job_thread, srv) != 0)
            started = 0;
        else
            srv->n_jobs++;
    }
    if (started && pthread_create(&srv->reaper, NULL, reaper_thread, srv) != 0)
        started = 0;
    srv->has_reaper = started;
    if (!started) {
        errstr_set(errstr, errstr_size, "metrics.listen %s: cannot start the HTTP server",
                   listen_s);
        stop_threads(srv);
        if (srv->daemon)
            MHD_stop_daemon(srv->daemon); /* closes the listening socket too */
        else
            close(srv->fd);
        server_free(srv);
        return NULL;
    }
    metrics_heartbeat();
    return srv;
}

void metrics_server_stop(metrics_server_t *srv)
{
    if (!srv)
        return;
    /* first the jobs: MHD may not stop with a connection suspended */
    stop_threads(srv);
    wait_jobs_sent(srv);
    MHD_stop_daemon(srv->daemon); /* closes the connections and the listening socket */
    server_free(srv);
}
