#!/usr/bin/env bash
# t_poison_long: 21 kinds of poison message mixed into 50,000 good events,
# applied by two workers, with every backend of the workers terminated in
# the middle (pg_terminate_backend). In the end the table equals the API,
# every poison message is on the DLQ as often as the workers logged
# producing it (once, unless a batch that had produced it was rolled back
# and redelivered: then the logs show that rollback too), no worker
# exited, every run completed and `status` shows zero lag.
#
# The kinds: garbage, a wrong magic, a wrong fingerprint, a cut header, a
# near-1 MB undecodable message, trailing bytes, an op out of its enum, a
# tier out of its enum, a string of negative length, invalid UTF-8 (all
# caught decoding); an after.id naming another row, an id that is not an
# integer (upsert and delete), a NUL in a string (22P05), last_modified,
# source_ts and signup_date out of PostgreSQL's range (22008), a balance
# past numeric(12,2) (22003); run records that are not JSON, have
# started_at in year 0 (22008) or a 16 KB run_id (54000). Beside them a
# change event with a 16 KB run_id, which until 2026-12-06 was poison too
# (54000 in sync_metadata): a run id not in its stream's form now counts
# for no run, and the event is applied.
# long
. "$(dirname "$0")/lib.sh"

N=50000
start_devbroker
start_demoapi --records "$N"
write_config "worker: batch.max.records = 2000"
topic="$PREFIX.$STREAM"
runs="$PREFIX.sync-runs"
P=4

# poison NAME PARTITION FILE [TOPIC] - one poison message, keyed poison-NAME
poison() { produce_file "${4:-$topic}" "$2" "poison-$1" "$3"; POISON+=("poison-$1"); }
POISON=()

# ---- two workers share the partitions before anything is published
start_worker w1
start_worker w2
both_assigned() {
    local w
    for w in w1 w2; do
        grep 'msg="partitions assigned"' "$T_WORK/worker-$w.log" | tail -n1 | matches "$topic:" || return 1
    done
}
wait_for "both workers hold stream partitions" 60 both_assigned

# ---- phase A: poison that needs no real event, before the first one
printf 'this is not an avro change event' >"$T_WORK/p01"
printf '\xc3\x02garbage after a wrong magic' >"$T_WORK/p02"
printf '\xc3\x01\xab\xab\xab\xab\xab\xab\xab\xab\x00\x02' >"$T_WORK/p03"
printf '\xc3\x01' >"$T_WORK/p04"
head -c 999900 /dev/zero | tr '\0' G >"$T_WORK/p05"
for k in 01 02 03 04 05; do poison "$k" $((10#$k % P)) "$T_WORK/p$k"; done

# ---- run 1 (the full sync, 50,000 events) in the background. Its topic
# scan finds the poison keys live and not in the API: 5 of 5 live ids,
# past full_sync.max_delete_ratio, hence --allow-mass-delete.
"$BUILD/tidemark-producer" -c "$CONF" run --once --full --allow-mass-delete >"$T_WORK/producer.bg.out" 2>"$T_WORK/producer.bg.log" &
producer=$!
_track_pid "$producer"

# ---- phase B: crafted change events while run 1 publishes
first_real() { kc -C -t "$topic" -o beginning -e -f '%p %o %k\n' | awk '$3 !~ /^poison-/' | head -n1; }
has_event() { [ -n "$(first_real)" ]; }
wait_for "a first event on $topic" 30 has_event
read -r fp fo _ < <(first_real)
kc -C -t "$topic" -p "$fp" -o "$fo" -c 1 -e -f '%s' | head -c 10 >"$T_WORK/header.bin"
EVENT_HEADER=$T_WORK/header.bin
bad_ms=10000000000000000
long_id=$(head -c 12288 /dev/urandom | base64 -w0)
craft_event "$T_WORK/p06" '{"id": "900006", "append_hex": "00"}'
craft_event "$T_WORK/p07" '{"id": "900007", "op": 5}'
craft_event "$T_WORK/p08" '{"id": "900008", "after": {"id": 7, "name": "hijack"}}'
craft_event "$T_WORK/p09" '{"id": "abc", "after": {"id": 9}}'
craft_event "$T_WORK/p10" "{\"id\": \"900010\", \"run_id\": \"$long_id\"}"
craft_event "$T_WORK/p11" "{\"id\": \"900011\", \"after\": {\"last_modified\": $bad_ms}}"
craft_event "$T_WORK/p12" "{\"id\": \"900012\", \"source_ts\": $bad_ms}"
craft_event "$T_WORK/p13" '{"id": "900013", "after": {"balance": {"unscaled": 1000000000000000}}}'
craft_event "$T_WORK/p14" '{"id": "900014", "after": {"name": {"hex": "61006200"}}}'
craft_event "$T_WORK/p15" '{"id": "900015", "after": {"email": {"hex": "fffe41"}}}'
craft_event "$T_WORK/p16" '{"id": "900016", "after": {"signup_date": 2147483647}}'
craft_event "$T_WORK/p17" '{"id": "900017", "after": {"tier": 7}}'
for k in 06 07 08 09 11 12 13 14 15 16 17; do poison "$k" $((10#$k % P)) "$T_WORK/p$k"; done
produce_file "$topic" 2 "run-id-16k" "$T_WORK/p10"
log "phase B: poison produced while run 1 publishes"

# ---- every backend of the workers terminated in the middle of applying
applied() { psql_value "select coalesce(sum(next_offset), 0) from sync_offsets where topic = '$topic'" 2>/dev/null; }
half_applied() { [ "$(applied)" -ge $((N / 3)) ]; }
wait_for "a third of the events applied" 90 half_applied
killed=$(psql_value "select count(pg_terminate_backend(pid)) from pg_stat_activity
                     where datname = current_database() and pid <> pg_backend_pid()
                     and backend_type = 'client backend'")
log "terminated $killed backends at $(applied) applied events"
[ "$killed" -ge 1 ] || fail "no worker backend to terminate"

wait "$producer" || fail "producer run 1 failed: $(tail -n 5 "$T_WORK/producer.bg.log")"
run1=$(grep 'msg="run completed"' "$T_WORK/producer.bg.log" | sed -n 's/.* run_id=\([^ ]*\) .*/\1/p' | tail -n1)
[ -n "$run1" ] || fail "producer run 1 did not complete"
wait_run_completed "$run1" 90

# ---- phase D: poison run records and more events, then run 2
last_run_record | jq -c '.run_id = "year-zero" | .started_at = "0000-01-01T00:00:00Z"' >"$T_WORK/p18"
last_run_record | jq -c --arg r "$long_id" '.run_id = $r' >"$T_WORK/p19"
printf '{"stream": "customers", "run_id": ' >"$T_WORK/p20"
for k in 18 19 20; do poison "$k" 0 "$T_WORK/p$k" "$runs"; done
craft_event "$T_WORK/p21" '{"op": "DELETE", "id": "x42"}'
{ head -c 10 "$T_WORK/header.bin"; printf '\x00\x09'; } >"$T_WORK/p22"
for k in 21 22; do poison "$k" $((10#$k % P)) "$T_WORK/p$k"; done
api_post "/admin/update?count=500" >/dev/null || fail "admin update"
api_post "/admin/delete?ids=11,12,13" >/dev/null || fail "admin delete"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
wait_caught_up 60
assert_eq 1 "$(psql_value "select count(*) from $TABLE where id = 900010")" \
    "rows of the event with a 16 KB run_id (applied, counted for no run)"
psql_value "delete from $TABLE where id = 900010" >/dev/null # crafted: not the API's
assert_table_equals_api

# ---- the DLQ: each dead letter as often as the workers produced it
# (The full sync also finds the poison keys live on the topic and not in
# the API: it publishes a delete for each, whose id is not an integer: a
# dead letter of its own, keyed like the poison.)
kc -C -t "$PREFIX.dlq" -e -f '%k\t%h\n' | sed -n 's/^\([^\t]*\)\t.*tidemark\.source=\([^,]*\).*$/\1\t\2/p' \
    >"$T_WORK/dlq.txt"
cat "$T_WORK/worker-w1.log" "$T_WORK/worker-w2.log" >"$T_WORK/workers.log"
# A worker produces a dead letter once per batch attempt that holds its
# message and gets as far as the flush. A copy more on the DLQ needs a
# batch that produced it and did not commit: the worker logs the number it
# had produced (dead_letters_produced=) when it rolls back to retry. The
# retry produces them again unless it finds the batch's offsets moved
# (another worker took the partition, or the COMMIT whose connection was
# lost had in fact committed): then they are not produced again. So per
# worker: the distinct dead letters <= those it logged <= the distinct
# ones + those numbers. (A fenced batch produces none: it fails its claim
# before any work.)
for key in "${POISON[@]}"; do
    grep -q "^$key	" "$T_WORK/dlq.txt" || fail "$key is not on the DLQ"
done
extra=0
while read -r n src; do
    logged=$(grep -c "stage=worker dlq=$PREFIX.dlq source=$src " "$T_WORK/workers.log")
    assert_eq "$logged" "$n" "copies of the dead letter of $src on the DLQ vs. produced by the workers"
    extra=$((extra + n - 1))
done < <(cut -f2 "$T_WORK/dlq.txt" | sort | uniq -c)
for w in w1 w2; do
    f="$T_WORK/worker-$w.log"
    total=$(grep -c "stage=worker dlq=$PREFIX.dlq source=" "$f")
    distinct=$(sed -n "s/.*stage=worker dlq=$PREFIX.dlq source=\([^ ]*\) .*/\1/p" "$f" | sort -u | wc -l)
    redone=$(sed -n 's/.*msg="batch rolled back; retrying".* dead_letters_produced=\([0-9]*\).*/\1/p' "$f" |
        awk '{ n += $1 } END { print n + 0 }')
    [ "$total" -le "$((distinct + redone))" ] ||
        fail "dead letters worker $w produced: $total, more than the distinct ones ($distinct) + those of its rolled-back batches ($redone)"
done
rollbacks=$(grep -c 'msg="batch rolled back; retrying"' "$T_WORK/workers.log")
assert_eq 0 "$(awk -F'\t' '$1 !~ /^poison-/' "$T_WORK/dlq.txt" | wc -l)" "dead letters that are not poison"
log "$(wc -l <"$T_WORK/dlq.txt") dead letters for ${#POISON[@]} poison messages, $extra extra copies, $rollbacks rollbacks"
grep -q 'truncated=true' "$T_WORK/workers.log" || fail "the near-1 MB dead letter was not cut"

# ---- status: zero lag, and no worker exited on the way
"$BUILD/tidemark-worker" -c "$CONF" status >"$T_WORK/status.txt" 2>"$T_WORK/status.err" ||
    fail "status exited $?: $(cat "$T_WORK/status.err")"
cat "$T_WORK/status.txt"
assert_eq 0 "$(awk -v t="$topic" '$2 == t { n += $6 } END { print n + 0 }' "$T_WORK/status.txt")" "total lag"
stop_worker w1
stop_worker w2
log "ok"
