#!/usr/bin/env bash
# t_one_group_two_dbs: a second copy of the stream started late into its
# own schema, its configuration copied from the first with group.id left
# as it was. Kafka splits the topic's partitions between the two workers,
# each table gets the events of its worker's partitions only, runs stay
# running in both databases, and neither worker said why. The late worker
# now warns at its assignment that Kafka holds offsets of its group for
# partitions its database has none for, naming the group and the
# partitions; the first worker, whose offsets those are, does not.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 60
write_config
first_sync
psql -X -q -v ON_ERROR_STOP=1 -c "create schema late" >/dev/null || fail "create schema"
LCONF="$T_WORK/late.conf"
CONF="$LCONF" write_config "postgres: conninfo = dbname=$T_DB options='-c search_path=late'"
CONF="$LCONF" start_worker late
ahead() { grep 'msg="Kafka holds offsets of this group for partitions this database has none for' "$T_WORK/worker-late.log"; }
wait_for "the late worker's warning" 60 ahead
line=$(ahead | head -n1)
for w in "group=$GROUP" "$PREFIX.$STREAM:" "give each database its own group.id"; do
    case "$line" in *"$w"*) ;; *) fail "the warning does not say '$w': $line" ;; esac
done
grep -q 'msg="Kafka holds offsets of this group' "$T_WORK/worker-w1.log" &&
    fail "the first worker, whose offsets Kafka holds, warned too"
stop_worker late
stop_worker
log "ok"
