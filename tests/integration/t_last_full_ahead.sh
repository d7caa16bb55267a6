#!/usr/bin/env bash
# t_last_full_ahead: the last full run was 8 days ago, but the
# producer that ran it had its clock 30 days ahead (a VM resumed with a
# wrong clock, NTP not yet stepped), so its run record says it started 22
# days from now; the clock has been put right since. full_sync.every is 7
# days (the default): the next run should be a full one (reconciliation
# of vanished records). run_mode_decide() computes now - last_full_at,
# negative, never >= full_sync.every: every run is incremental, and each
# copies last_full_at forward (runcheckpoint.c), so no periodic full run
# happens for 29 more days, and nothing says why.
# brokers: mock
. "$(dirname "$0")/lib.sh"
start_devbroker
start_demoapi --records 20
write_config
run_producer_once
assert_eq full "$(last_run_field mode)" "the first run"

ahead=$(date -u -d "@$(($(date +%s) - 8 * 86400 + 30 * 86400))" +%Y-%m-%dT%H:%M:%S.000Z)
log "the last full run's record, as the producer with its clock 30 days ahead wrote it: $ahead"
last_run_record | jq -ce --arg t "$ahead" \
    '.run_id = "customers-20261201T000000Z-0123abcd" | .mode = "full" | .status = "completed"
     | .started_at = $t | .finished_at = $t | .last_full_at = $t' >"$T_WORK/ahead.json" ||
    fail "no run record"
kc -P -t "$PREFIX.sync-runs" -k "$STREAM" "$T_WORK/ahead.json" || fail "produce the record"

run_producer_once
log "last_full_at in the record run 2 wrote: $(last_run_record | jq -r .last_full_at)"
assert_eq full "$(last_run_field mode)" "the run 8 days after the last full run (full_sync.every = 7d)"
log "ok"
