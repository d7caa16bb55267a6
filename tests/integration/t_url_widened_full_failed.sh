#!/usr/bin/env bash
# t_url_widened_full_failed: README: when `url` changes ("a filter in
# the query widened"), "the next run is a full one, with a warning, since
# the checkpoint's HWM is the old endpoint's". Here the stream first reads
# /items?region=odd (the odd items 1..39), then its url is widened to
# /items (all 40). The full run that follows meets an API hiccup part-way
# (the page holding item 25 comes back as an empty 200: a clear error,
# exit 1). The next run "resumes the full run from its last progress
# checkpoint" - whose HWM is still the OLD endpoint's (item 39): it walks
# from there, reports mode=full, completes, and the even items below the
# old HWM that the failed run had not reached (20..38), which the old url
# never served, are never read: not
# by it, nor by the incremental runs after it (with full_sync.every = 0
# for ever; with the default, for up to 7 days). Expected: the failed full
# run's record says restart_full, the next run is a full one again from
# the start, and all 40 items are rows. (Found by a second reading,
# helper 158.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)} for i in range(1, 41)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [r for r in RECS if req.query.get("region") != "odd" or r["id"] % 2]
    status, headers, body = page_of(req, recs, cursor_field="updated_at")
    if flag("empty") and any(r["id"] == 25 for r in json.loads(body)["data"]):
        return 200, [("Content-Length", "0")], b""
    return status, headers, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 10" "stream: url = $API_URL/items?region=odd" \
    "producer: full_sync.every = 0"

first_sync
assert_eq 20 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync (odd items)"

write_config "stream: -deleted.url" "stream: page.size = 10" "stream: url = $API_URL/items" \
    "producer: full_sync.every = 0"
touch "$T_WORK/empty"
run_producer_once_rc 1
log "run 2 (url widened): $(last_failed_line | sed 's/^.*msg=/msg=/' | cut -c1-200)"
log "its run record: $(last_run_record | jq -c '{status, mode, hwm: .hwm.value, records, source}')"
rm "$T_WORK/empty"

run_producer_once
log "run 3: mode=$(last_run_field mode) published=$(last_run_field published)"
assert_eq full "$(last_run_field mode)" "mode of the run after the failed full run"
! matches 'msg="full run resumed' "$PRODUCER_LAST_LOG" || fail "the full run was resumed"
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
log "run 4: mode=$(last_run_field mode) published=$(last_run_field published)"
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 30
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" \
    "live rows once the widened url's full run completed (missing: $(psql_value "select string_agg(g::text, ',') from generate_series(1, 40) g where g not in (select id from items)"))"
log "ok"
