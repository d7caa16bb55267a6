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

assert_aborted_txns_kept "$q"
stop_worker
log "ok"
