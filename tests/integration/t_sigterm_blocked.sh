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
gone() { ! kill -0 "$1" 2>/dev/null; }

blocked "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$T_WORK/follow.log" &
fp=$!
_track_pid "$fp"
wait_for "a first pass of the follow-mode producer" 30 grep -q 'msg="run completed"' "$T_WORK/follow.log"
log "producer $fp: $(grep SigBlk /proc/$fp/status)"
kill -TERM "$fp"
wait_for "the follow-mode producer (started with SIGTERM blocked) to exit after SIGTERM" 15 gone "$fp"
wait "$fp"
assert_eq 0 "$?" "exit status of the follow-mode producer after SIGTERM"

blocked "$BUILD/tidemark-worker" -c "$CONF" run >"$T_WORK/worker.out" 2>"$T_WORK/worker.log" &
wp=$!
_track_pid "$wp"
run1=$(last_run_record | jq -r .run_id)
wait_run_completed "$run1" 60
kill -TERM "$wp"
wait_for "the worker (started with SIGTERM blocked) to exit after SIGTERM" 15 gone "$wp"
wait "$wp"
assert_eq 0 "$?" "exit status of the worker after SIGTERM"
log "ok"
