#!/usr/bin/env bash
# t_second_walk_lookback: pages not in cursor order (cursor.sorted =
# false), lookback = 1h. Nothing changes in the API after the first sync,
# but from then on every second walk ends on an empty page whose answer
# says it is an error (a quota the first walk used up, answered 200). The
# HWM was held at the first walk's since, HWM - lookback: each run moved
# it back by the lookback and published more again. It is held no lower
# than where the run started.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

NOW = time.time()

def init(state, argv):
    state["recs"] = [{"id": k, "name": "item %d" % k, "updated_at": iso_ms(NOW - k * 3600)}
                     for k in range(1, 21)]
    state["walks"] = 0

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    if page == 1:
        st["walks"] += 1
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] >= since),
                  key=lambda r: r["id"])
    size = min(int(req.query.get("per_page", "100")), 10)
    data = rows[(page - 1) * size:page * size]
    if flag("rl") and not data and st["walks"] % 2 == 0:
        return 200, [], json.dumps({"data": [], "error": {"code": 429, "message": "quota"}})
    return 200, [], json.dumps({"data": data})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: cursor.sorted = false" "stream: lookback = 1h"

first_sync
log "run 1 hwm: $(last_run_record | jq -c .hwm.value)"
h1=$(last_run_record | jq -r .hwm.value)
touch "$T_WORK/rl"
for i in 2 3 4 5; do
    run_producer_once
    log "run $i hwm: $(last_run_record | jq -c .hwm.value) published=$(last_run_field published)"
done
h5=$(last_run_record | jq -r .hwm.value)
assert_eq "$h1" "$h5" "the HWM after four incremental runs over an unchanged API"
log "ok"
