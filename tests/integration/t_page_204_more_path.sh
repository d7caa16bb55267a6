#!/usr/bin/env bash
# t_page_204_more_path: an API with a has_more flag that is computed as
# "the page was full" (so the last full page says more) and that answers
# the page after it with 204 No Content. With more.path set, a 204 is no
# end: it has no flag, and an API that hides a page's records after
# paging may answer 204 with more pages following (t_page_204_hidden,
# where taking it for the end deleted live rows). The run fails, its
# error saying why (a 204 has no 'has_more'), not that the body lacks a
# key it never had; without more.path a 204 ends the walk (t_page_204),
# and with more.end_on_204 = true (the API never hides records) it does
# too, on the records and the deleted endpoint alike.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import os
NOTES = None

def init(state, argv):
    global NOTES
    NOTES = os.path.join(argv[0], "deleted-204")

def flagged(req, rows):
    size = int(req.query.get("per_page", "100"))
    page = int(req.query.get("page", "1"))
    chunk = rows[(page - 1) * size:page * size]
    if not chunk:
        with open(NOTES, "a") as f:
            f.write("page %d\n" % page)
        return 204, [], ""
    return 200, [], json.dumps({"data": chunk, "has_more": len(chunk) == size})

def handle(req):
    gone = [3, 4] if flag("deletions") else []
    if req.path == "/customers/deleted":
        return flagged(req, [{"id": i, "deleted_at": "2024-01-02T00:00:00.000Z"} for i in gone])
    recs = [customer(i, "2024-01-01T00:00:00.000Z") for i in range(1, 5) if i not in gone]
    status, headers, body = page_of(req, recs)
    page = json.loads(body)
    if not page["data"]:
        return 204, [], ""
    size = int(req.query.get("per_page", "100"))
    page["has_more"] = len(page["data"]) == size
    return status, headers, json.dumps(page)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py" "$T_WORK"
write_config "stream: page.size = 2" "stream: more.path = has_more" \
    "stream: deleted.more.path = has_more"
run_producer_once_rc 1 --full
last_failed_line | matches "a 204 No Content answer has no 'has_more' to say whether more pages follow.*more.end_on_204" ||
    fail "the run did not fail saying why: $(last_failed_line)"

# more.end_on_204 says the API answers "none" so: the 204 ends the walks
write_config "stream: page.size = 2" "stream: more.path = has_more" \
    "stream: deleted.more.path = has_more" "stream: more.end_on_204 = true"
run_producer_once_rc 0 --full
assert_eq 4 "$(last_run_field published)" "records published by the full run"
touch "$T_WORK/deletions"
run_producer_once_rc 0
assert_eq 2 "$(last_run_field deletes)" "deletions applied by the incremental run"
assert_eq "page 2" "$(tail -n1 "$T_WORK/deleted-204")" "the deleted page answered 204 last"
log "ok"
