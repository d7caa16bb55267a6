#!/usr/bin/env bash
# t_schema_add_field: a stream's schema gains a nullable field while a
# backlog written with the old schema waits on the topic. The worker
# started with the new schema adds the column (ALTER TABLE ... ADD
# COLUMN), applies the old events (resolved from the writer schema the
# producer published to <prefix>.schemas) and fills the new column from
# the new events; nothing is dead-lettered, no worker exits. The rows
# already there hold NULL in the new column: the worker used to say only
# "column added for a new field" (info); it now warns and names the
# remedy, a full run, which fills the column.
. "$(dirname "$0")/lib.sh"

V1="$T_WORK/customer-v1.avsc"
jq '.fields |= map(select(.name != "phone"))' "$REPO/schemas/customer.avsc" >"$V1"

start_devbroker
start_demoapi --records 60
SCHEMA=$V1 write_config
topic="$PREFIX.$STREAM"

# v1: the table is made without phone.
first_sync
wait_caught_up 30
stop_worker
assert_eq "" "$(psql_value "select column_name from information_schema.columns
                            where table_name = '$TABLE' and column_name = 'phone'")" "phone column under v1"

# A backlog written with v1, not applied yet.
api_post "/admin/update?ids=3,13,23" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)

# v2 adds phone (nullable); its events follow the backlog.
write_config
api_post "/admin/update?ids=5,15" >/dev/null || fail "admin update"
api_post "/admin/create?count=2" >/dev/null || fail "admin create"
run_producer_once
run3=$(last_run_field run_id)
assert_eq 4 "$(last_run_field published)" "events published with v2"
assert_eq 2 "$(kc -C -t "$PREFIX.schemas" -e -f '%k\n' | sort -u | wc -l)" "schemas on $PREFIX.schemas"

start_worker
wait_run_completed "$run2" 60
wait_run_completed "$run3" 60
wait_caught_up 30
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
# a warning: rows written from v1 events keep NULL in phone
grep -q 'msg="column added for a field the table lacks; the rows already there hold NULL.*column=phone' \
    "$T_WORK/worker-w1.log" || fail "the worker did not warn of the column added to a table with rows"
assert_eq 3 "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run2")")" \
    "records_synced of the run written with v1"

# Every column but phone equals the API; phone is the API's for the rows
# written with v2 and NULL for the others.
assert_table_equals_api_but_phone()
{
    api_records_tsv | cut -f1-6,8- >"$T_WORK/a.tsv"
    table_records_tsv | cut -f1-6,8- >"$T_WORK/t.tsv"
    cmp -s "$T_WORK/a.tsv" "$T_WORK/t.tsv" || { _show_diff rows "$T_WORK/a.tsv" "$T_WORK/t.tsv"; fail "table differs from the API"; }
}
assert_table_equals_api_but_phone
api_get /admin/records | jq -r '.data[] | select(.phone != null) | "\(.id)\t\(.phone)"' | sort >"$T_WORK/api.phones"
psql_value "select id, phone from $TABLE where phone is not null order by id" | sort >"$T_WORK/table.phones"
v2_ids=$(psql_value "select id from $TABLE where _kafka_offset is not null and id in (5, 15) or id > 60 order by id" | paste -sd' ')
log "rows written with v2: $v2_ids"
[ "$(wc -l <"$T_WORK/table.phones")" -ge 1 ] || fail "no phone stored from the v2 events"
while IFS=$'\t' read -r id phone; do
    case " 5 15 61 62 " in
        *" $id "*) ;;
        *) fail "row $id has phone '$phone', but it was only written with v1" ;;
    esac
    grep -qxF "$id"$'\t'"$phone" "$T_WORK/api.phones" || fail "row $id: phone '$phone' is not the API's"
done <"$T_WORK/table.phones"
for id in 5 15 61 62; do
    want=$(api_get /admin/records | jq -r --argjson i "$id" '.data[] | select(.id == $i) | .phone // "null"')
    got=$(psql_value "select coalesce(phone, 'null') from $TABLE where id = $id")
    assert_eq "$want" "$got" "phone of row $id (written with v2)"
done

# The remedy the warning gives: a full run publishes every record anew,
# and the rows written from v1 get their phone.
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker
log "ok"
