#!/usr/bin/env bash
# t_none_unsorted: pagination = none, one answer holding every record
# since the HWM, in id order, not cursor order. There is no seek walk and
# no page to skip: the check of the pages' order (which fails a page or
# offset walk served out of order) left such a stream failing every run.
# It is not made for one answer: the run completes with all four records.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json, time

BASE = time.time() - 3600
OFF = {1: 1, 2: 5, 3: 3, 4: 6}   # item 3 changed before item 2

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + OFF[i])} for i in sorted(OFF)]
    since = req.query.get("modified_since")
    return 200, [], json.dumps({"data": [r for r in recs if since is None or r["updated_at"] >= since]})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = none"
n=$((_PRODUCER_N + 1))
if ! (run_producer_once); then
    fail "a one-answer run failed: $(grep 'run failed' "$T_WORK/producer.$n.log" | sed 's/.*error=//' | head -c 500)"
fi
_PRODUCER_N=$n
assert_eq "1 2 3 4" "$(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | sort -nu | tr '\n' ' ' | sed 's/ $//')" \
    "ids on the topic"
log "ok"
