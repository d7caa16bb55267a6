/*
 * fuzz_convert.c - a source record through the producer's whole path to
 * a change event, and back as the worker reads it: the body is read as
 * the page reader does (jsonpage_parse, records.path ""), each good record
 * is converted to Avro against a schema of every type of the mapping
 * (fuzz_schema.h) and encoded (envelope_encode); the property is that
 * every event the producer can write, the worker can decode into a row
 * (envelope_decode, convert_avro_to_row) that has every field.
 *
 * TM_FUZZ_WRITE_EVENTS=DIR: writes each encoded event into DIR as a seed
 * of fuzz_decode (mode byte 1 + the Avro body after the 10-byte header).
 */
#include "fuzz.h"
#include <jansson.h>
#include "convert.h"
#include "avsc.h"
#include "envelope.h"
#include "schema.h"
#include "jsonpage.h"
#include "fuzz_schema.h"

static record_schema_t *rs;
static envelope_schema_t *es;

static void setup(void)
{
    char err[512];
    FUZZ_CHECK(record_schema_parse(FUZZ_SCHEMA, &rs, err, sizeof(err)) == 0, "%s", err);
    es = envelope_schema_new(rs, err, sizeof(err));
    FUZZ_CHECK(es, "%s", err);
}

static void write_seed(const void *buf, size_t len)
{
    const char *dir = getenv("TM_FUZZ_WRITE_EVENTS");
    char path[4096];
    if (!dir || len < 10)
        return;
    snprintf(path, sizeof(path), "%s/event-%016llx", dir, (unsigned long long)avsc_crc64(buf, len));
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fputc(1, f);
    fwrite((const char *)buf + 10, 1, len - 10, f);
    fclose(f);
}

static void one(const json_t *rec)
{
    char err[512];
    void *buf = NULL;
    size_t len = 0;
    const char *id = json_string_value(json_object_get(rec, "id"));

    if (envelope_encode(es, CHANGE_OP_UPSERT, id ? id : "x", 1795608000000, "run", 0, 1795608000001,
                        rec, &buf, &len, err, sizeof(err)) != 0) {
        FUZZ_CHECK(err[0], "refused without a reason");
        return;
    }
    write_seed(buf, len);
    change_event_t *ev = envelope_decode(es, buf, len, err, sizeof(err));
    FUZZ_CHECK(ev, "the producer wrote an event the worker cannot read: %s", err);
    FUZZ_CHECK(ev->op == CHANGE_OP_UPSERT && !strcmp(ev->id, id ? id : "x") &&
                   ev->source_ts_ms == 1795608000000 && json_is_object(ev->after),
               "another event back");
    for (size_t i = 0; i < rs->n_fields; i++)
        FUZZ_CHECK(json_object_get(ev->after, rs->fields[i].name), "row without '%s'",
                   rs->fields[i].name);
    change_event_destroy(ev);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jsonpage_t page;
    char err[512];

    if (!rs)
        setup();
    if (jsonpage_parse((const char *)data, size, "", &page, err, sizeof(err)) != 0)
        return 0;
    size_t n = page.records ? json_array_size(page.records) : 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        if (b < page.n_bad && page.bad[b].index == i) {
            b++;
            continue;
        }
        one(json_array_get(page.records, i));
    }
    if (!page.records && json_is_object(page.root))
        one(page.root); /* one record on its own */
    jsonpage_clear(&page);
    return 0;
}
