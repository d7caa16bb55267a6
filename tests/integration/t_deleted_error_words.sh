#!/usr/bin/env bash
# t_deleted_error_words: a full run whose records walk is whole while the
# deleted endpoint answers its first page with an item beside an "errors"
# member and every later page empty beside one. The full run deletes the
# record that vanished from the API (the records walk proves it gone),
# and the deleted item is published; the warnings about the deleted
# endpoint's pages said "a full run deletes no id as vanished" and "a
# full run deletes nothing", words of the records walk that this very
# run belied. The warnings now say what the page is; what a walk that
# may lack records does is said by the run that acts on it.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

def init(state, argv):
    state["api"] = Items(n=10)

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("gone") and not st.get("gone"):
        st["gone"] = True
        api.recs.pop(7)                                 # vanished: on no list
        api.delete(3, iso_ms(time.time() - 60))
    if req.path == "/items/deleted" and st.get("gone"):
        if not st.get("partial"):
            st["partial"] = True
            return 200, [], json.dumps({"data": api.deleted, "errors": ["partial results"]})
        return 200, [], '{"data": [], "errors": ["upstream timeout"]}'
    if req.path == "/items/deleted":
        return api.deleted_page(req)
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first sync"

touch "$T_WORK/gone"
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,4,5,6,8,9,10" "$(live_ids)" \
    "live rows after the full run (7 vanished, 3 listed as deleted)"
matches 'msg="a page whose answer says it is an error beside its records' "$PRODUCER_LAST_LOG" ||
    fail "no warning of the deleted endpoint's page with an item beside an error"
matches 'msg="an empty page whose answer says it is an error' "$PRODUCER_LAST_LOG" ||
    fail "no warning of the deleted endpoint's empty page beside an error"
if grep -E 'msg="[^"]*(full run deletes|no id as vanished)' "$PRODUCER_LAST_LOG"; then
    fail "a warning says the full run deletes nothing, in the run that deleted record 7 as vanished"
fi
log "ok"
