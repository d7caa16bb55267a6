#!/usr/bin/env bash
# t_sigterm_blocked: a parent that starts the programs with SIGTERM,
# SIGINT and SIGHUP blocked (a mask is inherited across exec: a launcher
# that waits for signals with sigwait, a Python one that called
# pthread_sigmask) must still be able to stop them. They set handlers but
# never unblocked the signals: SIGTERM stayed pending for ever, and the
# follow-mode producer and the worker ran on until SIGKILL (mid-batch).
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config "producer: poll.interval = 1s"

# blocked CMD... - exec CMD with TERM, INT and HUP blocked.
blocked()
{
    exec /usr/bin/python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}

blocked "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$T_WORK/follow.log" &
FOLLOW_PID=$!
FOLLOW_LOG="$T_WORK/follow.log"
_track_pid "$FOLLOW_PID"
wait_for "a first pass of the follow-mode producer" 30 follow_passes_at_least 1
log "producer $FOLLOW_PID: $(grep SigBlk "/proc/$FOLLOW_PID/status")"
follow_stop 15

blocked "$BUILD/tidemark-worker" -c "$CONF" run >>"$T_WORK/worker-w1.out" \
    2>>"$T_WORK/worker-w1.log" &
WORKER_PIDS[w1]=$!
_track_pid "$!"
run1=$(last_run_record | jq -r .run_id)
wait_run_completed "$run1" 60
stop_worker w1
log "ok"
