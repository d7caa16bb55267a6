/*
 * log.c - one line per event on stderr, logfmt or JSON.
 *
 * A line is built in memory and written with one write(2), so lines from
 * different threads (librdkafka's log callback runs on its own threads)
 * never interleave. The level and format are plain ints written once by
 * log_setup() before any other thread starts, then only read.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isotime.h"
#include "utf8.h"

static int log_level = LOG_INFO;
static int log_json = 0;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_setup(log_level_t level, int json)
{
    log_level = level;
    log_json = json;
}

int log_enabled(log_level_t level)
{
    return (int)level <= log_level;
}

int log_level_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

/* A growable line: starts on the caller's stack, moves to the heap only for
 * long lines. On allocation failure the line is truncated, never lost. */
typedef struct {
    char *p;
    size_t len, cap;
    int heap;
} line_t;

static void put_n(line_t *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        size_t cap = (l->len + n + 1) * 2;
        char *np = l->heap ? realloc(l->p, cap) : malloc(cap);
        if (!np) {
            n = l->cap - l->len - 1;
        } else {
            if (!l->heap)
                memcpy(np, l->p, l->len);
            l->p = np;
            l->cap = cap;
            l->heap = 1;
        }
    }
    memcpy(l->p + l->len, s, n);
    l->len += n;
    l->p[l->len] = '\0';
}

static void put(line_t *l, const char *s)
{
    put_n(l, s, strlen(s));
}

/* A logfmt value needs quotes when it is empty or holds a space, a control
 * character, '=', '"', '\' or a byte that is not UTF-8. UTF-8 stays as
 * it is. */
static int is_plain(const char *s)
{
    if (*s == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '=' || *p == '\\')
            return 0;
        if (*p >= 0x80) {
            size_t n = utf8_seq(p, strnlen((const char *)p, 4));
            if (!n)
                return 0;
            p += n - 1;
        }
    }
    return 1;
}

/* The escape of c inside a quoted value ("" when c needs none). Shared by
 * logfmt and JSON: both use \" \\ \n \r \t and \u00XX for the rest. */
static const char *escape_of(unsigned char c, char tmp[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        if (c < 0x20 || c == 0x7f) {
            snprintf(tmp, 8, "\\u%04x", c);
            return tmp;
        }
        return "";
    }
}

/* The escape of the character at p, whose bytes it sets in *len ("" when
 * it needs none). A byte that starts no UTF-8 character becomes the text
 * \xNN: a log's readers (a shipper, jq) want UTF-8, and the lines that
 * quote bytes that are not (a dead letter's id) are the ones that matter. */
static const char *escape_at(const char *p, size_t *len, char tmp[8])
{
    unsigned char c = (unsigned char)*p;
    *len = 1;
    if (c < 0x80)
        return escape_of(c, tmp);
    size_t n = utf8_seq((const unsigned char *)p, strnlen(p, 4));
    if (n) {
        *len = n;
        return "";
    }
    snprintf(tmp, 8, "\\\\x%02x", c);
    return tmp;
}

/* A backslash at p that starts an escape JSON reads (\" \\ \/ \b \f \n
 * \r \t \uXXXX): what log_quote() wrote. */
static int is_json_escape(const char *p)
{
    if (p[1] && strchr("\"\\/bfnrt", p[1]))
        return 1;
    if (p[1] != 'u')
        return 0;
    for (int i = 2; i < 6; i++)
        if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
            return 0;
    return 1;
}

/*
 * Copies n bytes of the caller's pairs text, escaping what would end or
 * break the line: control bytes (a newline from a value the caller did not
 * quote would start a line of its own, a forged one) and bytes that are
 * not UTF-8. structure: the pairs' own quotes and backslashes are kept, as
 * is (logfmt) or where they form a JSON escape (json); else they are
 * escaped too (a JSON member name).
 */
static void put_pairs_text(line_t *l, const char *s, size_t n, int structure, int json)
{
    const char *run = s, *end = s + n;
    size_t len;

    for (const char *p = s; p < end; p += len) {
        char tmp[8];
        const char *esc = escape_at(p, &len, tmp);
        if (structure && (*p == '"' || (*p == '\\' && !json))) {
            esc = "";
        } else if (structure && *p == '\\' && p + 1 < end && is_json_escape(p)) {
            esc = "";
            len = 2; /* "\\\"" is a quote in the value, not its end */
        }
        if (*esc) {
            put_n(l, run, (size_t)(p - run));
            put(l, esc);
            run = p + len;
        }
    }
    put_n(l, run, (size_t)(end - run));
}

static void put_quoted(line_t *l, const char *s)
{
    const char *run = s;
    size_t len;

    put(l, "\"");
    for (const char *p = s; *p; p += len) {
        char tmp[8];
        const char *esc = escape_at(p, &len, tmp);
        if (*esc) {
            put_n(l, run, (size_t)(p - run));
            put(l, esc);
            run = p + len;
        }
    }
    put(l, run);
    put(l, "\"");
}

const char *log_quote(char *buf, size_t size, const char *s)
{
    size_t o = 0;

    if (!size)
        return buf;
    if (!s)
        s = "";
    if (is_plain(s)) { /* cut, if it must be, between two characters */
        size_t n = strnlen(s, size - 1);
        while (n > 0 && s[n] && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
        memcpy(buf, s, n);
        buf[n] = '\0';
        return buf;
    }
    /* Append whole escapes only, keeping room for the closing quote. */
#define APPEND(str)                                                                                \
    do {                                                                                           \
        size_t n_ = strlen(str);                                                                   \
        if (o + n_ + 2 > size)                                                                     \
            goto done;                                                                             \
        memcpy(buf + o, str, n_);                                                                  \
        o += n_;                                                                                   \
    } while (0)
    APPEND("\"");
    size_t len;
    for (const char *p = s; *p; p += len) {
        char whole[5] = ""; /* a character's bytes: never cut in two */
        char tmp[8];
        const char *esc = escape_at(p, &len, tmp);
        if (!*esc)
            memcpy(whole, p, len);
        APPEND(*esc ? esc : whole);
    }
done:
#undef APPEND
    if (o + 2 <= size && o > 0)
        buf[o++] = '"';
    buf[o < size ? o : size - 1] = '\0';
    return buf;
}

/* Is v a JSON number as written (so it may be emitted bare)? */
static int is_json_number(const char *v, size_t n)
{
    size_t i = 0;
    if (i < n && v[i] == '-')
        i++;
    if (i >= n || v[i] < '0' || v[i] > '9')
        return 0;
    if (v[i] == '0' && i + 1 < n && v[i + 1] >= '0' && v[i + 1] <= '9')
        return 0; /* leading zeros: "007" stays a string */
    while (i < n && v[i] >= '0' && v[i] <= '9')
        i++;
    if (i < n && v[i] == '.') {
        if (++i >= n || v[i] < '0' || v[i] > '9')
            return 0;
        while (i < n && v[i] >= '0' && v[i] <= '9')
            i++;
    }
    return i == n;
}

/* Whether the key k (n bytes) names a member every line has already: a
 * second one would override it in most JSON readers. */
static int is_line_member(const char *k, size_t n)
{
    static const char *const members[] = {"ts", "level", "msg"};
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
        if (n == strlen(members[i]) && !memcmp(k, members[i], n))
            return 1;
    return 0;
}

/* Turns the caller's "k=v k2="quoted v"" pairs into JSON members. A
 * quoted value is a log_quote() result: its escapes are the ones JSON
 * uses, so it is copied through as is. */
static void put_kv_json(line_t *l, const char *kv)
{
    const char *p = kv;

    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *k = p;
        while (*p && *p != '=' && *p != ' ')
            p++;
        size_t klen = (size_t)(p - k);
        put(l, ",\"");
        if (is_line_member(k, klen))
            put(l, "_"); /* a value printed as is held "level=error" */
        put_pairs_text(l, k, klen, 0, 1);
        put(l, "\":");
        if (*p != '=') { /* a bare word: a flag */
            put(l, "true");
            continue;
        }
        p++;
        const char *v = p;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p == '"')
                p++;
            put_pairs_text(l, v, (size_t)(p - v), 1, 1);
            if (p[-1] != '"' || p - v < 2)
                put(l, "\""); /* unterminated: close it */
            continue;
        }
        while (*p && *p != ' ')
            p++;
        size_t vlen = (size_t)(p - v);
        if (is_json_number(v, vlen)) {
            put_n(l, v, vlen);
        } else {
            char *tmp = strndup(v, vlen);
            put_quoted(l, tmp ? tmp : "");
            free(tmp);
        }
    }
}

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* stderr is gone: nothing better to do */
        p += w;
        n -= (size_t)w;
    }
}

void log_write(log_level_t level, const char *msg, const char *kvfmt, ...)
{
    char stack[1024], kvstack[512];
    line_t l = {stack, 0, sizeof(stack), 0};
    char *kv = kvstack;
    int saved_errno = errno; /* callers log, then look at errno */

    if (!log_enabled(level))
        return;
    if ((unsigned)level > LOG_DEBUG)
        level = LOG_DEBUG;

    kvstack[0] = '\0';
    if (kvfmt) {
        va_list ap;
        va_start(ap, kvfmt);
        int n = vsnprintf(kvstack, sizeof(kvstack), kvfmt, ap);
        va_end(ap);
        char *big = n >= (int)sizeof(kvstack) ? malloc((size_t)n + 1) : NULL;
        if (big) { /* else: the pairs are truncated, the line still goes */
            va_start(ap, kvfmt);
            vsnprintf(big, (size_t)n + 1, kvfmt, ap);
            va_end(ap);
            kv = big;
        }
    }

    char ts[ISOTIME_BUFSIZE];
    isotime_format(isotime_now_ms(), ts, sizeof(ts));
    if (log_json) {
        put(&l, "{\"ts\":\"");
        put(&l, ts);
        put(&l, "\",\"level\":\"");
        put(&l, level_names[level]);
        put(&l, "\",\"msg\":");
        put_quoted(&l, msg ? msg : "");
        put_kv_json(&l, kv);
        put(&l, "}\n");
    } else {
        put(&l, "ts=");
        put(&l, ts);
        put(&l, " level=");
        put(&l, level_names[level]);
        put(&l, " msg=");
        if (msg && is_plain(msg))
            put(&l, msg);
        else
            put_quoted(&l, msg ? msg : "");
        if (*kv) {
            put(&l, " ");
            put_pairs_text(&l, kv, strlen(kv), 1, 0);
        }
        put(&l, "\n");
    }
    write_all(l.p, l.len);

    if (kv != kvstack)
        free(kv);
    if (l.heap)
        free(l.p);
    errno = saved_errno;
}
