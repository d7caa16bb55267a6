#!/usr/bin/env bash
# t_log_lines_strict: text from a source, a record and the configuration
# in the producer's and the worker's log lines, logfmt and JSON, and in
# dead-letter headers. Every line must be one a strict reader takes
# (log_lines.py: go-logfmt's rules, UTF-8; json.loads), and every dead
# letter's headers UTF-8:
#  - the API pages by Link headers whose URLs (a query: '=') hold a raw
#    Latin-1 byte; the second page's records all lack phone (a warning
#    with the page's url=) and one has no id (dead-lettered: its
#    tidemark.source is that URL); its first answer is a 500 whose body
#    and headers hold quotes, newlines and ESC;
#  - a string id holding a newline and a forged line is deleted, then
#    served again (under debug: "a deleted id served again" with id=);
#  - [worker] group.id holds a space and a '"', the table's name a space,
#    and a DBA's column of the table a '"' and a newline ("column kept").
# Each once wrote its value bare (url=, group=, table=, column=\"...\",
# id=): a value a logfmt reader refuses, a line cut in two, a JSON member
# split at the space; and the URL's raw byte went into tidemark.source.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
TABLE='my items'
GROUP='tm worker "blue'
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/item_phone.avsc"
cat >"$SCHEMA" <<'EOF'
{"type": "record", "name": "PItem", "namespace": "io.tidemark.test",
 "fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"},
            {"name": "phone", "type": ["null", "string"], "default": null},
            {"name": "updated_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}
EOF

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
EVIL_ID = "k2\nts=2000-01-01T00:00:00.000Z level=error msg=forged_by_an_id"
EVIL = 'a b="c"\nd\re\\f \x1b[31mRED\x1b[0m k=v '
RECS = [{"id": "k%d" % i, "name": "item %d" % i, "phone": "+49 %d" % i,
         "updated_at": iso_ms(BASE + i * 60)} for i in range(1, 11)]
RECS[1]["id"] = EVIL_ID
for r in RECS[5:]:
    del r["phone"]
NO_ID = {"name": "no id", "updated_at": iso_ms(BASE + 8 * 60 + 1)}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    if not req.state.get("failed"):
        req.state["failed"] = 1
        return 500, [("X-Evil", EVIL.replace("\n", " ").replace("\r", " "))], \
            b'{"error": "' + EVIL.encode().replace(b"\n", b"\\n").replace(b"\r", b"\\r") \
            .replace(b'"', b'\\"') + b'"}\n\xff\xfe raw \x1b[31m \r\n line2'
    recs = [r for r in RECS if not (flag("hidden") and r["id"] == EVIL_ID)]
    if flag("noid"):
        recs.append(NO_ID)
    since = req.query.get("modified_since", "")
    rows = sorted((r for r in recs if r["updated_at"] >= since), key=lambda r: r["updated_at"])
    skip = int(req.query.get("skip", "0"))
    headers = []
    if skip + 5 < len(rows):
        headers.append(("Link", '<%s/items?city=Orl\xe9ans&skip=%d>; rel="next"' % (req.base, skip + 5)))
    return 200, headers, json.dumps({"data": rows[skip:skip + 5]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
producer_conf=("stream: -deleted.url" "stream: pagination = link" "stream: max.retries = 3"
    "top: log.level = debug")
rc=0
check() { /usr/bin/python3 "$REPO/tests/integration/log_lines.py" "$@" || rc=1; }

touch "$T_WORK/noid"
write_config "${producer_conf[@]}"
run_producer_once --full
rm "$T_WORK/noid"
matches -F 'absent from every record' "$PRODUCER_LAST_LOG" || fail "no absent-field warning"
matches -F 'record dead-lettered' "$PRODUCER_LAST_LOG" || fail "no dead letter"
touch "$T_WORK/hidden"
run_producer_once --full
rm "$T_WORK/hidden"
run_producer_once --full
matches -F 'deleted id served again' "$PRODUCER_LAST_LOG" || fail "the id was not revived"
check logfmt "$T_WORK"/producer.[123].log
# the id's second half is a line of its own a logfmt reader takes: say so
if grep -n '^ts=2000-01-01' "$T_WORK"/producer.[123].log; then
    echo "a record id forged a log line"
    rc=1
fi
touch "$T_WORK/noid"
write_config "${producer_conf[@]}" "top: log.format = json"
run_producer_once --full
check json "$PRODUCER_LAST_LOG"

log "dead letters' headers"
wait_for "dead letters" 20 sh -c "[ \$(kcat -b '$BOOTSTRAP' -q -C -t '$PREFIX.dlq' -e -f '%h\n' | wc -l) -ge 2 ]"
kc -C -t "$PREFIX.dlq" -e -f '%h\n' | /usr/bin/python3 -c '
import sys
bad = 0
for raw in sys.stdin.buffer:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad += 1
        print("dead letter headers not UTF-8: %s: %r" % (e, raw[:300]))
sys.exit(1 if bad else 0)
' || rc=1

write_config "top: log.format = json"
start_worker w1
wait_caught_up 30
stop_worker w1
check json "$T_WORK/worker-w1.log"
psql -Xq -c "ALTER TABLE \"$TABLE\" ADD COLUMN \"note \"\"x\"\"
level=error\" text" || fail "alter table"
write_config
start_worker w2
wait_for "the kept column's line" 30 grep -q 'column kept' "$T_WORK/worker-w2.log"
stop_worker w2
check logfmt "$T_WORK/worker-w2.log"
[ "$rc" = 0 ] || fail "log lines a strict reader refuses, or dead letter headers not UTF-8"
log "ok"
