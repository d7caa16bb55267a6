/*
 * bodytext.c - see bodytext.h.
 */
#include "bodytext.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <strings.h>

#include "utf8.h"

/* Whether len bytes at s are to be read as UTF-8: no NUL byte (JSON text
 * holds none; UTF-16 holds one in every ASCII character), and either
 * every byte is UTF-8 or some character of more than one byte is. Text
 * of a single-byte charset almost never forms one ("Ã©" would), while
 * UTF-8 labelled ISO-8859-1 holds many: one stray byte in such a body
 * must cost its record, not turn every "ü" of the page into "Ã¼". */
static int reads_as_utf8(const unsigned char *s, size_t len)
{
    int multibyte = 0, invalid = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == 0)
            return 0;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq(s + i, len - i);
        multibyte |= n > 0;
        invalid |= n == 0;
        i += n ? n : 1;
    }
    return !invalid || multibyte;
}

static int names_utf8(const char *charset)
{
    return !strcasecmp(charset, "utf-8") || !strcasecmp(charset, "utf8");
}

/* Runs cd over the whole body, then ends its shift state, into a buffer
 * that grows as needed. -1 on a byte not of the charset (EILSEQ, or
 * EINVAL: a character cut at the end) or out of memory. */
static int run_iconv(iconv_t cd, const char *body, size_t len, char **out, size_t *out_len)
{
    char *in = (char *)body, *buf = NULL;
    size_t in_left = len, cap = len + 16, used = 0;
    int ending = 0;
    for (;;) {
        char *grown = realloc(buf, cap + 1); /* and a NUL */
        if (!grown)
            break;
        buf = grown;
        char *o = buf + used;
        size_t o_left = cap - used;
        size_t rc =
            ending ? iconv(cd, NULL, NULL, &o, &o_left) : iconv(cd, &in, &in_left, &o, &o_left);
        used = (size_t)(o - buf);
        if (rc == (size_t)-1 && errno == E2BIG) {
            cap *= 2;
            continue;
        }
        if (rc == (size_t)-1)
            break;
        if (!ending) {
            ending = 1;
            continue;
        }
        buf[used] = '\0';
        *out = buf;
        *out_len = used;
        return 0;
    }
    free(buf);
    return -1;
}

/* body converted from charset to UTF-8 into *out, or -1 (a byte that is
 * not of charset, an unknown charset, out of memory). */
static int convert(const char *body, size_t len, const char *charset, char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return -1;
    int rc = run_iconv(cd, body, len, out, out_len);
    iconv_close(cd);
    return rc;
}

bodytext_t bodytext_utf8(const char *body, size_t len, const char *charset, char **out,
                         size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!charset[0] || names_utf8(charset) || reads_as_utf8((const unsigned char *)body, len))
        return BODYTEXT_AS_IS;
    return convert(body, len, charset, out, out_len) == 0 ? BODYTEXT_CONVERTED
                                                          : BODYTEXT_UNREADABLE;
}
