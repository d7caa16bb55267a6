#!/usr/bin/env bash
# t_date_restore_same_day: an API whose cursor is a date (cursor.precision
# = date, values "2026-11-30") and whose deleted endpoint gives deleted_at
# as a timestamp. Record 2 is deleted at D 10:00Z (run 2 publishes the
# delete) and restored later the same day D (updated_on stays D). Run 3 is
# served record 2 again: it is live in the API, so it must be live in the
# table. The deletion, dated 10:00, outranked the restore's upsert (dated
# D 00:00) at the worker for good, and no full run mended it (the topic's
# latest word on 2 was the upsert). A deletion of a date stream is now
# dated by its day too, and the later published of the two wins.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_on
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/dated_item.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF2'
D = "2026-11-30"
def handle(req):
    deleted = flag("deleted")
    restored = flag("restored")
    if req.path == "/items":
        recs = [{"id": 1, "name": "one", "updated_on": D},
                {"id": 3, "name": "three", "updated_on": D}]
        if not deleted or restored:
            recs.append({"id": 2, "name": "two restored" if restored else "two",
                         "updated_on": D})
        return page_of(req, recs, cursor_field="updated_on")
    if req.path == "/items/deleted":
        items = [{"id": 2, "deleted_at": D + "T10:00:00.000Z"}] if deleted else []
        return page_of(req, items, cursor_field="deleted_at", cursor_param="since")
    return 404, [], '{"error": "no such resource"}'
EOF2

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: cursor.precision = date"

first_sync
assert_eq "1,2,3" "$(live_ids)" "live rows after run 1"

touch "$T_WORK/deleted"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3" "$(live_ids)" "live rows after the delete"

touch "$T_WORK/restored"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3" "$(live_ids)" \
    "live rows after the same-day restore"
assert_eq "two restored" "$(psql_value "select name from items where id = 2")" "record 2's name"
log "ok"
