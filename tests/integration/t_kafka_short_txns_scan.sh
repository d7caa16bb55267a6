#!/usr/bin/env bash
# t_kafka_short_txns_scan: another client writes to the stream topic in
# short Kafka transactions, one after the other (an exactly-once job that
# commits every few seconds: a transaction is open nearly all the time,
# but each one only for seconds). The full run's topic scan plans to the
# high watermarks; a partition's end for the committed reader lags them
# by at most those seconds, and the scan waits them: the full runs
# complete. Failing at the first end below the plan, every full run
# failed for as long as the job ran (t_kafka_open_txn_scan: a transaction
# that stays open fails the run, after the scan's idle timeout).
# brokers: kafka
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
p = Producer({"bootstrap.servers": bs, "transactional.id": "stranger-short",
              "transaction.timeout.ms": 60000})
p.init_transactions(30)
n = 0
deadline = time.time() + 300
while not os.path.exists(release) and time.time() < deadline:
    p.begin_transaction()
    for part in range(4):
        p.produce(topic, key=b"stranger", value=b"x", partition=part)
    p.flush(30)
    with open(opened + ".tmp", "w") as f:
        f.write(str(n + 1))
    os.rename(opened + ".tmp", opened)
    time.sleep(3.0)
    p.abort_transaction(30)   # a commit ends the transaction for the scan alike
    n += 1
print("transactions", n)
PY
stranger=$!
_TM_PIDS+=("$stranger")
wait_for "the stranger's first transaction open" 60 test -e "$T_WORK/opened"

api_post "/admin/delete?ids=5" >/dev/null || fail "admin delete"
ok=0
txn_at_least() { [ "$(cat "$T_WORK/opened" 2>/dev/null || echo 0)" -ge "$1" ]; }
for i in 1 2 3 4; do
    # each run in a later transaction than the last: a run at any time
    wait_for "the stranger's transaction $i open" 60 txn_at_least "$i"
    "$BUILD/tidemark-producer" -c "$CONF" run --once --full >"$T_WORK/full$i.out" 2>"$T_WORK/full$i.log"
    rc=$?
    cat "$T_WORK/full$i.log" >>"$T_WORK/producer.log"
    log "full run $i while 3-second transactions come and go: exit $rc $(grep -o 'error="[^"]*"' "$T_WORK/full$i.log" | head -1 | cut -c1-200)"
    [ "$rc" = 0 ] && ok=$((ok + 1))
done
touch "$T_WORK/release"
wait_for "the stranger done" 60 grep -q transactions "$T_WORK/stranger.log"
log "stranger: $(cat "$T_WORK/stranger.log")"
assert_eq 4 "$ok" "full runs completed while another client's 3-second transactions came and went"
stop_worker
log "ok"
