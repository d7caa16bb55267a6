/*
 * metrics_listen.c - see metrics_listen.h.
 */
#include "metrics_listen.h"

#include <string.h>

#include "errstr.h"

/* Letters, digits, '.', '-', '_' (a name or an IPv4 address), or for an
 * IPv6 address hex digits, ':' and '.' (getaddrinfo checks the rest). */
static int host_ok(const char *h, size_t n, int v6)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        int hex = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9');
        int alnum = hex || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z');
        if (!((v6 ? hex : alnum) || c == '.' || (v6 ? c == ':' : (c == '-' || c == '_'))))
            return 0;
    }
    return 1;
}

static int port_parse(const char *p, int *port)
{
    long v = 0;
    if (!*p)
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > 65535)
            return -1;
    }
    *port = (int)v;
    return v >= 1 ? 0 : -1;
}

int metrics_listen_parse(const char *s, metrics_listen_t *out, char *why, size_t why_size)
{
    const char *host = s, *colon;
    size_t n;
    int v6 = s[0] == '[';
    if (v6) {
        const char *close = strchr(s, ']');
        colon = close && close[1] == ':' ? close + 1 : NULL;
        host = s + 1;
        n = close ? (size_t)(close - host) : 0;
    } else {
        colon = strrchr(s, ':');
        n = colon ? (size_t)(colon - s) : 0;
        if (colon && memchr(s, ':', n))
            colon = NULL; /* an IPv6 address needs its brackets */
    }
    if (!colon) {
        errstr_set(why, why_size, "'%s': expected host:port (an IPv6 address in brackets)", s);
        return -1;
    }
    if (!host_ok(host, n, v6) || n >= sizeof(out->host)) {
        errstr_set(why, why_size, "'%s': not a host name or address", s);
        return -1;
    }
    if (port_parse(colon + 1, &out->port) != 0) {
        errstr_set(why, why_size, "'%s': the port must be a number from 1 to 65535", s);
        return -1;
    }
    memcpy(out->host, host, n);
    out->host[n] = '\0';
    return 0;
}
