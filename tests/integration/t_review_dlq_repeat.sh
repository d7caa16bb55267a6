#!/usr/bin/env bash
# t_review_dlq_repeat (review finding): the newest record of the API has
# no usable id ("id": null). It is dead-lettered, as it should be, but
# handle_record() returns before hwm_observe(), so the HWM stays
# behind it: the seek walk's second request (since = the last cursor of
# page 1) serves it again in the same run, and every later run (every
# poll.interval in follow mode) serves and dead-letters it again. The
# DLQ grows without bound for one bad record. handle_record()'s own
# comment says a dead-lettered record is kept at the HWM "so the next run
# does not dead-letter it again", and t_bad_values asserts that for bad
# records with an id. Expected: one dead letter over three runs.
# Observed (bug): two per run.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
def handle(req):
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    recs = [customer(i, "2026-01-01T00:00:%02dZ" % i) for i in range(1, 6)]
    recs.append(customer(None, "2026-01-01T00:00:30Z"))
    return page_of(req, recs)
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
dlq="$PREFIX.dlq"

run_producer_once
run_producer_once
run_producer_once
log "HWM after three runs: $(last_run_record | jq -c .hwm.value)"
assert_eq 1 "$(topic_count "$dlq")" "dead letters on $dlq after three runs over the same API"
log "ok"
