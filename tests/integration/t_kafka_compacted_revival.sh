#!/usr/bin/env bash
# t_kafka_compacted_revival: on a compacted stream topic, record 2 is
# changed (cursor c2' a day later), then the API serves it back at its old
# cursor c2 (restored from a backup): a full run publishes that upsert at
# c2, which the worker's guard ranks below c2' (the row keeps c2', as the
# README says of a cursor that goes back). The cleaner then keeps only key
# 2's last message, the upsert at c2. Record 2 is hidden: the full run's
# delete, dated at c2, loses to c2', and its tombstone deletes the row
# keeping c2'. Record 2 is served again, unchanged: a revival dated past
# the deletion alone (c2, all the compacted topic shows) lost to c2' too,
# and no later run mended it. The revival keeps its floor, the run's start
# and the HWMs: the record is live again.
# brokers: kafka
. "$(dirname "$0")/lib_items.sh"

topic="$PREFIX.$STREAM"
cat >"$T_WORK/api.py" <<'PY'
import os, time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        for i in range(1, 11)]
ORIG2 = dict(RECS[1])
BUMP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bump")
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    n = int(open(BUMP).read()) if os.path.exists(BUMP) else 0
    if n:
        RECS[9] = {"id": 10, "name": "item 10 v%d" % n, "updated_at": iso_ms(BASE + 2 * 86400 + n)}
    if flag("backup"):
        RECS[1] = dict(ORIG2)
    elif flag("changed"):
        RECS[1] = {"id": 2, "name": "item 2 changed", "updated_at": iso_ms(BASE + 86400)}
    recs = [r for r in RECS if not (flag("hidden") and r["id"] == 2)]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_broker --topic "$topic:1:compact"
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first run"
row2() { psql_value "select _deleted, name, _source_ts from items where id = 2"; }

touch "$T_WORK/changed"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
log "row 2 changed: $(row2)"
touch "$T_WORK/backup"
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
log "row 2 after the API served it back at its old cursor: $(row2)"

msgs_of_2() { kc -C -t "$topic" -e -f '%k\n' | grep -cx 2; }
bump=0
one_left() {
    [ "$(msgs_of_2)" = 1 ] && return 0
    bump=$((bump + 1)); echo "$bump" >"$T_WORK/bump"
    run_producer_once
    return 1
}
WAIT_INTERVAL=0.5 wait_for "the cleaner to keep one message of key 2" 90 one_left
log "key 2 on the topic: $(kc -C -t "$topic" -e -f '%k %S %h\n' | awk '$1 == 2')"

touch "$T_WORK/hidden"
run_producer_once --full
assert_eq 1 "$(last_run_field vanished)" "ids found vanished"
wait_run_completed "$(last_run_field run_id)" 60
log "row 2 after the vanish: $(row2)"
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows while 2 is hidden"

rm "$T_WORK/hidden"
run_producer_once --full
log "full run: revived=$(last_run_field revived)"
wait_run_completed "$(last_run_field run_id)" 60
log "row 2 once served again: $(row2)"
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
log "row 2 after another full run: $(row2)"
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows once 2 is served again (and a later full run)"
log "ok"
