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
. "$(dirname "$0")/lib_timezone.sh"


start_new_york_api
{
    echo
    echo "[stream other]"
    sed -n '/^\[stream customers\]/,$p' "$CONF" | tail -n +2 | grep -v '^$' |
        sed -e 's|^table = .*|table = other|' -e 's|^cursor.timezone = .*|cursor.timezone = UTC|'
} >"$T_WORK/other.tmp"
cat "$T_WORK/other.tmp" >>"$CONF"

run_producer_once
api_post "/admin/fault?status=400&count=1&after=0" >/dev/null || fail "admin fault"

producer_zone_unreadable
grep -E 'msg="run failed" stream=other ' "$ZONE_LOG" | matches . &&
    fail "stream other (cursor.timezone = UTC) failed; its reason: $(grep -E 'msg="run failed" stream=other ' "$ZONE_LOG" | grep -o 'error=.*')"
log "ok"
