#!/usr/bin/env bash
# t_cursor_request_time_two: t_cursor_request_time with two records never
# updated (items 11 and 12), both served at the time of each request: a
# page at the since they set holds both again, moved, and nothing else.
# The walk ended on such a page only when it held the one record that set
# the since; with two, a full run chased them (212 requests in 9 s, each
# record published 212 times). (Found by a second reading, helper 160.)
# brokers: mock
. "$(dirname "$0")/lib_request_time.sh"
request_time_records 2
log "ok"
