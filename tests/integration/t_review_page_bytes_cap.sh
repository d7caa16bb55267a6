#!/usr/bin/env bash
# t_review_page_bytes_cap (review finding): an API that caps a page by
# records (5) AND by bytes (3000 bytes of records: a response-size limit,
# as many APIs have), so that a page holding one large record is shorter
# than the pages before it although more records follow. The seek walk
# ends on "a page shorter than one the API already served in this walk"
# (source.c:advance) and calls itself complete. Incremental runs get
# every record over two runs (the next run starts at the large record).
# But a full run's walk stops at the short page, is taken as complete,
# and may_reconcile() lets it delete the 4 live ids after it (8% of the
# live ids, under full_sync.max_delete_ratio): live rows deleted.
# Expected: vanished=0 (the API serves all 50). Observed (bug): vanished=4.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
RECS = [customer(i, "2026-01-01T00:%02d:00Z" % i) for i in range(1, 51)]
RECS[45]["name"] = "x" * 2500   # id 46

def handle(req):
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    rows = [r for r in RECS if since is None or r["last_modified"] >= since]
    page = int(req.query.get("page", "1"))
    # pages of at most 5 records and at most 3000 bytes (at least one record)
    pages, cur, size = [], [], 0
    for r in rows:
        n = len(json.dumps(r))
        if cur and (len(cur) == 5 or size + n > 3000):
            pages.append(cur)
            cur, size = [], 0
        cur.append(r)
        size += n
    if cur:
        pages.append(cur)
    chunk = pages[page - 1] if page <= len(pages) else []
    return 200, [], json.dumps({"data": chunk})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
topic="$PREFIX.$STREAM"

run_producer_once
run_producer_once
assert_eq 50 "$(kc -C -t "$topic" -e -f '%k\n' | sort -u | wc -l)" "ids on $topic after two incremental runs"
run_producer_once --full
log "full run: $(last_run_line)"
assert_eq 0 "$(last_run_field vanished)" "ids the full run deleted as vanished (the API serves all 50)"
log "ok"
