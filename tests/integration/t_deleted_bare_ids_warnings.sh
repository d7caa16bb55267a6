#!/usr/bin/env bash
# t_deleted_bare_ids_warnings: an API that puts a warning in "errors"
# beside every answer, its last, empty page too (a page that ends a walk
# without failing it). Its deleted endpoint lists bare ids (no
# deleted_at), 20 of them (record 30, the newest, and 19 records created
# and deleted since the last run), pages capped at 10: the walk pages them
# by number (no cursor to seek at), so a second walk follows, from no
# since, and ends on that warning page, unproven, as the first walk did.
# With no deleted HWM yet, failing the deleted endpoint there failed every
# run and no deletion ever reached the table; the first walk's HWM stands.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
BASE = time.time() - 3 * 86400
def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 31)}
    state["deleted"] = []
def handle(req):
    st = req.state
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        # record 30 (the newest: the HWM) and 19 records created and deleted
        # since the last run (never published)
        del st["recs"][30]
        st["deleted"] = [30] + list(range(101, 120))
    page = int(req.query.get("page", "1"))
    size = min(int(req.query.get("per_page", "100")), 10)
    if req.path == "/items/deleted":
        rows = sorted(st["deleted"])
    elif req.path == "/items":
        since = req.query.get("modified_since")
        rows = sorted((r for r in st["recs"].values() if since is None or r["updated_at"] >= since),
                      key=lambda r: (r["updated_at"], r["id"]))
    else:
        return 404, [], '{"error": "no such resource"}'
    chunk = rows[(page - 1) * size:page * size]
    return 200, [], json.dumps({"data": chunk, "errors": ["deprecated: use /v2"]})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq 30 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"
touch "$T_WORK/deleted"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq 29 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after record 30's deletion"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
log "ok"
