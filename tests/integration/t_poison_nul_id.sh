#!/usr/bin/env bash
# t_poison_nul_id: a DELETE event whose envelope id carries a NUL byte
# ("5\0junk") is not row 5's delete: it is dead-lettered (an id with a NUL
# names no row), as a Kafka tombstone whose key holds a NUL is, and row 5
# stays live. The decoder used to copy the id with strndup(), which stops
# at the NUL, and the worker soft-deleted row 5.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
topic="$PREFIX.$STREAM"

first_sync
wait_caught_up 30
stop_worker
assert_eq f "$(psql_value "select _deleted from $TABLE where id = 5")" "row 5 live before"

event_header "$T_WORK/header.bin"
# "5" NUL "junk"
craft_event "$T_WORK/a.bin" '{"op": "DELETE", "id": {"hex": "35006a756e6b"}, "source_ts": 4102444800000}'
base=$(partition_end "$topic" 0)
produce_file "$topic" 0 a "$T_WORK/a.bin"

start_worker
wait_caught_up 30
dlq_lines >"$T_WORK/dlq.txt"
cat "$T_WORK/dlq.txt"
assert_eq f "$(psql_value "select _deleted from $TABLE where id = 5")" \
    "row 5 after a delete event whose id is '5\\0junk'"
assert_eq 1 "$(dlq_count_for "$topic/0/$base")" "dead letters of the event whose id holds a NUL"
stop_worker
log "ok"
