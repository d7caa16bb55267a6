#!/usr/bin/env bash
# t_two_streams_table_spelled: t_two_streams_tombstone with the second
# stream naming the one table schema-qualified (`table = public.customers`,
# the first `customers`). A table two streams write holds rows of two
# topics, so a Kafka tombstone is ordered against a row by when each was
# produced, never by partition and offset. Deciding "shared" by comparing
# the `table` strings took the table for two, ordered a tombstone of one
# topic by offset against a newer row of the other, and deleted the
# restored, live record.
. "$(dirname "$0")/lib_two_streams.sh"

two_streams_restore_after_tombstone "public.$TABLE"
log "ok"
