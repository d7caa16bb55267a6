#!/usr/bin/env bash
# t_date_vanished_changed_same_day: cursor.precision = date, so every
# version of record 2 is published at its day's first instant D. A full
# run finds 2 hidden and deletes it as vanished; 2 is changed while
# hidden, the same day, and served again: the incremental run publishes
# it at D. Dated the run's start, then 1 ms past the version, the delete
# outranked that change and the row stayed deleted. A vanished id's
# delete is now dated at the version itself, which it outranks only as the
# later produced: the change, produced later still, wins, and a later full
# run finds nothing to revive or delete. Then 2 is hidden again and served
# again unchanged: a full run revives it, dated 1 ms past the run's start,
# which outranked every later change of that day (dated its first instant)
# for the rest of the day; the revival now goes at the day's first instant
# too, and the same day's next change wins over it. The API dates its
# records today, as a real one would.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_on
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/dated_item.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
def handle(req):
    D = time.strftime("%Y-%m-%d", time.gmtime())
    if req.path == "/items":
        name = "two changed while hidden" if flag("changed") else "two"
        if flag("changed2"):
            name = "two changed after the revival"
        recs = [{"id": i, "name": "item %d" % i, "updated_on": D} for i in range(3, 11)]
        recs.insert(0, {"id": 1, "name": "one", "updated_on": D})
        if not flag("hidden"):
            recs.append({"id": 2, "name": name, "updated_on": D})
        return page_of(req, recs, cursor_field="updated_on")
    if req.path == "/items/deleted":
        return page_of(req, [], cursor_field="deleted_at", cursor_param="since")
    return 404, [], '{"error": "no such resource"}'
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: cursor.precision = date"
first_sync_then_hide_two

touch "$T_WORK/changed"
rm "$T_WORK/hidden"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows once 2 is served again, changed the same day"
assert_eq "two changed while hidden" "$(psql_value "select name from items where id = 2")" "row 2's name"

run_producer_once --full
assert_eq "0 0" "$(last_run_field revived) $(last_run_field vanished)" "ids the next full run revives, finds vanished"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the next full run"

touch "$T_WORK/hidden"
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows while 2 is hidden again"
rm "$T_WORK/hidden"
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows once 2 is served again, unchanged"
touch "$T_WORK/changed2"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "two changed after the revival" "$(psql_value "select name from items where id = 2")" \
    "row 2's name after a change the same day as its revival"
log "ok"
