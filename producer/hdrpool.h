/*
 * hdrpool.h - librdkafka header lists kept for reuse: a delivered change
 * event's list, which holds the same headers as the next event's, goes
 * to that event instead of being freed while a new one is built.
 *
 * Why: every change event carries two headers (SPEC's tidemark.op and
 * tidemark.run). librdkafka makes four allocations for a list of two
 * (the list, its array, one block per header) and frees them when the
 * message's delivery report is served; in the bench's call-graph profile
 * building and freeing them was about a tenth of the producer's CPU, all
 * of it on the thread that converts and publishes. Within a run the
 * lists differ only by op (and the rare extra header), so a few kinds of
 * list cover every event.
 *
 * A list is matched by its content, header by header (the name as a C
 * string, the value's bytes), never by where it came from: a list given
 * back whose headers match no kind in use is destroyed. (A name with a
 * NUL inside, which rd_kafka_header_add() with a length could make,
 * would match the kind of its first part: this producer makes every name
 * from a C string.) At most HDRPOOL_KINDS kinds, the one
 * asked for least recently replaced when a new one is needed, and at most
 * HDRPOOL_KEEP lists per kind (the rest are destroyed): memory stays
 * bounded whatever the number of messages in flight.
 *
 * Owns: its kinds (copies of their headers) and the lists kept. One
 * thread: the producer's (takes before produce, gives inside its delivery
 * reports). Fails: hdrpool_new() NULL when out of memory; hdrpool_take()
 * NULL when out of memory (as rd_kafka_headers_new would not).
 */
#ifndef TIDEMARK_HDRPOOL_H
#define TIDEMARK_HDRPOOL_H

#include "compiler.h"
#include <stddef.h>
#include <librdkafka/rdkafka.h>
#include "kafka_produce.h"

#define HDRPOOL_KINDS 4
#define HDRPOOL_KEEP  16384

typedef struct hdrpool hdrpool_t;

hdrpool_t *hdrpool_new(void) TM_WARN_UNUSED;

/* Destroys the pool and every list it keeps. NULL: nothing. */
void hdrpool_destroy(hdrpool_t *hp);

/* A list holding h[0..n) (names and values copied, values without their
 * NUL), taken over by the caller: a kept one when a kind holds one, else
 * a new one. NULL when out of memory. */
rd_kafka_headers_t *hdrpool_take(hdrpool_t *hp, const kafka_header_t *h, size_t n) TM_WARN_UNUSED;

/* Takes list over: kept for a later hdrpool_take() of the same headers,
 * or destroyed. NULL: nothing. */
void hdrpool_give(hdrpool_t *hp, rd_kafka_headers_t *list);

/* Lists kept, over every kind (tests). */
size_t hdrpool_kept(const hdrpool_t *hp);

#endif
