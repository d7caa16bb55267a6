/*
 * jsonnum.c - JSON numbers kept as their text (see jsonnum.h).
 */
#include "jsonnum.h"

#include <ctype.h>
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
