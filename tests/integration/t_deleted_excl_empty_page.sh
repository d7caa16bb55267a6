#!/usr/bin/env bash
# t_deleted_excl_empty_page: as t_deleted_excl_hwm_tie (a deleted
# endpoint that filters its since `>`, pages capped at 10, a bulk delete at
# the deleted HWM's bucket, an entry purged while the group is paged), but
# the bulk delete is 11 deletions, so the page the purge empties is asked
# by number and holds nothing. In cursor order such an empty page ends the
# walk in the group's bucket, which the next run reads again; not when
# the API filters `>`: that run asks the HWM as it is. The group counts as
# paged by number and is walked a second time.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)
def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 51)}
    state["deleted"] = []
def paged(req, rows, field, param):
    since = req.query.get(param)
    rows = sorted((r for r in rows if since is None or r[field] > since),
                  key=lambda r: (r[field], r["id"]))
    page = int(req.query.get("page", "1"))
    size = min(int(req.query.get("per_page", "100")), 10)
    chunk = rows[(page - 1) * size:page * size]
    return 200, [], json.dumps({"data": chunk, "more": page * size < len(rows)})
def handle(req):
    st = req.state
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for i in range(21, 32):
            del st["recs"][i]
            st["deleted"].append({"id": i, "deleted_at": BULK})
    if flag("later") and not st.get("later"):
        st["later"] = True
        del st["recs"][50]
        st["deleted"].append({"id": 50, "deleted_at": iso_ms(time.time() - 60)})
    if req.path == "/items/deleted":
        since = req.query.get("since")
        if flag("bulk") and req.query.get("page") == "2" and since and not st.get("purged"):
            st["purged"] = True
            st["deleted"] = [d for d in st["deleted"] if d["id"] != 21]
        return paged(req, st["deleted"], "deleted_at", "since")
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return paged(req, list(st["recs"].values()), "updated_at", "modified_since")
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: more.path = more"

first_sync
assert_eq 50 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the first sync"
touch "$T_WORK/bulk"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
touch "$T_WORK/later"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq t "$(psql_value "select _deleted from items where id = 50")" "record 50 deleted"
assert_eq t "$(psql_value "select coalesce(_deleted, true) from items where id = 31")" "record 31 deleted downstream (its deletion hidden by the shift)"
log "ok"
