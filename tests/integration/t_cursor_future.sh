#!/usr/bin/env bash
# t_cursor_future: one record whose cursor is past the API's own clock (a
# sentinel 2099-01-01; the same as a node's clock ahead or a local time
# labelled UTC). It used to become the HWM: every later run asked for
# changes since 2099, was served none, and said "run completed" while
# changes and new records went unpublished until a full run. Now it is
# published but does not move the HWM (its answer's Date header says what
# time it is), a warning names it, and the next run publishes the changes
# made since (and the future record again). The same for a record with no
# id (dead-lettered, once a run), and for a deletion dated 2099 and the
# deleted HWM: a later deletion is still published.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    later = flag("later")
    if req.path == "/customers/deleted":
        dels = [{"id": 9, "deleted_at": "2099-01-01T00:00:00.000Z"}]
        if later:
            dels.append({"id": 8, "deleted_at": "2024-06-01T00:00:00.000Z"})
        since = req.query.get("since")
        dels = [d for d in dels if since is None or d["deleted_at"] >= since]
        return 200, [], json.dumps({"data": dels if req.query.get("page", "1") == "1" else []})
    recs = [customer(1, "2024-01-01T00:00:00.000Z"), customer(2, "2099-01-01T00:00:00.000Z"),
            {"name": "no id", "last_modified": "2099-06-01T00:00:00.000Z"}]
    if not later:
        recs.append(customer(8, "2024-01-01T00:00:00.000Z"))
    else:
        recs[0] = customer(1, "2024-06-01T00:00:01.000Z", name="changed")
        recs.append(customer(3, "2024-06-01T00:00:00.000Z"))
    return page_of(req, recs)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
topic="$PREFIX.$STREAM"

run_producer_once
assert_eq 3 "$(last_run_field published)" "records published by the first run: 1, 2 and 8"
assert_eq 2024-01-01T00:00:00.000Z "$(last_run_field hwm)" "the HWM after the first run"
grep -q "msg=\"records with a cursor past the API's clock.* records=2 first_id=2 first_cursor=2099-01-01T00:00:00.000Z" \
    "$PRODUCER_LAST_LOG" || fail "no warning naming the record with a cursor in 2099"

touch "$T_WORK/later"
run_producer_once
assert_eq 3 "$(last_run_field published)" "records published by the second run: 1 changed, 3 new, 2 again"
assert_eq 2024-06-01T00:00:01.000Z "$(last_run_field hwm)" "the HWM after the second run"
assert_eq 2 "$(kc -C -t "$topic" -e -f '%k\n' | grep -cx 1)" "events of record 1 on the topic"
assert_eq 1 "$(kc -C -t "$topic" -e -f '%k\n' | grep -cx 3)" "events of record 3 on the topic"
last_word() { kc -C -t "$topic" -e -f '%k %S\n' | awk -v k="$1" '$1 == k { s = $2 } END { print s }'; }
assert_eq 2 "$(topic_count "$PREFIX.dlq")" "dead letters of the record with no id: one a run"
assert_eq -1 "$(last_word 8)" "the topic's last word on record 8, deleted in 2024 (-1: a tombstone)"
log "ok"
