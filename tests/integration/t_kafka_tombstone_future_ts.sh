#!/usr/bin/env bash
# t_kafka_tombstone_future_ts: a Kafka tombstone whose message timestamp
# (CreateTime, set by whoever produced it: a stranger, or a producer whose
# clock ran ahead and was then set back) lies 50 minutes ahead, for an id
# no table holds yet. Kafka accepts it (its default limit is 1 h ahead).
# Each worker records the delete with _source_ts '-infinity'. The API then
# creates that record and the producer publishes its upsert after the
# tombstone, in the same partition. The guard ordered the two by
# _produced_at alone, so the upsert (produced now) lost and the record was
# missing from the table, under soft and hard deletes alike, while its run
# completed. In one partition an event later in the topic is newer too.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

start_broker --topic "$PREFIX.$STREAM:1"
start_demoapi --records 30
write_config
run_producer_once
start_mode_workers
for mode in soft hard; do wait_caught_up 60 "tm-$mode"; done

id=$(($(api_get "/admin/records" | jq "[$API_RECORDS_JQ[].$ID_FIELD] | max") + 1))
kafka_tombstone "$id" "$(($(now_ms) + 50 * 60 * 1000))"
mode_tombstone_applied "$id"

api_post "/admin/create?count=1" >/dev/null || fail "admin create"
run_producer_once
assert_eq 1 "$(last_run_field published)" "records published after the create"
mode_workers_equal_api
log "ok"
