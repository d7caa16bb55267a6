/*
 * test_runlock.c - producer/runlock.c: a stream's run lock is held by one
 * open at a time (flock is per open file, so a second take in this
 * process is refused as another process's would be), names its holder's
 * pid, is free again once released, is per stream and per cluster, is
 * readable by other users whatever the umask, and an unusable lock.dir
 * is an error naming the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../producer/runlock.h"

static void test_take(void **state)
{
    (void)state;
    char dir[] = "/tmp/tm-runlock-XXXXXX", err[1024], pid[64];
    assert_non_null(mkdtemp(dir));
    tm_config_t conf = {
        .bootstrap_servers = "127.0.0.1:9092", .topic_prefix = "tm", .producer_lock_dir = dir};
    tm_config_t other_cluster = conf;
    other_cluster.bootstrap_servers = "127.0.0.1:9093";
    runlock_t a = RUNLOCK_INIT, b = RUNLOCK_INIT, c = RUNLOCK_INIT, d = RUNLOCK_INIT;
    snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());

    assert_int_equal(runlock_take(&conf, "customers", 0, &a, err, sizeof(err)), RUNLOCK_HELD);
    assert_int_equal(runlock_take(&conf, "customers", 0, &b, err, sizeof(err)), RUNLOCK_BUSY);
    assert_non_null(strstr(err, pid));
    assert_non_null(strstr(err, "customers"));
    assert_int_equal(b.fd, -1);
    assert_int_equal(runlock_take(&conf, "orders", 0, &c, err, sizeof(err)), RUNLOCK_HELD);
    assert_int_equal(runlock_take(&other_cluster, "customers", 0, &d, err, sizeof(err)),
                     RUNLOCK_HELD);
    runlock_release(&a);
    runlock_release(&a); /* twice: nothing */
    assert_int_equal(runlock_take(&conf, "customers", 0, &b, err, sizeof(err)), RUNLOCK_HELD);
    runlock_release(&b);
    runlock_release(&c);
    runlock_release(&d);

    /* a cluster of many brokers: a long bootstrap.servers names a lock too */
    char many[8192] = "";
    for (int i = 0; i < 200; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many),
                 "%sbroker-%03d.kafka.example:9092", i ? "," : "", i);
    tm_config_t big = conf;
    big.bootstrap_servers = many;
    assert_int_equal(runlock_take(&big, "customers", 0, &a, err, sizeof(err)), RUNLOCK_HELD);
    runlock_release(&a);

    /* made under umask 077, the file is readable by the other users all
     * the same (they lock it read-only) */
    mode_t old = umask(077);
    assert_int_equal(runlock_take(&conf, "umask", 0, &a, err, sizeof(err)), RUNLOCK_HELD);
    umask(old);
    struct stat st;
    assert_int_equal(fstat(a.fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    runlock_release(&a);

    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    /* gone: an error that names the key */
    assert_int_equal(runlock_take(&conf, "customers", 0, &a, err, sizeof(err)), RUNLOCK_ERROR);
    assert_non_null(strstr(err, "lock.dir"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_take)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
