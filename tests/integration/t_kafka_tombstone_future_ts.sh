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
# completed. In one partition the topic's order decides, as it does for a
# tombstone against a live row.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:1"
start_demoapi --records 30
for mode in soft hard; do
    CONF="$T_WORK/$mode.conf" TABLE="customers_$mode"
    write_config "worker: group.id = tm-$mode" "worker: delete.mode = $mode"
done
run_producer_once
for mode in soft hard; do CONF="$T_WORK/$mode.conf" start_worker "$mode"; done
for mode in soft hard; do wait_caught_up 60 "tm-$mode"; done

id=$(($(api_get "/admin/records" | jq "[$API_RECORDS_JQ[].$ID_FIELD] | max") + 1))
"$PYVENV" - "$BOOTSTRAP" "$topic" "$id" "$(($(now_ms) + 50 * 60 * 1000))" <<'PY' ||
import sys
from confluent_kafka import Producer
bs, topic, key, ts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
p = Producer({"bootstrap.servers": bs})
p.produce(topic, key=key.encode(), value=None, partition=0, timestamp=ts)
sys.exit(1 if p.flush(30) else 0)
PY
    fail "could not produce the tombstone of $id"
soft_deleted() { [ "$(psql_value "select count(*) from customers_soft where id = $id and _deleted")" = 1 ]; }
hard_deleted() { [ "$(psql_value "select count(*) from customers_hard__tombstones where id = $id")" = 1 ]; }
wait_for "the tombstone of $id applied as a deleted row (soft)" 60 soft_deleted
wait_for "the tombstone of $id recorded (hard)" 60 hard_deleted

api_post "/admin/create?count=1" >/dev/null || fail "admin create"
run_producer_once
assert_eq 1 "$(last_run_field published)" "records published after the create"
for mode in soft hard; do
    wait_caught_up 60 "tm-$mode"
    TABLE="customers_$mode" assert_table_equals_api
    stop_worker "$mode"
done
log "ok"
