#!/usr/bin/env bash
# t_deleted_second_unproven: as t_deleted_tie_shift (a bulk delete of
# records 21 to 40 at one deleted_at, pages capped at 10, record 22
# restored while the group's second page is asked, so that record 31's
# deletion is on no page of the first walk), but the second walk of the
# deleted endpoint gets, at the group's first page, an empty page that
# says it is an error. That walk proves nothing: the deleted HWM must stay
# at the group, so that the next run reads it again and holds record 31's
# deletion. Moved past it to record 5's deletion, no run read it again.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item.avsc"
. "$(dirname "$0")/lib.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)   # one bulk delete an hour ago

def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 41)}
    state["deleted"] = []

def handle(req):
    st = req.state
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for i in range(21, 41):
            del st["recs"][i]
            st["deleted"].append({"id": i, "deleted_at": BULK})
        del st["recs"][5]
        st["deleted"].append({"id": 5, "deleted_at": iso_ms(time.time() - 3540)})
    if req.path == "/items/deleted":
        page = int(req.query.get("page", "1"))
        # the tie group's second page: just before it is answered, record
        # 22 (served on the first) is restored and leaves the deleted list
        if flag("bulk") and page == 2 and req.query.get("since") == BULK and not st.get("restored"):
            st["restored"] = True
            st["deleted"] = [d for d in st["deleted"] if d["id"] != 22]
            st["recs"][22] = {"id": 22, "name": "restored 22", "updated_at": iso_ms(time.time() - 60)}
        # the second walk's first page of the group: empty, with an error
        if st.get("restored") and req.query.get("since") == BULK and page == 1 and not st.get("erred"):
            st["erred"] = True
            return 200, [], '{"data": [], "errors": ["upstream timeout"]}'
        return page_of(req, st["deleted"], cursor_field="deleted_at", cursor_param="since",
                       max_page=10)
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, list(st["recs"].values()), cursor_field="updated_at", max_page=10)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/bulk"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
grep -q 'msg="second walk of the deleted endpoint not provably complete' "$PRODUCER_LAST_LOG" ||
    fail "no warning of the unproven second walk"
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22" "$(live_ids)" \
    "live rows after the run that read the group again"
log "ok"
