#!/usr/bin/env bash
# t_second_walk_excl_empty_page: as t_second_walk_excl_hwm (an API that
# filters its cursor parameter `>`, pages capped at 10, a bulk update at
# the HWM's bucket, a record deleted while the group is paged), but the
# tie group is 11 records, so the page the shift empties is asked by
# number and holds nothing. In cursor order such an empty page ends the
# walk in the group's bucket, which the next run reads again; not when the
# API filters `>`: that run asks the HWM as it is. The group counts as
# paged by number and is walked a second time.
# brokers: mock
. "$(dirname "$0")/lib_excl_tie.sh"
excl_tie_records 11
log "ok"
