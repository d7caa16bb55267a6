#!/usr/bin/env bash
# t_deleted_undated_restored: a deleted endpoint that gives bare ids (no
# deleted_at) and keeps listing an id after the API restored the record.
# Run A asks it for deletions; right after, record 1 is deleted and
# restored and record 2 changes; run A's records walk publishes both.
# Run B's deleted walk lists 1 (deleted after A asked), its records walk,
# begun at 2's cursor, does not serve 1 again: the producer used to take
# the undated deletion for later than every version published and made a
# tombstone the topic's last word on a live record. Now it asks the topic,
# finds an upsert of 1 older than the walk's start, walks the records
# again from there, is served 1, and drops the deletion as stale. The
# same when the endpoint ignores `since` and lists 1 in every run. A
# record that is really gone (changed, then deleted, after later changes)
# still gets its delete after such a second walk.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import time


def deleted(req, st):
    since = None if flag("ignore-since") else req.query.get("since")
    ids = sorted(i for i, at in st["dels"].items() if since is None or iso_ms(at) >= since)
    return ids if req.query.get("page", "1") == "1" else []


def handle(req):
    st = req.state
    recs = st.setdefault("recs", {i: "2024-01-01T00:00:00.000Z" for i in (1, 2, 3)})
    dels = st.setdefault("dels", {})  # id -> when deleted (kept after a restore)
    if req.path == "/customers/deleted":
        body = json.dumps({"data": deleted(req, st)})
        if flag("arm") and not st.get("armed"):
            st["armed"] = 1  # after this answer: 1 deleted and restored, 2 changed
            now = time.time()
            dels[1] = now + 0.001
            recs[1] = iso_ms(now + 0.002)
            recs[2] = iso_ms(now + 0.003)
        return 200, [], body
    if req.method == "POST" and req.path == "/admin/touch":
        recs[int(req.query["id"])] = iso_ms(time.time())
        return 200, [], "{}"
    if req.method == "POST" and req.path == "/admin/delete":
        i = int(req.query["id"])
        recs.pop(i, None)
        dels[i] = time.time()
        return 200, [], "{}"
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, [customer(i, c) for i, c in recs.items()])
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
topic="$PREFIX.$STREAM"
# the value size of the topic's last message for an id (-1: a tombstone)
last_word() { kc -C -t "$topic" -e -f '%k %S\n' | awk -v k="$1" '$1 == k { s = $2 } END { print s }'; }
rechecks() { grep -c 'msg="records walked again for undated deletions' "$T_WORK/producer.log"; }

run_producer_once
touch "$T_WORK/arm"
run_producer_once
assert_eq 2 "$(last_run_field published)" "records published by run A: 1 restored, 2 changed"
run_producer_once
assert_eq 0 "$(last_run_field deletes)" "deletes published by run B"
assert_eq 1 "$(last_run_field stale_deletes)" "stale deletions of run B"
[ "$(last_word 1)" -gt 0 ] || fail "the topic's last word on the live record 1 is a tombstone"
assert_eq 1 "$(rechecks)" "second walks of the records"

# ---- an endpoint that ignores since lists 1 in every run
touch "$T_WORK/ignore-since"
run_producer_once
assert_eq 0 "$(last_run_field deletes)" "deletes published when 1 is listed again"
[ "$(last_word 1)" -gt 0 ] || fail "the topic's last word on the live record 1 is a tombstone"
rm "$T_WORK/ignore-since"

# ---- a record changed, then later ones, then deleted: gone, deleted
api_post "/admin/touch?id=2" >/dev/null || fail "admin touch"
run_producer_once
api_post "/admin/touch?id=3" >/dev/null || fail "admin touch"
run_producer_once
api_post "/admin/delete?id=2" >/dev/null || fail "admin delete"
run_producer_once
assert_eq 1 "$(last_run_field deletes)" "deletes published for record 2"
assert_eq -1 "$(last_word 2)" "the topic's last word on the deleted record 2"
# at least one more second walk (another may come: the deleted walk's mark
# is the lower of the send time and the answer's Date less a second, and
# runs a second apart ask again for the deletion of 1)
[ "$(rechecks)" -ge 3 ] || fail "second walks of the records: $(rechecks), expected at least 3"
log "ok"
