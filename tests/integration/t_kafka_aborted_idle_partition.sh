#!/usr/bin/env bash
# t_kafka_aborted_idle_partition: another client writes to a partition of
# the stream topic only in transactions it aborts (a failing exactly-once
# job). The worker reads with read_committed and gets no message, but its
# fetcher passes the aborted records and their marker. Its stored offset
# must follow it there: left at the partition's start, once retention took
# those records (delete_records here) the next start found the stored
# offset below the partition and refused the partition as out of range,
# as if events had been lost, until someone ran reset-offsets. After the
# restart an event on that partition is applied.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:2"
start_demoapi --records 1
write_config
first_sync
used=$(kc -C -t "$topic" -e -f '%p\n' | sort -u)
[ "$(echo "$used" | wc -l)" = 1 ] || fail "the one record's events are on partitions: $used"
q=$((1 - used))

high=$("$PYVENV" - "$BOOTSTRAP" "$topic" "$q" <<'PY'
import sys
from confluent_kafka import Consumer, Producer, TopicPartition
bs, topic, part = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({"bootstrap.servers": bs, "transactional.id": "stranger-idle"})
p.init_transactions(30)
for _ in range(2):
    p.begin_transaction()
    for i in range(5):
        p.produce(topic, key=b"x%d" % i, value=b"aborted", partition=part)
    p.flush(30)
    p.abort_transaction(30)
c = Consumer({"bootstrap.servers": bs, "group.id": "watermarks"})
print(c.get_watermark_offsets(TopicPartition(topic, part), 30)[1])
c.close()
PY
) || fail "the aborted transactions failed"
log "two aborted transactions on partition $q: its high watermark is $high"
[ "$high" -gt 10 ] || fail "high watermark $high: the aborted records and markers are not there"

stored_at_end() { [ "$(stored_offsets "$topic" | awk -v p="$q" '$1 == p { print $2 }')" = "$high" ]; }
wait_for "partition $q's stored offset at $high, past the aborted records" 30 stored_at_end

"$PYVENV" - "$BOOTSTRAP" "$topic" "$q" "$high" <<'PY' || fail "delete_records failed"
import sys
from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient
bs, topic, part, high = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
a = AdminClient({"bootstrap.servers": bs})
for tp, f in a.delete_records([TopicPartition(topic, part, high)]).items():
    print("partition", tp.partition, "low watermark now", f.result(30).low_watermark)
PY
stop_worker
start_worker

event_header "$T_WORK/header.bin"
craft_event "$T_WORK/a.bin" "{\"id\": \"9001\", \"source_ts\": $(now_ms), \"after\": {\"id\": 9001, \"name\": \"on q\", \"email\": \"q@example.com\"}}"
produce_file "$topic" "$q" 9001 "$T_WORK/a.bin"
applied_or_stuck() {
    [ "$(psql_value "select count(*) from $TABLE where id = 9001")" = 1 ] ||
        matches "stored offset outside the partition.*partition=$q " "$T_WORK/worker-w1.log"
}
wait_for "row 9001 applied, or partition $q refused" 60 applied_or_stuck
assert_eq 1 "$(psql_value "select count(*) from $TABLE where id = 9001")" \
    "row 9001, sent to partition $q after retention took its aborted records"
stop_worker
log "ok"
