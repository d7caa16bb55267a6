#!/usr/bin/env bash
# t_url_changed: the operator widens the records endpoint's filter in
# `url` (…/items?region=eu -> …/items?region=all). The checkpoint's HWM
# came from the eu records; the us records interleave with them in time,
# and every one below that HWM was never served to an incremental run:
# runs completed, nothing was logged, and they reached the table only at
# the next full run (full_sync.every, 7 days by default). Run records now
# keep a digest of url; a change makes the next run full, with a warning.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60),
         "region": "eu" if i % 2 else "us"} for i in range(1, 21)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    region = req.query.get("region", "all")
    recs = [dict((k, v) for k, v in r.items() if k != "region") for r in RECS
            if region == "all" or r["region"] == region]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: url = $API_URL/items?region=eu"
first_sync
assert_eq "1,3,5,7,9,11,13,15,17,19" "$(live_ids)" "live rows of the eu filter"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the mode of a run on the same url"

write_config "stream: -deleted.url" "stream: url = $API_URL/items?region=all"
run_producer_once
assert_eq full "$(last_run_field mode)" "the mode of the first run on the wider url"
grep -q 'msg="url changed since the checkpoint' "$PRODUCER_LAST_LOG" ||
    fail "no warning that the url changed"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "$(seq -s, 1 20)" "$(live_ids)" "live rows once the url serves every region"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the mode of the run after it"
stop_worker
log "ok"
