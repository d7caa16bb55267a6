/*
 * test_checkpoint_decode.c - producer/checkpoint_chunks.c's checks of one
 * chunk read back (bytes, sum, its own key, ids count, well-formed JSON):
 * a chunk that fails one adds nothing to the tracker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../producer/checkpoint_chunks.h"
#include "runrecord.h"

/* Each check of a chunk, against a valid one. */
static void test_decode_checks(void **state)
{
    (void)state;
    static const struct {
        const char *value; /* NULL: the valid one */
        int64_t ids;       /* what the reference says */
        int wrong_bytes, wrong_sum;
        const char *err;
    } cases[] = {
        {NULL, 2, 0, 0, NULL},
        {NULL, 2, 1, 0, "chunk s/ckpt/r/0: 60 bytes, sum"},
        {NULL, 2, 0, 1, "chunk s/ckpt/r/0: 60 bytes, sum"},
        {NULL, 3, 0, 0, "chunk s/ckpt/r/0: the number of ids is not the one the run record names"},
        {"{\"chunk\":\"s/ckpt/r/1\",\"ids\":{\"1\":\"\",\"2\":\"\"}}", 2, 0, 0,
         "chunk s/ckpt/r/0: its \"chunk\" is not its key"},
        {"{\"chunk\":\"s/ckpt/r/0\",\"ids\":[1,2]}", 2, 0, 0,
         "chunk s/ckpt/r/0: no \"ids\" object"},
        {"{\"chunk\":\"s/ckpt/r/0\",\"ids\":{\"1\":1,\"2\":\"\"}}", 2, 0, 0,
         "chunk s/ckpt/r/0: a digest is not a string"},
        {"{\"chunk\":\"s/ckpt/r/0\",\"ids\":{\"1\":\"\",\"1\":\"\"}}", 2, 0, 0,
         "chunk s/ckpt/r/0: not JSON"},
        {"{\"chunk\":\"s/ckpt/r/0\",\"ids\":{\"1\":\"\",\"2\":\"\"}", 2, 0, 0,
         "chunk s/ckpt/r/0: not JSON"},
    };
    const char *valid =
        "{\"chunk\":\"s/ckpt/r/0\",\"ids\":{\"1\":\"\",\"2\":\"0123456789abcdef\"}}";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *v = cases[i].value ? cases[i].value : valid;
        size_t len = strlen(v);
        run_chunk_ref_t ref = {.key = "s/ckpt/r/0",
                               .ids = cases[i].ids,
                               .bytes = (int64_t)len + cases[i].wrong_bytes,
                               .sum = checkpoint_sum(v, len) + (uint64_t)cases[i].wrong_sum};
        hwm_tracker_t t = {0};
        char err[256] = "";
        int rc = checkpoint_decode_chunk(&t, &ref, v, len, err, sizeof(err));
        if (!cases[i].err) {
            assert_int_equal(rc, 0);
            assert_int_equal(hwm_tracker_count(&t), 2);
            assert_int_equal(t.pending_bytes, 0); /* in a chunk, not pending */
        } else {
            if (rc != -1 || strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
                fail_msg("case %zu: rc %d, '%s'", i, rc, err);
            assert_int_equal(hwm_tracker_count(&t), 0); /* nothing half-added */
        }
        hwm_tracker_clear(&t);
    }
    run_chunk_ref_t ref = {.key = "s/ckpt/r/0"};
    char err[128];
    assert_int_equal(checkpoint_decode_chunk(NULL, &ref, NULL, 0, err, sizeof(err)), -1);
    assert_string_equal(err, "chunk s/ckpt/r/0: not found");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
