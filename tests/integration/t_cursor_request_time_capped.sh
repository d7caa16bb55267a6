#!/usr/bin/env bash
# t_cursor_request_time_capped: t_cursor_request_time_two where the API
# caps its pages below page.size (per_page = 5 asked, 2 served: many APIs
# cap the page size whatever is asked, which the walk's own end rule
# allows for by comparing with the longest page served, not page.size).
# Records 11 and 12 are served at the time of each request
# (COALESCE(updated_at, now())); after the first sync two more such
# records, 13 and 14, are created. A page of moved records shorter than
# page.size ended an incremental walk: the capped page [11, 12] at every
# since, and 13 and 14, past the cap on the next page, were never
# published. Now such a page ends the walk only when it is shorter than
# the longest page served; else what lies past it is asked by number.
# (Found by a second reading, helper 162.)
# brokers: mock
. "$(dirname "$0")/lib_request_time.sh"
request_time_api 2 2 2 5
run_bounded
start_worker
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "$(seq -s, 1 12)" "$(live_ids)" "live rows after the first sync"
touch "$T_WORK/more"
for i in 1 2 3; do
    run_bounded
done
wait_run_completed "$(last_run_field run_id)" 60
log "events of 13 and 14 on the topic: $(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | grep -cx '1[34]')"
assert_eq "$(seq -s, 1 14)" "$(live_ids)" "live rows after three incremental runs (the API serves 1..14)"
log "ok"
