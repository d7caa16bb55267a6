#!/usr/bin/env bash
# t_cursor_timezone: an API that filters by the day in its own time zone
# (cursor.precision = date, cursor.timezone = America/New_York).
# The HWM 2026-01-06T01:59Z is still 5 January in New York. A record changed
# at 03:00Z (22:00 on 5 January there) must be fetched: the producer sends
# since=2026-01-05, the New York day of its HWM. Sent as the UTC day
# (2026-01-06), the API would start at New York's 6 January and the change
# would be lost below the HWM for good.
. "$(dirname "$0")/lib.sh"

new_york_evening_change
run_producer_once
assert_eq 1 "$(last_run_field published)" "events published for the change at 22:00 New York time"
run_id=$(last_run_field run_id)
wait_run_completed "$run_id" 60
assert_table_equals_api

# The next run finds nothing new: every record of New York's 5 January is
# remembered at the HWM.
run_producer_once
assert_eq 0 "$(last_run_field published)" "events published by a run with nothing new"
