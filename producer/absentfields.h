/*
 * absentfields.h - the schema's fields an API left out of every record of
 * a page, said once in the log.
 *
 * A field the API leaves out is written with the schema's default, or as
 * null when it is nullable without one (convert.h), as Avro reads an
 * older writer. So an API that renames or misspells a field goes on
 * without a word: every record gets the default, and the values under the
 * new name are dropped as members the schema does not name. Such a field
 * is absent from whole pages where it used to be present on every record,
 * which is what is looked for: a field absent from every record of a page
 * is warned about once, and again only after a page where every record had
 * it (a field that is mostly left out, as APIs that omit nulls do, is
 * warned about once per process). A non-nullable field without a usable
 * default is not looked at: its records are dead-lettered, saying so.
 *
 * Cost: a look-up of every such field in a page's first record; the
 * other records are looked at only for the fields absent from it, and
 * for those already warned about.
 *
 * Owns: a flag per field; the record schema is borrowed and must outlive
 * it. One thread. Fails only on ENOMEM (absentfields_new: NULL).
 */
#ifndef TIDEMARK_ABSENTFIELDS_H
#define TIDEMARK_ABSENTFIELDS_H

#include <stddef.h>
#include <jansson.h>

#include "schema.h"

typedef struct absentfields absentfields_t;

/* The watch over rs's top-level fields but skip (the id and the cursor
 * field: their absence is handled where they are read; NULL entries and
 * names the schema lacks are ignored; n_skip of them). NULL on ENOMEM. */
absentfields_t *absentfields_new(const record_schema_t *rs, const char *const *skip, size_t n_skip);
void absentfields_destroy(absentfields_t *af);

/*
 * Looks at one page's records (a JSON array; elements that are not
 * objects are not counted) and logs, at warn, each field newly found
 * absent from all of them (stream and url name where). Returns how many
 * it logged.
 */
size_t absentfields_page(absentfields_t *af, const json_t *records, const char *stream,
                         const char *url);

#endif
