#!/usr/bin/env bash
# t_deleted_second_404: a deleted endpoint with Django REST Framework's
# page numbers (404 past its last page; page.end_on_404 not set: no walk
# ever asked past the last page, which is never full here), in its own
# order (deleted.sorted = false), page.size 5. 12 deletions: pages of 5,
# 5, 2. The first walk ends on the short page 3. The second walk ends as
# the first did; requiring an empty end, it asked page 4, got the 404 and
# failed every run with more than a page of deletions.
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
        for i in range(21, 33):
            api.delete(i, iso_ms(time.time() - 3600 + i * 60))
    if req.path == "/items/deleted":
        status, hdrs, body = api.deleted_page(req, by_id=True)
        if body == '{"data": []}' and req.query.get("page", "1") != "1":
            return 404, [], '{"detail": "Invalid page."}'
        return status, hdrs, body
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 5" "stream: deleted.sorted = false"

first_sync
touch "$T_WORK/deleted"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,33,34,35,36,37,38,39,40" "$(live_ids)" "live rows"
log "ok"
