#!/usr/bin/env bash
# t_downstream_python: a downstream consumer written with real third-party
# libraries (confluent-kafka, fastavro from PyPI: `make pydeps`) reads the
# stream topic after a first sync, updates, creates, hard and soft deletes;
# every event is single-object encoded with the fingerprint of the schema
# `tidemark-producer schema` prints, decodes with it, and the latest event
# per key equals the API (fixtures/downstream_consumer.py). Skipped, with
# the reason, when the venv could not be made (no PyPI).
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

need_pyvenv
start_broker
start_demoapi --records 300
write_config
downstream_workload
downstream_consume
log "ok"
