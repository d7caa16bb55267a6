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

kafka_delete_records "$topic" "$q:$high"
stop_worker
start_worker

assert_applied_on "$q" 9001 "stored offset outside the partition"
stop_worker
log "ok"
