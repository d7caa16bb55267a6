#!/usr/bin/env bash
# t_id_double_merged: a schema that types the id field double (what a
# schema generator infers from a JSON number). It was taken all the same:
# the ids 9007199254740992 and 9007199254740993, two records of the API
# with two keys on the topic, are one double, so PostgreSQL got one row
# for both, the second overwriting the first without a word. Both programs
# now refuse such an id field at start (exit 2), naming it, as they do a
# float, boolean or nested one. (Found by helper 117.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-double-id.avsc"
jq '(.fields[] | select(.name == "id")).type = "double"' "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "schema"

cat >"$T_WORK/api.py" <<'PY'
T = "2026-03-01T10:00:00.000Z"
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data":[]}'
    if req.path == "/customers":
        return page_of(req, [customer(9007199254740992, T, name="first"),
                             customer(9007199254740993, T, name="second")])
    return 404, [], '{"error":"not found"}'
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
want="id.field 'id' is a double field: two ids could be one value of it, and one row"
run_producer_once_rc 2
grep -qF "$want" "$PRODUCER_LAST_LOG" || fail "the producer's error does not say '$want': $(tail -n1 "$PRODUCER_LAST_LOG")"
assert_eq 0 "$(topic_count "$PREFIX.$STREAM")" "events on the stream topic"
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$T_WORK/worker.err"
assert_eq 2 "$?" "exit status of the worker"
grep -qF "$want" "$T_WORK/worker.err" || fail "the worker's error does not say '$want': $(tail -n1 "$T_WORK/worker.err")"
log "ok"
