#!/usr/bin/env bash
# t_reset_since_forward: `tidemark-producer reset --stream NAME --since TS`
# is "move the checkpoint back (a replay from the API): the records' HWM
# and the deleted endpoint's mark alike, --since to at most TS" (README,
# Programs). The deleted mark becomes the lower of the old one and TS;
# the records' HWM is set to TS whatever it was. A TS past the HWM (a
# mistyped year: 2062 for 2026) moves it forward: it exits 0, and every
# change made before TS is never published (until a full run).
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 60
hwm0=$(last_run_record | jq -r '.hwm.value')
log "HWM after the first run: $hwm0"

rc=0
"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" --since 2062-01-01T00:00:00Z \
    >"$T_WORK/reset.out" 2>"$T_WORK/reset.err" || rc=$?
hwm1=$(last_run_record | jq -r '.hwm.value')
log "reset --since 2062-01-01T00:00:00Z: exit $rc, HWM $hwm0 -> $hwm1, deleted mark $(last_run_record | jq -r '.deleted_hwm.value')"

api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
log "next run: $(last_run_summary)"
wait_run_completed "$(last_run_field run_id)" 60
table_equals_api || fail "reset --since 2062 exited $rc and moved the HWM forward ($hwm0 -> $hwm1): the change of ids 3,4 is not published ($(last_run_summary)); the table differs from the API"
log "ok"
