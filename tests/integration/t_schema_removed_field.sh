#!/usr/bin/env bash
# t_schema_removed_field: a field leaves the schema (phone) while a backlog
# written with the old schema waits. The worker keeps the column: rows
# created afterwards hold NULL there, rows updated afterwards keep what
# they had; the backlog decodes (its extra field dropped) and nothing is
# dead-lettered.
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-no-phone.avsc"
jq '.fields |= map(select(.name != "phone"))' "$REPO/schemas/customer.avsc" >"$V2"

start_devbroker
start_demoapi --records 40
write_config
first_sync
wait_caught_up 30
stop_worker
with_phone=$(psql_value "select count(*) from $TABLE where phone is not null")
[ "$with_phone" -ge 1 ] || fail "no row has a phone: the scenario proves nothing"

# The backlog, written with the schema that has phone.
api_post "/admin/update?ids=4,14" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)

# phone removed.
SCHEMA=$V2 write_config
api_post "/admin/create?count=3" >/dev/null || fail "admin create"
api_post "/admin/update?ids=6,16" >/dev/null || fail "admin update"
phones_before=$(psql_value "select id || ':' || coalesce(phone, 'null') from $TABLE where id in (6, 16) order by id" | paste -sd' ')
run_producer_once
run3=$(last_run_field run_id)

start_worker
wait_run_completed "$run2" 60
wait_run_completed "$run3" 60
wait_caught_up 30
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
assert_eq text "$(psql_value "select data_type from information_schema.columns
                              where table_name = '$TABLE' and column_name = 'phone'")" "the phone column is kept"
grep -q 'msg="column kept for a field the schema no longer has".*column="\{0,1\}phone' "$T_WORK/worker-w1.log" ||
    fail "the worker did not log the kept column"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id > 40 and phone is not null")" "phones of rows created after the removal"
assert_eq 3 "$(psql_value "select count(*) from $TABLE where id > 40")" "rows created after the removal"
assert_eq "$phones_before" "$(psql_value "select id || ':' || coalesce(phone, 'null') from $TABLE where id in (6, 16) order by id" | paste -sd' ')" \
    "phones of rows updated after the removal (kept)"
# The backlog's updates (written with phone) are applied, phone and all.
for id in 4 14; do
    want=$(api_get /admin/records | jq -r --argjson i "$id" '.data[] | select(.id == $i) | "\(.name)|\(.phone // "null")"')
    got=$(psql_value "select name || '|' || coalesce(phone, 'null') from $TABLE where id = $id")
    assert_eq "$want" "$got" "row $id, updated by the backlog written with phone"
done
# Everything but phone equals the API.
api_records_tsv | cut -f1-6,8- >"$T_WORK/a.tsv"
table_records_tsv | cut -f1-6,8- >"$T_WORK/t.tsv"
cmp -s "$T_WORK/a.tsv" "$T_WORK/t.tsv" || { _show_diff rows "$T_WORK/a.tsv" "$T_WORK/t.tsv"; fail "table differs from the API"; }
stop_worker
log "ok"
