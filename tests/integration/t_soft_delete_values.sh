#!/usr/bin/env bash
# t_soft_delete_values: an API whose soft-delete flag is not a JSON
# boolean, as MySQL and PHP write it (1, "1", "true", "Y", a float
# column's 1.0). The flag was
# read as JSON true alone: such records were published as upserts and
# stayed live downstream, without a dead letter or a warning. Now 1,
# "true", "t", "yes", "y" (any case) say deleted, 0, "false", "N", null
# say live, and a value that says neither ("archived") dead-letters its
# record with a reason naming soft_delete.field.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=is_deleted
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
LATER = [0, 1, "true", True, "N", "Y", "archived", None, 1.0, 0.0]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    d = flag("deleted")
    recs = [{"id": i, "name": "item %d" % i, "is_deleted": LATER[i - 1] if d else False,
             "updated_at": iso_ms(BASE + i * 60 + (7200 if d and i > 1 else 0))}
            for i in range(1, 11)]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first run"

touch "$T_WORK/deleted"
run_producer_once
assert_eq 5 "$(last_run_field deletes)" "deletes of the second run (1, \"true\", true, \"Y\", 1.0)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,5,7,8,10" "$(live_ids)" "live rows after the second run (7 dead-lettered, keeping its row)"
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters"
kc -C -t "$PREFIX.dlq" -e -f '%k\t%h\n' >"$T_WORK/dlq.txt"
grep -q "^7	.*soft_delete.field 'is_deleted': \"archived\" says neither deleted nor live" "$T_WORK/dlq.txt" ||
    fail "the dead letter does not give the reason: $(cat "$T_WORK/dlq.txt")"
log "ok"
