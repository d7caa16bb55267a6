#!/usr/bin/env bash
# t_cursor_timezone_other_stream: two streams in one producer. customers has
# cursor.timezone = America/New_York, whose zone file cannot be read after
# the start (strace), and its deleted endpoint answers 400 once, so its
# run fails with a `failed` record (write_record() does not take the
# daytz failure for a failed record). The failure stays in daytz's
# process-wide flag, and the next stream, other (cursor.timezone = UTC,
# which never touches TZ), is failed with customers' zone as its reason.
# Now each run starts with the flag cleared and a failed run takes its own
# failure. (Found by helper 145.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null 2>&1 || skip "strace is not installed"
zonefile=/usr/share/zoneinfo/America/New_York
[ -r "$zonefile" ] || skip "no $zonefile"

start_devbroker
start_demoapi --records 12 --base-time 2026-01-06T01:59:00Z --date-cursor \
    --cursor-timezone America/New_York
write_config "stream: cursor.precision = date" "stream: cursor.timezone = America/New_York"
{
    echo
    echo "[stream other]"
    sed -n '/^\[stream customers\]/,$p' "$CONF" | tail -n +2 | grep -v '^$' |
        sed -e 's|^table = .*|table = other|' -e 's|^cursor.timezone = .*|cursor.timezone = UTC|'
} >"$T_WORK/other.tmp"
cat "$T_WORK/other.tmp" >>"$CONF"

run_producer_once
api_post "/admin/fault?status=400&count=1&after=0" >/dev/null || fail "admin fault"

log=$T_WORK/producer.strace.log
timeout --foreground -k 5 120 strace -f -qq -o "$T_WORK/strace.out" -P "$zonefile" \
    -e trace=openat,open -e inject=openat:error=EMFILE:when=2+ \
    "$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/producer.strace.out" 2>"$log"
log "producer under injection exited $?"
grep -E 'msg="run (completed|failed)"' "$log" | cut -c1-330
grep -E 'msg="run failed" stream=other ' "$log" | matches . &&
    fail "stream other (cursor.timezone = UTC) failed; its reason: $(grep -E 'msg="run failed" stream=other ' "$log" | grep -o 'error=.*')"
log "ok"
