#!/usr/bin/env bash
# t_deleted_page_shift: a deleted endpoint that pages by number in its own
# order (by id; deleted.sorted = false). Since the last run, records 21
# to 40 were deleted, one a minute. While the deleted walk reads page 2,
# record 22 (served on page 1) is restored and leaves the deleted list:
# the later pages shift by one and record 26's deletion is on none of
# them. The deleted HWM moved past it, so no later incremental run read
# it again and record 26 stayed live downstream until a full run. A
# second walk of the endpoint now holds its deletion.
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
        # page 2: just before it is answered, record 22 (served on page 1)
        # is restored and leaves the deleted list
        if flag("deleted") and req.query.get("page") == "2" and not st.get("restored"):
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
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22" "$(live_ids)" \
    "live rows after the incremental run whose first deleted walk missed record 26"
grep -q 'msg="deleted endpoint walked a second time.*missed=1' "$PRODUCER_LAST_LOG" ||
    fail "no second walk finding record 26's deletion: $(grep -i 'second time' "$PRODUCER_LAST_LOG" | tail -2)"
log "ok"
