/*
 * signals.c - SIGTERM/SIGINT/SIGHUP clear tm_running; nothing else happens in a
 * handler. SA_RESTART is off so that a blocking call returns EINTR and the
 * loop around it sees the flag promptly.
 */
#include "signals.h"

#include <string.h>

volatile sig_atomic_t tm_running = 1;

static void on_stop(int sig)
{
    (void)sig;
    tm_running = 0;
}

void signals_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* a closed terminal or a supervisor's HUP: stop as for SIGTERM (the
     * default would end the process mid-batch, without leaving the group) */
    sigaction(SIGHUP, &sa, NULL);

    /* A closed peer socket must be an EPIPE error, not a dead process. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    /* A mask is inherited across exec: started by a launcher that blocks
     * these (one that waits for them with sigwait), a SIGTERM stayed
     * pending for ever and only SIGKILL stopped us, mid-batch. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &stop, NULL);

    tm_running = 1;
}
