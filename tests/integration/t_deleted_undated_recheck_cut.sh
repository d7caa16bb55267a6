#!/usr/bin/env bash
# t_deleted_undated_recheck_cut: t_deleted_undated_restored's API (a
# deleted endpoint that gives bare ids and keeps listing an id after the
# record was restored), but in run B every records query is cut short:
# the API answers the rows it got with an `errors` member beside them (a
# search timeout), and record 1 is not among them. Run B holds the
# undated deletion of 1, finds an older upsert of 1 on the topic and walks
# the records again from it to see whether 1 is still served. That walk
# read to its end, and was taken as proof that 1 was gone: the producer
# made a tombstone the topic's last word on a record the API holds. Now a
# recheck that may lack records publishes none of the deletions it was
# for, and says so. So does run C, where the endpoint ignores `since` and
# lists 1 again, and the recheck's page with 1 on it comes back empty
# beside the error: that failed the run, and would have failed every run
# while the endpoint listed 1.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import time


def handle(req):
    st = req.state
    recs = st.setdefault("recs", {i: "2024-01-01T00:00:00.000Z" for i in (1, 2, 3)})
    dels = st.setdefault("dels", {})  # id -> when deleted (kept after a restore)
    if req.path == "/customers/deleted":
        since = None if flag("ignore-since") else req.query.get("since")
        ids = sorted(i for i, at in dels.items() if since is None or iso_ms(at) >= since)
        body = json.dumps({"data": ids if req.query.get("page", "1") == "1" else []})
        if flag("arm") and not st.get("armed"):
            st["armed"] = 1  # after this answer: 1 deleted and restored, 2 changed
            now = time.time()
            dels[1] = now + 0.001
            recs[1] = iso_ms(now + 0.002)
            recs[2] = iso_ms(now + 0.003)
        return 200, [], body
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    status, headers, body = page_of(req, [customer(i, c) for i, c in recs.items()])
    if not flag("cut"):
        return status, headers, body
    rows = json.loads(body)["data"]
    if all(r["id"] != 1 for r in rows):
        return status, headers, body
    rows = [] if flag("empty") else [r for r in rows if r["id"] != 1]
    return 200, [], json.dumps({"data": rows, "errors": [
        {"message": "search timed out: results are partial", "code": "PARTIAL_RESULTS"}]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
topic="$PREFIX.$STREAM"
# the value size of the topic's last message for an id (-1: a tombstone)
last_word() { kc -C -t "$topic" -e -f '%k %S\n' | awk -v k="$1" '$1 == k { s = $2 } END { print s }'; }

run_producer_once
touch "$T_WORK/arm"
run_producer_once
assert_eq 2 "$(last_run_field published)" "records published by run A: 1 restored, 2 changed"

touch "$T_WORK/cut"
run_producer_once
matches 'msg="records walked again for undated deletions' "$PRODUCER_LAST_LOG" ||
    fail "run B did not walk the records again for the deletion of 1"
assert_eq 0 "$(last_run_field deletes)" "deletes published by run B, whose recheck was cut short"
[ "$(last_word 1)" -gt 0 ] || fail "the topic's last word on the live record 1 is a tombstone"
matches 'msg="undated deletions not published: the records walk' \
    "$PRODUCER_LAST_LOG" || fail "no warning that the recheck proved nothing"

touch "$T_WORK/ignore-since" "$T_WORK/empty"
run_producer_once
[ -n "$(last_run_line)" ] || fail "run C did not complete"
matches 'msg="records walked again for undated deletions' "$PRODUCER_LAST_LOG" ||
    fail "run C did not walk the records again for the deletion of 1"
matches 'msg="undated deletions not published: the records walk' \
    "$PRODUCER_LAST_LOG" || fail "no warning in run C that the recheck proved nothing"
assert_eq 0 "$(last_run_field deletes)" "deletes published by run C"
[ "$(last_word 1)" -gt 0 ] || fail "the topic's last word on the live record 1 is a tombstone after run C"
log "ok"
