#!/usr/bin/env bash
# t_delete_mode_to_hard: [worker] delete.mode switched from soft to hard
# between runs. Rows soft-deleted before the switch stayed in the table as
# `_deleted = true` for good, in a table whose readers now take every row
# for live, with no tombstone and nothing logged. At every start under
# hard they now move into the tombstones, with a warning; the table holds
# the live records only. A row PostgreSQL refuses to delete (a foreign key
# to it) stays, with a warning, and does not stop the worker.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config "worker: delete.mode = soft"
first_sync
api_post "/admin/delete?ids=4,9" >/dev/null || fail "admin delete"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
assert_eq 2 "$(psql_value "select count(*) from $TABLE where _deleted")" "soft-deleted rows under soft"
stop_worker
# an order still points at customer 4: PostgreSQL refuses to delete it
psql_value "create table orders (id int primary key, customer_id bigint references $TABLE (id));
            insert into orders values (1, 4)" >/dev/null || fail "orders"

write_config "worker: delete.mode = hard"
api_post "/admin/delete?ids=12" >/dev/null || fail "admin delete"
run_producer_once
run3=$(last_run_field run_id)
start_worker
wait_run_completed "$run3" 60
wait_caught_up 30
api_records_tsv >"$T_WORK/a.tsv"
table_records_tsv >"$T_WORK/t.tsv"
cmp -s "$T_WORK/a.tsv" "$T_WORK/t.tsv" || fail "live rows differ from the API"
assert_eq "4" "$(psql_value "select string_agg(id::text, ',' order by id) from $TABLE
                             where _deleted or id in (4, 9, 12)")" "rows of deleted records under hard"
assert_eq "9,12" "$(psql_value "select string_agg(id::text, ',' order by id)
                                from ${TABLE}__tombstones")" "tombstones"
grep -q 'msg="delete.mode = hard on a table kept under soft: the rows marked deleted.*rows=1' \
    "$T_WORK/worker-w1.log" || fail "no warning of the rows moved into the tombstones"
grep -q 'msg="delete.mode = hard, but PostgreSQL refused to delete rows marked deleted.*rows=1 first=.*id 4' \
    "$T_WORK/worker-w1.log" || fail "no warning of the row PostgreSQL refused to delete"
stop_worker
log "ok"
