#!/usr/bin/env bash
# t_deleted_idle_bulk_once: the newest deletions are one bulk delete
# (records 21..45 at one deleted_at), more than a page (the API caps pages
# at 10). The deleted HWM is then that deleted_at, and every later
# incremental run reads the group again from it (page 1, then pages 2 and
# 3 by number). Whatever a shift hid there lies at the HWM's bucket, which
# the next run reads anyway: no second walk (pageshift_second_from()), or
# every idle run would read the group twice.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

BULK = iso_ms(time.time() - 3600)

def init(state, argv):
    state["api"] = Items(50)

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for i in range(21, 46):
            api.delete(i, BULK)
    if req.path == "/items/deleted":
        return api.deleted_page(req, max_page=10)
    return api.records_page(req, max_page=10)
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
