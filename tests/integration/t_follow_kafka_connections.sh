#!/usr/bin/env bash
# t_follow_kafka_connections: a follow-mode producer keeps its Kafka
# connections from pass to pass. Each pass reads the checkpoints back
# from <prefix>.sync-runs, and it did so with two consumers made and
# destroyed for the pass: new connections to the brokers every pass, and
# every destroy a chance at librdkafka 2.0's race at rd_kafka_destroy
# (confluentinc/librdkafka#3608), which aborted a producer in the middle
# of a run ("Assertion `thrd_is_current(rkb->rkb_thread)' failed").
# Expected: once its first passes are made, passes open no connection to
# a broker (strace counts the producer's connect() calls to the brokers'
# ports).
# brokers: mock
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null 2>&1 || skip "strace is not installed"

start_devbroker
start_demoapi --records 20
write_config "producer: poll.interval = 1s"

# follow_start under strace: FOLLOW_PID is strace's, the producer its child
FOLLOW_LOG=$T_WORK/follow.log
strace -f -qq -o "$T_WORK/strace.out" -e trace=connect \
    "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$FOLLOW_LOG" &
FOLLOW_PID=$!
_track_pid "$FOLLOW_PID"

ports=$(tr ',' '\n' <<<"$BOOTSTRAP" | sed 's/.*://' | paste -sd'|')
broker_connects() { grep -cE "connect\(.*htons\(($ports)\)" "$T_WORK/strace.out"; }

wait_for "the producer's third pass" 60 follow_passes_at_least 3
before=$(broker_connects)
at=$(follow_passes)
wait_for "five passes more" 60 follow_passes_at_least $((at + 5))
after=$(broker_connects)
log "connections to the brokers: $before in the first $at passes," \
    "$((after - before)) in the $(($(follow_passes) - at)) passes after them"

producer=$(pgrep -P "$FOLLOW_PID" -x tidemark-produc || true)
[ -n "$producer" ] || fail "no producer process under strace $FOLLOW_PID"
kill -TERM "$producer"
wait_for "the follow-mode producer to exit" 15 _follow_exited
assert_eq 0 "$((after - before))" "connections to the brokers opened by 5 passes after the third"
log "ok"
