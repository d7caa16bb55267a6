#!/usr/bin/env bash
# t_kafka_aborted_norow_partition: as t_kafka_aborted_idle_partition, for
# a partition the worker placed without a stored row: a second group
# starts while sync_offsets is locked (a non-concurrent CREATE INDEX), so
# the row that placement stores at once is refused by lock_timeout ("the
# next batch will"). Another client writes only aborted transactions
# there, so no batch ever comes to store it. The worker must write the
# row itself, at the partition's end: without it, once retention took
# those records the next start refused the partition as one whose first
# messages were lost, and an event sent there was not applied.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

one_record_one_empty_partition

pg_hold_open idx "LOCK TABLE sync_offsets IN SHARE MODE"
GROUP=tm-b
write_config "postgres: lock_timeout = 1s" "worker: group.id = $GROUP"
start_worker
wait_for "the placement's row of partition $q refused by the lock" 60 \
    matches "cannot store the new offset.*partition=$q " "$T_WORK/worker-w1.log"
pg_release idx

assert_aborted_txns_kept "$q"
stop_worker
log "ok"
