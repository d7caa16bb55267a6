/*
 * idkey.h - the key of a change event. The envelope id is the key of the
 * row an event changes; made canonical for the type of the stream's id
 * field, it is what two events of one batch are compared by, so that
 * "42", " 42", "+42" and "0042" are one row of an integer column, as
 * PostgreSQL reads them (leading and trailing white space, one sign,
 * decimal digits), and a uuid's 8-4-4-4-12 text in either case is one
 * row (uuidtext.h). The worker compares events so, and the producer the
 * keys of the stream's topic with the ids the API serves (reconcile.h). An
 * upsert's after.<id> that names another row than the
 * envelope does is refused: applied, it would overwrite the row that
 * after names, and two such events in one statement fail it (21000).
 *
 * Pure: no state, any thread.
 */
#ifndef TIDEMARK_IDKEY_H
#define TIDEMARK_IDKEY_H

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>
#include "schema.h"

/*
 * The canonical key of envelope id id for a field of type f->type: for
 * int and long the integer in plain decimal ("42"), for a uuid in RFC 4122
 * text its lower case (other forms as they are: PostgreSQL judges them),
 * else id itself. Into
 * *out (caller frees). 0; -1 with why set when id is not a value of that
 * type (not an integer, out of range); -2 when out of memory.
 */
int idkey_canonical(const schema_field_t *f, const char *id, char **out, char *why,
                    size_t why_size) TM_WARN_UNUSED;

/*
 * The same, in place: id is NUL-terminated text of *len bytes, which its
 * canonical key never outgrows; *len becomes the key's length. 0, or -1
 * when id is not a value of type (not an integer, out of range).
 */
int idkey_canonical_in_place(field_type_t type, char *id, size_t *len) TM_WARN_UNUSED;

/*
 * Whether after (an upsert's row form; NULL for a delete) agrees with the
 * canonical key: 0 when it has no id field, a null one, or the same key;
 * -1 with why saying both values when it names another row.
 */
int idkey_check_after(const schema_field_t *f, const char *key, const json_t *after, char *why,
                      size_t why_size) TM_WARN_UNUSED;

#endif
