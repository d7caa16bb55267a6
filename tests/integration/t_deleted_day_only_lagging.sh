#!/usr/bin/env bash
# t_deleted_day_only_lagging: as t_deleted_day_only, a deleted endpoint
# that dates a deletion by its day alone in a stream of timestamps; here
# the deletion is today's, and the records endpoint still serves the
# version of yesterday 10:00 it deleted (a lagging index). Held as an
# undated deletion, any version served made it stale, and record 7 stayed
# live. A version of an earlier day than the deletion's predates it.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time
DAY = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))   # yesterday
TODAY = time.strftime("%Y-%m-%d", time.gmtime(time.time()))
def at(hh, mm):
    return "%sT%02d:%02d:00.000Z" % (DAY, hh, mm)
def handle(req):
    gone = flag("deleted")
    if req.path == "/items/deleted":
        items = [{"id": 7, "deleted_at": TODAY}] if gone else []
        return page_of(req, items, cursor_field="deleted_at", cursor_param="since")
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": at(8, i)} for i in range(1, 11) if i != 7]
    recs.append({"id": 7, "name": "item 7", "updated_at": at(10, 0)})   # still served
    return page_of(req, recs, cursor_field="updated_at")
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first sync"
touch "$T_WORK/deleted"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
deletes=$(last_run_field deletes)
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
log "deletes: first run $deletes, next run $(last_run_field deletes); live: $(live_ids)"
assert_eq 1 "$deletes" "deletions published by the run after record 7's deletion"
assert_eq "1,2,3,4,5,6,8,9,10" "$(live_ids)" "live rows after two runs"
log "ok"
