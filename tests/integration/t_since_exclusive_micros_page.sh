#!/usr/bin/env bash
# t_since_exclusive_micros_page: t_since_exclusive_micros where a whole
# page falls later in the carried millisecond (records 10-12 at T.123456,
# past the bulk update's T.123000). A page all in the carried record's
# bucket was taken for a tie group larger than a page (a `>=` API), and
# records 6..9 were never served, by full runs either. Such a page must
# now hold the carried record's exact cursor value as served.
# brokers: mock
. "$(dirname "$0")/lib_excl_micros.sh"

excl_micros_runs 15 12
log "ok"
