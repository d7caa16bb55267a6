#!/usr/bin/env bash
# t_two_groups_one_db: two consumer groups applying the same stream into
# one database (a migration to a new table, a second copy). sync_metadata
# holds one row per run for the database, so the groups add their counts
# to one row and one group's progress completes the other's runs: a run
# showed completed for a group that had applied none of it. The worker
# now says so at start, naming the other group and the way out (a
# database or schema per group).
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30
stop_worker

GROUP=tm-other write_config
start_worker w2
warned() { grep -q 'msg="other consumer groups keep their offsets in this database.*other_groups=tm-worker' "$T_WORK/worker-w2.log"; }
wait_for "the second group's warning naming the first" 30 warned
stop_worker w2
! grep -q 'other consumer groups' "$T_WORK/worker-w1.log" ||
    fail "the first group, alone in the database, was warned"
log "ok"
