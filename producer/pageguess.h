/*
 * pageguess.h - a guess at a value of a page from its body's bytes,
 * before the body is parsed: the value of the last member of a name. Of
 * the cursor field's name, on a page whose records come last (or are
 * followed by members of other names), that is the last record's cursor,
 * which is where a seek walk goes next (pager.h); of next.path's, the
 * next page's token or URL. The page reader asks for that page while it
 * parses this one (getahead.h).
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
 * without escapes, or a number as the page reader makes it (an integer
 * within int64 a json_integer, any other its text: jsonnum.h); 1 with
 * one, 0 when there is none such (no member of that name, another kind
 * of value, an escape, a token that is no JSON number or is longer than
 * 127 bytes, a body cut short).
 */
int pageguess_last_value(const char *body, size_t len, const char *name,
                         json_t **value) TM_WARN_UNUSED;

#endif
