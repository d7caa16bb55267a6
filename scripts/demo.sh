#!/usr/bin/env bash
# demo.sh - the whole tidemark pipeline on the embedded defaults (make demo).
#
# Starts a throwaway PostgreSQL (pg_virtualenv), the embedded Kafka broker
# (KAFKA=real: a real Apache Kafka node, tests/kafka/tidemark-kafka, from
# the jars `make deps` fetched) and the demo API (1000 customers); runs a
# full sync and applies it; then
# updates 5, hard-deletes 3 and creates 2 records in the API and runs an
# incremental sync. Prints each run's counts, the table's row counts,
# sync_metadata, and whether the table equals the API (exit 1 if not).
# Program logs go to files in a temp dir, shown only on failure. Everything
# it starts is stopped on exit, also on Ctrl-C.

[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u -o pipefail

case "${KAFKA:-embedded}" in
    embedded | mock) TM_BROKER=mock ;;
    real | kafka) TM_BROKER=kafka ;;
    *) echo "demo: KAFKA must be embedded (the default) or real, not '$KAFKA'" >&2; exit 2 ;;
esac
export TM_BROKER
if [ "$TM_BROKER" = kafka ]; then
    . "$(dirname "${BASH_SOURCE[0]}")/../tests/kafka/env.sh"
    tm_kafka_ready || { echo "demo: no Apache Kafka jars in $TM_KAFKA_JARS: run 'make deps'" >&2; exit 2; }
fi

. "$(dirname "${BASH_SOURCE[0]}")/session.sh" demo "${BASH_SOURCE[0]}" "$@"

# lib.sh's log() is for test transcripts; the demo talks plainly.
log() { :; }
say() { printf '%s\n' "$*"; }
section() { printf '\n== %s\n' "$*"; }

show_run()
{
    say "producer: run $(last_run_field run_id) ($(last_run_field mode)):" \
        "fetched=$(last_run_field fetched) published=$(last_run_field published)" \
        "deletes=$(last_run_field deletes) skipped=$(last_run_field skipped)" \
        "failed=$(last_run_field failed) hwm=$(last_run_field hwm)"
}

show_table()
{
    say "table $TABLE: $(psql_value "select count(*) filter (where not _deleted) || ' live rows, ' ||
                                            count(*) filter (where _deleted) || ' deleted' from $TABLE")"
}

apply_run()
{
    local run_id=$1 t0
    t0=$(now_ms)
    wait_run_completed "$run_id" 120
    say "worker: run $run_id applied, sync_status=completed ($(($(now_ms) - t0)) ms after the producer finished)"
}

section "tidemark demo (work dir $T_WORK)"
start_devbroker
start_demoapi --records 1000
write_config "producer: -progress.interval"
if [ "$TM_BROKER" = kafka ]; then
    say "kafka:      Apache Kafka (one KRaft node) at $BOOTSTRAP, topic $PREFIX.$STREAM"
else
    say "kafka:      embedded broker at $BOOTSTRAP, topic $PREFIX.$STREAM"
fi
say "source:     demo API at $API_URL/$STREAM (1000 records)"
say "postgres:   database $T_DB on $PGHOST:${PGPORT:-5432}"
say "config:     $CONF"

start_worker
section "run 1: full sync"
run_producer_once
show_run
apply_run "$(last_run_field run_id)"
show_table

section "changing the API: 5 updated, 3 deleted, 2 created"
api_post "/admin/update?ids=10,20,30,40,50" >/dev/null || fail "admin update failed"
api_post "/admin/delete?ids=11,21,31" >/dev/null || fail "admin delete failed"
api_post "/admin/create?count=2" >/dev/null || fail "admin create failed"

section "run 2: incremental sync"
run_producer_once
show_run
apply_run "$(last_run_field run_id)"
show_table
stop_worker

section "sync_metadata"
psql -X -P pager=off -c "select record_type, run_id, is_full_sync, last_sync_timestamp, records_synced,
                                records_deleted, sync_status, completed_at - started_at as took
                         from sync_metadata order by id"

section "check"
if (assert_table_equals_api) >"$T_WORK/check.log" 2>&1; then
    say "table equals the demo API: yes"
else
    say "table equals the demo API: NO"
    cat "$T_WORK/check.log"
    exit 1
fi
