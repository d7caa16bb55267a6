#!/usr/bin/env bash
# t_kafka_follow_runs_recreated: <prefix>.sync-runs is deleted and made
# again under a follow-mode producer, and written past where its last
# read ended before its next pass. A follow producer reads only what is
# new on the topic at each pass (t_follow_checkpoints_read_new), from
# where the last read ended: offsets alone would take the new topic's
# messages for the rest of the old one's, and the producer would go on
# from a checkpoint the topic no longer holds, where a producer started
# now finds none.
# Expected: the pass finds the last message it read gone, reads the topic
# whole again ("reading the checkpoints anew"), finds no checkpoint of
# the stream, and runs it as a first run: the 20 records published again,
# as a restarted producer would.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

runs="$PREFIX.sync-runs"
start_broker
start_demoapi --records 20
write_config "top: log.level = debug" "producer: poll.interval = 1s" \
    "kafka: topic.metadata.refresh.interval.ms = 1000"
follow_start
wait_for "the producer's second pass" 60 follow_passes_at_least 2

# between two passes (each takes a few ms of its second), held still
at=$(follow_passes)
wait_for "a pass more" 30 follow_passes_at_least $((at + 1))
kill -STOP "$FOLLOW_PID"
kafka_admin delete "$runs"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$runs" 1 >/dev/null 2>&1; }
wait_for "$runs created again" 30 recreate
for i in $(seq 1 200); do
    printf 'other:{"stream":"other","run_id":"other-%d","mode":"incremental","status":"completed"}\n' "$i"
done | kc -P -t "$runs" -K: || fail "kcat could not fill $runs"
before=$(grep -c 'msg="run completed"' "$FOLLOW_LOG")
kill -CONT "$FOLLOW_PID"

anew() { grep -q 'msg="reading the checkpoints anew' "$FOLLOW_LOG"; }
wait_for "the producer to read the checkpoints anew" 60 anew
first_run() { tail -n +$((before + 1)) <(grep 'msg="run completed"' "$FOLLOW_LOG") | grep -q 'mode=full .*published=20 '; }
wait_for "a first run of the stream, its 20 records published again" 60 first_run
grep 'msg="reading the checkpoints anew' "$FOLLOW_LOG" | head -n1 | sed 's/^/  /'
follow_stop
log "ok"
