#!/usr/bin/env bash
# t_kafka_tombstone_row_recreated_topic: a row left by a Kafka tombstone
# alone (_source_ts '-infinity': a deleted record whose delete event the
# cleaner took, read by a new group; here a tombstone produced by hand, the
# same row) at offset 90 of partition 0. The stream topic is then deleted
# and created again, and `reset-offsets --to-earliest` run before the
# workers start, as the README says. The API creates that record; the
# producer publishes its upsert at offset 0 of the new partition 0. Ordered
# by offset alone in the partition, the upsert (0) was older than the
# tombstone-only row (90) and refused, under soft and hard deletes: the
# record was missing from the table while its run completed. (A second
# reading found this in the fix of t_kafka_tombstone_future_ts.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:1"
start_demoapi --records 30
write_config
run_producer_once
for i in 1 2; do # the topic's offsets well past what the new topic will hold
    api_post "/admin/update?ids=$(seq -s, 1 30)" >/dev/null || fail "admin update"
    run_producer_once
done
start_mode_workers
for mode in soft hard; do wait_caught_up 60 "tm-$mode"; done

id=$(($(api_get "/admin/records" | jq "[$API_RECORDS_JQ[].$ID_FIELD] | max") + 1))
kafka_tombstone "$id"
mode_tombstone_applied "$id"
for mode in soft hard; do
    wait_caught_up 60 "tm-$mode"
    stop_worker "$mode"
done

kafka_admin delete "$topic"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$topic" 1 >/dev/null 2>&1; }
wait_for "$topic created again" 30 recreate
for mode in soft hard; do
    "$BUILD/tidemark-worker" -c "$T_WORK/$mode.conf" reset-offsets --stream "$STREAM" \
        --to-earliest --execute >"$T_WORK/reset-$mode.out" 2>&1 ||
        fail "reset-offsets ($mode) failed: $(cat "$T_WORK/reset-$mode.out")"
    CONF="$T_WORK/$mode.conf" start_worker "$mode"
done

api_post "/admin/create?count=1" >/dev/null || fail "admin create"
run_producer_once
assert_eq 1 "$(last_run_field published)" "records published after the create"
mode_workers_equal_api
log "ok"
