#!/usr/bin/env bash
# t_kafka_partitions_added: partitions are added to the stream topic
# between producer runs, under a running worker. Keys then hash to other
# partitions, where their new events have LOWER offsets than the versions
# the table holds from the old partition. Every record is changed with
# the same cursor value (source_ts) as before, so only the order of
# production can tell the new version from the old: no update may be lost
# (a guard that compares offsets across partitions keeps the old rows).
# The worker sees the new partitions within a second
# (topic.metadata.refresh.interval.ms) and the table equals the API after
# each growth (1 -> 3 -> 5 partitions). The table starts as one made before
# the _produced_at column existed (the worker adds it).
# brokers: kafka
. "$(dirname "$0")/lib.sh"

N=120
T0=2026-01-01T00:00:00Z
topic="$PREFIX.$STREAM"
start_devbroker --topic "$topic:1"
start_demoapi --records "$N"
all=$(seq -s, 1 "$N")
# every record at the same cursor value
api_post "/admin/update?ids=$all&at=$T0" >/dev/null || fail "admin update"
write_config "kafka: topic.metadata.refresh.interval.ms = 1000"
first_sync
wait_caught_up 30
assert_table_equals_api
assert_eq 1 "$(psql_value "select count(distinct _source_ts) from $TABLE")" \
    "distinct _source_ts in $TABLE (every record at $T0)"

# A table made before _produced_at existed: the worker adds the column at
# start, and its rows (NULL there) still take the newer versions.
stop_worker
psql_value "alter table $TABLE drop column _produced_at" >/dev/null || fail "drop _produced_at"
start_worker
has_column() { [ "$(psql_value "select count(*) from pg_attribute where attrelid = '$TABLE'::regclass
                                and attname = '_produced_at' and not attisdropped")" = 1 ]; }
wait_for "the worker to add _produced_at to $TABLE" 30 has_column

n_parts() { kc -L -t "$topic" | grep -c 'partition [0-9]*, leader'; }

for parts in 3 5; do
    kafka_admin partitions "$topic" "$parts"
    assert_eq "$parts" "$(n_parts)" "partitions of $topic"
    # new contents, same cursor value: only produced_at orders them
    api_post "/admin/update?ids=$all&at=$T0" >/dev/null || fail "admin update"
    run_producer_once --full
    run=$(last_run_field run_id)
    moved=$(kc -C -t "$topic" -e -f '%p %o\n' | awk -v p="$parts" '$1 > 0 { n++ } END { print n + 0 }')
    log "$parts partitions: $moved messages outside partition 0"
    [ "$moved" -gt 0 ] || fail "no message on the new partitions: the scenario proves nothing"
    wait_caught_up 30
    wait_run_completed "$run" 30
    assert_table_equals_api
done
assert_eq 1 "$(psql_value "select count(distinct _source_ts) from $TABLE")" \
    "distinct _source_ts in $TABLE at the end"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where _produced_at is null")" \
    "rows without _produced_at"
stop_worker
log "ok"
