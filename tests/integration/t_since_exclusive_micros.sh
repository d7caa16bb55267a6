#!/usr/bin/env bash
# t_since_exclusive_micros: an API that keeps microseconds and filters
# `updated_at > :since` (updated_after) on the parsed value, pages capped
# at 3. A bulk update stamped records 4..9 with one millisecond-exact
# time (T.123000, as a job writing a JavaScript Date does) and record 10
# was touched by the database later in the same millisecond (T.123456).
# The page boundary falls inside the bulk group: asked from T.123, the
# API serves record 10 first, inside the bucket of the record that set
# since, so the walk takes the API for `>=` and records 6..9 (after the
# boundary, at exactly since) are never served. (Records 1..3, 11, 12
# have microseconds of their own: `>` at the truncated since serves
# them, as `>=` would.) The table must hold all
# 12, or the run must say why.
# brokers: mock
. "$(dirname "$0")/lib_excl_micros.sh"

excl_micros_runs 12 10
log "ok"
