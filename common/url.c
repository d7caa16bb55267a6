/*
 * url.c - resolving references and the rules for requesting a URL (see
 * url.h).
 */
#include "url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "errstr.h"
#include "ows.h"
#include "url_redact.h"

/* A handle holding url, or NULL with errstr. */
static CURLU *parse_url(const char *url, char *errstr, size_t errstr_size)
{
    CURLU *h = curl_url();
    if (!h) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    CURLUcode rc = curl_url_set(h, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK) {
        char red[512];
        errstr_set(errstr, errstr_size, "'%s' is not a URL: %s", url_redact(url, red, sizeof(red)),
                   curl_url_strerror(rc));
        curl_url_cleanup(h);
        return NULL;
    }
    return h;
}

int url_resolve(const char *base, const char *ref, char **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (!ref)
        ref = "";
    char *r = ows_dup(ref, strlen(ref));
    if (!r) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    CURLU *h = parse_url(base, errstr, errstr_size);
    if (!h) {
        free(r);
        return -1;
    }
    /* "" and "#f" mean the base itself (RFC 3986 5.2.2); libcurl 7.88
     * would take them as the base's directory. */
    CURLUcode rc = CURLUE_OK;
    if (r[0] != '\0' && r[0] != '#')
        rc = curl_url_set(h, CURLUPART_URL, r, 0);
    if (rc == CURLUE_OK)
        rc = curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0);
    char *u = NULL;
    if (rc == CURLUE_OK)
        rc = curl_url_get(h, CURLUPART_URL, &u, 0);
    if (rc != CURLUE_OK) {
        char red[512];
        errstr_set(errstr, errstr_size, "cannot resolve '%s': %s", url_redact(r, red, sizeof(red)),
                   curl_url_strerror(rc));
    } else if (!(*out = strdup(u))) {
        errstr_set(errstr, errstr_size, "out of memory");
    }
    curl_free(u);
    curl_url_cleanup(h);
    free(r);
    return *out ? 0 : -1;
}

/* The URL's scheme, lower case, into buf; "" when it has none. */
static int scheme_of(const char *url, char *buf, size_t size, char *errstr, size_t errstr_size)
{
    CURLU *h = parse_url(url, errstr, errstr_size);
    if (!h)
        return -1;
    char *s = NULL;
    buf[0] = '\0';
    if (curl_url_get(h, CURLUPART_SCHEME, &s, 0) == CURLUE_OK && s) {
        size_t i = 0;
        for (; s[i] && i < size - 1; i++)
            buf[i] = (char)tolower((unsigned char)s[i]);
        buf[i] = '\0';
    }
    curl_free(s);
    curl_url_cleanup(h);
    return 0;
}

int url_check_follow(const char *from, const char *to, char *errstr, size_t errstr_size)
{
    char to_s[32];
    if (scheme_of(to, to_s, sizeof(to_s), errstr, errstr_size) != 0)
        return -1;
    if (strcmp(to_s, "http") != 0 && strcmp(to_s, "https") != 0) {
        char red[512];
        errstr_set(errstr, errstr_size,
                   "refusing to request '%s': scheme '%s' is not allowed (only http and https)",
                   url_redact(to, red, sizeof(red)), to_s);
        return -1;
    }
    char from_s[32];
    if (from && strcmp(to_s, "http") == 0 &&
        scheme_of(from, from_s, sizeof(from_s), errstr, errstr_size) == 0 &&
        strcmp(from_s, "https") == 0) {
        char red[512];
        errstr_set(errstr, errstr_size, "refusing to follow https to plain http ('%s')",
                   url_redact(to, red, sizeof(red)));
        return -1;
    }
    return 0;
}

#define ORIGIN_MAX 512 /* longer ones are no origin of ours */

/* Where url_same_origin and url_same_path compare: scheme://host:port,
 * lower case, then (with_path) the path without query and fragment. -1
 * when url is NULL, does not parse, or does not fit size. */
static int place_of(const char *url, int with_path, char *buf, size_t size)
{
    char e[8];
    CURLU *h = url ? parse_url(url, e, sizeof(e)) : NULL;
    if (!h)
        return -1;
    char *s = NULL, *host = NULL, *port = NULL, *path = NULL;
    int rc = -1;
    if (curl_url_get(h, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        (!with_path || curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK)) {
        size_t n = (size_t)snprintf(buf, size, "%s://%s:%s", s, host, port);
        if (n < size && n < ORIGIN_MAX) {
            for (char *c = buf; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            rc = !path || (size_t)snprintf(buf + n, size - n, " %s", path) < size - n ? 0 : -1;
        }
    }
    curl_free(s);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(h);
    return rc;
}

static int same_place(const char *a, const char *b, int with_path)
{
    char pa[2048], pb[2048];
    return place_of(a, with_path, pa, sizeof(pa)) == 0 &&
           place_of(b, with_path, pb, sizeof(pb)) == 0 && strcmp(pa, pb) == 0;
}

int url_same_origin(const char *a, const char *b)
{
    return same_place(a, b, 0);
}

int url_same_path(const char *a, const char *b)
{
    return same_place(a, b, 1);
}

int url_canonical_slashes(char **url)
{
    const char *u = *url, *p = u;
    if (!u || !isalpha((unsigned char)*p))
        return 0;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || strspn(p + 1, "/") == 2)
        return 0;
    char e[8];
    CURLU *h = parse_url(u, e, sizeof(e));
    if (!h)
        return 0; /* left for the caller's check to refuse */
    char *canon = NULL, *own = NULL;
    if (curl_url_get(h, CURLUPART_URL, &canon, 0) == CURLUE_OK && canon)
        own = strdup(canon);
    curl_free(canon);
    curl_url_cleanup(h);
    if (!own)
        return -1;
    free(*url);
    *url = own;
    return 0;
}
