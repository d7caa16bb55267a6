#!/usr/bin/env bash
# t_deleted_ignores_since_republished: a deleted endpoint that ignores
# `since` and lists every dated deletion it ever made (README: such an
# endpoint "is walked on"). Records 3 and 4 are deleted once; every later
# run, with nothing changed, publishes both deletes (and tombstones) again
# and counts them in its run record's deletes.
# Expected: a deletion the topic already holds as the id's last word is
# not published again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time
def init(state, argv):
    state["api"] = Items(n=10)

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        api.delete(3, iso_ms(time.time() - 2))
        api.delete(4, iso_ms(time.time() - 1))
    if req.path == "/items/deleted":
        page = int(req.query.get("page", "1"))
        return 200, [], json.dumps({"data": api.deleted if page == 1 else []})  # no since filter
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
deletes_3_4_then_quiet_runs
assert_eq "$n1" "$(delete_events)" "delete events on the topic after two quiet runs"
log "ok"
