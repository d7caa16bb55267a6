#!/usr/bin/env bash
# t_pg_notice_json: with log.format = json every line the worker writes is
# one JSON object. A user's audit trigger that RAISEs NOTICE for every row
# (common in real databases) had libpq print each notice raw on stderr,
# which a log shipper parsing JSON lines chokes on; notices now go through
# the worker's log (debug; warnings at warn).
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
run_producer_once
run1=$(last_run_field run_id)
write_config "top: log.format = json" # the worker's (read at its start)
start_worker
wait_run_completed "$run1" 60
write_config # the producer's: the helpers read its logfmt lines
psql_value "create function audit_notice() returns trigger language plpgsql as \$\$
            begin raise notice 'audit: customer % changed', new.id; return new; end \$\$;
            create trigger audit_notice before insert or update on $TABLE
              for each row execute function audit_notice();" >/dev/null || fail "trigger"
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 30
stop_worker
bad=$(grep -v '^----' "$T_WORK/worker-w1.log" | while IFS= read -r line; do
    jq -e . >/dev/null 2>&1 <<<"$line" || printf '%s\n' "$line"
done)
[ -z "$bad" ] || fail "worker stderr lines that are not JSON with log.format = json: $(head -n 5 <<<"$bad")"
log "ok"
