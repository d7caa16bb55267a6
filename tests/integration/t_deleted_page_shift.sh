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
        # page 2: just before it is answered, record 22 (served on page 1)
        # is restored and leaves the deleted list
        if flag("deleted") and req.query.get("page") == "2" and not st.get("restored"):
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
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22" "$(live_ids)" \
    "live rows after the incremental run whose first deleted walk missed record 26"
grep -q 'msg="deleted endpoint walked a second time.*missed=1' "$PRODUCER_LAST_LOG" ||
    fail "no second walk finding record 26's deletion: $(grep -i 'second time' "$PRODUCER_LAST_LOG" | tail -2)"
log "ok"
