/*
 * test_oauth2_renewal.c - common/oauth2.h's early renewal against a
 * loopback token endpoint: a renewal cut short by the cancel flag of the
 * request it was for (a guessed page dropped, producer/getahead.h) is no
 * failure of the token endpoint's: no warning in the log, and the next
 * request renews.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "http.h"
#include "isotime.h"
#include "loopback.h"
#include "oauth2.h"

#define EXPIRES_S 3 /* renewal due in its last tenth: 2.7 s after */

typedef struct endpoint {
    struct MHD_Daemon *d;
    char base[128];
    char body[512];
    size_t body_len;
    atomic_int requests;
    atomic_int *cancel_second; /* the second request sets it, then holds its answer */
} endpoint_t;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static enum MHD_Result on_token(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **con_cls)
{
    (void)url, (void)version;
    endpoint_t *e = cls;
    if (loopback_post_body(method, upload, upload_size, con_cls, e, e->body, sizeof(e->body),
                           &e->body_len))
        return MHD_YES;
    int n = ++e->requests;
    if (n == 2 && e->cancel_second) { /* the request it was for is dropped meanwhile */
        atomic_store(e->cancel_second, 1);
        sleep_ms(2000);
    }
    char body[160];
    snprintf(body, sizeof(body),
             "{\"access_token\":\"t%d\",\"token_type\":\"Bearer\",\"expires_in\":%d}", n,
             EXPIRES_S);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* The auth line for a request whose cancel flag is cancel (NULL: none). */
static char *auth_line(const http_auth_t *auth, const atomic_int *cancel)
{
    char *line = NULL, err[512];
    if (auth->header(auth->opaque, NULL, cancel, &line, err, sizeof(err)) != 0)
        fail_msg("no auth line: %s", err);
    assert_non_null(line);
    return line;
}

/* What fn(arg) writes to stderr, into out. */
static void stderr_of(void (*fn)(void *), void *arg, char *out, size_t size)
{
    char path[] = "/tmp/test_oauth2_renewal.XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    assert_true(fd >= 0 && saved >= 0);
    fflush(stderr);
    dup2(fd, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

typedef struct renewal {
    const http_auth_t *auth;
    const atomic_int *cancel;
    char *line;
} renewal_t;

static void renew(void *arg)
{
    renewal_t *r = arg;
    r->line = auth_line(r->auth, r->cancel);
}

static void test_cancelled_early_renewal(void **state)
{
    (void)state;
    endpoint_t e = {0};
    e.d = loopback_start(on_token, &e, "/token", e.base, sizeof(e.base));
    assert_non_null(e.d);
    stream_conf_t sc = {0};
    sc.name = "items";
    sc.timeout_ms = 10000;
    sc.retry_max_wait_ms = 1000;
    sc.max_response_size = 1 << 20;
    sc.oauth2_token_url = e.base;
    sc.oauth2_client_id = "id";
    sc.oauth2_client_secret = "secret";
    char err[256];
    oauth2_t *o = oauth2_new(&sc, err, sizeof(err));
    assert_non_null(o);
    const http_auth_t *auth = oauth2_auth(o);

    int64_t t0 = isotime_monotonic_ms();
    char *line = auth_line(auth, NULL);
    assert_string_equal(line, "Authorization: Bearer t1");
    free(line);
    while (isotime_monotonic_ms() < t0 + EXPIRES_S * 900 + 50) /* the renewal is due */
        sleep_ms(20);

    atomic_int cancel = 0;
    e.cancel_second = &cancel;
    renewal_t r = {auth, &cancel, NULL};
    char log[4096];
    stderr_of(renew, &r, log, sizeof(log));
    assert_int_equal(e.requests, 2);
    assert_string_equal(r.line, "Authorization: Bearer t1"); /* the current token goes on */
    free(r.line);
    if (strstr(log, "early renewal failed"))
        fail_msg("a renewal cancelled with its request was logged as a failure: %s", log);

    /* the next request renews, not a second later */
    line = auth_line(auth, NULL);
    assert_string_equal(line, "Authorization: Bearer t3");
    free(line);
    oauth2_destroy(o);
    loopback_stop(e.d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancelled_early_renewal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
