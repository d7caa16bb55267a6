/*
 * fuzz_jsonpage.c - the producer's page reader (producer/jsonpage.h) on
 * any body. The first byte picks records.path; the rest is the body.
 * Properties: on success, the bad items are in index order, inside the
 * records array, and each one's raw bytes are the body's bytes at its
 * offset; every good record serializes; the body written back (bad items
 * as their stand-ins) reads again with no bad item and writes the same
 * text (parse -> format -> parse is stable). Linear in the body: -timeout.
 */
#include "fuzz.h"
#include <jansson.h>
#include "jsonnum.h"
#include "jsonpage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"", "data", "result.items", NULL, "a.b.c.d", "data."};
    if (size < 1)
        return 0;
    const char *path = paths[data[0] % (sizeof(paths) / sizeof(paths[0]))];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    jsonpage_t page;
    char err[512];

    if (jsonpage_parse(body, len, path, &page, err, sizeof(err)) != 0) {
        FUZZ_CHECK(err[0] && !page.root && !page.records && !page.bad && !page.n_bad &&
                       !page.unreadable && !page.n_unreadable,
                   "failed but not empty: '%s'", err);
        return 0;
    }
    FUZZ_CHECK(page.root, "no root");
    if (!page.records)
        FUZZ_CHECK(page.n_bad == 0, "%zu bad items without records", page.n_bad);
    else
        FUZZ_CHECK(json_is_array(page.records), "records not an array");
    size_t n = page.records ? json_array_size(page.records) : 0, b = 0;
    for (size_t i = 0; i < page.n_bad; i++) {
        const jsonpage_bad_t *bad = &page.bad[i];
        FUZZ_CHECK(i == 0 || bad->index > page.bad[i - 1].index, "bad items out of order");
        FUZZ_CHECK(bad->index < n, "bad item %zu of %zu records", bad->index, n);
        FUZZ_CHECK(bad->offset <= len && bad->raw_len <= len - bad->offset,
                   "bad item at %zu+%zu of %zu", bad->offset, bad->raw_len, len);
        FUZZ_CHECK(!memcmp(body + bad->offset, bad->raw, bad->raw_len) &&
                       bad->raw[bad->raw_len] == '\0',
                   "bad item %zu: raw is not the body's bytes", bad->index);
        FUZZ_CHECK(bad->reason[0], "bad item %zu without a reason", bad->index);
    }
    for (size_t i = 0; i < n; i++) {
        if (b < page.n_bad && page.bad[b].index == i) {
            b++;
            continue;
        }
        char *j = jsonnum_dumps(json_array_get(page.records, i), JSON_COMPACT | JSON_ENCODE_ANY);
        FUZZ_CHECK(j, "good record %zu does not serialize", i);
        free(j);
    }
    char *j1 = jsonnum_dumps(page.root, JSON_COMPACT | JSON_ENCODE_ANY);
    FUZZ_CHECK(j1, "the body does not serialize");
    jsonpage_clear(&page);
    FUZZ_CHECK(jsonpage_parse(j1, strlen(j1), path, &page, err, sizeof(err)) == 0,
               "written back, it does not read: %s\n%s", err, j1);
    FUZZ_CHECK(page.n_bad == 0, "written back, %zu bad items: %s\n%s", page.n_bad,
               page.bad[0].reason, j1);
    char *j2 = jsonnum_dumps(page.root, JSON_COMPACT | JSON_ENCODE_ANY);
    FUZZ_CHECK(j2 && !strcmp(j1, j2), "not stable:\n%s\n%s", j1, j2 ? j2 : "(null)");
    free(j2);
    free(j1);
    jsonpage_clear(&page);
    return 0;
}
