/*
 * test_metrics_http.c - common/metrics_http.h on a real socket: the three
 * endpoints and their status codes, content type, 404 and 405, an address
 * in use, a bad address, and a clean stop (no leak under ASan).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_health.h"
#include "metrics_http.h"

typedef struct fake {
    int ready;
    int renders;
} fake_t;

static void fake_render(void *ctx, metrics_text_t *out)
{
    fake_t *f = ctx;
    f->renders++;
    metrics_text_family(out, "fake_total", "counter", "A fake counter.");
    metrics_label_t l = {"stream", "a\"b"};
    metrics_text_sample(out, "fake_total", &l, 1, 3);
}

static int fake_ready(void *ctx, char *why, size_t why_size)
{
    fake_t *f = ctx;
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

/* Sends request (a whole HTTP/1.0 request) and reads the answer into buf. */
static void http(int port, const char *request, char *buf, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    close(fd);
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
    fake_t f = {1, 0};
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
    fake_t f = {1, 0};
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
        cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_stale_heartbeat),
        cmocka_unit_test(test_bad_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
