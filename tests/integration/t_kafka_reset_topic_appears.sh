#!/usr/bin/env bash
# t_kafka_reset_topic_appears: `reset-offsets` run just after the stream's
# topic was made again (the README's remedy after deleting one) found it
# unknown to the broker for a moment and failed at once ("cannot read the
# topic's partitions", UNKNOWN_TOPIC_OR_PART): the operator had to run it
# again, and a script that made the topic and reset its offsets failed as
# often as not. It now asks again for 10 s: started while the topic does
# not exist, it waits, and once the topic is made it resets the offsets of
# its partitions; a topic that never comes still fails, after the wait,
# saying so.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
start_devbroker
start_demoapi --records 10
write_config
# the broker made the stream topic at its start: gone before anything
kafka_admin delete "$topic"
gone() {
    kc -L -t "$topic" -X allow.auto.create.topics=false 2>&1 | grep -q "topic \"$topic\" with 0 partitions"
}
wait_for "$topic gone from the broker's metadata" 30 gone

# ---- a topic that never comes: a clear error once the wait is over
t0=$(now_ms)
if "$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest \
    >"$T_WORK/never.out" 2>&1; then
    fail "reset-offsets succeeded for a topic that does not exist: $(cat "$T_WORK/never.out")"
fi
waited=$(($(now_ms) - t0))
cat "$T_WORK/never.out"
grep -q "cannot read the topic's partitions: the cluster does not know the topic.*waited_ms=10000" \
    "$T_WORK/never.out" || fail "reset-offsets did not say that it waited for the topic"
[ "$waited" -ge 9500 ] || fail "reset-offsets gave up after $waited ms, not after asking for 10 s"

# ---- the topic made while it waits: the reset goes through
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --execute \
    >"$T_WORK/reset.out" 2>&1 &
reset=$!
_track_pid "$reset"
waiting() { grep -q 'msg="the cluster does not know the topic yet' "$T_WORK/reset.out"; }
wait_for "reset-offsets waiting for $topic" 30 waiting
kafka_admin create "$topic" 3
wait "$reset" || fail "reset-offsets failed after the topic was made: $(cat "$T_WORK/reset.out")"
cat "$T_WORK/reset.out"
assert_eq "0:0 1:0 2:0" "$(psql_value "select string_agg(partition || ':' || next_offset, ' ' order by partition)
                                       from sync_offsets where topic = '$topic'")" \
    "stored offsets after the reset"

# ---- and the pipeline runs on the new topic
start_worker
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
