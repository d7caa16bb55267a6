#!/usr/bin/env bash
# t_metrics_producer_checkpoint: /readyz of a producer whose passes fail
# before any run starts, because <prefix>.sync-runs cannot be read (the
# broker answers every ListOffsets with an error, while Metadata and
# Produce still work). No run is recorded then, and /readyz used to stay
# 200 as long as the last run had completed: a producer publishing nothing
# looked ready. Now it is 503 naming the stream and the checkpoint (200
# again once a run completes: tests/unit/test_stats.c).
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

checkpoint_failures() { grep -c 'msg="cannot read the checkpoints"' "$T_WORK/follow.log"; }
checkpoint_failed() { [ "$(checkpoint_failures)" -ge 1 ]; }

start_devbroker_ctl
start_demoapi --records 20
addr="127.0.0.1:$(free_port)"
write_config "producer: metrics.listen = $addr" "producer: poll.interval = 1s"
start_follow_producer
completed='tidemark_producer_runs_total{stream="customers",mode="full",status="completed"}'
wait_for "a completed run" 30 metric_at_least "$addr" "$completed" 1
wait_for "/readyz 200" 20 http_code_is 200 "http://$addr/readyz"

broker_ctl "fail ListOffsets 100000 TOPIC_AUTHORIZATION_FAILED"
wait_for "a pass failing to read the checkpoints" 60 checkpoint_failed
wait_for "/readyz 503" 20 http_code_is 503 "http://$addr/readyz"
assert_eq "not ready: stream customers: its checkpoint could not be read" \
    "$(curl -s --max-time 5 "http://$addr/readyz")" "body of /readyz"
assert_eq 200 "$(http_code "http://$addr/healthz")" "/healthz while passes fail"
log "$(checkpoint_failures) passes failed to read the checkpoints"
stop_follow_producer
log "ok"
