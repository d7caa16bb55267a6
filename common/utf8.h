/*
 * utf8.h - what is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), for the page reader, which checks
 * every string an API sends, and for text that must become JSON
 * (jansson takes valid UTF-8 only).
 *
 * Inline: the page reader calls it for every non-ASCII byte it reads.
 * Pure; any thread.
 */
#ifndef TIDEMARK_UTF8_H
#define TIDEMARK_UTF8_H

#include <stddef.h>
#include <string.h>

/* Length of the valid UTF-8 sequence of a non-ASCII lead byte at p (avail
 * bytes there), or 0. */
static inline size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* How many of s's len bytes to quote, at most max, so that no character
 * is cut in two ("%.*s"): max, or fewer, back to a character's first
 * byte. */
static inline int utf8_cut_n(const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    if (n < len) /* cut: not inside a character */
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    return (int)n;
}

/* utf8_cut_n() of the NUL-terminated s. */
static inline int utf8_cut(const char *s, size_t max)
{
    size_t len = 0;
    while (len <= max && s[len])
        len++;
    return utf8_cut_n(s, len, max);
}

/*
 * The most bytes of a value a reason quotes: a longer one (a free text
 * pasted into an enum, a date, a name) is cut there, on a character
 * boundary, with "..." after it, so that the cause written after the
 * value is never what errstr's size cuts off.
 */
#define UTF8_SHOWN_MAX 64

/* The arguments of "%.*s%s" that show s (len bytes) so. A macro that
 * evaluates s twice and len twice (UTF8_SHOWN: strlen twice): give it a
 * name or a call without side effects, and mind the cost of a call. */
#define UTF8_SHOWN_N(s, len)                                                                       \
    utf8_cut_n((s), (len), UTF8_SHOWN_MAX), (s), ((len) > UTF8_SHOWN_MAX ? "..." : "")

/* The same of the NUL-terminated s. */
#define UTF8_SHOWN(s) UTF8_SHOWN_N((s), strlen(s))

/* Bytes of a UTF-8 byte order mark at the start of a body (3), or 0.
 * RFC 8259 lets a parser ignore one, and some servers (.NET, files served
 * as they were saved) send one, before JSON as before anything else. */
static inline size_t utf8_bom(const char *body, size_t len)
{
    const unsigned char *b = (const unsigned char *)body;
    return body && len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf ? 3 : 0;
}

#endif
