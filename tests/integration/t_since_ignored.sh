#!/usr/bin/env bash
# t_since_ignored: cursor.param names a parameter the API does not know
# (`modified_since` where it takes `updated_since`) and, like most APIs,
# it ignores it: every page at every since is served from its first
# record. The seek walk started again from page 1 after every page whose
# last cursor was later, so a first run over k pages took about k*k/2
# requests and published every record again each time, and each later run
# published everything again, all reported completed. Now the run fails at
# a since whose first page starts further below it than any rounding
# explains (exit 1), naming the parameter, after a few requests and
# events.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import time

# 300 records over the last 30 days, one every 2.4 hours
BASE = time.time() - 30 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 8640)}
        for i in range(1, 301)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    # the API's parameter is updated_since; modified_since is ignored
    return page_of(req, RECS, cursor_field="updated_at", cursor_param="updated_since")
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 10"

rc=0
timeout --foreground 120 "$BUILD/tidemark-producer" -c "$CONF" run --once \
    >"$T_WORK/p1.out" 2>"$T_WORK/p1.log" || rc=$?
assert_eq 1 "$rc" "the producer's exit"
grep -q "does it take 'modified_since' as its cursor parameter" "$T_WORK/p1.log" ||
    fail "no error naming the cursor parameter: $(tail -3 "$T_WORK/p1.log")"
# a since's first page may start up to 38 h below it (an API that rounds
# since down to its day): the records are 2.4 h apart, so the walk fails
# at the second since, the fourth request
requests=$(wc -l <"$HOSTILE_LOG")
[ "$requests" -le 4 ] || fail "$requests requests before the run failed"
events=$(topic_count "$PREFIX.$STREAM")
[ "$events" -le 30 ] || fail "$events events published from three pages of 10"
log "ok: exit 1 after $requests requests, $events events"
