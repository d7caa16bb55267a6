/*
 * pgcancel.c - see pgcancel.h.
 */
#include "isotime.h"
#include "log.h"
#include "pgcancel.h"
#include "signals.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* How often the thread looks at the run flag: a stop is noticed this late
 * at most, on top of the grace. */
#define PGCANCEL_TICK_MS 100

struct pgcancel {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* pgcancel_stop() */
    int quit;            /* under lock, as everything below */
    int64_t grace_ms;
    PGcancel *cancel;      /* of the connection in use, NULL: none */
    int64_t busy_since_ms; /* the statement in flight started, 0: none */
    int cancelled;         /* that statement's cancel was sent */
    int replaced;          /* the connection changed while a cancel was sent */
    int64_t stop_seen_ms;  /* when the thread saw the run flag cleared */
};

/* Under pc->lock: cancels the statement in flight once it has run
 * grace_ms past the stop (or past its own start, when that is later).
 * The lock is let go while PQcancel connects to the server (that may take
 * long where the network is what hangs): the PGcancel is taken out of pc
 * meanwhile, so that a new connection's cannot free it under us. */
static void check_statement(pgcancel_t *pc, int64_t now)
{
    int64_t from = pc->busy_since_ms > pc->stop_seen_ms ? pc->busy_since_ms : pc->stop_seen_ms;
    char err[256], q[300];

    if (!pc->busy_since_ms || pc->cancelled || !pc->cancel || now - from < pc->grace_ms)
        return;
    pc->cancelled = 1;
    PGcancel *cancel = pc->cancel;
    int64_t running_ms = now - pc->busy_since_ms;
    pc->cancel = NULL;
    pc->replaced = 0;
    pthread_mutex_unlock(&pc->lock);
    int sent = PQcancel(cancel, err, sizeof(err));
    pthread_mutex_lock(&pc->lock);
    if (!pc->replaced) /* still the connection's */
        pc->cancel = cancel;
    else
        PQfreeCancel(cancel);
    if (sent)
        log_warn("stopping: cancelling a PostgreSQL statement that outlasts the stop",
                 "running_ms=%lld grace_ms=%lld", (long long)running_ms, (long long)pc->grace_ms);
    else
        log_warn("stopping: cannot cancel a PostgreSQL statement; waiting for it to end",
                 "error=%s", log_quote(q, sizeof(q), err));
}

static void *watch(void *arg)
{
    pgcancel_t *pc = arg;

    pthread_mutex_lock(&pc->lock);
    while (!pc->quit) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += PGCANCEL_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&pc->wake, &pc->lock, &until);
        if (rc != 0 && rc != ETIMEDOUT && rc != EINTR)
            break;
        if (tm_running)
            continue;
        int64_t now = isotime_monotonic_ms();
        if (!pc->stop_seen_ms)
            pc->stop_seen_ms = now;
        check_statement(pc, now);
    }
    pthread_mutex_unlock(&pc->lock);
    return NULL;
}

pgcancel_t *pgcancel_start(int64_t grace_ms)
{
    pgcancel_t *pc = calloc(1, sizeof(*pc));
    pthread_condattr_t attr;

    if (!pc)
        return NULL;
    pc->grace_ms = grace_ms;
    pthread_mutex_init(&pc->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pc->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&pc->thread, NULL, watch, pc) != 0) {
        pthread_cond_destroy(&pc->wake);
        pthread_mutex_destroy(&pc->lock);
        free(pc);
        return NULL;
    }
    return pc;
}

void pgcancel_stop(pgcancel_t *pc)
{
    if (!pc)
        return;
    pthread_mutex_lock(&pc->lock);
    pc->quit = 1;
    pthread_cond_signal(&pc->wake);
    pthread_mutex_unlock(&pc->lock);
    pthread_join(pc->thread, NULL);
    PQfreeCancel(pc->cancel);
    pthread_cond_destroy(&pc->wake);
    pthread_mutex_destroy(&pc->lock);
    free(pc);
}

void pgcancel_connection(pgcancel_t *pc, PGconn *conn)
{
    if (!pc)
        return;
    /* taken before the lock: PQgetCancel only reads conn, on this thread */
    PGcancel *cancel = conn ? PQgetCancel(conn) : NULL;

    pthread_mutex_lock(&pc->lock);
    PQfreeCancel(pc->cancel);
    pc->cancel = cancel;
    pc->replaced = 1; /* a cancel being sent (check_statement) frees its own */
    pc->busy_since_ms = 0;
    pthread_mutex_unlock(&pc->lock);
}

void pgcancel_busy(pgcancel_t *pc)
{
    if (!pc)
        return;
    pthread_mutex_lock(&pc->lock);
    pc->busy_since_ms = isotime_monotonic_ms();
    pc->cancelled = 0;
    pthread_mutex_unlock(&pc->lock);
}

void pgcancel_idle(pgcancel_t *pc)
{
    if (!pc)
        return;
    pthread_mutex_lock(&pc->lock);
    pc->busy_since_ms = 0;
    pthread_mutex_unlock(&pc->lock);
}
