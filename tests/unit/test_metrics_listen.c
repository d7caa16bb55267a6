/*
 * test_metrics_listen.c - common/metrics_listen.h: the value of
 * metrics.listen, table-driven; and that the configuration refuses a bad
 * one naming the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics_listen.h"

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int ok;
        const char *host;
        int port;
        const char *why; /* a part of the reason */
    } cases[] = {
        {"127.0.0.1:9187", 1, "127.0.0.1", 9187, NULL},
        {"0.0.0.0:1", 1, "0.0.0.0", 1, NULL},
        {"localhost:65535", 1, "localhost", 65535, NULL},
        {"metrics-host_1.example:80", 1, "metrics-host_1.example", 80, NULL},
        {"[::1]:9187", 1, "::1", 9187, NULL},
        {"[::]:9187", 1, "::", 9187, NULL},
        {"[fe80::1:2]:8080", 1, "fe80::1:2", 8080, NULL},
        {"9187", 0, NULL, 0, "expected host:port"},
        {"", 0, NULL, 0, "expected host:port"},
        {":9187", 0, NULL, 0, "not a host"},
        {"host:", 0, NULL, 0, "port must be"},
        {"host:0", 0, NULL, 0, "port must be"},
        {"host:65536", 0, NULL, 0, "port must be"},
        {"host:99999999999999999999", 0, NULL, 0, "port must be"},
        {"host:-1", 0, NULL, 0, "port must be"},
        {"host:80x", 0, NULL, 0, "port must be"},
        {"host: 80", 0, NULL, 0, "port must be"},
        {"host:+80", 0, NULL, 0, "port must be"},
        {"::1:9187", 0, NULL, 0, "expected host:port"},
        {"[::1]9187", 0, NULL, 0, "expected host:port"},
        {"[::1:9187", 0, NULL, 0, "expected host:port"},
        {"[]:9187", 0, NULL, 0, "not a host"},
        {"[host]:9187", 0, NULL, 0, "not a host"},
        {"ho st:80", 0, NULL, 0, "not a host"},
        {"http://h:80", 0, NULL, 0, "expected host:port"},
        {"h/x:80", 0, NULL, 0, "not a host"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        metrics_listen_t l;
        char why[256] = "";
        int rc = metrics_listen_parse(cases[i].in, &l, why, sizeof(why));
        if ((rc == 0) != cases[i].ok)
            fail_msg("case %zu '%s': rc %d (%s)", i, cases[i].in, rc, why);
        if (cases[i].ok) {
            assert_string_equal(l.host, cases[i].host);
            assert_int_equal(l.port, cases[i].port);
        } else if (!strstr(why, cases[i].why) || !strstr(why, cases[i].in)) {
            fail_msg("case %zu '%s': reason '%s' lacks '%s' or the value", i, cases[i].in, why,
                     cases[i].why);
        }
    }
    /* a host longer than the buffer */
    char big[METRICS_HOST_MAX + 16];
    memset(big, 'a', sizeof(big));
    snprintf(big + METRICS_HOST_MAX + 2, 14, ":80");
    metrics_listen_t l;
    char why[512];
    assert_int_equal(metrics_listen_parse(big, &l, why, sizeof(why)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
