# shellcheck shell=bash
# lib_big_pages.sh - lib.sh and metrics_lib.sh plus the set-up of the
# scenarios whose pages are large enough (5000 records, about 1 MiB) for
# the producer to ask the next page on a guess while it parses the page
# before (producer/getahead.h): t_big_pages, t_guess_retry_after.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/metrics_lib.sh"

# big_pages_start N [SECTION: key = value]... - the embedded broker, the
# demo API with N records in pages of at most 5000, and $CONF asking
# pages of 5000, serving /metrics on $METRICS_ADDR, and in follow mode
# polling hourly (one pass to look at); the extra settings after.
big_pages_start()
{
    local n=$1
    shift
    start_devbroker
    start_demoapi --records "$n" --max-page-size 5000
    METRICS_ADDR="127.0.0.1:$(free_port)"
    write_config "stream: page.size = 5000" "producer: metrics.listen = $METRICS_ADDR" \
        "producer: poll.interval = 1h" "$@"
}

# big_pages_first_run METRICS_FILE - the first run in follow mode, until
# /metrics counts it completed (at FIRST_RUN_DONE_MS, epoch ms); its
# /metrics then into METRICS_FILE; stopped (exit 0). last_run_field reads
# its "run completed" line.
big_pages_first_run()
{
    start_follow_producer
    wait_for "the first run completed (/metrics)" 60 metric_is "$METRICS_ADDR" \
        'tidemark_producer_runs_total{stream="customers",mode="full",status="completed"}' 1
    FIRST_RUN_DONE_MS=$(now_ms)
    scrape "$METRICS_ADDR" "$1"
    stop_follow_producer
    PRODUCER_LAST_LOG="$T_WORK/follow.log"
}

# assert_guesses MADE TAKEN WHERE - a walk over the three large pages:
# a guess after each, every one taken but, perhaps, the one after the
# walk's last page (2 or more taken, at most one more made).
assert_guesses()
{
    log "guessed requests ($3): $1, taken: $2"
    [ "${2:-0}" -ge 2 ] && [ "${1:-0}" -ge "${2:-0}" ] && [ "$((${1:-0} - ${2:-0}))" -le 1 ] ||
        fail "guessed requests in $3: '$1', taken: '$2' (want 2 or more taken, at most one more made)"
}
