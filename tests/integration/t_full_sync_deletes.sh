#!/usr/bin/env bash
# t_full_sync_deletes: a full run reconciles deletions nobody announced.
# The stream has no deleted.url, so records removed from the API are
# visible only by their absence. A full run scans the stream's topic for
# the ids that are live in Kafka, and after a complete fetch publishes a
# delete event (full_sync = true, source_ts = the version the table
# holds, which it outranks as the later produced) and a
# tombstone for each one the API no longer served:
#  - incremental runs never do; the full run deletes exactly the vanished
#    ids (not ids already deleted in Kafka, not soft-deleted ones the API
#    still serves), the table then equals the API, and later runs (full or
#    incremental) do not publish them again;
#  - a full run whose fetch fails in the middle (HTTP 500 after retries)
#    publishes no delete at all; once the fault clears, the next full run
#    does.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300
write_config "stream: -deleted.url" "stream: page.size = 20"
topic="$PREFIX.$STREAM"

# Delete events (tidemark.op=delete with a value) on the topic, as
# "KEY RUN_ID" lines, sorted.
delete_events()
{
    kc -C -t "$topic" -e -f '%S %k %h\n' |
        awk '$1 != -1 && $3 ~ /tidemark.op=delete/ {
                 run = $3; sub(/.*tidemark.run=/, "", run); sub(/,.*/, "", run); print $2, run }' |
        LC_ALL=C sort
}

# Decodes the change event at PARTITION OFFSET of the topic: prints
# "op id source_ts run_id full_sync" (the envelope's leading fields; the
# single-object header is checked, the fingerprint skipped).
decode_event()
{
    kc -C -t "$topic" -p "$1" -o "$2" -c 1 -f '%s' | python3 -c '
import sys
b = sys.stdin.buffer.read()
assert b[:2] == b"\xc3\x01", "not single-object encoded"
pos = 10
def varint():
    global pos
    n = shift = 0
    while True:
        c = b[pos]; pos += 1
        n |= (c & 0x7f) << shift; shift += 7
        if not c & 0x80:
            return (n >> 1) ^ -(n & 1)
def string():
    global pos
    n = varint(); s = b[pos:pos + n].decode(); pos += n
    return s
op = ["UPSERT", "DELETE"][varint()]
i = string(); ts = varint(); run = string(); full = b[pos]; pos += 1
print(op, i, ts, run, "true" if full else "false")'
}

# ---- first run: full, nothing in Kafka yet, so nothing vanished.
run_producer_once
run1=$(last_run_field run_id)
assert_eq full "$(last_run_field mode)" "mode of the first run"
assert_eq 0 "$(last_run_field vanished)" "vanished ids of the first run"
start_worker
wait_run_completed "$run1" 60

# Kafka gets a history: updates, a soft delete the API keeps serving (9),
# and one (10) that is later removed too: gone in Kafka already.
api_post "/admin/update?ids=5,6,210" >/dev/null || fail "admin update"
api_post "/admin/soft-delete?ids=9,10" >/dev/null || fail "admin soft-delete"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "mode of the second run"
assert_eq 2 "$(last_run_field deletes)" "soft deletes published"
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api

# ---- records vanish; the deleted endpoint is not configured.
vanished="11 111 211 6"
api_post "/admin/delete?ids=11,111,211,6,10" >/dev/null || fail "admin delete"
msgs_before=$(topic_count "$topic")
run_producer_once
assert_eq incremental "$(last_run_field mode)" "mode of the run after the removal"
assert_eq 0 "$(last_run_field deletes)" "deletes of an incremental run"
assert_eq 0 "$(last_run_field vanished)" "vanished ids of an incremental run"
assert_eq "$msgs_before" "$(topic_count "$topic")" "messages after an incremental run with nothing new"

# ---- a full run that fails in the middle of its fetch deletes nothing.
# Every request is slowed down, so that the run is still paging when the
# 500s are switched on (the fault slot is one: it replaces the delay).
write_config "stream: -deleted.url" "stream: page.size = 20" "stream: max.retries = 1"
api_post "/admin/fault?status=0&delay_ms=500&count=1000" >/dev/null || fail "admin fault (delay)"
msgs_before=$(topic_count "$topic")
n=$((++_PRODUCER_N))
PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
timeout --foreground -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once --full \
    >"$T_WORK/producer.$n.out" 2>"$PRODUCER_LAST_LOG" &
ppid=$!
_track_pid "$ppid"
published_some() { [ "$(topic_count "$topic")" -ge $((msgs_before + 40)) ]; }
wait_for "the failing full run published its first pages" 60 published_some
api_post "/admin/fault?status=500&count=20" >/dev/null || fail "admin fault (500)"
wait "$ppid"
rc=$?
cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
assert_eq 1 "$rc" "exit status of the full run whose fetch failed"
line=$(last_failed_line)
case "$line" in
    *"mode=full"*"HTTP status 500"*) log "failure logged: $line" ;;
    *) fail "no 'run failed' line of a full run with HTTP status 500: $line" ;;
esac
grep -q 'msg="topic scanned for reconciliation"' "$PRODUCER_LAST_LOG" ||
    fail "the failed full run did not scan the topic"
assert_eq 0 "$(sed -n 's/.* vanished=\([0-9]*\) .*/\1/p' <<<"$line")" "vanished ids of the failed run"
failed_run=$(sed -n 's/.* run_id=\([^ ]*\) .*/\1/p' <<<"$line")
published=$(($(topic_count "$topic") - msgs_before))
[ "$published" -ge 40 ] && [ "$published" -lt 250 ] ||
    fail "the failed run published $published events: not a failure in the middle of the fetch"
assert_eq "" "$(delete_events | awk -v r="$failed_run" '$2 == r')" "delete events of the failed run"
assert_eq failed "$(last_run_record | jq -r .status)" "status of the failed run's record"
api_post "/admin/fault?count=0" >/dev/null || fail "clear the faults"
wait_for "run $failed_run failed in sync_metadata" 30 eval '[ "$(run_status "$failed_run")" = failed ]'
assert_eq 0 "$(psql_value "select count(*) from $TABLE where _deleted and $ID_FIELD in (11, 111, 211, 6)")" \
    "vanished rows deleted in the table before a full run completed"

# ---- the full run: exactly the vanished ids are deleted.
# "ID MS" of each vanished id's version in the table
versions=$(psql_value "select $ID_FIELD || ' ' || (extract(epoch from _source_ts) * 1000)::bigint
                       from $TABLE where $ID_FIELD in (${vanished// /,}) order by 1")
version_of() { awk -v k="$1" '$1 == k { print $2 }' <<<"$versions"; }
write_config "stream: -deleted.url" "stream: page.size = 20"
run_producer_once --full
run3=$(last_run_field run_id)
assert_eq full "$(last_run_field mode)" "mode of the run with --full"
assert_eq 4 "$(last_run_field vanished)" "vanished ids found by the full run"
# deletes = the vanished ids + soft-deleted 9, which the API still serves
assert_eq 5 "$(last_run_field deletes)" "delete events of the full run"
rec=$(last_run_record)
assert_eq "$run3" "$(jq -r .run_id <<<"$rec")" "run_id of the latest run record"
assert_eq completed "$(jq -r .status <<<"$rec")" "status of the full run's record"
assert_eq 5 "$(jq -r .deletes <<<"$rec")" "deletes in the full run's record"
expected=$(printf '%s\n' $vanished 9 | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$expected" "$(delete_events | awk -v r="$run3" '$2 == r { print $1 }' | tr '\n' ' ')" \
    "ids with delete events in the full run"
# Each vanished id: its delete event says full_sync and its version (when
# it vanished is unknown: dated by the clock, it outranked a change made
# while the record was hidden: t_full_vanished_changed_hidden),
# and a tombstone follows it in its partition.
kc -C -t "$topic" -e -f '%p %o %S %k %h\n' >"$T_WORK/topic.txt"
for id in $vanished; do
    at=$(awk -v k="$id" -v r="tidemark.run=$run3" '$4 == k && $3 != -1 && index($5, r) { print $1, $2 }' "$T_WORK/topic.txt")
    [ -n "$at" ] || fail "no delete event of id $id in run $run3"
    [ -n "$(version_of "$id")" ] || fail "no version of id $id in the table"
    assert_eq "DELETE $id $(version_of "$id") $run3 true" "$(decode_event $at)" \
        "delete event of vanished id $id (op id source_ts run_id full_sync)"
    tomb=$(awk -v k="$id" -v p="${at% *}" -v o="${at#* }" '$1 == p && $4 == k && $3 == -1 && $2 > o' "$T_WORK/topic.txt" | wc -l)
    assert_eq 1 "$tomb" "tombstones after the delete event of id $id"
done

wait_run_completed "$run3" 60
wait_caught_up 60
assert_table_equals_api
assert_eq "$versions" "$(psql_value "select $ID_FIELD || ' ' || (extract(epoch from _deleted_at) * 1000)::bigint
        from $TABLE where _deleted and $ID_FIELD in (${vanished// /,}) order by 1")" \
    "rows deleted at their version"
assert_eq "t 5" "$(psql_value "select is_full_sync, records_deleted from sync_metadata
        where run_id = $(sql_quote "$run3")" | tr '\t' ' ')" "sync_metadata of the full run"

# ---- later runs publish nothing for them again.
msgs_before=$(topic_count "$topic")
run_producer_once
assert_eq incremental "$(last_run_field mode)" "mode of the run after the full one"
assert_eq 0 "$(last_run_field deletes)" "deletes of the incremental run after the full one"
assert_eq "$msgs_before" "$(topic_count "$topic")" "messages after the incremental run"
run_producer_once --full
run5=$(last_run_field run_id)
assert_eq 0 "$(last_run_field vanished)" "vanished ids of a second full run"
assert_eq "9" "$(delete_events | awk -v r="$run5" '$2 == r { print $1 }' | tr '\n' ' ' | sed 's/ $//')" \
    "ids with delete events in the second full run (only the soft-deleted one it serves)"
wait_run_completed "$run5" 60
wait_caught_up 60
assert_table_equals_api

# ---- an API that suddenly serves nothing at all is not believed: a full
# run then deletes nothing (an empty answer is likelier a broken API than
# an emptied one).
all_ids=$(api_get /admin/records | jq -r --arg f "$ID_FIELD" '[.data[][$f] | tostring] | join(",")')
api_post "/admin/delete?ids=$all_ids" >/dev/null
msgs_before=$(topic_count "$topic")
run_producer_once --full
assert_eq 0 "$(last_run_field fetched)" "records a full run fetched from the emptied API"
assert_eq 0 "$(last_run_field deletes)" "deletes of a full run that fetched nothing"
grep -q 'full fetch served no records' "$PRODUCER_LAST_LOG" ||
    fail "no warning that the full fetch served no records"
assert_eq "$msgs_before" "$(topic_count "$topic")" "messages after the empty full run"
stop_worker
log "ok"
