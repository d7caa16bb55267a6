#!/usr/bin/env bash
# t_two_groups_search_path: a second consumer group replays the stream
# into its own schema of the same database (README: "Give each group its
# own database or schema (conninfo with options=-csearch_path=…)") while
# the first group runs. With search_path=replay,public the worker found the
# first group's public.customers through the path and wrote into it,
# while its own sync_offsets and sync_metadata went to replay (CREATE
# TABLE puts them in current_schema()). An unqualified table is now the
# current schema's, as the bookkeeping tables are: replay gets its own.
# brokers: mock
. "$(dirname "$0")/lib.sh"
SP=replay,public

start_devbroker
start_demoapi --records 40
write_config
first_sync
conf1=$CONF
api_post "/admin/update?ids=1,2,3" >/dev/null
api_post "/admin/delete?ids=4" >/dev/null
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
q="select run_id, sync_status, records_synced, records_deleted from sync_metadata order by id"
before=$(psql_value "$q")

psql -X -q -v ON_ERROR_STOP=1 -c "create schema replay" >/dev/null || fail "create schema"
CONF="$T_WORK/replay.conf" GROUP=tm-replay write_config "postgres: conninfo = dbname=$T_DB options='-c search_path=$SP'"
CONF="$T_WORK/replay.conf" start_worker w2
api_post "/admin/update?ids=5,6" >/dev/null
run_producer_once
run3=$(last_run_field run_id)
wait_run_completed "$run3" 60
assert_table_equals_api
# every run, not run3 alone: a run is completed once its own events are
# applied, and the replay's partitions catch up each at its own pace
replayed() {
    [ "$(PGOPTIONS="-c search_path=replay" psql_value "select count(*) filter (where sync_status = 'completed') || ' ' || count(*) filter (where run_id = '$run3') from sync_metadata")" = "3 1" ]
}
wait_for "the three runs completed in the replay schema" 60 replayed
log "tables: $(psql_value "select table_schema||'.'||table_name from information_schema.tables where table_name in ('customers','sync_offsets','sync_metadata') order by 1" | paste -sd' ')"
log "public.customers rows written by partition/offset: $(psql_value "select count(*) from public.customers")"
PGOPTIONS="-c search_path=replay" assert_table_equals_api
log "public: $(psql_value "$q" | paste -sd' ')"
log "replay: $(PGOPTIONS="-c search_path=replay" psql_value "$q" | paste -sd' ')"
assert_eq "$(echo "$before"; psql_value "select run_id, sync_status, records_synced, records_deleted from sync_metadata where run_id='$run3'")" "$(psql_value "$q")" "public sync_metadata untouched by the second group"
assert_eq "" "$(psql_value "select consumer_group from sync_offsets where consumer_group <> '$GROUP'")" "other groups in public.sync_offsets"
assert_eq "$(psql_value "$q")" "$(PGOPTIONS="-c search_path=replay" psql_value "$q")" "replay's sync_metadata equals the first's"
stop_worker w2
stop_worker
log "ok"
