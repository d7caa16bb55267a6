#!/usr/bin/env bash
# t_kafka_recreated_refilled: the stream topic is deleted while the worker
# is stopped, made again, and refilled past the stored offsets by the
# next runs before the worker starts. The stored offsets then lie inside
# the new partitions, and the worker went on from them without a word:
# the new topic's first events (here the changes of records 1-6) were
# never applied, and only their run, left `running`, hinted at it. The
# worker now keeps, with each stored offset, the timestamp and key sum of
# the message below it (sync_offsets.last_ts, last_key_sum) and reads
# that message again when it places the partition: another one there is
# treated as an offset outside the partition (offset.out_of_range = fail:
# an error naming it, nothing applied), until `reset-offsets
# --to-earliest`; the table then equals the API and every run completes.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
start_devbroker --topic "$topic:2"
start_demoapi --records 30
write_config
first_sync
wait_caught_up 30
before=$(stored_offsets "$topic")
log "stored offsets of the first topic: $(echo $before)"
[ "$(psql_value "select count(*) from sync_offsets where topic = '$topic' and last_ts is not null
                 and last_key_sum is not null")" = 2 ] ||
    fail "the stored offsets carry no mark of the message below them"
stop_worker

kafka_admin delete "$topic"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$topic" 2 >/dev/null 2>&1; }
wait_for "$topic created again" 30 recreate
# refilled: records 1-6 changed and every record published (a full run),
# then records 7-30 changed and published: past the old ends
api_post "/admin/update?ids=$(seq -s, 1 6)" >/dev/null || fail "admin update"
run_producer_once --full
runs=$(last_run_field run_id)
api_post "/admin/update?ids=$(seq -s, 7 30)" >/dev/null || fail "admin update"
run_producer_once
runs="$runs $(last_run_field run_id)"
ends=$(topic_ends "$topic")
log "the new topic's ends: $(echo $ends)"
past() { # every stored offset inside its new partition, above its start
    local p e n
    while read -r p e; do
        n=$(awk -v p="$p" '$1 == p { print $2 }' <<<"$ends")
        [ -n "$n" ] && [ "$e" -le "$n" ] || return 1
    done <<<"$before"
}
past || fail "the new topic does not reach past the stored offsets: the scenario proves nothing"

start_worker
other() { # other PARTITION
    grep -q "level=error msg=\"the message below the stored offset is not the one this group applied there.*topic=$topic partition=$1 " \
        "$T_WORK/worker-w1.log"
}
all_other() {
    local p e
    while read -r p e; do other "$p" || return 1; done <<<"$before"
}
wait_for "the worker to refuse the partitions whose stored offsets name other messages" 60 all_other
pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK" || fail "the worker died"
assert_eq "$before" "$(stored_offsets "$topic")" "stored offsets while refused"

"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets failed: $(cat "$T_WORK/reset.out")"
for r in $runs; do wait_run_completed "$r" 60; done
wait_caught_up 30
assert_table_equals_api
log "ok"
