/*
 * fuzz_runrecord.c - run records as they come from <prefix>.sync-runs:
 * run_record_from_json on any bytes; whatever parses is written with
 * run_record_to_json and must parse again to a record that writes the
 * same text (parse -> format -> parse is stable). run_chunk_key_stream
 * on the same bytes as a message key.
 */
#include "fuzz.h"
#include "runrecord.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    size_t sl = run_chunk_key_stream((const char *)data, size);
    FUZZ_CHECK(sl < size || (sl == 0 && size == 0), "stream length %zu of %zu", sl, size);

    run_record_t *rr = run_record_from_json((const char *)data, size, err, sizeof(err));
    if (!rr) {
        FUZZ_CHECK(err[0], "refused without a reason");
        return 0;
    }
    char *j1 = run_record_to_json(rr);
    FUZZ_CHECK(j1, "to_json failed");
    run_record_t *rr2 = run_record_from_json(j1, strlen(j1), err, sizeof(err));
    FUZZ_CHECK(rr2, "its own JSON does not parse: %s\n%s", err, j1);
    char *j2 = run_record_to_json(rr2);
    FUZZ_CHECK(j2 && !strcmp(j1, j2), "not stable:\n%s\n%s", j1, j2 ? j2 : "(null)");
    FUZZ_CHECK(rr2->hwm.n_ids == rr->hwm.n_ids && rr2->hwm.n_chunks == rr->hwm.n_chunks &&
                   rr2->n_end_offsets == rr->n_end_offsets && rr2->status == rr->status &&
                   rr2->mode == rr->mode,
               "another record:\n%s", j1);
    free(j2);
    free(j1);
    run_record_destroy(rr2);
    run_record_destroy(rr);
    return 0;
}
