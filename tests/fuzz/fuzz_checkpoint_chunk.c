/*
 * fuzz_checkpoint_chunk.c - a checkpoint chunk's value as the producer's
 * checkpoint reader meets it (producer/checkpoint.h). The reference it is
 * checked against is made to match the input's length and sum, and its id
 * count is taken from the input where it has one, so that the fuzzer
 * reaches the JSON. Property: a chunk that decodes puts at most its
 * number of ids into the tracker (an id the tracker cannot keep, such as
 * "", is left out by design: hwm.h, published again next time).
 */
#include "fuzz.h"
#include <jansson.h>
#include "hwm.h"
#include "checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char key[] = "s/ckpt/r/0", err[512];
    run_chunk_ref_t ref = {.key = key, .bytes = (int64_t)size, .sum = checkpoint_sum(data, size)};
    json_t *o = json_loadb((const char *)data, size, 0, NULL);
    ref.ids = (int64_t)json_object_size(json_object_get(o, "ids"));
    json_decref(o);

    hwm_tracker_t t;
    memset(&t, 0, sizeof(t));
    int rc = checkpoint_decode_chunk(&t, &ref, (const char *)data, size, err, sizeof(err));
    FUZZ_CHECK(rc == 0 || rc == -1, "rc %d: %s", rc, err);
    if (rc == 0)
        FUZZ_CHECK((int64_t)hwm_tracker_count(&t) <= ref.ids, "%zu ids of %lld",
                   hwm_tracker_count(&t), (long long)ref.ids);
    hwm_tracker_clear(&t);
    return 0;
}
