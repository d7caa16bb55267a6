#!/usr/bin/env bash
# t_second_walk_excl_unproven: as t_second_walk_excl_hwm (an API that
# filters its cursor parameter `>`, a bulk update at the HWM's bucket,
# record 11 on no page of the first walk), but the second walk's first
# page is empty and says it is an error: unproven. Holding the HWM at the
# group's bucket, where it already was, kept nothing: the next run asks
# `>` it and is not served the group. It is held one unit below.
# brokers: mock
. "$(dirname "$0")/lib_excl_tie.sh"
excl_tie_records 30 unproven
log "ok"
