#!/usr/bin/env bash
# t_full_forced_failed_not_resumed: README's remedy for rows that must take the
# API's version again ("delete those rows ... and run `run --once --full`,
# which publishes every record the API serves"), met by an API hiccup: the
# `--full` run fails part-way (the page holding item 25 comes back as an
# empty 200, a clear error), and the next scheduled run, without --full,
# "resumes the full run from its last progress checkpoint" (README). That
# checkpoint's HWM is not where the failed full run got to (item ~20) but
# the HWM of the incremental history before it (item 40): the resumed
# run walks from item 40, reports `mode=full` and completes, and the
# records between (here the rows the user deleted, 30..32) are never
# published again - nor by the incremental runs after it, whose HWM is
# past them, until the next periodic full run (full_sync.every, 7 days by
# default). Expected: the failed full run's record says restart_full (its
# HWM is the one from before it), so the next run is a full one again,
# not resumed from there, and rows 30..32 are back. (Found by a second reading,
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
    status, headers, body = page_of(req, RECS, cursor_field="updated_at")
    if flag("empty") and any(r["id"] == 25 for r in json.loads(body)["data"]):
        return 200, [("Content-Length", "0")], b""
    return status, headers, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 10"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "mode of run 2"
wait_run_completed "$(last_run_field run_id)" 60

# The user takes the API's version of 30..32 again, as README says.
psql_value "delete from items where id in (30, 31, 32)" >/dev/null || fail "could not delete rows"
touch "$T_WORK/empty"
run_producer_once_rc 1 --full
log "the --full run: $(last_failed_line | sed 's/^.*msg=/msg=/' | cut -c1-220)"
log "its run record: $(last_run_record | jq -c '{status, mode, hwm: .hwm.value, records}')"
rm "$T_WORK/empty"

assert_eq true "$(last_run_record | jq -c .restart_full)" "restart_full of the failed full run's record"

# The next scheduled run is the full run again, and the ones after are
# incremental.
run_producer_once
log "run 4: mode=$(last_run_field mode) published=$(last_run_field published)"
assert_eq full "$(last_run_field mode)" "mode of the run after the failed full run"
! matches 'msg="full run resumed' "$PRODUCER_LAST_LOG" || fail "the full run was resumed"
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
log "run 5: mode=$(last_run_field mode) published=$(last_run_field published)"
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 30
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" \
    "live rows once the full run completed (missing: $(psql_value "select string_agg(g::text, ',') from generate_series(1, 40) g where g not in (select id from items)"))"
log "ok"
