#!/usr/bin/env bash
# t_progress_quota: t_full_resume's promise (a first load that fails
# part-way resumes from its last progress checkpoint: a huge first load on
# a flaky API might otherwise never finish) under the default
# progress.interval (5 s; the scenarios' write_config sets 0). An API
# with a quota of 25 requests a window (pages of 1000, 45,000 records):
# each run fails at its 26th request, well under 5 s in. With every
# checkpoint 5 s apart, no run wrote one: each started the load again and
# failed at the same place, for ever. The run's first progress checkpoint
# comes at 20000 events whatever the time, so each run gets further, and
# the third completes. (Found by a second reading, helper 162.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 45000 --max-page-size 1000
write_config "producer: -progress.interval" "stream: page.size = 1000" "stream: max.retries = 0" \
    "stream: -deleted.url"

done_at=""
for i in 1 2 3; do
    api_post "/admin/fault?status=429&count=1000&after=25&retry_after=3600" >/dev/null || fail "admin fault"
    n=$((++_PRODUCER_N))
    PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
    rc=0
    timeout --foreground -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once \
        >"$T_WORK/producer.$n.out" 2>"$PRODUCER_LAST_LOG" || rc=$?
    rec=$(last_run_record)
    log "run $i: exit $rc status=$(jq -r .status <<<"$rec") records=$(jq -r .records <<<"$rec") hwm=$(jq -r .hwm.value <<<"$rec")"
    if [ "$rc" = 0 ]; then done_at=$i; break; fi
done
[ -n "$done_at" ] || fail "the first load of 45,000 records did not complete in 3 runs, each allowed 25 requests"
assert_eq completed "$(last_run_record | jq -r .status)" "the last run's status"
log "ok"
