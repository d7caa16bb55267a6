#!/usr/bin/env bash
# t_metrics_worker_idle_member: /readyz of a worker in a group with more
# members than partitions. The stream topic and <prefix>.sync-runs have
# one partition each and three workers share the group, so at least one
# worker has nothing assigned: it is a member with none to assign, and
# every worker answers /readyz 200 (the issue: "partitions assigned or
# none to assign").
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker --topic "$PREFIX.$STREAM:1" --topic "$PREFIX.sync-runs:1"
start_demoapi --records 20
declare -A addr
for w in w1 w2 w3; do
    addr[$w]="127.0.0.1:$(free_port)"
done
write_config
base_conf=$CONF
for w in w1 w2 w3; do
    CONF="$T_WORK/$w.conf"
    sed "s/^group.id = /metrics.listen = ${addr[$w]}\ngroup.id = /" "$base_conf" >"$CONF"
    grep -q "^metrics.listen = ${addr[$w]}" "$CONF" || fail "metrics.listen not in $CONF"
    start_worker "$w"
done
CONF=$base_conf

# assigned partitions of a worker, from its lag samples
assigned() { curl -fsS --max-time 5 "http://${addr[$1]}/metrics" | grep -c '^tidemark_worker_consumer_lag{' || true; }
all_assigned()
{
    local n=0 w
    for w in w1 w2 w3; do n=$((n + $(assigned "$w"))); done
    [ "$n" -eq 2 ]
}
run_producer_once
wait_for "both partitions assigned and their lag known" 60 all_assigned
idle=""
for w in w1 w2 w3; do
    [ "$(assigned "$w")" -gt 0 ] || idle="$idle $w"
done
[ -n "$idle" ] || fail "no worker without partitions"
log "workers without partitions:$idle"
for w in w1 w2 w3; do
    wait_for "/readyz 200 of $w" 20 http_code_is 200 "http://${addr[$w]}/readyz"
done
for w in w1 w2 w3; do stop_worker "$w"; done
log "ok"
