#!/usr/bin/env bash
# shellcheck disable=SC2034 # variables read by lib.sh
# t_hwm_tie: records that share the high-water mark's timestamp (a change
# at exactly the HWM, records created at the HWM) are synced, and only
# those; with cursor.precision = date, a change later the same day is
# synced and unchanged same-day records are not re-published.
. "$(dirname "$0")/lib.sh"

# Ids whose API record is new or changed between two api_records_tsv files.
changed_ids()
{
    diff "$1" "$2" | sed -n 's/^> //p' | cut -f1 | LC_ALL=C sort -u
}

# Keys of the events on the stream topic after the ends recorded in $1.
new_event_keys()
{
    kc -C -t "$PREFIX.$STREAM" -e -f '%p %o %k\n' |
        awk 'NR == FNR { end[$1] = $2; next } $2 >= ($1 in end ? end[$1] : 0) { print $3 }' "$1" - |
        LC_ALL=C sort
}

# ---- part 1: timestamp cursor
start_devbroker
start_demoapi --records 300 --ties 5
write_config
first_sync
assert_table_equals_api

api_records_tsv >"$T_WORK/api.before.tsv"
topic_ends "$PREFIX.$STREAM" >"$T_WORK/ends.before"
# One record older than the HWM and one at it.
max=$(cut -f10 "$T_WORK/api.before.tsv" | sort -n | tail -n1)
old_id=$(awk -F'\t' -v m="$max" '$10 < m { print $1; exit }' "$T_WORK/api.before.tsv")
at_id=$(awk -F'\t' -v m="$max" '$10 == m { print $1; exit }' "$T_WORK/api.before.tsv")
[ -n "$old_id" ] && [ -n "$at_id" ] || fail "no record below / at the HWM $max"
log "HWM $max: updating $old_id (older) and $at_id (at the HWM) at=max, creating 2 at=max"
api_post "/admin/update?ids=$old_id,$at_id&at=max" >/dev/null || fail "admin update at=max"
api_post "/admin/create?count=2&at=max" >/dev/null || fail "admin create at=max"
api_records_tsv >"$T_WORK/api.after.tsv"
changed_ids "$T_WORK/api.before.tsv" "$T_WORK/api.after.tsv" >"$T_WORK/changed.ids"
assert_eq "$max" "$(cut -f10 "$T_WORK/api.after.tsv" | sort -n | tail -n1)" "the API's largest cursor after the changes at=max"
n_changed=$(wc -l <"$T_WORK/changed.ids")
[ "$n_changed" -ge 3 ] || fail "only $n_changed records changed at the HWM: the scenario proves nothing"
grep -qx "$old_id" "$T_WORK/changed.ids" || fail "update at=max did not change record $old_id"

run_producer_once
run2=$(last_run_field run_id)
assert_eq "$n_changed" "$(last_run_field published)" "events published for changes at the HWM"
assert_eq "$(cat "$T_WORK/changed.ids")" "$(new_event_keys "$T_WORK/ends.before")" "keys of the new events"
wait_run_completed "$run2" 60
assert_table_equals_api

run_producer_once
assert_eq 0 "$(last_run_field published)" "events published by a run with no change (HWM records served again)"
stop_worker

# ---- part 2: cursor.precision = date
PREFIX=tmd
TABLE=customers_date
GROUP=tm-date-worker
start_devbroker
start_demoapi --records 300 --date-cursor
write_config "stream: cursor.precision = date"
run_producer_once
run3=$(last_run_field run_id)
assert_eq 300 "$(last_run_field published)" "full sync with a date cursor"
start_worker
wait_run_completed "$run3" 60
assert_table_equals_api

api_records_tsv >"$T_WORK/api.d.before.tsv"
topic_ends "$PREFIX.$STREAM" >"$T_WORK/ends.d.before"
# The records of the HWM's day: one changes later that day, the rest not.
DAY_MS=86400000
day=$(($(cut -f10 "$T_WORK/api.d.before.tsv" | sort -n | tail -n1) / DAY_MS))
same_day=$(awk -F'\t' -v d="$day" -v m="$DAY_MS" 'int($10 / m) == d' "$T_WORK/api.d.before.tsv" | wc -l)
id=$(awk -F'\t' -v d="$day" -v m="$DAY_MS" 'int($10 / m) == d { print $1; exit }' "$T_WORK/api.d.before.tsv")
log "the HWM's day holds $same_day records; changing $id later that day"
[ "$same_day" -gt 1 ] || fail "only $same_day record on the HWM's day: the scenario proves nothing"
api_post "/admin/update?ids=$id" >/dev/null || fail "admin update"
api_records_tsv >"$T_WORK/api.d.after.tsv"
assert_eq "$id" "$(changed_ids "$T_WORK/api.d.before.tsv" "$T_WORK/api.d.after.tsv")" "records changed in the API"
assert_eq "$day" "$(awk -F'\t' -v i="$id" -v m="$DAY_MS" '$1 == i { print int($10 / m) }' "$T_WORK/api.d.after.tsv")" \
    "the changed record's cursor day"

run_producer_once
run4=$(last_run_field run_id)
assert_eq 1 "$(last_run_field published)" "events published for a change later the same day"
[ "$(last_run_field skipped)" -ge $((same_day - 1)) ] ||
    fail "the run skipped $(last_run_field skipped) records: were the unchanged same-day records served again?"
assert_eq "$id" "$(new_event_keys "$T_WORK/ends.d.before")" "key of the new event"
wait_run_completed "$run4" 60
assert_table_equals_api
stop_worker
log "ok"
