#!/usr/bin/env bash
# t_cursor_request_time: an API whose list view computes the cursor as
# COALESCE(updated_at, now()) (lib_request_time.sh), with one record never
# updated (item 11), served with the time of each request. A page at the
# since it set holds that record alone, moved: the walk ends there (an
# incremental one; a full run's asks the next page at that since, empty)
# instead of chasing it. (Found by a second reading, helper 158.)
# brokers: mock
. "$(dirname "$0")/lib_request_time.sh"
request_time_records 1
log "ok"
