/*
 * convert.h - between a source JSON record and an Avro value of its
 * record schema, in both directions.
 *
 * JSON -> Avro accepts what REST APIs send: for a decimal a JSON string
 * ("1234.50") or number; for timestamp-millis/micros an ISO-8601 string or
 * an integer of epoch milliseconds (of epoch seconds or milliseconds, a
 * fraction or digits in a string allowed, in a field whose epoch_unit is
 * a cursor's; local-timestamp-millis/micros the same,
 * without a UTC offset); for a uuid its 8-4-4-4-12 hex text (stored lower
 * case); for time-millis/micros "HH:MM:SS[.fraction]" or milliseconds after
 * midnight; for a date "YYYY-MM-DD"; for bytes a
 * base64 string; for int/long a JSON integer, for float/double a JSON
 * number (or a string holding one as JSON spells it: "42", "1.5", not
 * "0x1A" or "inf"); for an enum one of its symbols; nested
 * record/array/map recursively, a logical type there in the same forms as
 * at the top level, a value of a union to a branch of its own JSON type
 * first (a string to a string, an integer to a long), to another only
 * when none takes it. A
 * missing or null member is Avro null for a nullable field and an error
 * otherwise. Members the schema does not name are ignored.
 *
 * A JSON number kept as its text (common/jsonnum.h, as the producer's page
 * reader makes every number that is not an int64) is read from that text:
 * a decimal gets every digit (more fraction digits than its scale is an
 * error, as for a string), int/long an error when out of range, float/
 * double strtod's value (an error when it is not finite, as 1e400). A
 * json_real (only from callers that used jansson's parser) goes through
 * its double.
 *
 * Avro -> JSON gives the "row form" that PostgreSQL's
 * jsonb_populate_record() turns into the column types (README "PostgreSQL"): decimal
 * as an exact decimal string ("1234.50"), timestamps as
 * "2026-11-25T12:00:00.123Z" (local timestamps without the "Z"), times as
 * "12:00:00.123" or "12:00:00.123456", a uuid as its lower-case text,
 * date as "2026-11-25", bytes as "\\x0a0b"
 * (bytea hex), enum as its symbol, record/array/map as JSON (logical types
 * inside as the same text, bytes as base64, a float or double as a number
 * kept as text, common/jsonnum.h: its shortest text that reads back as
 * the same value), null as null. A top-level float or double is a
 * json_real.
 *
 * Stateless; safe from any thread on distinct values (and writers).
 */
#ifndef TIDEMARK_CONVERT_H
#define TIDEMARK_CONVERT_H

#include "compiler.h"
#include <stddef.h>
#include <avro.h>
#include <jansson.h>
#include "avroenc.h"
#include "schema.h"

/*
 * Appends to out the Avro binary of the JSON object obj as a datum of
 * rs->avro (e.g. after the branch index of a change event's "after").
 * Returns 0, or -1 with errstr "field 'balance': '12.345' has more than 2
 * decimal places" (which field and why) and out holding part of the
 * datum: the caller drops it (avroenc_reset, or its own mark).
 */
int convert_json_to_avro(const record_schema_t *rs, const json_t *obj, avroenc_t *out, char *errstr,
                         size_t errstr_size) TM_WARN_UNUSED;

/*
 * Returns a new JSON object (caller json_decref()s) in row form from the
 * Avro record value in, or NULL with errstr set. Fields are found by name:
 * a record resolved from an older writer may lack some, which then take
 * their default from rs (null for a nullable field without one). A float
 * or double NaN/Infinity becomes the string "NaN"/"Infinity"/"-Infinity";
 * a decimal with more digits than its precision is an error, and so is a
 * string inside a record, array or map that starts with U+0000 (it would
 * read as a number kept as text).
 */
json_t *convert_avro_to_row(const record_schema_t *rs, avro_value_t *in, char *errstr,
                            size_t errstr_size);

/*
 * Where each of rs's fields sits in a record of in_schema (NULL: rs's own
 * shape): rs->n_fields indexes, -1 for a field in_schema lacks, in a new
 * array the caller frees; NULL on ENOMEM. avro-c finds a field by name
 * with string compares, once per field of every record (6% of the
 * worker's CPU): a decoder that reads many records of one schema looks
 * them up once (convert_avro_to_row_at).
 */
int *convert_row_fields_at(const record_schema_t *rs, avro_schema_t in_schema);

/* convert_avro_to_row() with the fields at at (convert_row_fields_at() of
 * in's schema; NULL: looked up by name). */
json_t *convert_avro_to_row_at(const record_schema_t *rs, avro_value_t *in, const int *at,
                               char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Decimal helpers, exposed for tests: text <-> two's-complement big-endian
 * unscaled bytes at the given scale. decimal_from_text rejects more
 * fraction digits than scale, more than precision digits, and a negative
 * scale.
 */
int decimal_from_text(const char *text, int precision, int scale, unsigned char *buf,
                      size_t bufsize, size_t *len_out, char *errstr,
                      size_t errstr_size) TM_WARN_UNUSED;
/*
 * decimal_to_text returns 0; -1 when buf is too small or memory runs out;
 * -2 when the value is past PostgreSQL's numeric limits (more than
 * DECIMAL_MAX_INT_DIGITS digits before the point, or a scale above
 * DECIMAL_MAX_SCALE), refused from the bit length before converting when
 * it can be. buf needs 2.41 * len + scale + 4 bytes at most. Time grows
 * as len^2 / 36 (base-10^9 limbs): 40 KB takes about 0.1 s.
 */
int decimal_to_text(const unsigned char *bytes, size_t len, int scale, char *buf,
                    size_t size) TM_WARN_UNUSED;

#define DECIMAL_MAX_INT_DIGITS 131072 /* PostgreSQL numeric: before the point */
#define DECIMAL_MAX_SCALE      16383  /* and after it */

/* A lower bound (exact or one less) of the decimal digits of the unscaled
 * value's magnitude (1 for zero), from its bit length: linear time. */
size_t decimal_digits_min(const unsigned char *bytes, size_t len);

#endif
