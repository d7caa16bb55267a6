#!/usr/bin/env bash
# t_deep_nest_stack: a record with a member nested 1,000 levels deep (within
# the reader's 1,024-level limit) in a producer whose stack is small
# (ulimit -s). The same page without the deep member goes through at the
# same limit, so the limit is enough for the producer's own work; the deep
# record must then be published or dead-lettered, or the run fail with an
# error: never a crash. The page reader recursed on the fetch thread,
# whose stack ulimit -s sized: SIGSEGV. That thread now has its own 8 MiB.
. "$(dirname "$0")/lib_items.sh"

DEPTH=${DEPTH:-1000}
STACK_KB=${STACK_KB:-256}
cat >"$T_WORK/api.py" <<PY
import os
def handle(req):
    if req.path == "/items/deleted":
        return 200, [], json.dumps({"data": []})
    deep = os.path.exists("$T_WORK/deep")
    def rec(i, extra=""):
        return '{"id":%d,"name":"n%d","updated_at":"2024-01-01T00:00:%02d.000Z"%s}' % (i, i, i, extra)
    nest = "[" * $DEPTH + "]" * $DEPTH
    recs = [rec(1), rec(2, ',"x":' + nest if deep else ""), rec(3)]
    if req.query.get("page", "1") != "1":
        return 200, [], json.dumps({"data": []})
    return 200, [], '{"data":[' + ",".join(recs) + "]}"
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

small_stack_run() {
    ( ulimit -s "$STACK_KB"; exec timeout -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once --full \
        >"$T_WORK/p.$1.out" 2>"$T_WORK/p.$1.log" )
}
small_stack_run shallow; rc=$?
assert_eq 0 "$rc" "exit status of a shallow run under ulimit -s $STACK_KB"
touch "$T_WORK/deep"
small_stack_run deep; rc=$?
log "deep run under ulimit -s $STACK_KB exited $rc: $(grep -v rdkafka "$T_WORK/p.deep.log" | tail -n2)"
[ "$rc" -lt 128 ] || fail "the producer died of signal $((rc - 128)) on a record nested $DEPTH deep under ulimit -s $STACK_KB (the shallow page passed)"
log ok
