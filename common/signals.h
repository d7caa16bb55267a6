/*
 * signals.h - the one piece of global mutable state: the run flag that
 * SIGTERM, SIGINT and SIGHUP clear. Handlers only set it; main loops poll it with
 * short timeouts and shut down in order.
 */
#ifndef TIDEMARK_SIGNALS_H
#define TIDEMARK_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t tm_running;

/* Installs the SIGTERM/SIGINT/SIGHUP handlers (SA_RESTART off) and sets
 * tm_running to 1, and unblocks them (a launcher may have blocked them).
 * Ignores SIGPIPE. Main thread, before any other thread starts. */
void signals_install(void);

#endif
