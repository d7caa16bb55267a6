#!/usr/bin/env bash
# t_kafka_deleted_padded_id_compacted: the records endpoint serves record
# 5's id as the number 5 (its events keyed "5"), and the deleted endpoint
# names its deletion "005" (a string, zero-padded: an id field of type
# long). The producer published that delete and its tombstone keyed "005";
# the worker read it as row 5 and deleted the row. But on the compacted
# topic record 5's upsert stayed the latest message of key "5" for good,
# while the cleaner removed "005"'s delete and tombstone once
# delete.retention.ms had passed: a new consumer group (a rebuild) had row
# 5 live, a record the API deleted. The producer now reads an integer id
# as the worker does ("005" is 5), so the delete is keyed "5" too.
# (A second reading found this after ad94d85 folded the full run's keys.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:1:compact" --topic-config "$topic:delete.retention.ms=100"
start_demoapi --records 30
# a proxy in front of the demo API: the deleted endpoint's ids zero-padded
"$PYVENV" - "$API_URL" "$T_WORK/proxy.port" >"$T_WORK/proxy.log" 2>&1 <<'PY' &
import json, sys, urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
up, portfile = sys.argv[1], sys.argv[2]
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        with urllib.request.urlopen(up + self.path) as r:
            body, ctype = r.read(), r.headers.get("Content-Type", "application/json")
        if self.path.split("?")[0].endswith("/deleted"):
            doc = json.loads(body)
            for item in doc.get("data", []):
                item["id"] = "%03d" % item["id"]
            body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
s = HTTPServer(("127.0.0.1", 0), H)
open(portfile + ".tmp", "w").write(str(s.server_port))
import os; os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
_track_pid $!
wait_for "the proxy's port" 20 test -s "$T_WORK/proxy.port"
PROXY="http://127.0.0.1:$(cat "$T_WORK/proxy.port")"
write_config "stream: deleted.url = $PROXY/$STREAM/deleted"
first_sync
wait_caught_up 60
assert_table_equals_api

api_post "/admin/delete?ids=5" >/dev/null || fail "admin delete"
curl -fsS "$PROXY/$STREAM/deleted?since=2000-01-01T00:00:00Z" | grep -q '"005"' ||
    fail "the proxy does not pad the deleted ids"
run_producer_once --full
log "full run after the delete: deletes=$(last_run_field deletes) vanished=$(last_run_field vanished)"
log "keys of the topic now: $(kc -C -t "$topic" -e -f '%k\n' | grep -x '0*5' | sort | uniq -c | tr '\n' ' ')"
wait_caught_up 60
assert_table_equals_api
stop_worker

# the messages of id 5 that delete it (tombstones, delete events), any key
deletions_of_5() { kc -C -t "$topic" -e -f '%k %S %h\n' | awk '$1 ~ /^0*5$/ && ($2 == -1 || /tidemark.op=delete/)' | wc -l; }
no_deletions_of_5() { [ "$(deletions_of_5)" = 0 ]; }
wait_compacted 60 "the cleaner to remove every deletion of id 5" no_deletions_of_5
log "compacted after $COMPACT_APPENDS runs: messages of id 5 left: $(kc -C -t "$topic" -e -f '%k\n' | grep -cx '0*5')"

assert_rebuild_live_rows "stream: deleted.url = $PROXY/$STREAM/deleted"
log "ok"
