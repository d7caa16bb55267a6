#!/usr/bin/env bash
# t_id_float_spelled: an API whose JSON writer puts integer ids through a
# double (a JavaScript or PHP layer, a Python service that reads its ids
# through pandas): item 4 comes as `4.0`, item 5 as `5e0`, and its deleted
# endpoint lists item 8 as `8.0`; a later release (or another code path)
# writes them as integers again. One row per id must result, never a row
# under a key "4.0" beside row 4: the records with a float id go to the
# DLQ with the reason (README: "a record without a usable id goes to the
# DLQ with the reason"), the rest of the page goes on, and the run after
# the API writes integers applies 4 and 5 as ordinary records, and its
# deletion of 8. The deleted item is dead-lettered once, not at every
# request or run that serves it again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
DELETED_AT = iso_ms(time.time() - 60)
def handle(req):
    fixed = flag("fixed")
    if req.path == "/items/deleted":
        if not flag("deleted") or req.query.get("page", "1") != "1":
            return 200, [], '{"data": []}'
        return 200, [], '{"data": [{"id": %s, "deleted_at": "%s"}]}' % ("8" if fixed else "8.0", DELETED_AT)
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    status, headers, body = page_of(req, [
        {"id": i, "name": "item %d" % i + (" v2" if fixed and i in (4, 5) else ""),
         "updated_at": iso_ms(BASE + i * 60 + (86400 if fixed and i in (4, 5) else 0))}
        for i in range(1, 11) if not (flag("deleted") and i == 8)], cursor_field="updated_at")
    if not fixed:   # the float spellings, in the body's text
        body = body.replace('"id": 4,', '"id": 4.0,').replace('"id": 5,', '"id": 5e0,')
    return status, headers, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
log "run 1: dead_lettered: $(grep -c 'msg="record dead-lettered"' "$PRODUCER_LAST_LOG")"
assert_eq "1,2,3,6,7,8,9,10" "$(live_ids)" "live rows after run 1 (4.0 and 5e0 dead-lettered)"
dlq=$(kc -C -t "$PREFIX.dlq" -e -f '%k\t%h\n')
log "dead letters: $(tr '\n' '|' <<<"$dlq" | cut -c1-400)"
assert_eq 2 "$(grep -c 'tidemark.error=.*id' <<<"$dlq")" "dead letters naming the id"
assert_eq 0 "$(psql_value "select count(*) from items where id::text like '%.%'")" "rows under a float key"

touch "$T_WORK/deleted"
run_producer_once
log "run 2 (8 deleted, listed as 8.0): deletes=$(last_run_field deletes); dead letters now $(topic_count "$PREFIX.dlq")"
wait_run_completed "$(last_run_field run_id)" 60
# the deleted item once, naming its value: the seek walk is served it
# again at the since it set, and the next run again at its HWM (each was
# a dead letter of its own, whose reason did not say what the id was)
deleted_letters() { kc -C -t "$PREFIX.dlq" -e -f '%h\n' | grep -c 'tidemark.error=deleted item: '; }
assert_eq 1 "$(deleted_letters)" "dead letters of the deleted item 8.0 after run 2"
kc -C -t "$PREFIX.dlq" -e -f '%h\n' | grep -q "tidemark.error=deleted item: id field 'id' is 8.0: " ||
    fail "the deleted item's dead letter does not name the value 8.0: $(kc -C -t "$PREFIX.dlq" -e -f '%h\n' | tail -n1)"
run_producer_once
assert_eq 1 "$(deleted_letters)" "dead letters of the deleted item 8.0 after an idle run"

touch "$T_WORK/fixed"
run_producer_once
log "run 3 (integers again): published=$(last_run_field published) deletes=$(last_run_field deletes)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,9,10" "$(live_ids)" "live rows once the API writes integers"
assert_eq "item 4 v2|item 5 v2" "$(psql_value "select string_agg(name, '|' order by id) from items where id in (4, 5)")" "rows 4 and 5"
assert_eq 10 "$(psql_value 'select count(*) from items')" "rows in all (one per id)"
log "ok"
