#!/usr/bin/env bash
# t_cursor_request_time_clamped: records served at the time of each
# request (lib_request_time.sh; 11..14, pages of 5) from an API that
# answers a page number past its last with the last page again (Magento's
# currentPage; t_page_clamped). Past a page of moved records the walk
# asks the next pages by number at one since; each clamped answer brought
# the same records again at new cursors, so the repeat check (the whole
# first record) never fired, and no page was shorter than the longest
# served: an incremental run never ended, publishing them once a request.
# The same first id at that since is now the repeat: an incremental walk
# ends there, and a full run fails with the clamp's error, as on any
# clamped walk. (Found by a second reading, helper 163.)
# brokers: mock
. "$(dirname "$0")/lib_request_time.sh"
request_time_api 4 0 0 5
run_bounded
start_worker
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "$(seq -s, 1 14)" "$(live_ids)" "live rows after the first sync"
touch "$T_WORK/clamp"
run_bounded
run_producer_once_rc 1 --full
matches 'the same records as the previous page' "$PRODUCER_LAST_LOG" ||
    fail "the full run over clamped pages did not fail with the clamp's error: $(last_failed_line | cut -c1-300)"
log "ok"
