/*
 * test_devbroker_nodelay.c - the devbroker's accept() (tests/devbroker/
 * nodelay.c, compiled in here as it is into the devbroker) hands out
 * connections with Nagle's algorithm off, as a real Kafka broker's are;
 * libc's accept() leaves it on, which held each of the mock's last
 * pipelined responses for the client's delayed ACK (40 ms a flush).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../devbroker/nodelay.c"

static int nodelay(int s)
{
    int on = 0;
    socklen_t len = sizeof(on);
    assert_int_equal(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
    return on;
}

static void test_accepted_without_nagle(void **state)
{
    (void)state;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(l >= 0);
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(l, 1), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(nodelay(c), 0); /* a socket starts with Nagle on */

    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    int s = accept(l, (struct sockaddr *)&peer, &plen);
    assert_true(s >= 0);
    assert_int_equal(plen, sizeof(peer));
    assert_int_equal(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    assert_int_not_equal(nodelay(s), 0);
    close(s);
    close(c);
    close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted_without_nagle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
