/*
 * result.h - the producer's status vocabulary, in one place.
 *
 * A fallible producer function returns one of:
 *   PRODUCER_OK      (0)  it did what it says;
 *   PRODUCER_FAILED (-1)  it did not; when it takes errstr/errstr_size,
 *                         errstr says why (errstr_set()), else its
 *                         header says what the one failure is (ENOMEM).
 * The caller tests `!= PRODUCER_OK` (or `!= 0`), adds context and reports
 * once. Where a caller must tell more outcomes apart, the function returns
 * an enum of its own whose 0 is success and whose failures are negative
 * (record_id_result_t, checkpoint_decode_result_t, publisher_produce's
 * PUBLISHER_TOO_LARGE is the one positive "not taken, not a failure").
 * Walks (x_next) return 1 with an item and 0 at the end; constructors
 * return NULL on ENOMEM only.
 *
 * Header only, no state: any thread.
 */
#ifndef TIDEMARK_PRODUCER_RESULT_H
#define TIDEMARK_PRODUCER_RESULT_H

typedef enum producer_result {
    PRODUCER_OK = 0,
    PRODUCER_FAILED = -1,
} producer_result_t;

#endif
