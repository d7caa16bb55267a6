/*
 * url_redact.c - credentials out of URLs that are shown (see url_redact.h).
 */
#include "url_redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "hexnum.h"
#include "log.h"
#include "oauth2_token.h"

#define MASK "***"

static const char *const secret_words[] = {
    "key", "token", "secret", "password", "passwd", "signature", "credential", "auth", NULL};

typedef struct out {
    char *buf;
    size_t size; /* of buf; 0 = only count */
    size_t len;  /* the full length, even past size */
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->size && o->len < o->size - 1) {
        size_t room = o->size - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

/* The %XX-decoded (and '+' as ' ') len bytes of s into out (at most
 * size - 1 of them, NUL-terminated); returns their length. */
static size_t pct_decode(const char *s, size_t len, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < size - 1; i++) {
        int c = (unsigned char)s[i];
        if (c == '%' && i + 2 < len && hexnum_digit(s[i + 1]) >= 0 && hexnum_digit(s[i + 2]) >= 0) {
            c = hexnum_digit(s[i + 1]) * 16 + hexnum_digit(s[i + 2]);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

int url_param_is_secret(const char *name, size_t len)
{
    char dec[256];
    size_t n = pct_decode(name, len, dec, sizeof(dec));
    for (size_t i = 0; i < n; i++)
        dec[i] = (char)tolower((unsigned char)dec[i]);
    for (size_t w = 0; secret_words[w]; w++)
        if (strstr(dec, secret_words[w]))
            return 1;
    return 0;
}

/* name=value pairs separated by '&' or ';', from s to end. */
static void put_params(out_t *o, const char *s, const char *end)
{
    while (s < end) {
        const char *sep = s;
        while (sep < end && *sep != '&' && *sep != ';')
            sep++;
        const char *eq = memchr(s, '=', (size_t)(sep - s));
        if (eq && url_param_is_secret(s, (size_t)(eq - s))) {
            put(o, s, (size_t)(eq - s) + 1);
            put(o, MASK, strlen(MASK));
        } else {
            put(o, s, (size_t)(sep - s));
        }
        if (sep < end)
            put(o, sep, 1);
        s = sep + 1;
    }
}

/* Whether libcurl takes url for a URL (any scheme). */
static int parses(const char *url)
{
    CURLU *h = curl_url();
    int ok = h && curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK;
    curl_url_cleanup(h);
    return ok;
}

static size_t redact(const char *url, out_t *o)
{
    const char *s = url ? url : "";
    const char *end = s + strlen(s);

    /* scheme: and any number of '/' (libcurl reads http:/h and http:///h
     * as http://h), then an authority: mask a userinfo */
    const char *p = s;
    if (isalpha((unsigned char)*p)) {
        while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
            p++;
        if (*p == ':') {
            const char *auth = p + 1 + strspn(p + 1, "/");
            const char *auth_end = auth + strcspn(auth, "/?#");
            const char *at = NULL;
            if (!parses(s)) {
                /* a '/', '?' or '#' in a password ends the authority
                 * early, and makes the URL one libcurl refuses: all up
                 * to the last '@' may be userinfo */
                at = strrchr(auth, '@');
            } else {
                for (const char *q = auth; q < auth_end; q++)
                    if (*q == '@')
                        at = q;
            }
            if (at) {
                put(o, s, (size_t)(auth - s));
                put(o, MASK, strlen(MASK));
                s = at; /* keeps the '@' */
            }
        }
    }
    const char *q = strchr(s, '?');
    const char *h = strchr(s, '#');
    if (q && h && h < q)
        q = NULL; /* a '?' inside the fragment */
    const char *first = q ? q : h;
    if (!first) {
        put(o, s, (size_t)(end - s));
    } else {
        put(o, s, (size_t)(first - s) + 1);
        if (q) {
            const char *qend = h ? h : end;
            put_params(o, q + 1, qend);
            if (h)
                put(o, h, 1);
        }
        if (h)
            put_params(o, h + 1, end);
    }
    if (o->size)
        o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
    return o->len;
}

const char *url_redact(const char *url, char *buf, size_t size)
{
    out_t o = {buf, size, 0};
    if (!buf || size == 0)
        return "";
    redact(url, &o);
    return buf;
}

char *url_redact_dup(const char *url)
{
    out_t count = {NULL, 0, 0};
    size_t n = redact(url, &count) + 1;
    char *buf = malloc(n);
    if (buf) {
        out_t o = {buf, n, 0};
        redact(url, &o);
    }
    return buf;
}

/* value (len bytes, as the URL has it) out of s, as written and decoded */
static void scrub_value(char *s, const char *value, size_t len)
{
    char *raw = strndup(value, len), *dec = malloc(len + 1);
    if (raw && dec) {
        pct_decode(value, len, dec, len + 1);
        oauth2_scrub(s, raw);
        oauth2_scrub(s, dec);
    }
    free(raw);
    free(dec);
}

void url_scrub_secrets(const char *url, char *s)
{
    const char *p = url && s ? strpbrk(url, "?#") : NULL;
    while (p && *p) {
        p++;
        const char *sep = p + strcspn(p, "&;?#");
        const char *eq = memchr(p, '=', (size_t)(sep - p));
        if (eq && url_param_is_secret(p, (size_t)(eq - p)))
            scrub_value(s, eq + 1, (size_t)(sep - eq - 1));
        p = sep;
    }
}

const char *url_redact_quoted(const char *url, char *buf, size_t size)
{
    char red[1024];
    return log_quote(buf, size, url_redact(url, red, sizeof(red)));
}
