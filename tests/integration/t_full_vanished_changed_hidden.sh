#!/usr/bin/env bash
# t_full_vanished_changed_hidden: a full run finds record 2 missing (a
# shard down: both walks miss it) and deletes it as vanished. While
# hidden, record 2 was changed: its new updated_at lies above the HWM (the
# API was idle before) but below the full run's start. When the API
# serves it again, the next incremental run publishes that upsert. The
# delete used to be dated the run's start (the producer's clock), so the
# worker's version guard ranked the change below it: the row stayed
# deleted for good while the topic's latest message for key 2 was the
# upsert, and later full runs, finding 2 live on the topic, revived
# nothing. A vanished id's delete is now dated 1 ms past the version the
# worker keeps, so the change made while hidden wins.
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
    if flag("changed") and RECS[1]["name"] == "item 2":
        RECS[1] = {"id": 2, "name": "item 2 changed while hidden",
                   "updated_at": iso_ms(time.time() - 3600)}
    recs = [r for r in RECS if not (flag("hidden") and r["id"] == 2)]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync_then_hide_two

# changed an hour ago (while hidden), served again now
touch "$T_WORK/changed"
rm "$T_WORK/hidden"
run_producer_once
assert_eq 1 "$(last_run_field published)" "records the incremental run publishes (2, changed)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows once the API serves 2 again, changed"
assert_eq "item 2 changed while hidden" "$(psql_value "select name from items where id = 2")" \
    "row 2's name"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids a later full run finds vanished"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after a later full run"
log "ok"
