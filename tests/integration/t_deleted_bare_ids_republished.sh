#!/usr/bin/env bash
# t_deleted_bare_ids_republished: a deleted endpoint that lists bare ids
# (no deleted_at) of every record ever deleted (it cannot filter what it
# does not date): records 3 and 4 are deleted once. Every later run, with
# nothing changed at the API, publishes their deletes again, each at a
# new source_ts (past every cursor): the run records count them again,
# and the soft-deleted rows' _deleted_at moves to each run's time.
# Expected: a deletion already published is not published again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
def init(state, argv):
    state["api"] = Items(n=10)

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        api.delete(3)   # bare ids
        api.delete(4)
    if req.path == "/items/deleted":
        return api.deleted_page(req)
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
topic="$PREFIX.$STREAM"
dels_on_topic() { kc -C -t "$topic" -e -f '%k %h\n' | grep -c 'tidemark.op=delete'; }

first_sync
touch "$T_WORK/deleted"
run_producer_once
assert_eq 2 "$(last_run_field deletes)" "deletes of the run after 3 and 4 were deleted"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,5,6,7,8,9,10" "$(live_ids)" "live rows after the deletions"
at1=$(psql_value "select string_agg(_deleted_at::text, ',' order by id) from items where _deleted")
n1=$(dels_on_topic)
for i in 1 2; do
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    log "quiet run $i: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes); delete events on the topic: $(dels_on_topic); _deleted_at: $(psql_value "select string_agg(_deleted_at::text, ',' order by id) from items where _deleted")"
done
assert_eq "$n1" "$(dels_on_topic)" "delete events on the topic after two quiet runs"
assert_eq "$at1" "$(psql_value "select string_agg(_deleted_at::text, ',' order by id) from items where _deleted")" \
    "_deleted_at of the deleted rows after two quiet runs"
log "ok"
