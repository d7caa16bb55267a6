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
kafka_delete_records "$topic" 0:1 1:1 2:1 3:1
write_config
first_sync
stored=$(stored_offsets "$topic")
log "stored after the first sync: $(echo $stored)"
# a partition that got no event: its row (if any) still at its start, 1
q=$(for p in 0 1 2 3; do awk -v p=$p '$1 == p { f = $2 } END { if (f == "" || f == 1) print p }' <<<"$stored"; done | head -n 1)
[ -n "$q" ] || fail "every partition got an event"
stop_worker
start_worker

# partition q, empty and never skipped, must not be stuck after a restart
assert_applied_on "$q" 9001 "no stored offset, and retention took"
stop_worker
log "ok"
