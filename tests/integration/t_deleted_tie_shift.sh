#!/usr/bin/env bash
# t_deleted_tie_shift: the deleted endpoint of an API that caps its pages
# at 10 whatever per_page asks and sorts by (deleted_at, id). Since the
# last run, a bulk delete removed records 21 to 40 at one deleted_at, and
# record 5 was deleted a minute later. Inside that tie group the seek walk
# pages by number, and while it asks the group's second page, record 22
# (served on the first) is restored and leaves the deleted list: the later
# pages shift by one and record 31's deletion is on none of them. The
# walk goes on to record 5, so the deleted HWM passes the group and no
# later incremental run reads record 31's deletion again: it stayed live
# downstream until a full run. A second walk of the group now holds it.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

BULK = iso_ms(time.time() - 3600)   # one bulk delete an hour ago

def init(state, argv):
    state["api"] = Items()

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for i in range(21, 41):
            api.delete(i, BULK)
        api.delete(5, iso_ms(time.time() - 3540))
    if req.path == "/items/deleted":
        # the tie group's second page: just before it is answered, record
        # 22 (served on the first) is restored and leaves the deleted list
        if (flag("bulk") and req.query.get("page") == "2" and req.query.get("since") == BULK
                and not st.get("restored")):
            st["restored"] = True
            api.restore(22)
        return api.deleted_page(req, max_page=10)
    return api.records_page(req, max_page=10)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/bulk"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22" "$(live_ids)" \
    "live rows after the incremental run whose first deleted walk missed record 31"
assert_eq "restored 22" "$(psql_value "select name from items where id = 22")" "record 22 after it"
grep -q 'msg="deleted endpoint walked a second time.*missed=1' "$PRODUCER_LAST_LOG" ||
    fail "no second walk finding record 31's deletion: $(grep -i 'second time' "$PRODUCER_LAST_LOG" | tail -2)"
log "ok"
