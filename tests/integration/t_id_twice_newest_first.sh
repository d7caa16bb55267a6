#!/usr/bin/env bash
# t_id_twice_newest_first: t_id_twice_join's rule for copies of one id on
# a page whose cursors fall in the HWM's bucket: one copy decides. Under
# cursor.precision = date the bucket is a day, and a copy later on the
# page may be an older version: a history endpoint in its own order
# (cursor.sorted = false; by id, newest version first). Record 5 was
# published at D 09:00 (v1, kept at the HWM's day with its digest); it
# changes at D 15:00 and the API serves [5 v2 (15:00), 5 v1 (09:00)].
# When the later copy decided, v2 was skipped, and v1, matching the digest
# kept, too: the change was never published. The newest copy (the later
# one among equal cursors) decides. (Found by a second reading, helper
# 163.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time, datetime
D = datetime.datetime.fromtimestamp(time.time() - 3 * 86400, datetime.timezone.utc).replace(
    hour=0, minute=0, second=0, microsecond=0).timestamp()
def handle(req):
    if req.path == "/items/deleted":
        return 200, [], '{"data": []}'
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(D - (6 - i) * 86400)} for i in range(1, 5)]
    if flag("v2"):
        recs.append({"id": 5, "name": "5 v2", "updated_at": iso_ms(D + 15 * 3600)})
    recs.append({"id": 5, "name": "5 v1", "updated_at": iso_ms(D + 9 * 3600)})
    return page_of(req, recs, cursor_field="updated_at", by_id=True)
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: cursor.precision = date" "stream: cursor.sorted = false"
first_sync
assert_eq "1,2,3,4,5" "$(live_ids)" "live rows after the first run"
assert_eq "5 v1" "$(psql_value 'select name from items where id = 5')" "row 5 after run 1"
touch "$T_WORK/v2"
for i in 1 2; do
    run_producer_once
    log "run after the change $i: published=$(last_run_field published) skipped=$(last_run_field skipped)"
    wait_run_completed "$(last_run_field run_id)" 60
done
assert_eq "5 v2" "$(psql_value 'select name from items where id = 5')" "row 5 after two runs (the API's newest version is v2)"
log "ok"
