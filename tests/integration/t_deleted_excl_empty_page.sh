#!/usr/bin/env bash
# t_deleted_excl_empty_page: as t_deleted_excl_hwm_tie (a deleted
# endpoint that filters its since `>`, pages capped at 10, a bulk delete at
# the deleted HWM's bucket, an entry purged while the group is paged), but
# the bulk delete is 11 deletions, so the page the purge empties is asked
# by number and holds nothing. In cursor order such an empty page ends the
# walk in the group's bucket, which the next run reads again; not when
# the API filters `>`: that run asks the HWM as it is. The group counts as
# paged by number and is walked a second time.
# brokers: mock
. "$(dirname "$0")/lib_excl_tie.sh"
excl_tie_deleted 31
log "ok"
