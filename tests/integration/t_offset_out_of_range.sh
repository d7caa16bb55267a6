#!/usr/bin/env bash
# t_offset_out_of_range: a stored offset outside its partition (a topic
# deleted and recreated, retention past a stopped group, a cluster
# migration) is never skipped past silently. On main librdkafka reset the
# partition to 0, the consumer dropped every message below the stored
# offset, and the run was marked completed with events missing.
#
# offset.out_of_range = fail (the default): the worker logs an error
# naming topic, partition, stored offset and watermarks, applies nothing
# of that partition while the others keep flowing, never completes a run
# with events there, and `status` shows it and exits 1. reset-offsets is
# the way out: the running worker resumes the partition without a restart.
# /metrics says so meanwhile (tidemark_worker_partitions_stuck 1, then 0):
# a stuck partition is not fetched and had no lag sample, so nothing there
# showed it. With offset.out_of_range = earliest it goes on from the low
# watermark.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
start_demoapi --records 40
addr="127.0.0.1:$(free_port)"
write_config "worker: metrics.listen = $addr"
topic="$PREFIX.$STREAM"

status() { "$BUILD/tidemark-worker" -c "$CONF" status "$@"; }
set_stored() { # set_stored PARTITION OFFSET
    psql_value "update sync_offsets set next_offset = $2 where consumer_group = $(sql_quote "$GROUP")
                and topic = $(sql_quote "$topic") and partition = $1" >/dev/null ||
        fail "could not set the stored offset of partition $1"
}
stored_of() {
    psql_value "select next_offset from sync_offsets where consumer_group = $(sql_quote "$GROUP")
                and topic = $(sql_quote "$topic") and partition = $1"
}

first_sync
wait_caught_up 30
stop_worker

# ---- fail: partition 1 stored past its end
set_stored 1 1000
api_post "/admin/update?ids=$(seq -s, 1 40)" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
ends=$(topic_ends "$topic")
p1_end=$(awk '$1 == 1 { print $2 }' <<<"$ends")
[ "$(kc -C -t "$topic" -p 1 -o -40 -e -f '%o\n' 2>/dev/null | wc -l)" -gt 0 ] || fail "no event on partition 1"

start_worker
others_done() {
    local p e
    while read -r p e; do
        [ "$p" = 1 ] && continue
        [ "$(stored_of "$p")" = "$e" ] || return 1
    done <<<"$ends"
}
wait_for "the other partitions applied to their ends" 30 others_done
assert_eq running "$(run_status "$run2")" "status of the run with events on the refused partition"
assert_eq 1000 "$(stored_of 1)" "stored offset of the refused partition"
grep -q 'msg="stored offset outside the partition.*topic=tm.customers partition=1 stored=1000 low=0 high='"$p1_end" \
    "$T_WORK/worker-w1.log" || fail "the worker did not log that it refuses partition 1 (stored 1000, high $p1_end)"

status >"$T_WORK/s1.txt" 2>"$T_WORK/s1.err"
assert_eq 1 "$?" "exit status of status with a partition out of range"
cat "$T_WORK/s1.txt" "$T_WORK/s1.err"
awk -v t="$topic" '$2 == t && $3 == 1' "$T_WORK/s1.txt" | matches 'out-of-range$' ||
    fail "status does not show partition 1 out of range"
grep -q 'stored offset outside the partition' "$T_WORK/s1.err" || fail "status says nothing on stderr"
wait_for "tidemark_worker_partitions_stuck 1" 10 metric_is "$addr" tidemark_worker_partitions_stuck 1

# reset-offsets is the way out; the running worker resumes the partition
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --partition 1 \
    --execute >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets failed: $(cat "$T_WORK/reset.out")"
wait_run_completed "$run2" 30
wait_caught_up 30
assert_table_equals_api
grep -q 'partition resumed at its new stored offset' "$T_WORK/worker-w1.log" ||
    fail "the worker did not log that it resumed the partition"
status >"$T_WORK/s2.txt" 2>"$T_WORK/s2.err" || fail "status exited $? after the reset: $(cat "$T_WORK/s2.err")"
wait_for "tidemark_worker_partitions_stuck 0" 10 metric_is "$addr" tidemark_worker_partitions_stuck 0
stop_worker

# ---- earliest: partition 2 stored past its end, the worker goes on from 0
write_config "worker: offset.out_of_range = earliest"
set_stored 2 5000
api_post "/admin/update?ids=$(seq -s, 1 40)" >/dev/null || fail "admin update"
run_producer_once
run3=$(last_run_field run_id)
start_worker
wait_run_completed "$run3" 30
wait_caught_up 30
assert_table_equals_api
grep -q 'msg="stored offset outside the partition; going on from its other end.*partition=2 stored=5000 low=0 .*policy=earliest start=0' \
    "$T_WORK/worker-w1.log" || fail "the worker did not log where it went on from"
status >"$T_WORK/s3.txt" 2>"$T_WORK/s3.err" || fail "status exited $? at the end: $(cat "$T_WORK/s3.err")"
stop_worker
log "ok"
