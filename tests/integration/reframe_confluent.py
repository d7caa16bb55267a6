#!/usr/bin/env python3
"""reframe_confluent.py - turns single-object-encoded messages into the
Confluent wire format, as a producer with a Schema Registry writes them,
so that a scenario can put the same events on a topic in either framing.

    kcat -C ... -f '%p:%K:%S:%k%s' | reframe_confluent.py ID OUTDIR

Reads kcat's output in that format (partition, key length, value length,
key, value) and writes, for the N-th message, OUTDIR/N.part (the
partition), OUTDIR/N.key and OUTDIR/N.val: a value that starts with a
single-object header (C3 01 + 8-byte fingerprint) gets 00 and the 4-byte
big-endian registry id ID in its place; any other value is copied as is.
Prints the number of messages. Standard library only.
"""
import os
import sys


def read_int(data, pos):
    end = data.index(b":", pos)
    return int(data[pos:end]), end + 1


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    header = b"\x00" + int(sys.argv[1]).to_bytes(4, "big")
    out = sys.argv[2]
    data = sys.stdin.buffer.read()
    pos = n = 0
    while pos < len(data):
        part, pos = read_int(data, pos)
        klen, pos = read_int(data, pos)
        vlen, pos = read_int(data, pos)
        key = data[pos:pos + max(klen, 0)]
        pos += max(klen, 0)
        value = data[pos:pos + max(vlen, 0)]
        pos += max(vlen, 0)
        if value[:2] == b"\xc3\x01" and len(value) >= 10:
            value = header + value[10:]
        for ext, content in (("part", str(part).encode()), ("key", key), ("val", value)):
            with open(os.path.join(out, "%d.%s" % (n, ext)), "wb") as f:
                f.write(content)
        n += 1
    print(n)


if __name__ == "__main__":
    main()
