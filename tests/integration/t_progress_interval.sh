#!/usr/bin/env bash
# t_progress_interval: progress checkpoints come every 20000 events, but
# after a run's first, no sooner than progress.interval after the one
# before. Each waits until Kafka has acknowledged every event sent so far,
# which drains the producer's pipeline: at 400k events a second, every
# 50 ms. A run of 45000 records with progress.interval = 60s writes one
# (at 20000 events: t_progress_quota says why); with progress.interval =
# 0, two (at 20000 and 40000 events), each with an HWM a resume may start
# from.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 45000 --max-page-size 1000
# running records of the last run that hold an HWM of their own (the start
# record holds the one from before the run)
progress_records() {
    local id
    id=$(last_run_record | jq -r .run_id)
    run_records | jq -c --arg id "$id" 'select(.run_id == $id and .status == "running")' |
        tail -n +2 | grep -c .
}

write_config "producer: progress.interval = 60s" "stream: page.size = 1000" "stream: -deleted.url"
run_producer_once
assert_eq 45000 "$(last_run_field published)" "records published by the first run"
assert_eq 1 "$(progress_records)" "progress checkpoints of a run shorter than progress.interval"

write_config "producer: progress.interval = 0" "stream: page.size = 1000" "stream: -deleted.url"
run_producer_once --full
assert_eq 45000 "$(last_run_field published)" "records published by the full run"
assert_eq 2 "$(progress_records)" "progress checkpoints with progress.interval = 0"
log "ok"
