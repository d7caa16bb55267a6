#!/usr/bin/env bash
# t_cursor_request_time_full_chase: records whose cursor is the time of
# the request (lib_request_time.sh) that do not fit in one page: four of
# them (11..14) and pages of 2 (page.size = 2, which the API serves in
# full). A page of moved records ended the walk only when it was shorter
# than page.size, so a full run re-seeked at each full page of them and
# never ended (hundreds of requests, each record published once a
# request). Now what lies past such a page is asked by number at its
# since, to the empty page. (Found by a second reading, helper 162.)
# brokers: mock
. "$(dirname "$0")/lib_request_time.sh"
request_time_api 4 0 0 2
run_bounded
log "ok"
