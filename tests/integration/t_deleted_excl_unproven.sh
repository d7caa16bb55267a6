#!/usr/bin/env bash
# t_deleted_excl_unproven: as t_deleted_excl_hwm_tie (a deleted endpoint
# that filters its since `>`, a bulk delete at the deleted HWM's bucket,
# deletion 31 on no page of the first walk), but the second walk's first
# page is empty and says it is an error: unproven. Holding the deleted HWM
# at the group's bucket, where it already was, kept nothing: the next run
# asks `>` it and is not served the group. It is held one unit below.
# brokers: mock
. "$(dirname "$0")/lib_excl_tie.sh"
excl_tie_deleted 45 unproven
log "ok"
