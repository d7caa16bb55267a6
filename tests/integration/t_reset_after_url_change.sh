#!/usr/bin/env bash
# t_reset_after_url_change: t_url_changed with a `reset --since` in
# between. An operator widens the filter in `url` (region=eu -> all), then,
# before the next run, replays the last day and a half with `reset --since`.
# The checkpoint's HWM is still the eu endpoint's, which README says
# makes the next run full ("since the checkpoint's HWM is the old
# endpoint's"); reset_locked() (follow.c) writes the digest of the url as
# configured now into its run record whatever the checkpoint's source
# was: the next run is incremental from TS, and the us records below TS
# are never published.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 3600),
         "region": "eu" if i % 2 else "us"} for i in range(1, 21)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    region = req.query.get("region", "all")
    recs = [dict((k, v) for k, v in r.items() if k != "region") for r in RECS
            if region == "all" or r["region"] == region]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: url = $API_URL/items?region=eu"
run_producer_once
assert_eq 10 "$(last_run_field published)" "eu records published by the first run"

write_config "stream: -deleted.url" "stream: url = $API_URL/items?region=all"
since=$(date -u -d "@$(($(date +%s) - 3 * 86400 + 10 * 3600 + 1800))" +%Y-%m-%dT%H:%M:%S.000Z)
"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" --since "$since" \
    2>>"$T_WORK/producer.log" || fail "reset"
log "reset to $since: checkpoint source $(last_run_record | jq -c .source)"
run_producer_once
keys=$(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | sort -n | uniq | paste -sd,)
log "ids on the topic: $keys"
assert_eq full "$(last_run_field mode)" "the first run under the widened url"
assert_eq "$(seq -s, 1 20)" "$keys" "ids on the topic once the url serves every region"
log "ok"
