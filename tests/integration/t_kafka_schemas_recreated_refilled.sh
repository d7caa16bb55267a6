#!/usr/bin/env bash
# t_kafka_schemas_recreated_refilled: t_kafka_schemas_recreated, but the
# new <prefix>.schemas topic holds as many messages as the worker read of
# the old one before it looks again: two runs of the unchanged producer
# (its v1 schema, known) at offsets 0 and 1, then v2 (phone added) at 2.
# The worker read the old topic to offset 3; the new one ends at 3, "an
# end below what was read" does not hold, and offsets 0..2 are never read:
# v2 stays unknown and every event written with it is dead-lettered
# (README, Schema evolution: applied with the new field dropped). A
# schema still unknown now rereads the whole topic. (Found by helper 134.)
# brokers: kafka
. "$(dirname "$0")/lib_schemas_recreated.sh"

schemas_made_again_then_v2 2
log "ok"
