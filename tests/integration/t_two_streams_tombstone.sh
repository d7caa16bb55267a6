#!/usr/bin/env bash
# t_two_streams_tombstone: two streams write one table (as
# t_two_streams_one_table): customers and customers2, from the same API.
# The Kafka tombstone's guard ordered a tombstone against the stored row
# by (_kafka_partition, _kafka_offset), without the topic: a tombstone of
# customers2 (offset 18) was taken to come after a row that customers
# wrote at offset 12 of the same partition number, although that row is a
# newer version (a restore), and the live record was deleted. In a table
# that two streams write, a tombstone is now ordered by production.
# brokers: mock
. "$(dirname "$0")/lib_two_streams.sh"

two_streams_restore_after_tombstone
log "ok"
