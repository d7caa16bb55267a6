/*
 * nodelay.c - TCP_NODELAY on every connection the mock cluster accepts,
 * as a real Kafka broker sets it (its SocketServer does, on every socket).
 *
 * librdkafka's mock cluster accepts clients with plain accept() and leaves
 * Nagle's algorithm on. When it answers several pipelined requests, the
 * last small response waits for the client's ACK of the one before, and
 * the client, which has nothing to send until it gets that response,
 * delays its ACK by Linux's 40 ms: every producer flush (each progress
 * checkpoint) took 40-50 ms on the devbroker whatever it held, where a
 * real broker answers in about a millisecond. The mock offers no hook on
 * its sockets, so this file defines accept() itself: the executable's
 * definition comes before libc's for librdkafka's calls (ELF symbol
 * lookup starts at the executable, which exports the symbols the shared
 * libraries it links refer to).
 *
 * Any thread (the mock cluster's). A failed setsockopt() leaves the
 * connection as the mock made it: slower, never wrong.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict addr_len)
{
    int s = (int)syscall(SYS_accept4, fd, addr, addr_len, 0);
    if (s >= 0) {
        int on = 1;
        (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    return s;
}
