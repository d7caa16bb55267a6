#!/usr/bin/env bash
# t_deleted_second_hold: a deleted endpoint that pages by number in its own
# order (by id; deleted.sorted = false), whose deletions may show up in
# the list a little after their deleted_at (a commit that lags). Such a
# walk's deleted HWM is held at the walk's start: a deletion that turns up
# later may lie below the largest deleted_at seen. The walk is walked a
# second time (record 22 is restored while page 2 is asked: record 26,
# deleted just then, is on no page of the first walk); the second walk
# held 26 and moved the deleted HWM up to its deleted_at, past the hold.
# Record 3, deleted before 26 but listed only after the second walk read
# its page, was then below the HWM: no later run read it, and record 3
# stayed live downstream.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import math, time

def init(state, argv):
    state["api"] = Items()
    state["page1"] = 0

def handle(req):
    st, api = req.state, req.state["api"]
    if req.path == "/items/deleted":
        page = req.query.get("page", "1")
        if flag("go") and page == "1":
            st["page1"] += 1
            if st["page1"] == 1:   # the first walk's start: the API's clock then
                st["mark"] = math.floor(time.time())
                for i in range(21, 31):
                    if i != 26:
                        api.delete(i, iso_ms(api.base + 86400))
        if flag("go") and page == "2" and st["page1"] == 1 and not st.get("shifted"):
            st["shifted"] = True   # 22 restored, 26 deleted: 26 moves onto page 1
            api.restore(22)
            api.delete(26, iso_ms(st["mark"] + 0.6))
        if flag("go") and page == "2" and st["page1"] == 2 and not st.get("lagged"):
            st["lagged"] = True   # 3, deleted before 26, listed only now
            api.delete(3, iso_ms(st["mark"] + 0.3))
        return api.deleted_page(req, by_id=True)   # the API's own order
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 5" "stream: deleted.sorted = false"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/go"
run_producer_once
grep -q 'msg="deleted endpoint walked a second time.*missed=1' "$PRODUCER_LAST_LOG" ||
    fail "no second walk finding record 26's deletion: $(grep -i 'second time' "$PRODUCER_LAST_LOG" | tail -2)"
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22,31,32,33,34,35,36,37,38,39,40" \
    "$(live_ids)" "live rows after the next run"
log "ok"
