#!/usr/bin/env bash
# t_deleted_bare_ids_shift: a deleted endpoint that lists bare ids (no
# deleted_at) in pages of 5, with deleted.sorted left as it is (true).
# Ids have no cursor to seek by, so every page after the first is asked by
# number at the run's since. Since the last run records 21 to 32 were
# deleted; while page 2 is asked, record 22 (served on page 1) is restored
# and leaves the list: record 26 is on no page. The second walk, which
# counted no id without a cursor as missed in a sorted walk, now holds
# its deletion.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
def init(state, argv):
    state["api"] = Items()

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        for i in range(21, 33):
            api.delete(i)   # a bare id
    if req.path == "/items/deleted":
        if flag("deleted") and req.query.get("page") == "2" and not st.get("restored"):
            st["restored"] = True
            api.restore(22)
        return api.deleted_page(req, max_page=5)
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/deleted"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22,33,34,35,36,37,38,39,40" \
    "$(live_ids)" "live rows after the run whose first deleted walk missed record 26"
log "ok"
