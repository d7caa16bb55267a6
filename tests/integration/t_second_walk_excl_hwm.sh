#!/usr/bin/env bash
# t_second_walk_excl_hwm: an API that filters its cursor parameter `>`
# (updated_after), caps pages at 10 and says in `more` whether more pages
# follow (more.path). A bulk update gives records 1..30 one cursor value,
# the newest: the HWM's bucket. The walk finds the exclusive filter,
# pages the tie group by number, and record 1 (served on the group's first
# page) is deleted before its second page: record 11 is on no page. A
# range at the HWM's bucket is left to the next run, but the next run asks
# its first since as it is, `>` the HWM, and a run whose one page says no
# more never re-seeks: the tie group was never read again, and record 41,
# new, moved the HWM past it for good. For such an API the group is walked
# a second time.
# brokers: mock
. "$(dirname "$0")/lib_excl_tie.sh"
excl_tie_records 30
log "ok"
