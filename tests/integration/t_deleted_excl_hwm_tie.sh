#!/usr/bin/env bash
# t_deleted_excl_hwm_tie: the deleted endpoint filters its since `>`
# (deleted_after), caps pages at 10 and says in `more` whether more pages
# follow. A bulk delete removes records 21..45 at one deleted_at: the
# deleted HWM's bucket. The walk finds the exclusive filter, pages the
# group by number, and deletion 21 (served on the group's first page) is
# purged from the list before its second page: deletion 31 is on no page.
# A range at the HWM's bucket is left to the next run, but that run asks
# `>` the deleted HWM until it finds the filter anew, and never sees the
# group again (a later deletion, record 50, moves the HWM past it): for
# such an API the group is walked a second time.
# brokers: mock
. "$(dirname "$0")/lib_excl_tie.sh"
excl_tie_deleted 45
log "ok"
