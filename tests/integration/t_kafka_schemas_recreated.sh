#!/usr/bin/env bash
# t_kafka_schemas_recreated: <prefix>.schemas is deleted and created again
# (compacted, as the README asks: an operator fixing a topic the broker
# auto-created without compaction) under a running worker. The producer
# publishes its schema again at the start of every run, so the new topic
# holds the new schema at offset 0. The worker remembered how far it read
# the OLD topic (offset 3 here: three runs published the schema) and read
# the topic again only from there, so it never saw the new topic's first
# messages: a schema gaining a nullable field then made every event
# written with it "unknown" and dead-lettered, instead of applied with the
# new field dropped (README, Schema evolution). A partition whose end lies
# below what was read is now read again from its start.
# (Found by helper 130.)
# brokers: kafka
. "$(dirname "$0")/lib_schemas_recreated.sh"

schemas_made_again_then_v2 0
log "ok"
