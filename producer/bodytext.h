/*
 * bodytext.h - a page body as the UTF-8 that JSON between systems is.
 *
 * RFC 8259: JSON exchanged between systems is UTF-8, and a charset
 * parameter means nothing for application/json. Servers that declare one
 * mostly send UTF-8 all the same (ISO-8859-1 is a Java server's default),
 * and reading their bodies as the declared charset would turn every "é"
 * into "Ã©". So a body that is valid UTF-8 is read as it is, whatever its
 * answer declares, and so is one that holds any character of more than
 * one byte in UTF-8 besides bytes that are not (UTF-8 with a stray byte:
 * that record is dead-lettered, the page's others read right). A body
 * that is neither, or holds a NUL byte (UTF-16), from an answer that
 * declares another charset that iconv knows (ISO-8859-1, windows-1252,
 * utf-16le, Shift_JIS...), is converted from that charset: an old
 * system's Latin-1 JSON is read as it was meant, not dead-lettered record
 * by record as "invalid UTF-8".
 *
 * Owns nothing; the converted body is the caller's. Pure: any thread.
 */
#ifndef TIDEMARK_BODYTEXT_H
#define TIDEMARK_BODYTEXT_H

#include "compiler.h"
#include <stddef.h>

typedef enum {
    BODYTEXT_AS_IS,     /* read body as it is (valid UTF-8, or no charset declared) */
    BODYTEXT_CONVERTED, /* *out (caller frees) holds it in UTF-8, *out_len bytes */
    BODYTEXT_UNREADABLE /* not UTF-8, and not of the declared charset either (or one
                           iconv does not know): read as it is, its bad records
                           dead-lettered */
} bodytext_t;

/*
 * What to read of body (len bytes) whose answer declared charset (""
 * when none: http_charset()). BODYTEXT_CONVERTED sets *out and *out_len;
 * out of memory is BODYTEXT_UNREADABLE too.
 */
bodytext_t bodytext_utf8(const char *body, size_t len, const char *charset, char **out,
                         size_t *out_len) TM_WARN_UNUSED;

#endif
