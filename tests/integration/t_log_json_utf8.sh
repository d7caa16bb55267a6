#!/usr/bin/env bash
# t_log_json_utf8: with log.format = json, every line the worker
# writes is valid UTF-8 JSON (RFC 8259 8.1), even when it quotes a hostile
# value: crafted DELETE events whose ids are not UTF-8 ("5\xe9Y" on the
# integer id) and one whose id is valid UTF-8 ("a" x 59 + "é": the
# message cuts the id at 60 bytes, inside the "é") are dead-lettered and
# logged, and a log shipper must be able to read those lines. (An upsert
# whose envelope run_id is "r\xe9Y" was dead-lettered too until
# 2026-12-06, when sync_metadata refused the run; a run id not in its
# stream's form now counts for no run, and the event is applied.)
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 5
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
stop_worker
write_config "top: log.format = json"
start_worker
event_header "$T_WORK/header.bin"
base=$(partition_end "$topic" 0)
craft_event "$T_WORK/a.bin" '{"op": "DELETE", "id": {"hex": "35e959"}, "source_ts": 4102444800000}'
craft_event "$T_WORK/b.bin" '{"op": "UPSERT", "id": "3", "run_id": {"hex": "72e959"}, "source_ts": 4102444800000}'
craft_event "$T_WORK/c.bin" '{"op": "UPSERT", "id": "4", "source_ts": 4102444800000, "after": {"id": 4, "name": {"hex": "4de97e"}}}'
# valid UTF-8: 59 'a' then U+00E9, whose first byte is the 60th
craft_event "$T_WORK/d.bin" "{\"op\": \"DELETE\", \"id\": \"$(printf 'a%.0s' {1..59})\u00e9\", \"source_ts\": 4102444800000}"
produce_file "$topic" 0 d "$T_WORK/d.bin"
produce_file "$topic" 0 a "$T_WORK/a.bin"
produce_file "$topic" 0 b "$T_WORK/b.bin"
produce_file "$topic" 0 c "$T_WORK/c.bin"
three() { [ "$(topic_count "$PREFIX.dlq")" -ge 3 ]; }
wait_for "three dead letters" 30 three
wait_caught_up 30
stop_worker
kc -C -t "$PREFIX.dlq" -e -f '%k\t%h\n' | python3 -c '
import sys
bad = 0
for raw in sys.stdin.buffer:
    key, _, headers = raw.partition(b"\t")
    try:
        headers.decode("utf-8")
    except UnicodeDecodeError as e:
        bad += 1
        print("dead letter %r: its headers are not UTF-8 (%s): %r" % (key, e, headers[:200]))
sys.exit(1 if bad else 0)
' || fail "dead letters whose headers are not UTF-8"
python3 - "$T_WORK"/worker-w1.log <<'PY' || fail "the worker's JSON log has lines that are not UTF-8 JSON"
import json, sys
bad = 0
for n, raw in enumerate(open(sys.argv[1], "rb"), 1):
    if not raw.startswith(b"{"):
        continue
    try:
        json.loads(raw.decode("utf-8"))
    except Exception as e:
        bad += 1
        print("line %d: %s: %r" % (n, e, raw[:300]))
sys.exit(1 if bad else 0)
PY
log "ok"
