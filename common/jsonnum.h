/*
 * jsonnum.h - a JSON number kept as its exact text inside a jansson tree.
 *
 * jansson stores a number as json_int_t or double, so 12345678901234567.89
 * or an integer beyond int64 cannot survive json_loadb. The producer's
 * page reader (producer/jsonpage.h) makes every integer that fits int64 a
 * json_integer and every other number one of these: a jansson string
 * whose first byte is NUL, followed by the number's text as the source
 * sent it ("\0" "12345678901234567.89"). No string read from a source can
 * look like that: the reader dead-letters any string holding \u0000.
 * common/convert.c reads decimals, longs and doubles from that text. The
 * worker's row form (common/convert_row.c) holds a float or double inside
 * a record, array or map as one too, its shortest text, and refuses a
 * string there that starts with U+0000 (an event may come from another
 * writer); worker/copyrow.c writes it with jsonnum_dump_callback().
 *
 * Owns nothing: pure functions over values the caller owns. Any thread.
 * Failures: jsonnum_make, jsonnum_value and jsonnum_dumps return NULL on
 * ENOMEM.
 */
#ifndef TIDEMARK_JSONNUM_H
#define TIDEMARK_JSONNUM_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* A new number value of text[0..len) (caller decrefs), or NULL (ENOMEM). */
json_t *jsonnum_make(const char *text, size_t len);

/* The JSON number text[0..len) (its grammar checked by the caller) as
 * the page reader keeps it: an integer within int64 a json_integer, any
 * other number (a fraction, an exponent, an integer beyond int64) its
 * text (jsonnum_make). The page reader's and its guesses' (pageguess.h)
 * one rule. NULL on ENOMEM. */
json_t *jsonnum_value(const char *text, size_t len);

/* True when v is a number kept as text (see above). */
int jsonnum_is(const json_t *v);

/* The number's text (NUL-terminated, borrowed from v), or NULL if v is
 * not one. */
const char *jsonnum_text(const json_t *v);

/* True when v is a number kept as text whose text is an integer
 * ("-?digits": no point, no exponent). */
int jsonnum_is_integer(const json_t *v);

/* True when s is digits, then a '.' and digits or nothing ("3600",
 * "3600.5", "1."): how APIs write a count of seconds in a string. No
 * sign, no exponent, not empty. */
int jsonnum_is_plain_unsigned(const char *s);

/* What text is as a JSON number (RFC 8259 grammar, the whole of it):
 * JSONNUM_INTEGER ("-?(0|[1-9][0-9]*)"), JSONNUM_REAL (with a fraction
 * or an exponent), or JSONNUM_NOT ("", "+1", "012", "0x1A", ".5", "1.",
 * "inf", "NaN", " 1"). How a number sent as a string is told from text
 * that strtod or strtoll would also read. */
typedef enum { JSONNUM_NOT = 0, JSONNUM_INTEGER, JSONNUM_REAL } jsonnum_syntax_t;
jsonnum_syntax_t jsonnum_syntax(const char *text);

/* True when v is a JSON string that is not a number kept as text. */
int jsonnum_is_string(const json_t *v);

/*
 * The JSON number text (RFC 8259 grammar) as a plain decimal without an
 * exponent, exactly ("1.5e3" -> "1500", "-12e-3" -> "-0.012"), into buf.
 * Returns 0, or -1 when text is not a JSON number or the result needs
 * size bytes or more (1e400 needs 402).
 */
int jsonnum_to_plain(const char *text, char *buf, size_t size) TM_WARN_UNUSED;

/*
 * The number text (a JSON number, or digits with a '.' as
 * jsonnum_is_plain_unsigned() takes them) times 10^scale (0 to 6), the
 * rest cut toward minus infinity, exactly: "1097083673.126" seconds is
 * 1097083673126 ms, where strtod() times 1000 gives ...125.99998 and a
 * floor cuts it a millisecond early. Returns 0; -1 when text is not such
 * a number or the result is outside [min, max].
 */
int jsonnum_scaled_floor(const char *text, int scale, int64_t min, int64_t max,
                         int64_t *out) TM_WARN_UNUSED;

/* Bytes jsonnum_int_text() may write: "-9223372036854775808" and a NUL. */
#define JSONNUM_INT_TEXT_SIZE 21

/* v's decimal text into buf, NUL-terminated; returns its length. Why not
 * snprintf("%lld"): the producer writes every integer record id so, and
 * snprintf's format machinery was 2% of its main thread in a profile (too
 * little to show in alternating runs of the whole producer). */
size_t jsonnum_int_text(json_int_t v, char buf[JSONNUM_INT_TEXT_SIZE]);

/* json_dumps(v, flags) with every number kept as text written as that
 * text. Caller frees; NULL on ENOMEM. */
char *jsonnum_dumps(const json_t *v, size_t flags);

/* json_dump_callback(v, fn, data, flags) with every number kept as text
 * written as that text, as jsonnum_dumps() writes it, without building
 * the whole text first. Returns json_dump_callback()'s result. */
int jsonnum_dump_callback(const json_t *v, json_dump_callback_t fn, void *data, size_t flags);

/* Bytes jsonnum_real_text() may write, its NUL included. */
#define JSONNUM_REAL_TEXT_SIZE 32

/*
 * The shortest decimal text of finite d that reads back as the same
 * double (%.15g to %.17g), or with is_float (d a float widened) as the
 * same float (%.6g to %.9g): 0.1, not the 0.10000000149011612 the
 * widened float is, digits the source never sent. Written as jansson
 * writes a real: ".0" after an integral value ("3.0", "-0.0"), the
 * exponent without '+' or leading zeros ("1e20", "1e-5"). Returns its
 * length.
 */
size_t jsonnum_real_text(double d, int is_float, char buf[JSONNUM_REAL_TEXT_SIZE]);

#endif
