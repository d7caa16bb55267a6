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
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item.avsc"
. "$(dirname "$0")/lib.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

BASE = time.time() - 3 * 86400

def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 41)}
    state["deleted"] = []

def handle(req):
    st = req.state
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        for i in range(21, 41):
            del st["recs"][i]
            st["deleted"].append({"id": i, "deleted_at": iso_ms(time.time() - 3600 + i * 60)})
    if req.path == "/items/deleted":
        page = req.query.get("page", "1")
        if flag("deleted") and page == "1":
            st["p1"] = st.get("p1", 0) + 1
            if st["p1"] == 2:   # the second walk's first page: a hiccup
                return 200, [], '{"data": [], "errors": ["upstream timeout"]}'
        if flag("deleted") and page == "2" and not st.get("restored"):
            st["restored"] = True
            st["deleted"] = [d for d in st["deleted"] if d["id"] != 22]
            st["recs"][22] = {"id": 22, "name": "restored 22", "updated_at": iso_ms(time.time() - 60)}
        return page_of(req, st["deleted"], cursor_field="deleted_at", cursor_param="since",
                       by_id=True)   # the API's own order
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, list(st["recs"].values()), cursor_field="updated_at")
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
