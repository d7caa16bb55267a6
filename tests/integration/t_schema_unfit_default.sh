#!/usr/bin/env bash
# t_schema_unfit_default: a stream whose .avsc has a field with a default
# that does not fit its type (level: an int with default "high", which
# README accepts: "counts as none", t_schema_field_default), and an API
# that serves level in every record. The producer published the events
# under a change-event schema carrying that default, which the README's
# own Python decoding (fastavro's parse_schema) and Java decoding
# (org.apache.avro 1.12's Schema.Parser) refuse to parse: no standard
# consumer could read the stream. The change-event schema now leaves such
# a default out, at any depth (here also a nested record's; the
# fingerprint, which has no defaults, is the same).
# (Found by helper 114, reading the topics as downstream consumers do.)
. "$(dirname "$0")/lib.sh"

need_pyvenv
SCHEMA="$T_WORK/customer-unfit.avsc"
jq '.fields += [{"name": "level", "type": "int", "default": "high"},
    {"name": "extra", "type": ["null", {"type": "record", "name": "Extra", "fields":
        [{"name": "n", "type": "int", "default": "x"}]}], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "schema"
cat >"$T_WORK/api.py" <<'PY'
T = "2026-03-01T10:00:00.000Z"
RECORDS = [customer(1, T, level=3), customer(2, T, level=-7)]
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
assert_eq 2 "$(last_run_field published)" "events published"
"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/customer-event.avsc" || fail "schema"
kc -C -t "$PREFIX.$STREAM" -e -f '%S %s' >"$T_WORK/values.bin" || fail "kcat"
# The README's Python example, as it stands.
"$PYVENV" - "$T_WORK/customer-event.avsc" "$T_WORK/values.bin" <<'PY' >"$T_WORK/py.out" 2>&1
import io, json, sys
from fastavro import parse_schema, schemaless_reader
from fastavro.schema import to_parsing_canonical_form, fingerprint

schema = parse_schema(json.load(open(sys.argv[1])))
expected = fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO")

def decode(value: bytes):
    assert value[:2] == b"\xc3\x01", "not single-object encoded"
    assert value[2:10].hex() == expected, "written with another schema"
    return schemaless_reader(io.BytesIO(value[10:]), schema)

data = open(sys.argv[2], "rb").read(); pos = 0; out = []
while pos < len(data):
    sp = data.index(b" ", pos); n = int(data[pos:sp])
    v = data[sp + 1:sp + 1 + n]; pos = sp + 1 + n
    ev = decode(v)
    out.append("%s %s" % (ev["id"], ev["after"]["level"]))
print(",".join(sorted(out)))
PY
log "fastavro: $(tail -n1 "$T_WORK/py.out")"
# The README's Java example's first line: Schema.Parser().parse(the file).
AVRO_JARS=$(bash "$REPO/tests/consumers/fetch-avro.sh" --print)/libs
if command -v javac >/dev/null 2>&1 && [ -f "$AVRO_JARS/../.complete" ]; then
    mkdir -p "$T_WORK/java"
    cat >"$T_WORK/java/P.java" <<'JAVA'
import java.io.File;
import org.apache.avro.Schema;
public class P {
    public static void main(String[] a) throws Exception {
        try {
            new Schema.Parser().parse(new File(a[0]));
            System.out.println("parsed");
        } catch (Exception e) {
            System.out.println("REFUSED: " + e.getMessage());
        }
    }
}
JAVA
    javac -nowarn -cp "$AVRO_JARS/*" -d "$T_WORK/java" "$T_WORK/java/P.java" || fail "javac"
    java -cp "$T_WORK/java:$AVRO_JARS/*" P "$T_WORK/customer-event.avsc" >"$T_WORK/java.out" 2>/dev/null
    log "Java: $(cat "$T_WORK/java.out")"
    assert_eq parsed "$(cat "$T_WORK/java.out")" "org.apache.avro's Schema.Parser on the change-event schema"
fi
assert_eq "1 3,2 -7" "$(tail -n1 "$T_WORK/py.out")" "the README's fastavro decoding of the events"
log "ok"
