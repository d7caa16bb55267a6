#!/usr/bin/env bash
# t_full_sync_mass_delete: a full run that would delete more than
# full_sync.max_delete_ratio (default 0.2) of the ids live in Kafka is far
# likelier a broken API than half the data gone. Here 50 of 100 records
# vanish without a deleted endpoint: `run --full` fails (exit 1) with an
# error naming the count and the key, publishes no delete and leaves every
# row live; a larger ratio that is still too small fails the same way;
# `run --full --allow-mass-delete` deletes exactly the 50. And
# --allow-mass-delete without --full is bad usage.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 100
write_config "stream: -deleted.url"
topic="$PREFIX.$STREAM"

# Delete events (tidemark.op=delete with a value) on the topic as "KEY RUN".
delete_events()
{
    kc -C -t "$topic" -e -f '%S %k %h\n' |
        awk '$1 != -1 && $3 ~ /tidemark.op=delete/ {
                 run = $3; sub(/.*tidemark.run=/, "", run); sub(/,.*/, "", run); print $2, run }'
}

first_sync
assert_table_equals_api
live=$(psql_value "select count(*) from $TABLE where not _deleted")
soft=$(psql_value "select count(*) from $TABLE where _deleted")
log "live rows: $live, soft-deleted: $soft"
deletes_before=$(delete_events | wc -l)

# Half of the live records vanish, unannounced.
ids=$(api_get /admin/records | jq -r '[.data[] | select(.is_deleted | not) | .id][0:50] | join(",")')
assert_eq 50 "$(tr ',' '\n' <<<"$ids" | wc -l)" "ids picked to vanish"
api_post "/admin/delete?ids=$ids" >/dev/null || fail "admin delete"

# ---- refused at the default ratio.
run_producer_once_rc 1 --full
line=$(last_failed_line)
log "failure logged: $line"
case "$line" in
    *"mode=full"*"would delete 50 of the $live ids live in Kafka"*"full_sync.max_delete_ratio = 0.2"*) ;;
    *) fail "the failure does not name the count (50 of $live) and full_sync.max_delete_ratio = 0.2: $line" ;;
esac
assert_eq 0 "$(sed -n 's/.* vanished=\([0-9]*\) .*/\1/p' <<<"$line")" "vanished ids of the refused run"
assert_eq "$deletes_before" "$(delete_events | wc -l)" "delete events after the refused run"
rec=$(last_run_record)
assert_eq failed "$(jq -r .status <<<"$rec")" "status of the refused run's record"
jq -e '.error | contains("full_sync.max_delete_ratio")' <<<"$rec" >/dev/null ||
    fail "the refused run's record does not say why: $(jq -c .error <<<"$rec")"

# ---- a ratio set higher, still below a half: refused as well.
write_config "stream: -deleted.url" "producer: full_sync.max_delete_ratio = 0.45"
run_producer_once_rc 1 --full
case "$(last_failed_line)" in
    *"would delete 50 of"*"full_sync.max_delete_ratio = 0.45"*) ;;
    *) fail "the failure does not name full_sync.max_delete_ratio = 0.45: $(last_failed_line)" ;;
esac
assert_eq "$deletes_before" "$(delete_events | wc -l)" "delete events after the second refused run"
wait_caught_up 60
assert_eq "$live" "$(psql_value "select count(*) from $TABLE where not _deleted")" \
    "live rows after the refused runs"

# ---- the override only goes with run --full.
n=$((++_PRODUCER_N))
"$BUILD/tidemark-producer" -c "$CONF" run --once --allow-mass-delete >"$T_WORK/producer.$n.out" \
    2>"$T_WORK/producer.$n.log"
assert_eq 2 "$?" "exit status of run --allow-mass-delete without --full"
grep -q -- "--allow-mass-delete goes with run --full" "$T_WORK/producer.$n.log" ||
    fail "no usage error for --allow-mass-delete without --full: $(cat "$T_WORK/producer.$n.log")"

# ---- explicitly allowed: exactly the 50 vanished ids are deleted.
run_producer_once --full --allow-mass-delete
run4=$(last_run_field run_id)
assert_eq 50 "$(last_run_field vanished)" "vanished ids deleted with --allow-mass-delete"
grep -q 'msg="deleting more vanished ids than full_sync.max_delete_ratio allows' "$PRODUCER_LAST_LOG" ||
    fail "no warning that the override was used"
assert_eq "$(tr ',' '\n' <<<"$ids" | LC_ALL=C sort | tr '\n' ' ')" \
    "$(delete_events | awk -v r="$run4" '$2 == r { print $1 }' | LC_ALL=C sort | grep -vxF -f <(api_get /admin/records | jq -r '.data[] | select(.is_deleted) | .id') | tr '\n' ' ')" \
    "ids with delete events in the allowed run (soft-deleted ones aside)"
wait_run_completed "$run4" 60
wait_caught_up 60
assert_table_equals_api

stop_worker
log "ok"
