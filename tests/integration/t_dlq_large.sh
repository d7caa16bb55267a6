#!/usr/bin/env bash
# t_dlq_large: a dead letter always fits. An undecodable message near the
# 1 MB message.max.bytes is on a stream topic; its DLQ copy plus headers
# exceeded the limit, the produce failed and on main the batch was retried
# forever, stalling every partition. Now the copied payload is cut to fit,
# with headers tidemark.original_size (the original size),
# tidemark.truncated=value and tidemark.source (where it was), and the
# worker goes on.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 50
write_config
topic="$PREFIX.$STREAM"

first_sync
wait_caught_up 30

size=999900
head -c "$size" /dev/zero | tr '\0' G >"$T_WORK/big.bin"
base=$(partition_end "$topic" 1)
produce_file "$topic" 1 big-garbage "$T_WORK/big.bin"

api_post "/admin/update?ids=1,2,3,4,5,6,7,8" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)

dlq_one() { [ "$(topic_count "$PREFIX.dlq")" -ge 1 ]; }
wait_for "the dead letter of the large message" 30 dlq_one
wait_run_completed "$run2" 30
wait_caught_up 30
assert_table_equals_api

dlq_lines >"$T_WORK/dlq.txt"
cut -c1-300 "$T_WORK/dlq.txt"
assert_eq 1 "$(wc -l <"$T_WORK/dlq.txt")" "dead letters"
assert_eq 1 "$(dlq_count_for "$topic/1/$base")" "dead letters of $topic/1/$base"
grep -q "tidemark.original_size=$size" "$T_WORK/dlq.txt" || fail "no tidemark.original_size=$size header"
grep -q "tidemark.truncated=value" "$T_WORK/dlq.txt" || fail "no tidemark.truncated=value header"
grep -q "tidemark.error=decode: " "$T_WORK/dlq.txt" || fail "no reason in tidemark.error"
kc -C -t "$PREFIX.dlq" -o 0 -c 1 -e -f '%s' >"$T_WORK/copy.bin"
copied=$(wc -c <"$T_WORK/copy.bin")
[ "$copied" -lt "$size" ] && [ "$copied" -gt $((size - 20000)) ] ||
    fail "the copied payload is $copied bytes: want it cut, but not by much, from $size"
cmp -s "$T_WORK/copy.bin" <(head -c "$copied" "$T_WORK/big.bin") ||
    fail "the copied payload is not the start of the original"
assert_eq big-garbage "$(kc -C -t "$PREFIX.dlq" -o 0 -c 1 -e -f '%k')" "key of the dead letter"
stop_worker
log "ok"
