#!/usr/bin/env bash
# t_page_truncated_record: an API that builds its JSON by hand cuts one
# record's text short inside a string (a field capped at N bytes by the
# writer, closing quote and brace with it) and goes on with the next
# records: {"id":1,...,"name":"abc, {"id":2,...}, {"id":3,...}. Where
# record 1 ends cannot be told: any guess that isolates it as a bad item
# takes record 2 into its dead letter. The page fails, and the run with
# it (retried; its HWM does not pass id 2), rather than lose id 2.
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/items/deleted":
        return 200, [], json.dumps({"data": []})
    if req.query.get("page", "1") != "1" or req.query.get("modified_since"):
        return 200, [], json.dumps({"data": []})
    recs = [
        '{"id":1,"updated_at":"2024-01-01T00:00:01.000Z","name":"a long name cut sh',
        '{"id":2,"name":"two","updated_at":"2024-01-01T00:00:02.000Z"}',
        '{"id":3,"name":"three","updated_at":"2024-01-01T00:00:03.000Z"}',
    ]
    return 200, [], '{"data":[' + ", ".join(recs) + "]}"
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
run_producer_once_rc 1
last_failed_line | matches "record 0: .*where the record ends cannot be told" ||
    fail "the run did not fail naming record 0: $(last_failed_line)"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters (record 2 in none)"
log "ok"
