#!/usr/bin/env bash
# t_full_vanished_restored: a full run finds record 2 missing from the API
# (both walks: a shard down, a permission glitch, an API that hid it for a
# while) and deletes it as vanished, dated the run's start. Later the API
# serves record 2 again, unchanged: the same updated_at. Full runs then
# published it with that old cursor as source_ts, which the worker's
# version guard ranks below the vanish delete: the row stayed deleted for
# good while the topic's latest message for key 2 said live. Now a full
# run that finds the topic's latest word on a served id to be a delete
# event publishes the upsert past it (revived=1): the row is live again,
# and stays so through later runs.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        for i in range(1, 11)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [r for r in RECS if not (flag("hidden") and r["id"] == 2)]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync_then_hide_two

rm "$T_WORK/hidden"
run_producer_once
assert_eq 0 "$(last_run_field published)" "records an incremental run publishes (2 is below the HWM)"
run_producer_once --full
assert_eq 1 "$(last_run_field revived)" "ids the full run found deleted and served again"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows once the API serves 2 again"

# a later full run: 2 is live on the topic now, nothing to revive
run_producer_once --full
assert_eq 0 "$(last_run_field revived)" "ids revived by the next full run"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after another full run"
log "ok"
