/*
 * random.c - see random.h.
 */
#include "random.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

#include "isotime.h"

/* A weak stand-in when /dev/urandom cannot be read: distinct per call,
 * per process and per moment. */
static uint32_t fallback(void)
{
    static atomic_uint counter;
    uint64_t x = (uint64_t)isotime_now_ms() ^ ((uint64_t)isotime_monotonic_ms() << 21) ^
                 ((uint64_t)getpid() * 2654435761u) ^
                 ((uint64_t)atomic_fetch_add(&counter, 1) * 0x9E3779B97F4A7C15ull);
    x ^= x >> 33; /* splitmix64's finaliser */
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

uint32_t random_u32(void)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fallback();
    uint32_t r;
    ssize_t n = read(fd, &r, sizeof(r));
    close(fd);
    return n == (ssize_t)sizeof(r) ? r : fallback();
}
