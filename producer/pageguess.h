/*
 * pageguess.h - a guess at a page's last cursor value from its body's
 * bytes, before the body is parsed: the value of the last member named
 * as the cursor field. On a page whose records come last (or are followed
 * by members of other names) that is the last record's cursor, which is
 * where a seek walk goes next (pager.h); the page reader asks for that
 * page while it parses this one (getahead.h).
 *
 * Why a guess: parsing a page of 5000 records takes as long as the API's
 * answer to the next request, and the walk's next URL comes from the
 * parsed page, so the two took turns. A guess needs no parse, and it is
 * never trusted: the walk requests what the parsed page says, and takes
 * the guessed answer only when its URL is that one. A wrong guess (the
 * name again in the envelope after the records, a record nesting the
 * name, an escaped name) costs one request.
 *
 * Pure: any thread. Reads the body backwards from its end, so the cost
 * is in the bytes after the member found (about one record).
 */
#ifndef TIDEMARK_PAGEGUESS_H
#define TIDEMARK_PAGEGUESS_H

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>

/*
 * The value of the last member named name in body (len bytes, not
 * necessarily NUL-terminated) into *value (a new reference): a string
 * without escapes or a number that jansson reads (an integer within
 * int64, a real); 1 with one, 0 when there is none such (no member of
 * that name, another kind of value, an escape, a number jansson refuses,
 * a body cut short).
 */
int pageguess_last_value(const char *body, size_t len, const char *name,
                         json_t **value) TM_WARN_UNUSED;

#endif
