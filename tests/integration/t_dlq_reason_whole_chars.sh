#!/usr/bin/env bash
# t_dlq_reason_whole_chars: a record whose soft_delete.field holds a
# string that says neither deleted nor live ("ää...", 60 times U+00E4) is
# dead-lettered with the reason "soft_delete.field 'is_deleted': <value,
# cut at 64 bytes, then "..."> says neither deleted nor live". The cut
# fell inside an "ä": the tidemark.error header (and the log line) held
# "\xc3", a byte of a character the API never sent; it now falls between
# characters (UTF8_SHOWN), as the other reasons' do. (Found by helper 123.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
T = "2026-03-01T10:00:00.000Z"
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data":[]}'
    if req.query.get("page", "1") != "1":
        return 200, [], '{"data":[]}'
    return 200, [], json.dumps({"data": [customer(1, T, is_deleted="\u00e4" * 60)]}, ensure_ascii=False).encode()
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
run_producer_once
kc -C -t "$PREFIX.dlq" -e -f '%h\n' >"$T_WORK/dlq.txt" || true
cat "$T_WORK/dlq.txt"
assert_eq 1 "$(grep -c 'says neither deleted nor live' "$T_WORK/dlq.txt")" "dead letter for record 1"
if grep -q 'x[0-9a-f][0-9a-f] says neither' "$T_WORK/dlq.txt"; then
    fail "tidemark.error holds a byte escape where the value was cut inside a character"
fi
log "ok"
