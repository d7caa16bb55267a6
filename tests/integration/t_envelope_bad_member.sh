#!/usr/bin/env bash
# t_envelope_bad_member: a cursor API whose envelope (outside the records)
# carries free text with a lone surrogate ("\ud800") and a byte that is
# not UTF-8 in members nobody reads ("meta.note", "debug"). The page
# reader failed the whole page for any bad value outside the records, so
# the stream failed on every run for a member it never read. Such a value
# now fails the page only when a reader lands on it: the runs complete and
# the table equals the API. When the next cursor itself (next.path) is the
# bad string, the run fails with an error that names next.path and the
# reason, publishes nothing, leaves the HWM where it was, and once the
# API mends its cursor the next run brings every record (none lost).
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def recs():
    rs = [customer(i, "2026-11-25T12:00:%02d.000Z" % i) for i in range(1, 11)]
    if flag("later"):  # records changed after the first run
        rs += [customer(i, "2026-11-25T12:01:%02d.000Z" % i) for i in range(11, 19)]
    return rs

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": recs()})
    if req.path == "/admin/deleted":
        return 200, [], json.dumps({"data": []})
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since", "")
    rows = [r for r in recs() if r["last_modified"] >= since]
    at = int(req.query.get("cursor", "0"))
    chunk = rows[at:at + 4]
    # the envelope: free text nobody reads, with a lone surrogate escape
    # and a raw Latin-1 byte
    body = '{"meta":{"note":"caf\\ud800","total":%d},"debug":"d\xe9j\xe0",' % len(rows)
    body += '"data":' + json.dumps(chunk)
    if at + 4 < len(rows):
        nxt = '"\\ud800"' if flag("bad_next") else '"%d"' % (at + 4)
        body += ',"next":' + nxt
    body += '}'
    return 200, [], body.encode("latin-1")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next" "stream: max.retries = 0"
topic="$PREFIX.$STREAM"

# 1. bad values in unread envelope members: the run completes
run_producer_once
assert_eq 10 "$(last_run_field published)" "events published by the first run (three pages)"
run1=$(last_run_field run_id)
hwm1=$(last_run_record | jq -c .hwm.value)
assert_eq '"2026-11-25T12:00:10.000Z"' "$hwm1" "HWM after the first run"
start_worker
wait_run_completed "$run1" 60
assert_table_equals_api

# 2. the next cursor itself is a lone surrogate: the run fails, saying so
touch "$T_WORK/later" "$T_WORK/bad_next"
events=$(topic_count "$topic")
run_producer_once_rc 1
line=$(last_failed_line)
log "failure logged: $line"
for w in "next.path 'next'" 'lone surrogate \\ud800 at byte' "(outside the records)"; do
    case "$line" in *"$w"*) ;; *) fail "the run's error does not say \"$w\": $line" ;; esac
done
assert_eq "" "$(grep 'msg="run completed"' "$PRODUCER_LAST_LOG")" "a completed run"
assert_eq "$events" "$(topic_count "$topic")" "events on the topic after the failed run"
assert_eq "$hwm1" "$(last_run_record | jq -c .hwm.value)" "HWM after the failed run"

# 3. the API mends its cursor: the next run brings every record
rm -f "$T_WORK/bad_next"
run_producer_once
assert_eq 8 "$(last_run_field published)" "events published (the 8 new records)"
assert_eq '"2026-11-25T12:01:18.000Z"' "$(last_run_record | jq -c .hwm.value)" "HWM after the run"
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
