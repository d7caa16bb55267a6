#!/usr/bin/env bash
# t_kafka_first_run_no_topics: the producer's first run on a cluster where
# neither <prefix>.sync-runs nor the stream's topic exists yet (Kafka
# creates a topic when it is first written to). Both read as empty: no
# checkpoint, and no id for the full run's reconciliation to find gone.
# The read that goes on from the last one's end (5cf0a0d) took the
# cluster's "unknown topic" for "the topic moved" and failed every read
# of a topic not made yet, with an error message it never wrote: the
# first run published nothing, nor did any after it, and a follow-mode
# producer failed every pass (found by helper 149; the embedded broker
# makes a topic as soon as anyone asks about it, so only a real Kafka
# shows it).
# Expected: the first run publishes the 20 records and writes its
# checkpoint; the next one goes on from it.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

start_broker
kafka_admin delete "$PREFIX.sync-runs"
kafka_admin delete "$PREFIX.$STREAM"
start_demoapi --records 20
write_config
run_producer_once
assert_eq 20 "$(last_run_field published)" "events the first run published"
assert_eq 20 "$(topic_count "$PREFIX.$STREAM")" "events on the stream topic"
if grep -E 'cannot read|level=error' "$T_WORK/producer.log" >&2; then
    fail "the first run logged an error"
fi
api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the second run's mode (from the first one's checkpoint)"
assert_eq 1 "$(last_run_field published)" "events the second run published"
log "ok"
