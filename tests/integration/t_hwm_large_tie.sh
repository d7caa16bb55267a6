#!/usr/bin/env bash
# t_hwm_large_tie: 100,000 records that all share one cursor value, with
# Kafka's default message limits. Their ids, each with a digest, are the
# HWM's tie set: far more than one 1 MB message holds. The first run
# publishes each record once and completes (its checkpoints split the set
# into chunk messages); the next run publishes nothing, skipping every
# record; the table holds them all. The worker reads the chunk messages on
# <prefix>.sync-runs without dead-lettering or counting them; status and
# reset --full work on such a checkpoint.
# (Before chunked checkpoints, every run failed at its checkpoint with
# "Message size too large" and re-published 20,000 records.)
. "$(dirname "$0")/lib.sh"

N=100000
# 100,000 events would overflow 4 devbroker partitions (it drops a
# partition's oldest messages past about 5 MiB; Kafka itself has no such
# limit), and the two tie sets written here take some 6 MB of chunks.
start_devbroker --topic "$PREFIX.$STREAM:16" --topic "$PREFIX.sync-runs:4"
start_demoapi --records "$N" --ties "$N" --max-page-size 5000
write_config "stream: page.size = 5000"
runs="$PREFIX.sync-runs"

ties=$(api_get /admin/records | jq "[.data[].$CURSOR_FIELD] | unique | length")
assert_eq 1 "$ties" "distinct cursor values in the API"

run_producer_once
run1=$(last_run_field run_id)
assert_eq "$N" "$(last_run_field published)" "events published by the first run"
grep -q 'msg="checkpoint chunks written"' "$PRODUCER_LAST_LOG" ||
    fail "the first run wrote no checkpoint chunk: the tie set went inline?"

# Every message on sync-runs fits librdkafka's default message.max.bytes.
max=$(kc -C -t "$runs" -e -f '%S\n' | sort -n | tail -n1)
[ "$max" -le 1000000 ] || fail "a message of $max bytes on $runs"
log "largest message on $runs: $max bytes"

# The checkpoint names its chunks; they and its inline ids hold every id.
cp=$(last_run_record)
assert_eq "$run1" "$(jq -r .run_id <<<"$cp")" "run_id of the checkpoint"
assert_eq completed "$(jq -r .status <<<"$cp")" "status of the checkpoint"
assert_eq "$N" "$(jq '([.hwm.chunks[].ids] | add) + (.hwm.ids | length)' <<<"$cp")" \
    "ids the checkpoint holds (chunks + inline)"
keys=$(jq -r '.hwm.chunks[].key' <<<"$cp" | LC_ALL=C sort)
on_topic=$(kc -C -t "$runs" -e -f '%k\n' | grep -F "$STREAM/ckpt/" | LC_ALL=C sort -u)
missing=$(LC_ALL=C comm -23 <(echo "$keys") <(echo "$on_topic"))
[ -z "$missing" ] || fail "chunks the checkpoint names are not on $runs: $missing"

start_worker
wait_run_completed "$run1" 120
assert_eq "$N" "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run1")")" \
    "records_synced of the first run"
assert_eq "$N" "$(psql_value "select producer_records from sync_metadata where run_id = $(sql_quote "$run1")")" \
    "producer_records of the first run"

run_producer_once
run2=$(last_run_field run_id)
assert_eq 0 "$(last_run_field published)" "events published by the second run"
# (the walk may read a page twice: skipped counts each time it was served)
[ "$(last_run_field skipped)" -ge "$N" ] ||
    fail "the second run skipped $(last_run_field skipped) records, not all $N"
assert_eq completed "$(last_run_record | jq -r .status)" "status of the second run's record"
# Nothing changed: the second checkpoint re-uses the first one's chunks.
assert_eq "$keys" "$(last_run_record | jq -r '.hwm.chunks[].key' | LC_ALL=C sort)" \
    "chunks of the second checkpoint"
! grep -q 'msg="checkpoint chunks written"' "$PRODUCER_LAST_LOG" ||
    fail "the second run wrote chunks although nothing changed"
wait_run_completed "$run2" 60

# The table holds every record (assert_table_equals_api's field by field jq
# takes half a minute for 100,000 records: id, e-mail and cursor suffice).
assert_eq "$N" "$(psql_value "select count(*) from $TABLE where not _deleted")" "live rows in $TABLE"
api_get /admin/records |
    jq -r --arg id "$ID_FIELD" --arg cur "$CURSOR_FIELD" \
        '.data[] | "\(.[$id])\t\(.email)\t\(.[$cur][0:19] + "Z" | fromdateiso8601)"' |
    LC_ALL=C sort >"$T_WORK/api.tsv" || fail "could not read /admin/records"
psql_value "select $ID_FIELD, email, floor(extract(epoch from $CURSOR_FIELD))::bigint
            from $TABLE where not _deleted" |
    LC_ALL=C sort >"$T_WORK/table.tsv" || fail "could not read $TABLE"
cmp -s "$T_WORK/api.tsv" "$T_WORK/table.tsv" || {
    diff "$T_WORK/api.tsv" "$T_WORK/table.tsv" | head -n 10 >&2
    fail "$TABLE does not hold the API's records (id, email, cursor)"
}
log "$TABLE holds the API's $N records"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
assert_eq 2 "$(psql_value "select count(*) from sync_metadata where sync_status = 'completed'")" \
    "completed runs in sync_metadata (chunks are no runs)"

# status reads the chunked checkpoint
"$BUILD/tidemark-producer" -c "$CONF" status >"$T_WORK/status.out" 2>"$T_WORK/status.err" ||
    fail "producer status failed: $(cat "$T_WORK/status.err")"
grep -q "^$STREAM .*$run2 .*completed" "$T_WORK/status.out" ||
    fail "producer status does not show $run2 completed: $(cat "$T_WORK/status.out")"
stop_worker

# reset --full drops the HWM; the next (full) run starts a new tie set and
# tombstones the old set's chunks, which no checkpoint names any more.
"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" --full 2>"$T_WORK/reset.err" ||
    fail "producer reset failed: $(cat "$T_WORK/reset.err")"
"$BUILD/tidemark-producer" -c "$CONF" status >"$T_WORK/status2.out" 2>&1 || fail "status after reset"
grep -q "^$STREAM  *- " "$T_WORK/status2.out" || fail "HWM after reset: $(cat "$T_WORK/status2.out")"
run_producer_once
assert_eq full "$(last_run_field mode)" "mode of the run after reset --full"
assert_eq "$N" "$(last_run_field published)" "events published after reset --full"
new_keys=$(last_run_record | jq -r '.hwm.chunks[].key' | LC_ALL=C sort)
[ -n "$new_keys" ] && [ -z "$(LC_ALL=C comm -12 <(echo "$keys") <(echo "$new_keys"))" ] ||
    fail "the run after reset names old chunks: $new_keys"
tombstoned=$(kc -C -t "$runs" -e -f '%k %S\n' | awk '$2 == -1 { print $1 }' | LC_ALL=C sort -u)
assert_eq "$keys" "$(LC_ALL=C comm -12 <(echo "$keys") <(echo "$tombstoned"))" \
    "old chunks tombstoned"
log "ok"
