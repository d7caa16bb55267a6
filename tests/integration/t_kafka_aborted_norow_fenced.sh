#!/usr/bin/env bash
# t_kafka_aborted_norow_fenced: t_kafka_aborted_norow_partition, with the
# worker's first batch fenced meanwhile (while sync_offsets is locked,
# another session writes the row of the other partition, as a second
# worker or reset-offsets would). After a fence every partition is sought
# to its stored offset; the one without a row went back to "the
# beginning" and lost the start its placement had checked, so its row was
# never written, and after retention took the aborted records the next
# start refused the partition.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

one_record_one_empty_partition

GROUP=tm-b
pg_hold_open idx "LOCK TABLE sync_offsets IN SHARE MODE;
    INSERT INTO sync_offsets (consumer_group, topic, partition, next_offset)
    VALUES ('$GROUP', '$PREFIX.$STREAM', $((1 - q)), 0)"
write_config "postgres: lock_timeout = 1s" "worker: group.id = $GROUP"
start_worker
wait_for "the placement's row of partition $q refused by the lock" 60 \
    matches "cannot store the new offset.*partition=$q " "$T_WORK/worker-w1.log"
wait_for "the first batch retried under the lock" 60 \
    matches "batch rolled back; retrying" "$T_WORK/worker-w1.log"
pg_release idx
wait_for "the first batch fenced" 60 matches "offset moved under this worker" "$T_WORK/worker-w1.log"

assert_aborted_txns_kept "$q"
stop_worker
log "ok"
