#!/usr/bin/env bash
# t_none_shapes: pagination = none on `>=` APIs that answer everything
# at once: empty, one record, every record at one cursor value, and
# cursor.precision = date (several records a day). Each run completes,
# publishes each record once, a full run deletes none, an idle run makes
# one request.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import os
def recs():
    if flag("empty"):
        return []
    if flag("one"):
        return [customer(1, "2026-11-25T12:00:01.000Z")]
    if flag("tie"):
        return [customer(i, "2026-11-25T12:00:01.000Z") for i in range(1, 8)]
    if flag("date"):
        return [customer(i, "2026-11-%02d" % (20 + i // 3)) for i in range(1, 10)]
    return []

def handle(req):
    R = recs()
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": R})
    if req.path != "/customers":
        return 404, [], '{"error": "InvalidEndpoint"}'
    since = req.query.get("modified_since")
    n = 10 if flag("date") else 24
    rows = [r for r in R if since is None or r["last_modified"][:n] >= since[:n]]
    return 200, [], json.dumps({"data": sorted(rows, key=lambda r: (r["last_modified"], r["id"]))})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
for shape in empty one tie date; do
    rm -f "$T_WORK"/{empty,one,tie,date}
    touch "$T_WORK/$shape"
    extra=()
    [ "$shape" = date ] && extra=("stream: cursor.precision = date")
    PREFIX="tm$shape" write_config "stream: -deleted.url" "stream: pagination = none" \
        "stream: max.retries = 0" "${extra[@]}"
    want=$(api_get /admin/records | jq '.data | length')
    run_producer_once
    log "$shape first: $(last_run_summary 2>/dev/null || true)"
    assert_eq "$want" "$(last_run_field published)" "$shape: published by the first run"
    : >"$HOSTILE_LOG"
    run_producer_once
    log "$shape idle: published=$(last_run_field published) requests=$(grep -c /customers "$HOSTILE_LOG")"
    assert_eq 1 "$(grep -c '/customers' "$HOSTILE_LOG")" "$shape: requests of an idle run"
    run_producer_once --full
    assert_eq 0 "$(last_run_field deletes)" "$shape: deletes of a full run"
    assert_eq "$want" "$(last_run_field published)" "$shape: published by a full run"
done
log "ok"
