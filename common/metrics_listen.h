/*
 * metrics_listen.h - the value of metrics.listen: "host:port", where host
 * is an IPv4 address, a name, or an IPv6 address in brackets
 * ("[::1]:9187"), and port a decimal 1..65535. Pure; any thread. Fails
 * with the reason in why.
 */
#ifndef TIDEMARK_METRICS_LISTEN_H
#define TIDEMARK_METRICS_LISTEN_H

#include "compiler.h"
#include <stddef.h>

#define METRICS_HOST_MAX 256

typedef struct metrics_listen {
    char host[METRICS_HOST_MAX]; /* without the brackets */
    int port;
} metrics_listen_t;

/* 0 with *out, or -1 with why ("'x': ..."). */
int metrics_listen_parse(const char *s, metrics_listen_t *out, char *why,
                         size_t why_size) TM_WARN_UNUSED;

#endif
