#!/usr/bin/env bash
# t_deleted_ignores_since: a deleted endpoint that ignores `since` and
# pages its dated deletions by number, in deleted_at order. The check that
# fails a records walk whose API ignores cursor.param (t_since_ignored)
# failed this walk too, from the first run, and no deletion was published
# again. It holds for the records walk only: both runs complete, and the
# deletions of ids 8 and 9 are on the topic.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json, time

BASE = time.time() - 3600
DAY = 86400

def handle(req):
    page, size = int(req.query.get("page", "1")), int(req.query.get("per_page", "100"))
    if req.path == "/items/deleted":
        # no since filter on this endpoint: every deletion, oldest first
        dels = [{"id": 8, "deleted_at": iso_ms(BASE - 4 * DAY)},
                {"id": 9, "deleted_at": iso_ms(BASE - 1 * DAY)}]
        return 200, [], json.dumps({"data": dels[(page - 1) * size:page * size]})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i)} for i in range(1, 4)]
    return page_of(req, recs, cursor_field="updated_at")
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
for run in 1 2; do
    n=$((_PRODUCER_N + 1))
    if ! (run_producer_once); then
        fail "run $run failed: $(grep 'run failed' "$T_WORK/producer.$n.log" | sed 's/.*error=//' | head -c 500)"
    fi
    _PRODUCER_N=$n
done
assert_eq "8 9" "$(kc -C -t "$PREFIX.$STREAM" -e -f '%k %h\n' | grep 'tidemark.op=delete' | cut -d' ' -f1 | sort -nu | tr '\n' ' ' | sed 's/ $//')" \
    "ids with a delete event on the topic"
log "ok"
