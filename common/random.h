/*
 * random.h - the one random source of both programs, for names that must
 * not collide between processes (run ids, throwaway consumer group ids):
 * not for secrets.
 *
 * Reads /dev/urandom; when it cannot be read (no /dev in a chroot, fd
 * exhaustion) it falls back to a mix of the clocks, the pid and a
 * counter, so that it cannot fail. Any thread.
 */
#ifndef TIDEMARK_RANDOM_H
#define TIDEMARK_RANDOM_H

#include <stdint.h>

/* 32 random bits. */
uint32_t random_u32(void);

#endif
