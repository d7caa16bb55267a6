/*
 * fnv1a.h - FNV-1a 64, the one hash both programs compute over bytes: the
 * producer's record digests at the HWM (hwm.h), the sums of checkpoint
 * chunks (checkpoint_chunks.h) and the id sets' slots (idset.c); the
 * worker's view of its schemas topic (schematopic.c). Changing it changes
 * what stored run records mean: the digests and sums in them were made
 * with it.
 *
 * Header only, pure: any thread.
 */
#ifndef TIDEMARK_FNV1A_H
#define TIDEMARK_FNV1A_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t fnv1a64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL; /* offset basis */
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL; /* FNV 64 prime */
    }
    return h;
}

#endif
