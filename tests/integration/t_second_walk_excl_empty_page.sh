#!/usr/bin/env bash
# t_second_walk_excl_empty_page: as t_second_walk_excl_hwm (an API that
# filters its cursor parameter `>`, pages capped at 10, a bulk update at
# the HWM's bucket, a record deleted while the group is paged), but the
# tie group is 11 records, so the page the shift empties is asked by
# number and holds nothing. In cursor order such an empty page ends the
# walk in the group's bucket, which the next run reads again; not when the
# API filters `>`: that run asks the HWM as it is. The group counts as
# paged by number and is walked a second time.
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
            if r["id"] <= 11:
                r.update(name="bulk %d" % r["id"], updated_at=BULK)
    since = req.query.get("modified_since")
    page = int(req.query.get("page", "1"))
    if flag("bulk") and page == 2 and since and since > MID and not st.get("deleted"):
        st["recs"] = [r for r in st["recs"] if r["id"] != 1]
        st["deleted"] = True
    if flag("new") and not st.get("new"):
        st["new"] = True
        st["recs"].append({"id": 41, "name": "item 41", "updated_at": iso_ms(time.time() - 60)})
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
