#!/usr/bin/env bash
# t_deleted_unsorted_pages: a deleted endpoint paged by number that lists
# its deletions by id, not by deleted_at. deleted.sorted defaults to true
# for page: the first page out of order fails the run, naming the key (a
# seek walk from the last deleted_at would skip the earlier deletions
# after it, silently). With deleted.sorted = false the pages are walked by
# number at the run's since: every deletion is published.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json, time

BASE = time.time() - 3600
# by id; deleted_at out of that order
DELS = [{"id": 7, "deleted_at": iso_ms(BASE + 30)}, {"id": 8, "deleted_at": iso_ms(BASE + 10)},
        {"id": 9, "deleted_at": iso_ms(BASE + 20)}, {"id": 10, "deleted_at": iso_ms(BASE + 5)}]

def handle(req):
    page, size = int(req.query.get("page", "1")), int(req.query.get("per_page", "100"))
    if req.path == "/items/deleted":
        since = req.query.get("since")
        rows = [d for d in DELS if since is None or d["deleted_at"] >= since]
        return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i)} for i in range(1, 4)]
    return page_of(req, recs, cursor_field="updated_at")
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
deleted_ids() {
    kc -C -t "$PREFIX.$STREAM" -e -f '%k %h\n' | grep 'tidemark.op=delete' | cut -d' ' -f1 | sort -nu |
        tr '\n' ' ' | sed 's/ $//'
}

write_config "stream: page.size = 2"
run_producer_once_rc 1
case "$(last_failed_line)" in
    *"deleted endpoint: "*"not in ascending cursor order"*"deleted.sorted = false"*) ;;
    *) fail "the run did not fail naming deleted.sorted: $(last_failed_line)" ;;
esac
assert_eq "" "$(deleted_ids)" "ids with a delete event after the failed run"

write_config "stream: page.size = 2" "stream: deleted.sorted = false"
run_producer_once
assert_eq "7 8 9 10" "$(deleted_ids)" "ids with a delete event"
log "ok"
