#!/usr/bin/env bash
# t_second_walk_excl_unproven: as t_second_walk_excl_hwm (an API that
# filters its cursor parameter `>`, a bulk update at the HWM's bucket,
# record 11 on no page of the first walk), but the second walk's first
# page is empty and says it is an error: unproven. Holding the HWM at the
# group's bucket, where it already was, kept nothing: the next run asks
# `>` it and is not served the group. It is held one unit below.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)
MID = iso_ms(BASE + 50 * 60)
def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 41)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for r in st["recs"]:
            if r["id"] <= 30:
                r.update(name="bulk %d" % r["id"], updated_at=BULK)
    since = req.query.get("modified_since")
    page = int(req.query.get("page", "1"))
    if flag("bulk") and page == 2 and since and since > MID and not st.get("deleted"):
        st["recs"] = [r for r in st["recs"] if r["id"] != 1]
        st["deleted"] = True
    if flag("new") and not st.get("new"):
        st["new"] = True
        st["recs"].append({"id": 41, "name": "item 41", "updated_at": iso_ms(time.time() - 60)})
    if flag("bulk") and not flag("new") and page == 1 and since and MID < since < BULK:
        st["low"] = st.get("low", 0) + 1
        if st["low"] == 2:
            return 200, [], json.dumps({"data": [], "errors": [{"message": "slow down"}], "more": False})
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] > since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)
    chunk = rows[(page - 1) * size:page * size]
    return 200, [], json.dumps({"data": chunk, "more": page * size < len(rows)})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: more.path = more"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the first sync"
touch "$T_WORK/bulk"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
touch "$T_WORK/new"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "item 41" "$(psql_value "select name from items where id = 41")" "record 41"
assert_eq "bulk 11" "$(psql_value "select name from items where id = 11")" "record 11 (hidden by the shift)"
log "ok"
