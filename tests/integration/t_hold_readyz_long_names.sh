#!/usr/bin/env bash
# t_hold_readyz_long_names: two streams with 64-character names whose
# schema-qualified tables (63-character names) refuse writes: /readyz
# names the first and must say that other streams are held too. It put
# "other streams held too" last, and long names and PostgreSQL's words
# cut it off at 511 bytes; the count now comes first. (Found by helper
# 146.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"
name() { printf 'stream_%03d_%s' "$1" "$(printf 'x%.0s' $(seq 1 53))"; }
tname() { printf 't%03d_%s' "$1" "$(printf 'y%.0s' $(seq 1 58))"; }
SCH=appschema_with_a_long_name_$(printf 'z%.0s' $(seq 1 35))
start_broker --topic "$PREFIX.$(name 1):4" --topic "$PREFIX.$(name 2):4"
start_demoapi --records 20
waddr=127.0.0.1:$(free_port)
write_config "worker: metrics.listen = $waddr"
psql_value "create schema $SCH" >/dev/null || fail schema
for i in 1 2; do add_stream "$(name "$i")" "$SCH.$(tname "$i")"; done
run_producer_once
start_worker
for i in 1 2; do wait_run_completed "$(last_run_field run_id "$(name "$i")")" 60; done
refuse_rows_of "$SCH.$(tname 1)"
psql_value "create trigger maint before insert or update on $SCH.$(tname 2) for each row execute function maint()" >/dev/null
api_post "/admin/update?count=5" >/dev/null
run_producer_once
both_held() { [ "$(grep -c 'msg="stream held back' "$T_WORK/worker-w1.log")" -ge 2 ]; }
wait_for "both streams held" 60 both_held
wait_for "/readyz not ready" 20 http_code_is 503 "http://$waddr/readyz"
body=$(curl -s --max-time 5 "http://$waddr/readyz")
log "/readyz (${#body} bytes): $body"
stop_worker
case "$body" in "not ready: 2 streams held back, the first: stream "*) ;; *) fail "/readyz does not say two streams are held: $body" ;; esac
log ok
