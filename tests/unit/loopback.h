/*
 * loopback.h - the loopback HTTP servers of the unit tests: a
 * libmicrohttpd daemon on 127.0.0.1 (a free port, its own thread), with
 * what the client under test needs (http_global_init, the signal
 * handlers), and the collection of a POST's body before the handler
 * answers it.
 *
 * Header only (static functions), for the test files that serve HTTP
 * (test_http.c, test_schema_registry.c, paging_api.h). Fails through
 * cmocka's assertions.
 */
#ifndef TIDEMARK_TEST_LOOPBACK_H
#define TIDEMARK_TEST_LOOPBACK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "http.h"
#include "signals.h"

/* A daemon calling handler(cls, ...) on 127.0.0.1; *base (size bytes)
 * takes "http://127.0.0.1:PORT" and then path. Stop it with
 * loopback_stop. */
static inline struct MHD_Daemon *loopback_start(MHD_AccessHandlerCallback handler, void *cls,
                                                const char *path, char *base, size_t size)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler,
                                            cls, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    assert_non_null(d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(base, size, "http://127.0.0.1:%u%s", (unsigned)info->port, path);
    char err[128];
    assert_int_equal(http_global_init(err, sizeof(err)), 0);
    signals_install();
    return d;
}

static inline void loopback_stop(struct MHD_Daemon *d)
{
    MHD_stop_daemon(d);
    http_global_cleanup();
}

/*
 * For a handler: collects a POST's body into body (cap bytes, kept
 * NUL-terminated; *len bytes so far). 1 while the body is still coming
 * (the handler returns MHD_YES at once), 0 when the request is complete
 * and is to be answered.
 */
static inline int loopback_post_body(const char *method, const char *upload, size_t *upload_size,
                                     void **con_cls, void *cls, char *body, size_t cap, size_t *len)
{
    if (strcmp(method, "POST") != 0)
        return 0;
    if (!*con_cls) {
        *con_cls = cls;
        *len = 0;
        return 1;
    }
    if (!*upload_size)
        return 0;
    size_t k = *upload_size < cap - 1 - *len ? *upload_size : cap - 1 - *len;
    memcpy(body + *len, upload, k);
    body[ *len += k] = '\0';
    *upload_size = 0;
    return 1;
}

#endif
