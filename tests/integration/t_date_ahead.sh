#!/usr/bin/env bash
# t_date_ahead: t_review_cursor_concurrent_update again (a cursor API
# paging by id while records 1 and 4 change during the walk), but the
# API's answers carry a Date header 10 minutes ahead of the clock that
# stamps its records (a web tier whose clock drifted, its database's
# right). The unsorted walk's HWM was held at that Date less 1 s, above
# every cursor of the walk: it held nothing back, and record 1's change
# was skipped for good. The mark is now never after the producer's own
# clock at the request, and record 1's new version reaches the topic.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

start_devbroker
start_hostileapi "$REPO/tests/integration/fixtures/concurrent_update_api.py" 600
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor"
topic="$PREFIX.$STREAM"

run_producer_once   # reads everything: 2 requests
# Run 2 must walk two pages again: from the HWM (record 6's cursor) the
# API serves only record 6, so the checkpoint is moved back to before the
# records. Its walk reads page 1, then 1 and 4 change, then it reads page 2.
"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" \
    --since "$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)" \
    >/dev/null 2>&1 || fail "reset"
run_producer_once
run_producer_once
run_producer_once
names=$(kc -C -t "$topic" -e -f '%k %s\n' | awk '$1 == 1' | grep -ac 'item 1 v2')
[ "$names" -ge 1 ] || fail "record 1's change (at T1, before record 4's at T2) never reached $topic"
log "ok"
