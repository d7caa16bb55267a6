/*
 * recordid.h - a record's id as the run reads it: from the stream's
 * id.field of a record or of a deleted-endpoint item, as text for the
 * event key and the id sets, and the DLQ reason when there is none.
 *
 * Owns nothing. Pure: any thread.
 */
#ifndef TIDEMARK_RECORDID_H
#define TIDEMARK_RECORDID_H

#include <stddef.h>
#include <jansson.h>
#include "config.h"
#include "idset.h"
#include "schema.h"

/* A buffer for any id record_id_read() accepts (the id sets' limit). */
#define RECORD_ID_SIZE (IDSET_MAX_KEY + 1)

/* What record_id_read() found. */
typedef enum record_id_result {
    RECORD_ID_OK = 0,
    RECORD_ID_MISSING = -1,  /* no such field, or not a string or integer, or "" */
    RECORD_ID_TOO_LONG = -2, /* its text needs size bytes or more */
    /* not a value of the id field's type (an int's "4.2", a uuid without
     * its hyphens): buf holds it as written, which is no key of the
     * stream's topic, although PostgreSQL may read it as a row's */
    RECORD_ID_NOT_OF_TYPE = -3
} record_id_result_t;

/* Whether res left an id's text in buf (of its type or not): what the
 * walks that only look an id up, or publish it as written, need. */
static inline int record_id_has_text(record_id_result_t res)
{
    return res == RECORD_ID_OK || res == RECORD_ID_NOT_OF_TYPE;
}

/*
 * The record's id (field of rec) as text into buf: a string as is, an
 * integer in decimal (one beyond int64 as the source wrote it); either as
 * the worker reads an id of the id field's type (idkey.h) where it is one:
 * a uuid's RFC 4122 text in lower case, an int's or long's plain decimal
 * (a deleted endpoint's "005" keyed its delete and tombstone apart from
 * the record's "5", which compaction then kept live). With
 * size = RECORD_ID_SIZE, an id longer than IDSET_MAX_KEY bytes is
 * RECORD_ID_TOO_LONG: no id set (tracker, reconciliation) could hold it.
 */
record_id_result_t record_id_read(const json_t *rec, const char *field, field_type_t type,
                                  char *buf, size_t size);

/* The DLQ reason for an id record_id_read() refused in rec (res: MISSING
 * or TOO_LONG), into why, naming the value where there is one (`4.0`, an
 * object); what ("" or "deleted item: ") leads it. */
void record_id_refused(const stream_conf_t *sc, const json_t *rec, record_id_result_t res,
                       const char *what, char *why, size_t size);

#endif
