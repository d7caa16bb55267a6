#!/usr/bin/env bash
# t_deleted_second_no_hwm: t_deleted_page_shift (deleted.sorted = false,
# page.size 5, records 21..40 deleted, record 22 restored while the first
# deleted walk asks page 2, so record 26's deletion is on none of its
# pages), but the deleted endpoint never listed anything before (no
# deleted HWM: the first deleted walk asks without since), and the second
# walk's page 1 is an empty page that says it is an error. With no since
# to hold the deleted HWM at, it moved to the first walk's start, past
# record 26's deletion, and no later run read it. Now the deleted endpoint
# fails that run (the records go on) with a clear error, and the next run
# reads every deletion again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

def init(state, argv):
    state["api"] = Items()

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        for i in range(21, 41):
            api.delete(i, iso_ms(time.time() - 3600 + i * 60))
    if req.path == "/items/deleted":
        page = req.query.get("page", "1")
        if flag("deleted") and page == "1":
            st["p1"] = st.get("p1", 0) + 1
            if st["p1"] == 2:   # the second walk's first page: a hiccup
                return 200, [], '{"data": [], "errors": ["upstream timeout"]}'
        if flag("deleted") and page == "2" and not st.get("restored"):
            st["restored"] = True
            api.restore(22)
        return api.deleted_page(req, by_id=True)   # the API's own order
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 5" "stream: deleted.sorted = false"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/deleted"
run_producer_once_rc 1
grep -q "deleted endpoint: the deleted endpoint's second walk ended before its end" "$PRODUCER_LAST_LOG" ||
    fail "no clear error for the unproven second walk: $(last_failed_line)"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22" "$(live_ids)" \
    "live rows: record 26's deletion must be read again after the unproven second walk"
log "ok"
