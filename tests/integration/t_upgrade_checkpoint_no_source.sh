#!/usr/bin/env bash
# t_upgrade_checkpoint_no_source: t_url_changed across an upgrade. Builds
# before run records kept a digest of `url` wrote checkpoints without one
# (made here by writing the latest run record again without "source"),
# and an operator widened the filter in `url` with the upgrade. The new
# build compared digests only when the checkpoint had one: the run was
# incremental, and the us records below the HWM never reached the table.
# A checkpoint that does not say which url its HWM is for now makes the
# next run full, with a warning; `reset --since` writes the url's digest, so
# a reset is no such checkpoint.
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

# the checkpoint as an older build wrote it
last_run_record | jq -ce 'del(.source)' >"$T_WORK/old.json" || fail "no run record"
kc -P -t "$PREFIX.sync-runs" -k "$STREAM" "$T_WORK/old.json" || fail "produce the old checkpoint"
assert_eq null "$(last_run_record | jq -c .source)" "source of the checkpoint written again"

write_config "stream: -deleted.url" "stream: url = $API_URL/items?region=all"
run_producer_once
assert_eq full "$(last_run_field mode)" "the mode of the first run after the upgrade"
grep -q 'msg="the checkpoint does not say which url its HWM is for' "$PRODUCER_LAST_LOG" ||
    fail "no warning that the checkpoint names no url"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "$(seq -s, 1 20)" "$(live_ids)" "live rows once the url serves every region"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the mode of the run after it"

# a reset --since keeps the url's digest: the next run is incremental
"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" \
    --since "$(last_run_record | jq -r .hwm.value)" 2>>"$T_WORK/producer.log" || fail "reset"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the mode of the run after a reset --since"
stop_worker
log "ok"
