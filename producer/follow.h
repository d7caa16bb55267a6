/*
 * follow.h - the `run` and `reset` commands: passes over the loaded
 * streams, each reading the checkpoints afresh from Kafka (so that a
 * `reset` done meanwhile is honoured), then, without --once, sleeping
 * poll.interval in short slices until SIGTERM/SIGINT. In follow mode a
 * stream whose API asks for a wait to retry longer than its turn (a
 * Retry-After) sits out the passes until then, its run failed, while the
 * others go on (follow.c's stream_turn_t).
 *
 * Owns the publisher for the duration of the command. Main thread.
 */
#ifndef TIDEMARK_RUNLOOP_H
#define TIDEMARK_RUNLOOP_H

#include "config.h"
#include "streams.h"

typedef struct run_cmd_opts {
    int once;
    int full;
    int allow_mass_delete; /* with full: for the first pass only, as full */
} run_cmd_opts_t;

/* Returns the exit status: 0, or 1 when a --once pass had a failed run
 * (or Kafka could not be set up, or the schema registry refused a
 * stream's schema, or under --once could not be reached: schemareg.h). */
int follow_run(const tm_config_t *conf, stream_set_t *set, const run_cmd_opts_t *opts);

/*
 * `reset --stream NAME (--since TS | --full)`: writes a run record that
 * moves the stream's checkpoint back: HWM = since (no ids) or none, which
 * makes the next run a full one. Returns the exit status.
 */
int follow_reset(const tm_config_t *conf, const char *stream, int has_since, int64_t since_ms);

#endif
