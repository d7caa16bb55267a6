# lib_timezone.sh - for scenarios of cursor.timezone = America/New_York
# whose zone file the producer cannot read: strace injects EMFILE into its
# opens of the file. Sourced after lib.sh; skips without strace.

command -v strace >/dev/null 2>&1 || skip "strace is not installed"
ZONEFILE=/usr/share/zoneinfo/America/New_York
[ -r "$ZONEFILE" ] || skip "no $ZONEFILE"

# zone_unreadable_args WHEN - strace's arguments that fail the producer's
# opens of the zone's file from the WHEN-th (strace's when=: 2+, or 2
# alone), its trace in $T_WORK/strace.out.
zone_unreadable_args()
{
    echo -f -qq -o "$T_WORK/strace.out" -P "$ZONEFILE" -e trace=openat,open \
        -e "inject=openat:error=EMFILE:when=$1"
}

# producer_zone_unreadable - `run --once` with every open of the zone's
# file after the one at start failing: its log in ZONE_LOG, its exit
# status in ZONE_RC.
producer_zone_unreadable()
{
    ZONE_LOG=$T_WORK/producer.strace.log
    # shellcheck disable=SC2046 # the arguments are words without spaces
    timeout --foreground -k 5 120 strace $(zone_unreadable_args 2+) \
        "$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/producer.strace.out" \
        2>"$ZONE_LOG"
    ZONE_RC=$?
    log "producer with the zone's file unreadable exited $ZONE_RC;" \
        "failed opens: $(grep -c INJECTED "$T_WORK/strace.out")"
    grep -E 'msg="run (completed|failed)"' "$ZONE_LOG" | cut -c1-300
}
