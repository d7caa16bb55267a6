#!/usr/bin/env bash
# t_kafka_empty_partition_restart: a group's first start on a stream topic
# whose partitions' old messages retention already took (low = high = 1:
# nothing there to read). The worker places them at their start and
# stores that at once, and applies the one record, on its own partition.
# After a plain restart, a new event on one of the empty partitions is
# applied. Those partitions used to get no row until a batch of theirs,
# and the restart took them for partitions added while the workers were
# stopped whose first messages retention took: stuck, though nothing was
# ever skipped.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:4"
start_demoapi --records 1
printf 'old' >"$T_WORK/old.bin"
for p in 0 1 2 3; do produce_file "$topic" "$p" old "$T_WORK/old.bin"; done
"$PYVENV" - "$BOOTSTRAP" "$topic" <<'PY' || fail "delete_records failed"
import sys
from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient
bs, topic = sys.argv[1], sys.argv[2]
a = AdminClient({"bootstrap.servers": bs})
for tp, f in a.delete_records([TopicPartition(topic, p, 1) for p in range(4)]).items():
    print("partition", tp.partition, "low watermark now", f.result(30).low_watermark)
PY
write_config
first_sync
stored=$(stored_offsets "$topic")
log "stored after the first sync: $(echo $stored)"
# a partition that got no event: its row (if any) still at its start, 1
q=$(for p in 0 1 2 3; do awk -v p=$p '$1 == p { f = $2 } END { if (f == "" || f == 1) print p }' <<<"$stored"; done | head -n 1)
[ -n "$q" ] || fail "every partition got an event"
stop_worker
start_worker

event_header "$T_WORK/header.bin"
craft_event "$T_WORK/a.bin" "{\"id\": \"9001\", \"source_ts\": $(now_ms), \"after\": {\"id\": 9001, \"name\": \"on q\", \"email\": \"q@example.com\"}}"
produce_file "$topic" "$q" 9001 "$T_WORK/a.bin"
applied_or_stuck() {
    [ "$(psql_value "select count(*) from $TABLE where id = 9001")" = 1 ] ||
        matches "no stored offset, and retention took.*partition=$q " "$T_WORK/worker-w1.log"
}
wait_for "row 9001 applied, or partition $q refused" 60 applied_or_stuck
if [ "$(psql_value "select count(*) from $TABLE where id = 9001")" != 1 ]; then
    fail "partition $q, empty and never skipped, is stuck after a restart; row 9001 not applied: $(grep 'no stored offset, and retention' "$T_WORK/worker-w1.log" | grep "partition=$q " | tail -n 1)"
fi
stop_worker
log "ok"
