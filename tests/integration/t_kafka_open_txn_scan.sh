#!/usr/bin/env bash
# t_kafka_open_txn_scan: another client holds a Kafka transaction open on
# the stream topic (a long exactly-once job; at most its
# transaction.timeout.ms) while tidemark runs. The producer's topic scan
# reads committed messages only, so a partition ends for it at the last
# stable offset, and its own events after the stranger's first message
# cannot be read yet. A full run then fails, saying so, rather than
# reconcile on part of the topic (a record created and published in that
# window, then dropped by the API, was not found vanished and its row
# stayed live); the full run after the transaction ended deletes it.
# brokers: kafka
# long
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker
start_demoapi --records 20
write_config "stream: -deleted.url"
first_sync
assert_table_equals_api

"$PYVENV" - "$BOOTSTRAP" "$topic" "$T_WORK/release" "$T_WORK/opened" >"$T_WORK/stranger.log" 2>&1 <<'PY' &
import os, sys, time
from confluent_kafka import Producer
bs, topic, release, opened = sys.argv[1:5]
p = Producer({"bootstrap.servers": bs, "transactional.id": "stranger-open",
              "transaction.timeout.ms": 600000})
p.init_transactions(30)
p.begin_transaction()
for part in range(4):
    p.produce(topic, key=b"stranger", value=b"x", partition=part)
p.flush(30)
open(opened, "w").close()
deadline = time.time() + 300
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.2)
p.abort_transaction(30)
print("aborted")
PY
stranger=$!
_TM_PIDS+=("$stranger")
wait_for "the stranger's transaction open" 60 test -e "$T_WORK/opened"
log "a stranger's transaction is open on every partition of $topic"

new=$(api_post "/admin/create?count=1" | jq -r '.ids[0]') || fail "admin create"
log "created id $new"
run_producer_once
log "incremental run: $(last_run_summary)"

api_post "/admin/delete?ids=$new,5" >/dev/null || fail "admin delete"
"$BUILD/tidemark-producer" -c "$CONF" run --once --full >"$T_WORK/full.out" 2>"$T_WORK/full.log"
rc=$?
cat "$T_WORK/full.log" >>"$T_WORK/producer.log"
log "full run during the open transaction: exit $rc $(grep -o 'vanished=[0-9]*' "$T_WORK/full.log" | tail -1) $(grep -o 'error="[^"]*"' "$T_WORK/full.log" | head -1)"
grep -o 'msg="topic scanned[^"]*"[^\n]*' "$T_WORK/full.log" | head -2 | while read -r l; do log "$l"; done

assert_eq 1 "$rc" "the full run's exit while a transaction holds the topic's end back"
matches "another client's transaction is open there" "$T_WORK/full.log" ||
    fail "the full run's error does not say why: $(grep -o 'error="[^"]*"' "$T_WORK/full.log" | head -1)"

touch "$T_WORK/release"
wait_for "the stranger's transaction aborted" 60 grep -q aborted "$T_WORK/stranger.log"
run_producer_once --full
log "full run after the transaction: $(last_run_summary)"
wait_run_completed "$(last_run_field run_id)" 90
wait_caught_up 60
assert_eq t "$(psql_value "select coalesce((select _deleted from $TABLE where $ID_FIELD = $new), true)")" \
    "row $new (dropped by the API) deleted in PostgreSQL after the full run"
assert_table_equals_api
stop_worker
log "ok"
