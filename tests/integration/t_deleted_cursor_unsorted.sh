#!/usr/bin/env bash
# t_deleted_cursor_unsorted: a deleted endpoint paged by cursor in id order
# (deleted.pagination = cursor), not by deleted_at. While a run walks it,
# two records are deleted: id 2, whose place is on a page already read,
# and id 8, on a page to come. The walk serves 8 and not 2; its deleted
# HWM used to become 8's deleted_at, so every later run asked past 2's and
# id 2 stayed live on the topic (and in every table fed by it) until a
# full run. The deleted HWM now stays at the walk's start, as the records'
# does for such pages: the next run is served 2, and the topic's last
# word on it is a tombstone.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import time


def deleted_page(req, dels):
    since = req.query.get("since")
    after = int(req.query.get("page") or 0)
    ids = sorted(i for i, at in dels.items() if (since is None or at >= since) and i > after)
    page = ids[:1]  # one per page, in id order
    body = {"data": [{"id": i, "deleted_at": dels[i]} for i in page]}
    if page:
        body["next_cursor"] = str(page[-1])
    return body


def handle(req):
    dels = req.state.setdefault("dels", {})
    if flag("first-deletions") and not req.state.get("first"):
        req.state["first"] = 1
        dels[4] = "2024-02-01T00:00:00.000Z"
        dels[6] = "2024-02-01T00:00:01.000Z"
    if req.path == "/customers/deleted":
        body = deleted_page(req, dels)
        if flag("during-walk") and not req.state.get("during") and "page" not in req.query:
            req.state["during"] = 1  # after this first page was read
            now = time.time()
            dels[2] = iso_ms(now)
            dels[8] = iso_ms(now + 0.002)
        return 200, [], json.dumps(body)
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    recs = [customer(i, "2024-01-01T00:00:00.000Z") for i in range(1, 11) if i not in dels]
    return page_of(req, recs)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: deleted.pagination = cursor" "stream: deleted.next.path = next_cursor"
topic="$PREFIX.$STREAM"
last_word() { kc -C -t "$topic" -e -f '%k %S\n' | awk -v k="$1" '$1 == k { s = $2 } END { print s }'; }

run_producer_once
touch "$T_WORK/first-deletions"
run_producer_once
assert_eq -1 "$(last_word 4)" "the topic's last word on id 4 (its value size: -1 is a tombstone)"

touch "$T_WORK/during-walk"
run_producer_once
assert_eq -1 "$(last_word 8)" "the topic's last word on id 8"
run_producer_once
assert_eq -1 "$(last_word 2)" "the topic's last word on id 2, deleted on a page already read"
grep -q 'msg="HWM held at the walk.s start.* walk=deleted' "$T_WORK/producer.log" ||
    fail "no 'HWM held at the walk's start' for the deleted walk"
assert_eq 2 "$(last_run_field deletes)" "deletions published by the run after: 2, and 8 again"
log "ok"
