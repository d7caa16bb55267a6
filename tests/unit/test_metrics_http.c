/*
 * test_metrics_http.c - common/metrics_http.h on a real socket: the three
 * endpoints and their status codes, content type, 404 and 405, an address
 * in use, a bad address, and a clean stop (no leak under ASan) that sends
 * the answers under way whole; /healthz answered at once while many
 * clients hold half a request and while a /readyz waits on its probe.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_health.h"
#include "metrics_http.h"

typedef struct fake {
    int ready;
    atomic_int renders;  /* render() calls begun (a job thread's, read by the test) */
    int delay_ms;        /* ready() waits this long: a probe that takes its time */
    int render_delay_ms; /* render() waits this long */
    int extra_samples;   /* render() adds this many samples of 1 KiB: a long answer */
} fake_t;

static void sleep_ms(int ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void fake_render(void *ctx, metrics_text_t *out)
{
    fake_t *f = ctx;
    atomic_fetch_add(&f->renders, 1);
    sleep_ms(f->render_delay_ms);
    metrics_text_family(out, "fake_total", "counter", "A fake counter.");
    metrics_label_t l = {"stream", "a\"b"};
    metrics_text_sample(out, "fake_total", &l, 1, 3);
    if (f->extra_samples > 0)
        metrics_text_family(out, "fake_extra", "gauge", "Samples for a long answer.");
    for (int i = 0; i < f->extra_samples; i++) {
        char n[1024];
        snprintf(n, sizeof(n), "%d-%01000d", i, 0); /* few samples, many bytes: quick to render */
        metrics_label_t e = {"n", n};
        metrics_text_sample(out, "fake_extra", &e, 1, i);
    }
}

static int fake_ready(void *ctx, char *why, size_t why_size)
{
    fake_t *f = ctx;
    sleep_ms(f->delay_ms);
    if (!f->ready)
        snprintf(why, why_size, "the fake says no");
    return f->ready;
}

/* A free port on 127.0.0.1 (bound to 0, read, closed). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A socket connected to 127.0.0.1:port that has sent request (any part
 * of one); reads time out after timeout_s, not to hang the test. */
static int http_send_within(int port, const char *request, int timeout_s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {timeout_s, 0};
    assert_true(fd >= 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    return fd;
}

/* http_send_within() 5 s. */
static int http_send(int port, const char *request)
{
    return http_send_within(port, request, 5);
}

/* Reads the answer on fd into buf and closes fd. */
static void http_read(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    close(fd);
}

/* Sends request (a whole HTTP/1.0 request) and reads the answer into buf. */
static void http(int port, const char *request, char *buf, size_t size)
{
    http_read(http_send(port, request), buf, size);
}

static void test_endpoints(void **state)
{
    (void)state;
    static const struct {
        const char *request;
        int ready;
        const char *status, *want[3];
    } cases[] = {
        {"GET /metrics HTTP/1.0\r\n\r\n",
         1,
         "HTTP/1.1 200",
         {"Content-Type: text/plain; version=0.0.4; charset=utf-8",
          "# TYPE fake_total counter\nfake_total{stream=\"a\\\"b\"} 3\n",
          "tidemark_build_info{version=\""}},
        {"GET /metrics HTTP/1.0\r\n\r\n",
         0,
         "HTTP/1.1 200",
         {"# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1", NULL, NULL}},
        {"GET /healthz HTTP/1.0\r\n\r\n", 0, "HTTP/1.1 200", {"\r\n\r\nok\n", NULL, NULL}},
        {"GET /readyz HTTP/1.0\r\n\r\n", 1, "HTTP/1.1 200", {"\r\n\r\nready\n", NULL, NULL}},
        {"GET /readyz HTTP/1.0\r\n\r\n",
         0,
         "HTTP/1.1 503",
         {"not ready: the fake says no\n", NULL, NULL}},
        {"GET / HTTP/1.0\r\n\r\n", 1, "HTTP/1.1 404", {NULL, NULL, NULL}},
        {"GET /metrics/x HTTP/1.0\r\n\r\n", 1, "HTTP/1.1 404", {NULL, NULL, NULL}},
        {"GET /metricsz HTTP/1.0\r\n\r\n", 1, "HTTP/1.1 404", {NULL, NULL, NULL}},
        {"POST /metrics HTTP/1.0\r\nContent-Length: 2\r\n\r\nab",
         1,
         "HTTP/1.1 405",
         {"Allow: GET", NULL, NULL}},
        {"DELETE /readyz HTTP/1.0\r\n\r\n", 1, "HTTP/1.1 405", {NULL, NULL, NULL}},
        {"HEAD /healthz HTTP/1.0\r\n\r\n", 1, "HTTP/1.1 405", {NULL, NULL, NULL}},
    };
    fake_t f = {0};
    metrics_source_t src = {fake_render, fake_ready, &f, 60000};
    int port = free_port();
    char listen[64], err[512] = "", buf[16384];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    metrics_server_t *srv = metrics_server_start(listen, &src, err, sizeof(err));
    if (!srv)
        fail_msg("start: %s", err);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f.ready = cases[i].ready;
        http(port, cases[i].request, buf, sizeof(buf));
        if (strncmp(buf, cases[i].status, strlen(cases[i].status)) != 0)
            fail_msg("case %zu: got\n%s", i, buf);
        for (size_t k = 0; k < 3 && cases[i].want[k]; k++)
            if (!strstr(buf, cases[i].want[k]))
                fail_msg("case %zu: no '%s' in\n%s", i, cases[i].want[k], buf);
    }
    /* the same port again: in use, named */
    metrics_server_t *again = metrics_server_start(listen, &src, err, sizeof(err));
    assert_null(again);
    assert_non_null(strstr(err, listen));
    assert_non_null(strstr(err, "Address already in use"));
    metrics_server_stop(srv);
    /* stopped: the port is free again */
    srv = metrics_server_start(listen, &src, err, sizeof(err));
    assert_non_null(srv);
    metrics_server_stop(srv);
    metrics_server_stop(NULL);
}

static void test_stale_heartbeat(void **state)
{
    (void)state;
    fake_t f = {.ready = 1};
    metrics_source_t src = {fake_render, fake_ready, &f, -1}; /* any age is too old */
    int port = free_port();
    char listen[64], err[512], buf[4096];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    metrics_server_t *srv = metrics_server_start(listen, &src, err, sizeof(err));
    assert_non_null(srv);
    metrics_heartbeat();
    http(port, "GET /healthz HTTP/1.0\r\n\r\n", buf, sizeof(buf));
    assert_int_equal(strncmp(buf, "HTTP/1.1 503", 12), 0);
    assert_non_null(strstr(buf, "last heartbeat was"));
    metrics_server_stop(srv);
}

/* 100 clients that sent half a request and wait (a thread each would take
 * every thread the server has): the three endpoints still answer, and
 * not only once the slow ones are dropped (REQUEST_DEADLINE_MS, 10 s):
 * within half that, a bound no busy machine reaches by chance (1 s did,
 * once, under make check's sanitizer build). */
static void test_slow_clients(void **state)
{
    (void)state;
    fake_t f = {.ready = 1};
    metrics_source_t src = {fake_render, fake_ready, &f, 60000};
    int port = free_port(), slow[100];
    char listen[64], err[512] = "", buf[16384];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    metrics_server_t *srv = metrics_server_start(listen, &src, err, sizeof(err));
    if (!srv)
        fail_msg("start: %s", err);
    for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
        slow[i] = http_send(port, "GET /metrics HTTP/1.1\r\nX-Slow: ");
    static const char *const requests[][2] = {
        {"GET /healthz HTTP/1.0\r\n\r\n", "\r\n\r\nok\n"},
        {"GET /readyz HTTP/1.0\r\n\r\n", "\r\n\r\nready\n"},
        {"GET /metrics HTTP/1.0\r\n\r\n", "fake_total{stream="},
    };
    for (size_t i = 0; i < 3; i++) {
        double t0 = now_s();
        http(port, requests[i][0], buf, sizeof(buf));
        if (strncmp(buf, "HTTP/1.1 200", 12) != 0 || !strstr(buf, requests[i][1]))
            fail_msg("%s with 100 slow clients: got\n%s", requests[i][0], buf);
        if (now_s() - t0 > 5.0)
            fail_msg("%s took %.1f s with 100 slow clients", requests[i][0], now_s() - t0);
    }
    metrics_server_stop(srv); /* with the slow clients still connected */
    for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
        close(slow[i]);
}

/* A /readyz whose probe takes 3 s: /healthz answers meanwhile (within
 * 2.5 s, since waiting for a probe takes 3 s or more; a bound of 1 s
 * once failed test_slow_clients on a loaded machine under the
 * sanitizers, so the bound keeps a wide margin), the /readyz gets its
 * answer, and a stop waits for a probe under way. */
static void test_probe_under_way(void **state)
{
    (void)state;
    fake_t f = {.ready = 1, .delay_ms = 3000};
    metrics_source_t src = {fake_render, fake_ready, &f, 60000};
    int port = free_port();
    char listen[64], err[512] = "", buf[4096];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    metrics_server_t *srv = metrics_server_start(listen, &src, err, sizeof(err));
    if (!srv)
        fail_msg("start: %s", err);
    double t0 = now_s();
    int waiting[3];
    for (size_t i = 0; i < 3; i++) /* more than the job threads */
        waiting[i] = http_send(port, "GET /readyz HTTP/1.0\r\n\r\n");
    http(port, "GET /healthz HTTP/1.0\r\n\r\n", buf, sizeof(buf));
    assert_int_equal(strncmp(buf, "HTTP/1.1 200", 12), 0);
    if (now_s() - t0 > 2.5)
        fail_msg("/healthz took %.1f s while /readyz probed", now_s() - t0);
    http_read(waiting[0], buf, sizeof(buf));
    if (strncmp(buf, "HTTP/1.1 200", 12) != 0 || !strstr(buf, "\r\n\r\nready\n"))
        fail_msg("the slow /readyz: got\n%s", buf);
    /* one more under way: the stop waits for it and answers the rest */
    int last = http_send(port, "GET /readyz HTTP/1.0\r\n\r\n");
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    metrics_server_stop(srv);
    for (size_t i = 1; i < 3; i++) {
        http_read(waiting[i], buf, sizeof(buf));
        if (strncmp(buf, "HTTP/1.1 200", 12) != 0 && strncmp(buf, "HTTP/1.1 503", 12) != 0)
            fail_msg("a /readyz queued at the stop: got\n%s", buf);
    }
    http_read(last, buf, sizeof(buf));
}

/* A client reading one answer on a thread of its own, for a minute at
 * most (a slow machine under the sanitizers renders for seconds). */
typedef struct reader {
    int port;
    const char *request;
    char *buf;
    size_t size;
} reader_t;

static void *reader_thread(void *arg)
{
    reader_t *r = arg;
    http_read(http_send_within(r->port, r->request, 60), r->buf, r->size);
    return NULL;
}

/* Whether answer is a 200 whose body is as long as its Content-Length
 * says and ends with the sample last; else why not, into why. */
static int whole_answer(const char *answer, const char *last, char *why, size_t why_size)
{
    const char *body = strstr(answer, "\r\n\r\n");
    const char *length = strstr(answer, "Content-Length: ");
    if (strncmp(answer, "HTTP/1.1 200", 12) != 0 || !body || !length) {
        snprintf(why, why_size, "got %zu bytes:\n%.300s", strlen(answer), answer);
        return 0;
    }
    body += 4;
    size_t want = strtoul(length + strlen("Content-Length: "), NULL, 10);
    if (strlen(body) != want || !strstr(body, last)) {
        snprintf(why, why_size, "%zu of %zu bytes", strlen(body), want);
        return 0;
    }
    return 1;
}

/* A stop while a long /metrics answer (about 30 MB, more than the sockets
 * hold) is rendered: the stop waits for the render, then for the answer
 * to be sent whole; it does not close the connection under it. */
static void test_stop_sends_answer(void **state)
{
    (void)state;
    fake_t f = {.ready = 1, .render_delay_ms = 300, .extra_samples = 30000};
    metrics_source_t src = {fake_render, fake_ready, &f, 60000};
    int port = free_port();
    char listen[64], err[512] = "", why[512] = "";
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    metrics_server_t *srv = metrics_server_start(listen, &src, err, sizeof(err));
    if (!srv)
        fail_msg("start: %s", err);
    reader_t r = {port, "GET /metrics HTTP/1.0\r\n\r\n", calloc(1, 64 << 20), 64 << 20};
    assert_non_null(r.buf);
    pthread_t reader;
    assert_int_equal(pthread_create(&reader, NULL, reader_thread, &r), 0);
    double deadline = now_s() + 30.0;
    while (atomic_load(&f.renders) == 0 && now_s() < deadline)
        sleep_ms(5);
    int rendering = atomic_load(&f.renders) == 1;
    metrics_server_stop(srv);
    pthread_join(reader, NULL); /* the reader done before anything fails */
    int whole = whole_answer(r.buf, "\"} 29999\n", why, sizeof(why));
    free(r.buf);
    if (!rendering)
        fail_msg("the /metrics request did not reach its render in 30 s");
    if (!whole)
        fail_msg("the /metrics under way at the stop: %s", why);
}

static void test_bad_address(void **state)
{
    (void)state;
    static const struct {
        const char *listen, *want;
    } cases[] = {
        {"nohost", "metrics.listen 'nohost': expected host:port"},
        {"127.0.0.1:0", "the port must be"},
        {"no-such-host.invalid:9187", "metrics.listen no-such-host.invalid:9187: "},
        {"192.0.2.1:9187", "metrics.listen 192.0.2.1:9187: Cannot assign requested address"},
    };
    fake_t f = {.ready = 1};
    metrics_source_t src = {fake_render, fake_ready, &f, 1000};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[512] = "";
        metrics_server_t *srv = metrics_server_start(cases[i].listen, &src, err, sizeof(err));
        assert_null(srv);
        if (!strstr(err, cases[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoints),         cmocka_unit_test(test_stale_heartbeat),
        cmocka_unit_test(test_slow_clients),      cmocka_unit_test(test_probe_under_way),
        cmocka_unit_test(test_stop_sends_answer), cmocka_unit_test(test_bad_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
