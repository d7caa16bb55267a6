/*
 * jsonnum.c - JSON numbers kept as their text (see jsonnum.h).
 */
#include "jsonnum.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXP_CAP 1000000000L /* |exponent| beyond this cannot fit any buffer */

json_t *jsonnum_make(const char *text, size_t len)
{
    char small[64], *buf = len + 1 <= sizeof(small) ? small : malloc(len + 1);
    if (!buf)
        return NULL;
    buf[0] = '\0';
    memcpy(buf + 1, text, len);
    json_t *v = json_stringn_nocheck(buf, len + 1);
    if (buf != small)
        free(buf);
    return v;
}

json_t *jsonnum_value(const char *text, size_t len)
{
    /* int64 when it fits: the magnitude limit depends on the sign */
    int neg = len > 0 && text[0] == '-';
    uint64_t mag = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    size_t i = (size_t)neg;
    for (; i < len; i++) {
        unsigned d = (unsigned)(text[i] - '0');
        if (d > 9 || mag > (lim - d) / 10)
            break;
        mag = mag * 10 + d;
    }
    if (i > (size_t)neg && i == len)
        return json_integer(neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)mag)
                                : (json_int_t)mag);
    return jsonnum_make(text, len);
}

int jsonnum_is(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) >= 2 && json_string_value(v)[0] == '\0';
}

const char *jsonnum_text(const json_t *v)
{
    return jsonnum_is(v) ? json_string_value(v) + 1 : NULL;
}

size_t jsonnum_int_text(json_int_t v, char buf[JSONNUM_INT_TEXT_SIZE])
{
    /* the magnitude as unsigned: -INT64_MIN does not fit json_int_t */
    unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char rev[JSONNUM_INT_TEXT_SIZE];
    size_t n = 0, len = 0;
    do {
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = rev[--n];
    buf[len] = '\0';
    return len;
}

int jsonnum_is_integer(const json_t *v)
{
    const char *t = jsonnum_text(v);
    if (!t)
        return 0;
    t += *t == '-';
    if (!*t)
        return 0;
    for (; *t; t++)
        if (!isdigit((unsigned char)*t))
            return 0;
    return 1;
}

int jsonnum_is_string(const json_t *v)
{
    return json_is_string(v) && !jsonnum_is(v);
}

int jsonnum_is_plain_unsigned(const char *s)
{
    size_t whole = strspn(s, "0123456789"), n = strlen(s);
    return whole > 0 && (whole == n ||
                         (s[whole] == '.' && strspn(s + whole + 1, "0123456789") == n - whole - 1));
}

/* Past the digits at *p, how many there were. */
static size_t skip_digits(const char **p)
{
    size_t n = strspn(*p, "0123456789");
    *p += n;
    return n;
}

jsonnum_syntax_t jsonnum_syntax(const char *text)
{
    const char *p = text + (*text == '-');
    jsonnum_syntax_t kind = JSONNUM_INTEGER;

    if (*p == '0')
        p++; /* no leading zeros: "012" is not JSON */
    else if (!skip_digits(&p))
        return JSONNUM_NOT;
    if (*p == '.') {
        p++;
        if (!skip_digits(&p))
            return JSONNUM_NOT;
        kind = JSONNUM_REAL;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        p += *p == '+' || *p == '-';
        if (!skip_digits(&p))
            return JSONNUM_NOT;
        kind = JSONNUM_REAL;
    }
    return *p == '\0' ? kind : JSONNUM_NOT;
}

int jsonnum_to_plain(const char *text, char *buf, size_t size)
{
    const char *p = text, *ip, *fp = "";
    size_t fl = 0;
    long exp = 0;
    int neg = *p == '-';

    p += neg;
    if (*p == '0') { /* JSON: no leading zeros */
        ip = p++;
    } else if (*p >= '1' && *p <= '9') {
        for (ip = p; isdigit((unsigned char)*p); p++)
            ;
    } else {
        return -1;
    }
    size_t il = (size_t)(p - ip);
    if (*p == '.') {
        for (fp = ++p; isdigit((unsigned char)*p); p++)
            ;
        if ((fl = (size_t)(p - fp)) == 0)
            return -1;
    }
    if (*p == 'e' || *p == 'E') {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        if (!isdigit((unsigned char)*p))
            return -1;
        for (; isdigit((unsigned char)*p); p++)
            if (exp < EXP_CAP)
                exp = exp * 10 + (*p - '0');
        if (eneg)
            exp = -exp;
    }
    if (*p != '\0')
        return -1;

    /* The digits D = int digits then fraction digits; the point sits after
     * `point` of them. Leading and trailing zeros go (the point moves with
     * the leading ones). */
    size_t nd = il + fl, lead = 0, trail = 0;
#define DIGIT(i) ((i) < il ? ip[i] : fp[(i)-il])
    while (lead < nd && DIGIT(lead) == '0')
        lead++;
    if (lead == nd) { /* zero, whatever its exponent */
        if (size < 2)
            return -1;
        strcpy(buf, "0");
        return 0;
    }
    while (DIGIT(nd - 1 - trail) == '0')
        trail++;
    long long point = (long long)il + exp - (long long)lead;
    long long n = (long long)(nd - lead - trail);
    long long need = neg + (point <= 0 ? 2 - point + n : point >= n ? point : n + 1);
    if (need + 1 > (long long)size)
        return -1;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (point <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (long long i = 0; i < -point; i++)
            *o++ = '0';
    }
    for (long long i = 0; i < n; i++) {
        if (i == point && point > 0)
            *o++ = '.';
        *o++ = DIGIT(lead + (size_t)i);
    }
    for (long long i = n; i < point; i++)
        *o++ = '0';
#undef DIGIT
    *o = '\0';
    return 0;
}

/*
 * json_dumps writes a number kept as text as the string "\u0000TEXT" (the
 * text itself needs no escape). Rewrites each such string, and only a
 * string that starts that way, as TEXT, in place: the result is shorter.
 */
char *jsonnum_dumps(const json_t *v, size_t flags)
{
    static const char marker[] = "\"\\u0000";
    char *s = json_dumps(v, flags);
    if (!s || !strstr(s, marker))
        return s;
    const char *r = s;
    char *w = s;
    while (*r) {
        if (*r != '"') {
            *w++ = *r++;
            continue;
        }
        if (strncmp(r, marker, sizeof(marker) - 1) == 0) { /* a number */
            r += sizeof(marker) - 1;
            while (*r && *r != '"')
                *w++ = *r++;
            r += *r == '"';
            continue;
        }
        *w++ = *r++; /* an ordinary string: copy it through its end */
        while (*r && *r != '"') {
            if (*r == '\\' && r[1])
                *w++ = *r++;
            *w++ = *r++;
        }
        if (*r)
            *w++ = *r++;
    }
    *w = '\0';
    return s;
}

/* What jsonnum_dump_callback() passes on, and what it holds back: the
 * bytes of the marker "\"\\u0000" seen so far, which start either a
 * number kept as text or an ordinary string. */
typedef struct {
    json_dump_callback_t fn;
    void *data;
    size_t held;   /* bytes of the marker matched (not yet passed on) */
    int in_string; /* inside an ordinary string */
    int escaped;   /* the string's previous byte was a backslash */
    int in_number; /* inside a number's text: its closing quote goes */
} numdump_t;

static const char dump_marker[] = "\"\\u0000";
#define MARKER_LEN (sizeof(dump_marker) - 1)

/* One byte that follows held bytes of the marker: 1 when it extends the
 * match, else 0 after passing the held bytes on as an ordinary string's
 * start (-1: the callback failed). */
static int numdump_match(numdump_t *d, char ch)
{
    if (ch == dump_marker[d->held]) {
        if (++d->held == MARKER_LEN) {
            d->held = 0;
            d->in_number = 1;
        }
        return 1;
    }
    if (d->fn(dump_marker, d->held, d->data) != 0)
        return -1;
    d->in_string = 1;
    d->escaped = d->held == 2; /* "\"\\": ch is what the backslash escapes */
    d->held = 0;
    return 0;
}

/* Passes buf[from..to) on, if anything. */
static int numdump_pass(const numdump_t *d, const char *buf, size_t from, size_t to)
{
    return to > from ? d->fn(buf + from, to - from, d->data) : 0;
}

/* The rewrite of jsonnum_dumps() over a stream of chunks, any of which
 * may end inside the marker. Bytes before buf[from] are passed on or
 * held. */
static int numdump_chunk(const char *buf, size_t size, void *data)
{
    numdump_t *d = data;
    size_t from = 0;

    for (size_t i = 0; i < size; i++) {
        char ch = buf[i];
        if (d->held) {
            int m = numdump_match(d, ch);
            if (m < 0)
                return -1;
            if (m) {
                from = i + 1;
                continue;
            }
        }
        if (d->in_number) {
            if (ch == '"') { /* the number's closing quote goes */
                if (numdump_pass(d, buf, from, i) != 0)
                    return -1;
                from = i + 1;
                d->in_number = 0;
            }
        } else if (d->in_string) {
            if (d->escaped)
                d->escaped = 0;
            else if (ch == '\\')
                d->escaped = 1;
            else if (ch == '"')
                d->in_string = 0;
        } else if (ch == '"') { /* a string opens: held until it says which */
            if (numdump_pass(d, buf, from, i) != 0)
                return -1;
            from = i + 1;
            d->held = 1;
        }
    }
    return numdump_pass(d, buf, from, size);
}

int jsonnum_dump_callback(const json_t *v, json_dump_callback_t fn, void *data, size_t flags)
{
    numdump_t d = {fn, data, 0, 0, 0, 0};
    return json_dump_callback(v, numdump_chunk, &d, flags);
}

static int shortest_reads_back(const char *text, double d, int is_float)
{
    return is_float ? strtof(text, NULL) == (float)d : strtod(text, NULL) == d;
}

size_t jsonnum_real_text(double d, int is_float, char buf[JSONNUM_REAL_TEXT_SIZE])
{
    char raw[JSONNUM_REAL_TEXT_SIZE];
    int lo = is_float ? 6 : 15, hi = is_float ? 9 : 17;

    for (int prec = lo; prec <= hi; prec++) {
        snprintf(raw, sizeof(raw), "%.*g", prec, d);
        if (shortest_reads_back(raw, d, is_float))
            break;
    }
    /* jansson's spelling: "1e+20" as "1e20", "1e-05" as "1e-5" */
    size_t n = 0;
    const char *r = raw;
    for (; *r && *r != 'e'; r++)
        buf[n++] = *r;
    if (*r == 'e') {
        buf[n++] = *r++;
        if (*r == '-')
            buf[n++] = *r++;
        else if (*r == '+')
            r++;
        while (*r == '0' && r[1])
            r++;
        while (*r)
            buf[n++] = *r++;
        buf[n] = '\0';
        return n;
    }
    buf[n] = '\0';
    if (strspn(buf, "-0123456789") == n) { /* integral: still a real */
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    return n;
}

int jsonnum_scaled_floor(const char *text, int scale, int64_t min, int64_t max, int64_t *out)
{
    char plain[64];
    const char *p = text;

    /* 1.7e9 written plainly; "1." (a plain count of seconds) is no JSON */
    if (jsonnum_to_plain(text, plain, sizeof(plain)) == 0)
        p = plain;
    else if (!jsonnum_is_plain_unsigned(text))
        return -1;
    int neg = *p == '-';
    p += neg;
    int64_t v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (*p == '.')
        p++;
    for (int i = 0; i < scale; i++) {
        int digit = isdigit((unsigned char)*p) ? *p++ - '0' : 0;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + digit;
    }
    int cut = 0; /* a nonzero digit past the scale */
    for (; isdigit((unsigned char)*p); p++)
        cut |= *p != '0';
    if (*p != '\0')
        return -1;
    if (neg)
        v = -v - cut; /* toward minus infinity, as floor() */
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
