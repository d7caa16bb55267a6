#!/usr/bin/env bash
# t_worker_foreign_stream_runs: one producer config syncs two streams (here a
# second config, stream "orders"), and each target database has a worker
# deployment of its own that applies only its streams (its own group and
# database). Every worker reads the whole <prefix>.sync-runs, and applies
# every run record whatever its stream: the "customers" worker's database
# gains a sync_metadata row per "orders" run, which it can never complete
# (it applies no event of tm.orders), so each stays `running` for good, in
# the partial index the completion check of every batch reads.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
# the other deployment's producer: stream "orders", same prefix
STREAM=orders TABLE=orders write_config "stream: url = $API_URL/customers" \
    "stream: deleted.url = $API_URL/customers/deleted"
cp "$CONF" "$T_WORK/orders.conf"
write_config
first_sync
for i in 1 2 3; do
    timeout --foreground 120 "$BUILD/tidemark-producer" -c "$T_WORK/orders.conf" run --once --full \
        2>>"$T_WORK/orders-producer.log" || fail "orders producer run $i"
done
n_orders=$(run_records orders | jq -r .run_id | sort -u | wc -l)
log "orders runs on sync-runs: $n_orders"
# a later run of our own stream: once it completes, the worker has read
# sync-runs past every orders record
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 30
psql_value "select record_type, sync_status, producer_status, count(*) from sync_metadata group by 1,2,3 order by 1,2,3"
stuck=$(psql_value "select count(*) from sync_metadata where record_type = 'orders' and sync_status = 'running'")
# what a month of such rows costs each batch: the worker's completion
# statement (worker/metadata.c:metadata_complete_runs), timed with the
# orders rows multiplied as follow mode at poll.interval = 1s writes them
complete_sql="UPDATE sync_metadata m SET sync_status = 'completed', completed_at = now() WHERE m.id IN (SELECT s.id FROM sync_metadata s WHERE s.sync_status = 'running' AND s.producer_status = 'completed' AND s.records_synced::numeric + s.records_deleted + s.records_dead_lettered >= COALESCE(s.producer_records, 0)::numeric + COALESCE(s.producer_deletes, 0) AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(COALESCE(s.end_offsets, '{}'::jsonb)) e WHERE NOT EXISTS (SELECT 1 FROM sync_offsets o WHERE o.consumer_group = '$GROUP' AND o.topic = s.topic AND o.partition = e.key::int AND o.next_offset >= e.value::bigint)) AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements('[]'::jsonb) x WHERE x->>'topic' = s.topic AND COALESCE(s.end_offsets, '{}'::jsonb) ? (x->>'partition')) FOR UPDATE SKIP LOCKED)"
time_complete() {
    psql -X -q -At -v ON_ERROR_STOP=1 -c '\timing on' -c "BEGIN" -c "$complete_sql" -c "ROLLBACK" |
        sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | tail -n1
}
log "completion statement with $(psql_value "select count(*) from sync_metadata where sync_status = 'running'") running rows: $(time_complete) ms"
psql_value "INSERT INTO sync_metadata (record_type, run_id, is_full_sync, sync_status, topic, end_offsets, producer_status, producer_records, producer_deletes, started_at, updated_at)
    SELECT record_type, run_id || '-' || g, is_full_sync, sync_status, topic, end_offsets, producer_status, producer_records, producer_deletes, started_at, now()
    FROM (SELECT * FROM sync_metadata WHERE record_type = 'orders' LIMIT 1) o, generate_series(1, 1000000) g" >/dev/null
psql_value "ANALYZE sync_metadata" >/dev/null
log "completion statement with $(psql_value "select count(*) from sync_metadata where sync_status = 'running'") running rows: $(time_complete) ms"
assert_eq 0 "$stuck" "rows of another deployment's stream left running in this worker's sync_metadata"
stop_worker
log "ok"
