#!/usr/bin/env bash
# t_idle_tie_once: a sorted page walk whose newest records share one
# cursor (3 records written in one batch). Nothing changes after the first
# sync. Each idle incremental run asks from the HWM: page 1 holds the 3
# ties, page 2 by number is empty. That empty page counted as paging, and
# every idle run walked the records twice; in a sorted walk it ends the
# walk at the HWM, which the next run reads again anyway.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
BASE = time.time() - 86400
RECS = [{"id": i, "name": "item %d" % i,
         "updated_at": iso_ms(BASE + min(i, 18) * 60)} for i in range(1, 21)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    rows = [r for r in RECS if since is None or r["updated_at"] >= since]
    size = min(int(req.query.get("per_page", "100")), 10)
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
first_sync
for i in 2 3; do
    before=$(grep -c '"path": "/items"' "$T_WORK/hostileapi.1.requests")
    run_producer_once
    after=$(grep -c '"path": "/items"' "$T_WORK/hostileapi.1.requests")
    log "idle run $i: $((after - before)) requests, published=$(last_run_field published); $(grep -c 'records walked a second time' "$PRODUCER_LAST_LOG") second walk(s)"
done
grep -q 'records walked a second time' "$PRODUCER_LAST_LOG" && fail "an idle run walked the records twice"
log "ok"
