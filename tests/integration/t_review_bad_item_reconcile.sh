#!/usr/bin/env bash
# t_review_bad_item_reconcile (review finding): a record whose JSON has a
# syntax error of its own (an unescaped quote inside a string, as a
# hand-rolled serializer writes it) is a bad item whose lenient stand-in
# is null, so its id cannot be read. README: a full fetch that "served a
# record without a usable id (it may be any of the live ones)" deletes
# nothing. Expected: the full run dead-letters the record and treats no id
# as vanished. Observed (bug): the live id 5 is deleted as vanished
# (vanished=1), because handle_record() counts r->unidentified only for
# well-formed records, not for bad items without an id.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
import os
FLAG = None

def init(state, argv):
    global FLAG
    FLAG = argv[0] + "/broken"

def handle(req):
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    recs = [customer(i, "2026-01-01T00:00:%02dZ" % i) for i in range(1, 11)]
    since = req.query.get("modified_since")
    recs = [r for r in recs if since is None or r["last_modified"] >= since]
    page = int(req.query.get("page", "1"))
    if page > 1:
        recs = []
    items = []
    for r in recs:
        text = json.dumps(r)
        if r["id"] == 5 and os.path.exists(FLAG):
            text = text.replace('"Customer 5"', '"The "Best" Co"')
        items.append(text)
    return 200, [], '{"data": [' + ", ".join(items) + ']}'
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py" "$T_WORK"
write_config "stream: -deleted.url"
topic="$PREFIX.$STREAM"

run_producer_once
assert_eq 10 "$(last_run_field published)" "records published by the first run"

touch "$T_WORK/broken"
run_producer_once --full
assert_eq 1 "$(last_run_field failed)" "records dead-lettered by the full run"
assert_eq 0 "$(last_run_field vanished)" \
    "ids the full run deleted as vanished (5 was served, only unreadable)"
deletes=$(kc -C -t "$topic" -e -f '%k %h\n' | awk '/tidemark.op=delete/ { print $1 }' | sort -u | tr '\n' ' ')
assert_eq "" "$deletes" "ids with delete events on $topic"
log "ok"
