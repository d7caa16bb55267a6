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
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item.avsc"
. "$(dirname "$0")/lib.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 3 * 86400

def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 41)}
    state["deleted"] = []

def handle(req):
    st = req.state
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        for i in range(21, 33):
            del st["recs"][i]
            st["deleted"].append(i)
    if req.path == "/items/deleted":
        page = int(req.query.get("page", "1"))
        if flag("deleted") and page == 2 and not st.get("restored"):
            st["restored"] = True
            st["deleted"].remove(22)
            st["recs"][22] = {"id": 22, "name": "restored 22", "updated_at": iso_ms(time.time() - 60)}
        size = min(int(req.query.get("per_page", "100")), 5)
        return 200, [], json.dumps({"data": st["deleted"][(page - 1) * size:page * size]})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, list(st["recs"].values()), cursor_field="updated_at")
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
