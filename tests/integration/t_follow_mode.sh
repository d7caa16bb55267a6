#!/usr/bin/env bash
# t_follow_mode: `tidemark-producer run` without --once makes a pass every
# poll.interval, so a change at the API is published without a restart;
# SIGTERM during the wait between passes ends the wait at once (the wait
# sleeps in short slices that watch the stop flag, common/backoff.h) and
# the producer exits 0.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
topic="$PREFIX.$STREAM"

# start_follow LABEL - the producer in follow mode in the background;
# sets FOLLOW_PID and FOLLOW_LOG.
start_follow()
{
    FOLLOW_LOG="$T_WORK/follow-$1.log"
    "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow-$1.out" 2>"$FOLLOW_LOG" &
    FOLLOW_PID=$!
    _track_pid "$FOLLOW_PID"
}

passes() { grep -c 'msg="run completed"' "$FOLLOW_LOG"; }
passes_at_least() { [ "$(passes)" -ge "$1" ]; }
count_is() { [ "$(topic_count "$topic")" = "$1" ]; }

follow_exited() { ! _pid_running "$FOLLOW_PID"; }

# stop_follow MAX_S - SIGTERM; fails unless the producer exits 0 within
# MAX_S seconds.
stop_follow()
{
    local t0 rc
    t0=$(now_ms)
    kill -TERM "$FOLLOW_PID"
    wait_for "the follow-mode producer to exit after SIGTERM" "$1" follow_exited
    wait "$FOLLOW_PID"
    rc=$?
    log "producer stopped in $(($(now_ms) - t0)) ms with status $rc"
    assert_eq 0 "$rc" "exit status of the follow-mode producer after SIGTERM"
}

# 1. Passes every second: a change made after the first pass is published
#    by a later one.
write_config "producer: poll.interval = 1s"
start_follow fast
wait_for "the first pass" 30 passes_at_least 1
wait_for "the 20 records on $topic" 30 count_is 20
api_post "/admin/update?ids=3,5" >/dev/null || fail "admin update"
wait_for "the 2 updated records published by a later pass" 30 count_is 22
passes_at_least 2 || fail "one pass published the update: $(passes) passes"
stop_follow 10

# 2. A wait of an hour between passes: SIGTERM ends it within a slice.
write_config "producer: poll.interval = 1h"
start_follow slow
wait_for "the first pass of the second producer" 30 passes_at_least 1
stop_follow 3
assert_eq 1 "$(passes)" "passes of the producer with poll.interval = 1h"
log "ok"
