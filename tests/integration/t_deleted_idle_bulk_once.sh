#!/usr/bin/env bash
# t_deleted_idle_bulk_once: the newest deletions are one bulk delete
# (records 21..45 at one deleted_at), more than a page (the API caps pages
# at 10). The deleted HWM is then that deleted_at, and every later
# incremental run reads the group again from it (page 1, then pages 2 and
# 3 by number). Whatever a shift hid there lies at the HWM's bucket, which
# the next run reads anyway: no second walk (pageshift_second_from()), or
# every idle run would read the group twice.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item.avsc"
. "$(dirname "$0")/lib.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)

def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 51)}
    state["deleted"] = []

def handle(req):
    st = req.state
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for i in range(21, 46):
            del st["recs"][i]
            st["deleted"].append({"id": i, "deleted_at": BULK})
    if req.path == "/items/deleted":
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
touch "$T_WORK/bulk"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
for i in 1 2 3; do
    before=$(grep -c '/items/deleted' "$HOSTILE_LOG")
    run_producer_once
    after=$(grep -c '/items/deleted' "$HOSTILE_LOG")
    reqs=$(tail -n $((after - before + 20)) "$HOSTILE_LOG" | jq -r 'select(.path == "/items/deleted") | .query.page' | tail -n $((after - before)) | tr '\n' ' ')
    log "idle run $i: deletes=$(last_run_field deletes) deleted-endpoint pages asked: $reqs"
done
assert_eq 3 "$((after - before))" "deleted-endpoint requests of an idle run"
log "ok"
