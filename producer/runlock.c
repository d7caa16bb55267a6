/*
 * runlock.c - see runlock.h.
 */
#include "runlock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "errstr.h"
#include "fnv1a.h"
#include "log.h"

/* The lock file's directory: lock.dir, or /run/lock when it is a
 * directory every user may make files in (sticky and world-writable, as
 * Debian's: shared by every service, PrivateTmp or not), else /tmp. Not
 * chosen by what this process may write: root and a service user must
 * pick the same file. */
static const char *lock_dir(const tm_config_t *conf)
{
    struct stat st;
    if (conf->producer_lock_dir)
        return conf->producer_lock_dir;
    if (stat("/run/lock", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_IWOTH) &&
        (st.st_mode & S_ISVTX))
        return "/run/lock";
    return "/tmp";
}

/* dir/tidemark-producer-<hash>.lock, the hash over what names the
 * stream's topics: the cluster, the prefix and the stream (a list of
 * brokers may be long: the text is as long as it needs). -1 when the
 * name does not fit size, or out of memory. */
static int lock_path(const tm_config_t *conf, const char *stream, char *buf, size_t size)
{
    size_t len = strlen(conf->bootstrap_servers) + strlen(conf->topic_prefix) + strlen(stream) + 3;
    char *id = malloc(len);
    if (!id)
        return -1;
    int n = snprintf(id, len, "%s\n%s\n%s", conf->bootstrap_servers, conf->topic_prefix, stream);
    uint64_t hash = fnv1a64(id, n > 0 ? (size_t)n : 0);
    free(id);
    n = snprintf(buf, size, "%s/tidemark-producer-%016" PRIx64 ".lock", lock_dir(conf), hash);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The pid the holder wrote, or 0. */
static long holder_pid(int fd)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

/* flock without blocking, retried every RETRY_MS while wait says so and
 * no stop was requested (said once). 0, or -1 with errno (EINTR: a stop
 * request). */
#define RETRY_MS 200
static int lock_fd(int fd, int wait, const char *stream, const char *path)
{
    char q[4200];
    for (int tries = 0;; tries++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK || !wait)
            return -1;
        if (tries == 0)
            log_warn("waiting for the stream's run lock: another producer process runs it",
                     "stream=%s holder_pid=%ld lock=%s", stream, holder_pid(fd),
                     log_quote(q, sizeof(q), path));
        if (backoff_sleep_ms(RETRY_MS) != 0) {
            errno = EINTR;
            return -1;
        }
    }
}

runlock_result_t runlock_take(const tm_config_t *conf, const char *stream, int wait,
                              runlock_t *lock, char *errstr, size_t errstr_size)
{
    char path[4096];
    lock->fd = -1;
    if (lock_path(conf, stream, path, sizeof(path)) != 0) {
        errstr_set(errstr, errstr_size,
                   "the lock file's name is too long (lock.dir), or out of "
                   "memory");
        return RUNLOCK_ERROR;
    }
    /* another user's file in a sticky directory: locked read-only */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), open_errno = errno;
    if (fd < 0 && open_errno == EACCES)
        fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errstr_set(errstr, errstr_size, "cannot open the run lock %s: %s (set [producer] lock.dir)",
                   path, strerror(open_errno));
        return RUNLOCK_ERROR;
    }
    /* readable by the other users whatever our umask (077 kept them out:
     * they could not lock it at all); fails harmlessly on another user's */
    (void)fchmod(fd, 0644);
    if (lock_fd(fd, wait, stream, path) != 0) {
        int e = errno;
        long pid = e == EWOULDBLOCK ? holder_pid(fd) : 0;
        close(fd);
        if (e == EINTR) {
            errstr_set(errstr, errstr_size, "interrupted waiting for the run lock %s", path);
            return RUNLOCK_ERROR;
        }
        if (e != EWOULDBLOCK) {
            errstr_set(errstr, errstr_size, "cannot lock %s: %s", path, strerror(e));
            return RUNLOCK_ERROR;
        }
        errstr_set(errstr, errstr_size,
                   "another tidemark-producer (pid %ld) is running stream %s on this host "
                   "(lock %s): runs of one stream must not overlap",
                   pid, stream, path);
        return RUNLOCK_BUSY;
    }
    char pid[32];
    int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    /* read-only, or a full disk: the pid goes unsaid, the lock holds */
    int noted = ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) == n;
    (void)noted;
    lock->fd = fd;
    return RUNLOCK_HELD;
}

void runlock_release(runlock_t *lock)
{
    if (lock->fd >= 0)
        close(lock->fd); /* releases the flock */
    lock->fd = -1;
}
