#!/usr/bin/env bash
# t_kafka_aborted_tombstone: another client writes to the stream topic in a
# Kafka transaction and aborts it (a failed exactly-once job, a mirror
# task that restarted). An aborted message never happened: read_committed
# consumers (the worker, every downstream one) never see it. But the
# producer's topic scan reads with isolation.level=read_uncommitted, so a
# full run takes an aborted tombstone for id 7 as Kafka's latest word on
# id 7: "gone". The API then drops 7 without announcing it; the full run
# must find 7 vanished (live in Kafka as everyone reads it) and delete it.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:2"
start_demoapi --records 20
write_config "stream: -deleted.url"
first_sync
assert_table_equals_api

# the partition tidemark put id 7 in
part=$(kc -C -t "$topic" -e -f '%k %p\n' | awk '$1 == "7" { p = $2 } END { print p }')
[ -n "$part" ] || fail "no message of id 7 on $topic"
"$PYVENV" - "$BOOTSTRAP" "$topic" "$part" <<'PY' || fail "the aborted transaction failed"
import sys
from confluent_kafka import Producer
bs, topic, part = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({"bootstrap.servers": bs, "transactional.id": "stranger-1"})
p.init_transactions(30)
p.begin_transaction()
p.produce(topic, key=b"7", value=None, partition=part, headers=[("tidemark.op", b"delete")])
p.flush(30)
p.abort_transaction(30)
print("aborted a tombstone for 7 on partition", part)
PY
log "a stranger's transaction with a tombstone for 7 aborted on partition $part"

# id 7 vanishes from the API, unannounced (no deleted endpoint)
api_post "/admin/delete?ids=7" >/dev/null || fail "admin delete"
run_producer_once --full
run=$(last_run_field run_id)
log "full run: $(last_run_summary)"
wait_run_completed "$run" 60
wait_caught_up 30
assert_eq t "$(psql_value "select coalesce((select _deleted from $TABLE where $ID_FIELD = 7), true)")" \
    "row 7 deleted in PostgreSQL"
assert_eq 1 "$(last_run_field vanished)" "vanished ids found by the full run (id 7)"
assert_table_equals_api
stop_worker
log "ok"
