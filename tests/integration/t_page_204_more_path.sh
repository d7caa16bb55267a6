#!/usr/bin/env bash
# t_page_204_more_path: an API with a has_more flag that is computed as
# "the page was full" (so the last full page says more) and that answers
# the page after it with 204 No Content. README: "a 204 No Content answer
# is an empty page". The four records share one cursor (a bulk update),
# so the seek walk pages by number at one since and reaches the page past
# the last: the 204. With more.path set, that empty page must end the
# walk (it has no records and no body: nothing can follow from it), as it
# does without more.path (t_page_204). Every run used to fail there with
# "the answer has no 'has_more' to say whether more pages follow", a
# message about a body the answer does not have; no run ever completed.
# The deleted endpoint, with deleted.more.path, does the same: two
# deletions fill its first page, which says more, and its second page is
# a 204.
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
run_producer_once_rc 0 --full
assert_eq 4 "$(last_run_field published)" "records published by the full run"

touch "$T_WORK/deletions"
run_producer_once_rc 0
assert_eq 2 "$(last_run_field deletes)" "deletions applied by the incremental run"
assert_eq "page 2" "$(tail -n1 "$T_WORK/deleted-204")" "the deleted page answered 204 last"
log "ok"
