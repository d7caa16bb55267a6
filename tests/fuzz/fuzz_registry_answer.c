/*
 * fuzz_registry_answer.c - a Schema Registry's answers
 * (common/registry_answer.h): registry_answer_id, registry_answer_schema
 * and registry_answer_error over the bytes. Properties: an id accepted is
 * 1..2^31-1; a schema accepted is non-empty JSON text; an error's summary
 * is printable ASCII of bounded length, with an error_code > 0 or none.
 */
#include "fuzz.h"
#include "registry_answer.h"

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    char err[256], said[600];
    uint32_t id = 0;

    if (registry_answer_id(body, size, &id, err, sizeof(err)) == SR_OK)
        FUZZ_CHECK(id >= 1 && id <= REGISTRY_MAX_ID, "id %u", id);
    char *json = NULL;
    sr_status_t st = registry_answer_schema(body, size, &json, err, sizeof(err));
    FUZZ_CHECK((st == SR_OK) == (json != NULL), "status %d with json %p", st, (void *)json);
    if (json) {
        json_t *doc = json_loads(json, JSON_DECODE_ANY, NULL);
        FUZZ_CHECK(*json && doc, "schema '%s' is not JSON", json);
        json_decref(doc);
        free(json);
    }
    int code = 0;
    registry_answer_error(body, size, &code, said, sizeof(said));
    FUZZ_CHECK(code == REGISTRY_NO_CODE || code > 0, "error_code %d", code);
    FUZZ_CHECK(strlen(said) < sizeof(said), "summary of %zu bytes", strlen(said));
    for (const char *p = said; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p < 0x7f, "summary byte 0x%02x", (unsigned char)*p);
    return 0;
}
