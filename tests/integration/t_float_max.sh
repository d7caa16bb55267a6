#!/usr/bin/env bash
# t_float_max: the largest float, as Java (Float.toString, Jackson),
# JavaScript and Python's shortest repr write it, 3.4028235e38 (its double
# is just above FLT_MAX but reads back as FLT_MAX), into a float field: it
# is a float's value, so the record is published and a downstream consumer
# (fastavro) reads FLT_MAX; as a field's default the producer takes the
# same text (avrodefault.c), from the API it dead-lettered the record.
# (Found by helper 114, reading the topics as downstream consumers do.)
. "$(dirname "$0")/lib.sh"

need_pyvenv
SCHEMA="$T_WORK/customer-f32.avsc"
jq '.fields += [{"name": "f32", "type": "float"},
    {"name": "nested", "type": ["null", {"type": "record", "name": "N", "fields": [{"name": "f", "type": "float"}]}], "default": null}]' "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "schema"
cat >"$T_WORK/api.py" <<'PY'
T = "2026-03-01T10:00:00.000Z"
RECORDS = [customer(1, T, f32=3.4028235e38), customer(2, T, f32=-3.4028235e38),
           customer(3, T, f32=3.4028234663852886e38), customer(4, T, f32=0, nested={"f": 3.4028235e38})]
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data":[]}'
    if req.path == "/customers":
        return page_of(req, RECORDS)
    return 404, [], '{"error":"not found"}'
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
run_producer_once
"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/event.avsc" || fail "schema"
kc -C -t "$PREFIX.$STREAM" -e -f '%S %s' >"$T_WORK/values.bin" || fail "kcat"
"$PYVENV" - "$T_WORK/event.avsc" "$T_WORK/values.bin" <<'PY' | sort >"$T_WORK/decoded.txt"
import io, json, sys
from fastavro import parse_schema, schemaless_reader
schema = parse_schema(json.load(open(sys.argv[1])))
data = open(sys.argv[2], "rb").read(); pos = 0
while pos < len(data):
    sp = data.index(b" ", pos); n = int(data[pos:sp])
    v = data[sp + 1:sp + 1 + n]; pos = sp + 1 + n
    ev = schemaless_reader(io.BytesIO(v[10:]), schema)
    n_ = ev["after"]["nested"]
    print(ev["id"], repr(n_["f"] if n_ else ev["after"]["f32"]))
PY
kc -C -t "$PREFIX.dlq" -e -f '%k %h\n' >"$T_WORK/dlq.txt" || true
assert_eq "0" "$(wc -l <"$T_WORK/dlq.txt")" "dead letters ($(cat "$T_WORK/dlq.txt"))"
assert_eq "1 3.4028234663852886e+38,2 -3.4028234663852886e+38,3 3.4028234663852886e+38,4 3.4028234663852886e+38" \
    "$(paste -sd, "$T_WORK/decoded.txt")" "float values as fastavro reads them"
log "ok"
