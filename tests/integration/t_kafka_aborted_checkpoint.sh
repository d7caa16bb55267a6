#!/usr/bin/env bash
# t_kafka_aborted_checkpoint: a run record for the stream, with an HWM far
# ahead, is written to <prefix>.sync-runs inside a Kafka transaction that
# is then aborted. Kafka says it never was: the worker (read_committed)
# never sees it, nor does any read_committed reader. The producer reads
# its checkpoint with isolation.level=read_uncommitted and takes the
# aborted record as its checkpoint: the next runs start from its HWM and
# never publish the changes below it. Same cause as
# t_rev14_aborted_tombstone (producer/topicscan.c).
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

start_broker
start_demoapi --records 20
write_config
first_sync
assert_table_equals_api

rec=$(last_run_record | jq -c '.run_id = "customers-20300101T000000Z-00000000"
        | .hwm.value = "2030-01-01T00:00:00.000Z" | .hwm.ids = {} | .started_at = .finished_at')
"$PYVENV" - "$BOOTSTRAP" "$PREFIX.sync-runs" "$STREAM" "$rec" <<'PY' || fail "the aborted transaction failed"
import sys
from confluent_kafka import Producer
bs, topic, key, rec = sys.argv[1:5]
p = Producer({"bootstrap.servers": bs, "transactional.id": "stranger-2"})
p.init_transactions(30)
p.begin_transaction()
p.produce(topic, key=key.encode(), value=rec.encode())
p.flush(30)
p.abort_transaction(30)
PY
log "a run record with hwm 2030 written to $PREFIX.sync-runs in a transaction, aborted"
log "the latest run record as a read_committed reader sees it: $(last_run_record | jq -c '{run_id, hwm: .hwm.value}')"

api_post "/admin/update?ids=1,2,3,4,5" >/dev/null || fail "admin update"
run_producer_once
assert_eq 5 "$(last_run_field published)" "events published for the 5 records updated"
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker
log "ok"
