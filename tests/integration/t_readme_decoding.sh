#!/usr/bin/env bash
# t_readme_decoding: the README's decoding examples (section "Decoding a
# change event"), Python with fastavro and Java with org.apache.avro, run
# VERBATIM: both blocks are taken from README.md at run time, so that they
# cannot drift. They decode every event of a topic a real sync produced
# (updates and deletes included) exactly as the downstream consumer does,
# and both reject an event whose fingerprint is not their schema's. Skipped,
# with the reason, without the venv (`make pydeps`) or the Avro jars
# (`make deps`: tests/consumers/fetch-avro.sh) or javac.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

need_pyvenv
AVRO_JARS=$(bash "$REPO/tests/consumers/fetch-avro.sh" --print)/libs
[ -f "$AVRO_JARS/../.complete" ] || skip "no Apache Avro jars in $AVRO_JARS: run 'make deps' (needs Maven Central)"
command -v javac >/dev/null 2>&1 || skip "javac is not installed (openjdk-17-jdk-headless: make deps)"

start_broker
start_demoapi --records 50
write_config
topic="$PREFIX.$STREAM"
dump="$T_WORK/values"
mkdir -p "$dump"
"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$dump/customer-event.avsc" ||
    fail "tidemark-producer schema --stream $STREAM failed"

run_producer_once
api_post "/admin/update?ids=3,30" >/dev/null || fail "admin update"
api_post "/admin/delete?ids=7" >/dev/null || fail "admin delete"
api_post "/admin/soft-delete?ids=8" >/dev/null || fail "admin soft-delete"
run_producer_once

# The reference: the downstream consumer's own decoding (it checks the
# latest state per key against the API), and each value in a file.
"$PYVENV" "$REPO/tests/integration/fixtures/downstream_consumer.py" --bootstrap "$BOOTSTRAP" \
    --topic "$topic" --schema "$dump/customer-event.avsc" --api "$API_URL" --dump "$dump" \
    >"$T_WORK/consumer.out" 2>"$T_WORK/consumer.log" || {
    cat "$T_WORK/consumer.log" >&2
    fail "the downstream consumer found differences (above)"
}
expected="$T_WORK/expected.txt"
mv "$dump/expected.txt" "$expected"
assert_eq 54 "$(wc -l <"$expected")" "events read (50 + 2 updates + 2 deletes)"
# One more value: the first, with its fingerprint's first byte changed.
first=$(ls "$dump"/*.bin | head -n1)
{ head -c 2 "$first"; printf '\x00'; tail -c +4 "$first"; } >"$dump/zz-bad-fingerprint.bin"
cp "$expected" "$T_WORK/expected.with-bad"
echo "zz-bad-fingerprint.bin REJECTED" >>"$T_WORK/expected.with-bad"

# check_output WHICH FILE - FILE equals the reference (a rejection's reason
# is the library's own: only the word REJECTED is compared).
check_output()
{
    sed 's/ REJECTED: .*/ REJECTED/' "$2" >"$2.cmp"
    if ! cmp -s "$T_WORK/expected.with-bad" "$2.cmp"; then
        diff "$T_WORK/expected.with-bad" "$2.cmp" | head -n 10 >&2
        fail "the README's $1 example decodes differently from the downstream consumer (< consumer, > README)"
    fi
    log "README $1 example: $(wc -l <"$expected") events as the consumer decoded them; $(grep REJECTED "$2")"
}

# ---- Python, in the venv (fastavro)
"$PYVENV" "$REPO/tests/integration/fixtures/readme_decode.py" "$REPO/README.md" "$dump" \
    >"$T_WORK/python.out" 2>"$T_WORK/python.log" || {
    cat "$T_WORK/python.log" >&2
    fail "the README's Python example did not run"
}
check_output Python "$T_WORK/python.out"

# ---- Java (org.apache.avro from Maven Central): the ```java block of the
# section, its import lines at the top of the harness, the rest in its method.
block="$T_WORK/readme.java"
awk '/^### Decoding a change event/ { s = 1; next }
     s && /^##/ { exit }
     s && /^```java$/ { j = 1; n++; next }
     j && /^```$/ { j = 0; next }
     j { print }
     END { if (n != 1) exit 1 }' "$REPO/README.md" >"$block" ||
    fail "want exactly one \`\`\`java block in the README's section 'Decoding a change event'"
src="$T_WORK/java/ReadmeDecode.java"
mkdir -p "$T_WORK/java/classes"
awk -v imports="$(grep '^import ' "$block")" -v stmts="$(grep -v '^import ' "$block" | sed 's/^/        /')" '
    $0 == "@IMPORTS@" { print imports; next }
    $0 == "@STATEMENTS@" { print stmts; next }
    { print }' "$REPO/tests/consumers/java/ReadmeDecode.java.in" >"$src"
javac -nowarn -cp "$AVRO_JARS/*" -d "$T_WORK/java/classes" "$src" 2>"$T_WORK/javac.log" || {
    cat "$T_WORK/javac.log" >&2
    fail "the README's Java example does not compile against $(basename "$(ls "$AVRO_JARS"/avro-1*.jar)") (harness: $src)"
}
(cd "$dump" && java -XX:TieredStopAtLevel=1 -cp "$T_WORK/java/classes:$AVRO_JARS/*" ReadmeDecode .) \
    >"$T_WORK/java.out" 2>"$T_WORK/java.log" || {
    tail -n 20 "$T_WORK/java.log" >&2
    fail "the README's Java example failed"
}
check_output Java "$T_WORK/java.out"
log "ok"
