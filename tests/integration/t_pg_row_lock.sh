#!/usr/bin/env bash
# t_pg_row_lock: a user's session keeps a transaction open on a row the
# worker must update (SELECT ... FOR UPDATE in a psql left open, a
# report's long transaction). The worker used to wait on it for ever
# without a word: nothing in its log, the batch and every later one held.
# With [postgres] lock_timeout the statement gives up after that long, the
# batch is rolled back and retried with a warning that names the relation
# and the key, and once the user's transaction ends the batch is applied.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config "postgres: lock_timeout = 1s"
first_sync
wait_caught_up 30
log_f="$T_WORK/worker-w1.log"

# The second row lives on row 5's partition, after it: it can only be
# applied after row 5's event, whatever the batches (rows on two partitions
# may go into two batches, and the other row's batch be applied first).
partition_keys() { kc -C -t "$PREFIX.$STREAM" -e -f '%p %k\n'; }
p5=$(partition_keys | awk '$2 == "5" { print $1; exit }')
[ -n "$p5" ] || fail "no event of row 5 on $PREFIX.$STREAM"
other=$(partition_keys | awk -v p="$p5" '$1 == p && $2 + 0 > 5 { print $2 }' | sort -n | head -n1)
[ -n "$other" ] || fail "no row after 5 on partition $p5"
log "row $other shares partition $p5 with row 5"

pg_hold_open user "SELECT 1 FROM $TABLE WHERE id = 5 FOR UPDATE"

api_post "/admin/update?ids=5,$other" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
lock_warnings() { grep 'msg="batch rolled back; retrying"' "$log_f" | grep -c 'another session holds the lock'; }
two_warnings() { [ "$(lock_warnings)" -ge 2 ]; }
wait_for "two retries that name the lock" 30 two_warnings
grep 'msg="batch rolled back; retrying"' "$log_f" | grep 'another session holds the lock' | matches "55P03.*relation" ||
    fail "the warning does not name the relation: $(grep 'another session' "$log_f" | head -n1)"
[ "$(run_status "$run2")" != completed ] || fail "the run completed while row 5 was locked"
want=$(api_get /admin/records | jq -r --argjson id "$other" '.data[] | select(.id == $id) | .name')
[ "$(psql_value "select name from $TABLE where id = $other")" != "$want" ] ||
    fail "row $other was written while row 5 waited: the scenario proves nothing"

pg_release user
wait_run_completed "$run2" 30
assert_table_equals_api
stop_worker
log "ok"
