#!/usr/bin/env bash
# t_upgrade_table_later_on_path: a setup builds before 2026-12-04 served:
# the worker's search_path is tmown,public, its bookkeeping tables (and
# this group's offsets) are in tmown, the stream table is
# public.customers, which those builds found through the path. Since
# 2f2a0a6 an unqualified table is the current schema's: the new worker
# made an empty tmown.customers and replayed the topic into it, and the
# readers' public.customers stopped changing, with a warning that said
# nothing of it (helper 110). The worker now refuses at start (exit 2),
# naming the table to set; set so, it writes public.customers again.
# (The upgraded state is made here by copying the offsets into tmown.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config "postgres: conninfo = dbname=$T_DB options='-c search_path=public'"
first_sync
stop_worker
psql_value "create schema tmown;
            create table tmown.sync_offsets (like public.sync_offsets including all);
            insert into tmown.sync_offsets select * from public.sync_offsets" >/dev/null ||
    fail "copy the offsets"

write_config "postgres: conninfo = dbname=$T_DB options='-c search_path=tmown,public'"
log_f="$T_WORK/worker-refused.log"
timeout --foreground -k 5 60 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$log_f"
assert_eq 2 "$?" "exit status of the worker"
line=$(grep 'level=error' "$log_f" | tail -n1)
for w in "later on search_path" "Set table = public.$TABLE" "tmown"; do
    case "$line" in *"$w"*) ;; *) fail "the error does not say '$w': $line" ;; esac
done
assert_eq "" "$(psql_value "select to_regclass('tmown.$TABLE')")" "a table made in tmown"

write_config "postgres: conninfo = dbname=$T_DB options='-c search_path=tmown,public'" \
    "stream: table = public.$TABLE"
export PGOPTIONS="-c search_path=tmown,public" # its sync_metadata is tmown's
start_worker
api_post "/admin/update?ids=1,2" >/dev/null || fail "admin update"
api_post "/admin/delete?ids=3" >/dev/null || fail "admin delete"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
TABLE=public.$TABLE assert_table_equals_api
stop_worker
log "ok"
