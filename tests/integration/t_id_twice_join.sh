#!/usr/bin/env bash
# t_id_twice_join: an API whose list query joins a child table (a
# customer's addresses, an order's lines) without grouping, so one record
# comes back once per child row: the same id twice on one page, with
# different content. Two shapes, both on one page of a `>=` API in
# (cursor, id) order:
#  - id 3 twice with different cursors (the join takes the child's
#    updated_at as the row's: GREATEST(parent, child)): "3 old" at its own
#    cursor, "3 new" a minute past the newest record. PostgreSQL must hold
#    the newer ("3 new"), whatever the order of the two copies;
#  - id 5 twice at the same cursor (the parent's), the newest, so both are
#    at the HWM (the ids kept there with their digests), "5 line A" then
#    "5 line B": the API contradicts itself; the row must hold one of them
#    and keep it over idle runs (no flapping between the two), and idle
#    runs publish nothing: the HWM kept one digest for id 5, so each idle
#    run found the other copy changed and published both, for ever (found
#    by a second reading, helper 158).
# Nothing is lost: every other record is a row, no run fails.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path == "/items/deleted":
        return 200, [], '{"data": []}'
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
            for i in (1, 2, 4, 6, 7, 8)]
    recs += [{"id": 3, "name": "3 old", "updated_at": iso_ms(BASE + 3 * 60)},
             {"id": 3, "name": "3 new", "updated_at": iso_ms(BASE + 9 * 60)},
             # one cursor, the newest (the HWM): served A then B (page_of's
             # sort is stable)
             {"id": 5, "name": "5 line A", "updated_at": iso_ms(BASE + 10 * 60)},
             {"id": 5, "name": "5 line B", "updated_at": iso_ms(BASE + 10 * 60)}]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq "1,2,3,4,5,6,7,8" "$(live_ids)" "live rows after the first run"
assert_eq "3 new" "$(psql_value 'select name from items where id = 3')" \
    "row 3: the newer of the two copies the join served"
row5=$(psql_value 'select name from items where id = 5')
case "$row5" in "5 line A" | "5 line B") ;; *) fail "row 5 holds '$row5'" ;; esac
log "row 5 after run 1: $row5"

# Idle runs: nothing changed at the API. Row 3 stays the newer copy, row 5
# keeps what it holds.
for i in 1 2 3; do
    run_producer_once
    log "idle run $i: published=$(last_run_field published) skipped=$(last_run_field skipped)"
    assert_eq 0 "$(last_run_field published)" "events published by idle run $i"
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "3 new" "$(psql_value 'select name from items where id = 3')" "row 3 after idle run $i"
    assert_eq "$row5" "$(psql_value 'select name from items where id = 5')" "row 5 after idle run $i"
done

# A full run: nothing vanished, row 3 still the newer copy.
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8" "$(live_ids)" "live rows after the full run"
assert_eq "3 new" "$(psql_value 'select name from items where id = 3')" "row 3 after the full run"
assert_eq "$row5" "$(psql_value 'select name from items where id = 5')" "row 5 after the full run"
log "ok"
