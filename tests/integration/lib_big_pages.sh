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
