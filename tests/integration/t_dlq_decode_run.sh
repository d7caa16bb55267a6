#!/usr/bin/env bash
# t_dlq_decode_run: a run whose change events the worker cannot decode (its
# schema asks for a field (region), without a default, that the producer's events
# lack: deployed ahead of the producer) completes in sync_metadata once
# every event is dead-lettered, counted in records_dead_lettered by the
# run its tidemark.run header names, as events refused at apply are. It
# used to stay `running` for good: nothing but the decoded event named its
# run. Garbage on the same topic is dead-lettered and counted in no run
# when its header names no run of the stream (a tab in it, or "x"), or
# names the run but lies past the run's end offset (a stranger's message
# would otherwise make up for an event skipped by moving an offset).
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-with-region.avsc"
jq '.fields += [{"name": "region", "type": "string"}]' "$REPO/schemas/customer.avsc" >"$V2"
PRODUCER_CONF=$CONF
WORKER_CONF="$T_WORK/worker.conf"

start_devbroker
start_demoapi --records 30
write_config
SCHEMA=$V2 CONF=$WORKER_CONF write_config
topic="$PREFIX.$STREAM"

run_producer_once
run1=$(last_run_field run_id)
assert_eq 30 "$(last_run_field published)" "events of the first run"
# Strangers' messages: not change events, their headers name no run.
printf 'not an event' >"$T_WORK/garbage.bin"
produce_file "$topic" 0 stranger "$T_WORK/garbage.bin" -H "tidemark.run=$(printf 'r\tx')"
produce_file "$topic" 1 stranger-x "$T_WORK/garbage.bin" -H "tidemark.run=x"

CONF=$WORKER_CONF start_worker
dlq_has() { [ "$(topic_count "$PREFIX.dlq")" -ge "$1" ]; }
wait_for "32 dead letters on $PREFIX.dlq" 60 dlq_has 32
wait_run_completed "$run1" 60
q="from sync_metadata where run_id = $(sql_quote "$run1")"
assert_eq "0 0 30" "$(psql_value "select records_synced || ' ' || records_deleted || ' ' || records_dead_lettered $q")" \
    "records_synced, records_deleted, records_dead_lettered of the run"
assert_eq 0 "$(psql_value "select count(*) from $TABLE")" "rows written from events that cannot be decoded"
kc -C -t "$PREFIX.dlq" -e -f '%k\t%h\n' >"$T_WORK/dlq.txt"
assert_eq 30 "$(grep -c 'tidemark.error=decode: .*cannot be read as this stream' "$T_WORK/dlq.txt")" "dead letters that say why"
grep -q "^stranger	" "$T_WORK/dlq.txt" || fail "the stranger's message is not on $PREFIX.dlq"
# logged after the COMMIT that marked the run completed: waited for, not read at once
wait_for "the worker's 'run completed' line saying dead_letters=30" 30 \
    matches 'dead_letters=30' "$T_WORK/worker-w1.log"
assert_eq 1 "$(psql_value "select count(*) from sync_metadata")" "runs in sync_metadata (none for the strangers' headers)"

# A stranger's garbage after the run, naming it: past its end, not its.
part=$(psql_value "select min(e.key::int) from sync_metadata m, jsonb_each(m.end_offsets) e
                   where m.run_id = $(sql_quote "$run1")")
[ -n "$part" ] || fail "the run has no end_offsets"
produce_file "$topic" "$part" stranger-late "$T_WORK/garbage.bin" -H "tidemark.run=$run1"
wait_for "33 dead letters on $PREFIX.dlq" 60 dlq_has 33
wait_caught_up 30
assert_eq 30 "$(psql_value "select records_dead_lettered $q")" "records_dead_lettered of the run after a stranger's message naming it"
stop_worker

# The worker on the producer's schema: the next run is applied as usual.
CONF=$WORKER_CONF SCHEMA= write_config
api_post "/admin/update?ids=3,7" >/dev/null || fail "admin update"
CONF=$PRODUCER_CONF run_producer_once
run2=$(last_run_field run_id)
CONF=$WORKER_CONF start_worker
wait_run_completed "$run2" 60
assert_eq "2 0" "$(psql_value "select records_synced || ' ' || records_dead_lettered from sync_metadata
                               where run_id = $(sql_quote "$run2")")" "records_synced and records_dead_lettered of the next run"
assert_eq 2 "$(psql_value "select count(*) from $TABLE where id in (3, 7)")" "rows of the next run"
stop_worker
log "ok"
