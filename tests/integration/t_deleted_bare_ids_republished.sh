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
deletes_3_4_then_quiet_runs
assert_eq "$n1" "$(delete_events)" "delete events on the topic after two quiet runs"
assert_eq "$at1" "$(deleted_at_of_rows)" "_deleted_at of the deleted rows after two quiet runs"
log "ok"
