#!/usr/bin/env bash
# t_page_zero_based: Spring Data (Pageable: `?page=0&size=20`), and many
# Java and .NET APIs after it, number pages from 0. The seek walk always
# started at page 1, so page 0 at every since was skipped, silently: of 10
# records a run published 4, 5, 6, 9 and 10 and completed, and the others
# were never published. With `page.first = 0` every record reaches the
# topic.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'EOF'
import json, time

BASE = time.time() - 3600
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i)} for i in range(1, 11)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    rows = sorted((r for r in RECS if since is None or r["updated_at"] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    page, size = int(req.query.get("page", "0")), int(req.query.get("size", "20"))
    body = {"content": rows[page * size:(page + 1) * size], "number": page, "size": size,
            "totalElements": len(rows), "totalPages": (len(rows) + size - 1) // size}
    return 200, [], json.dumps(body)                 # a Spring Data Page
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: records.path = content" "stream: page.size.param = size" \
    "stream: page.size = 3" "stream: page.first = 0"
run_producer_once
assert_eq "1 2 3 4 5 6 7 8 9 10" "$(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | sort -nu | tr '\n' ' ' | sed 's/ $//')" \
    "ids on the topic after one run"
log "ok"
