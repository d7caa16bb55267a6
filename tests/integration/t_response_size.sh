#!/usr/bin/env bash
# t_response_size: a gzip bomb (tests/hostileapi): ~250 KB of gzip that
# expands to 256 MiB. With max.response.size = 1MiB, counted after
# decompression:
#  - an ordinary gzip-encoded page of 10 records syncs (the limit is on the
#    decompressed body, which here is far below it);
#  - the bomb fails the run at once (not retried) with an error naming the
#    limit and the URL, and the producer's peak memory stays within a few
#    MB of the ordinary run's.
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'EOF'
import gzip
import json
import zlib

def rec(i):
    return {"id": i, "name": "Customer %d" % i, "email": "c%d@example.com" % i,
            "country": "DE", "balance": "%d.50" % i, "tier": "gold", "phone": None,
            "signup_date": "2024-01-01", "is_deleted": False,
            "last_modified": "2026-01-01T00:00:%02d.000Z" % i}

def init(state, argv):
    # 256 MiB of JSON, compressed piece by piece (little memory here)
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"0" * (1 << 20)
    parts = [c.compress(b'{"data": [], "pad": "')]
    for _ in range(256):
        parts.append(c.compress(chunk))
    parts += [c.compress(b'"}'), c.flush()]
    state["bomb"] = b"".join(parts)

def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data": []}'
    gz = [("Content-Encoding", "gzip")]
    # the first run's two requests (the answer, then one at its last
    # cursor: pager_none.c) get the page, the next run the bomb
    req.state["pages"] = req.state.get("pages", 0) + 1
    if req.state["pages"] <= 2:
        return 200, gz, gzip.compress(json.dumps({"data": [rec(i) for i in range(1, 11)]}).encode())
    return 200, gz, req.state["bomb"]
EOF

start_devbroker
start_hostileapi "$T_WORK/handler.py"
log "bomb: $(stat -c %s "$T_WORK/handler.py") bytes of handler, serving gzip"
write_config "stream: max.response.size = 1MiB" "stream: pagination = none"

# run_measured EXPECTED_RC: one `run --once` under /usr/bin/time; sets
# PRODUCER_LAST_LOG and PEAK_KB.
run_measured()
{
    local n=$((++_PRODUCER_N)) rc
    PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
    /usr/bin/time -f '%M' -o "$T_WORK/peak.$n" timeout --foreground -k 5 60 \
        "$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/producer.$n.out" \
        2>"$PRODUCER_LAST_LOG"
    rc=$?
    cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
    [ "$rc" = "$1" ] || {
        tail -n 20 "$PRODUCER_LAST_LOG" >&2
        fail "producer run --once exited with status $rc, want $1"
    }
    PEAK_KB=$(tail -n1 "$T_WORK/peak.$n")
    log "producer run $n exited $rc, peak RSS ${PEAK_KB} kB"
}

run_measured 0
assert_eq 10 "$(last_run_field published)" "events published from the gzip-encoded page"
base_kb=$PEAK_KB

run_measured 1
line=$(last_failed_line)
log "failure: $line"
case "$line" in
    *"GET $API_URL/customers"*"the response is larger than max.response.size (1048576 bytes after decompression)"*) ;;
    *) fail "the failure does not name the URL and the limit: $line" ;;
esac
grep -q 'msg="http request failed, retrying"' "$PRODUCER_LAST_LOG" && fail "the too-large response was retried"
assert_eq 3 "$(jq -s '[.[] | select(.path == "/customers")] | length' "$HOSTILE_LOG")" \
    "requests to /customers (two in the first run, one in the second)"
[ "$PEAK_KB" -lt $((base_kb + 16384)) ] ||
    fail "peak RSS ${PEAK_KB} kB with the bomb, ${base_kb} kB without: the body was not capped"
assert_eq failed "$(last_run_record | jq -r .status)" "status of the latest run record"
log "ok"
