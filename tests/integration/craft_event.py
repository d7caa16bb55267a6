#!/usr/bin/env python3
"""craft_event.py - writes one Customer change event (schemas/customer.avsc)
in Avro single-object encoding, with whatever content a scenario wants,
valid or not, so that integration scenarios can put poison on a topic with
kcat.

    craft_event.py HEADER OUT SPEC_JSON [N]

HEADER is a file whose first 10 bytes are the single-object header (C3 01
and the schema's 8-byte fingerprint): cut from a real event on the topic;
or whose first 5 bytes are a Confluent wire format header (00 and the
4-byte big-endian Schema Registry id).
SPEC_JSON describes the event; every member is optional:

    {"op": "UPSERT" | "DELETE" | <enum index>,
     "id": "42", "source_ts": <ms>, "run_id": "...", "full_sync": false,
     "produced_at": <ms>,
     "after": null | {"id": 42, "name": ..., "email": ..., "country": ...,
                      "balance": "12.34" | {"unscaled": <int>},
                      "tier": "gold" | <index>, "phone": null | ...,
                      "signup_date": null | <days>, "is_deleted": false,
                      "last_modified": <ms>},
     "append_hex": "00ff", "truncate": <bytes to keep>,
     "omit_fields": ["phone"]}

"omit_fields" leaves those fields of the Customer record out of the
encoding, as an older version of the schema without them wrote it.

A string value may be a plain string (UTF-8), {"hex": "00ff"} for raw
bytes, or {"repeat": "x", "count": 1000000}. "after" defaults to a record
derived from id; a delete has none unless given. With N, writes N events
OUT.0 .. OUT.<N-1> whose id (and after.id) are id, id + 1, ... Standard
library only.
"""
import json
import sys

TIERS = {"bronze": 0, "silver": 1, "gold": 2}


def zigzag(n):
    n = (n << 1) ^ (n >> 63)
    n &= (1 << 64) - 1
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def raw(v):
    if isinstance(v, dict) and "hex" in v:
        return bytes.fromhex(v["hex"])
    if isinstance(v, dict) and "repeat" in v:
        return (v["repeat"] * v["count"]).encode()
    return str(v).encode()


def string(v):
    b = raw(v)
    return zigzag(len(b)) + b


def decimal(v, scale=2):
    if isinstance(v, dict):
        u = v["unscaled"]
    else:
        whole, _, frac = str(v).partition(".")
        frac = (frac + "0" * scale)[:scale]
        u = int(whole + frac) if not whole.startswith("-") else -int(whole[1:] + frac)
    n = 1
    while not -(1 << (8 * n - 1)) <= u < (1 << (8 * n - 1)):
        n += 1
    b = u.to_bytes(n, "big", signed=True)
    return zigzag(len(b)) + b


def nullable(v, enc):
    return zigzag(0) if v is None else zigzag(1) + enc(v)


def customer(a, id_, omit=()):
    r = {"id": int(id_) if str(id_).strip().lstrip("+-").isdigit() else 0,
         "name": "crafted", "email": "crafted@example.com", "country": "DE",
         "balance": "1.00", "tier": "bronze", "phone": None,
         "signup_date": None, "is_deleted": False,
         "last_modified": 1767225600000}
    r.update(a)
    tier = r["tier"] if isinstance(r["tier"], int) else TIERS[r["tier"]]
    fields = [("id", lambda: zigzag(int(r["id"]))), ("name", lambda: string(r["name"])),
              ("email", lambda: string(r["email"])), ("country", lambda: string(r["country"])),
              ("balance", lambda: decimal(r["balance"])), ("tier", lambda: zigzag(tier)),
              ("phone", lambda: nullable(r["phone"], string)),
              ("signup_date", lambda: nullable(r["signup_date"], lambda d: zigzag(int(d)))),
              ("is_deleted", lambda: bytes([1 if r["is_deleted"] else 0])),
              ("last_modified", lambda: zigzag(int(r["last_modified"])))]
    return b"".join(enc() for name, enc in fields if name not in omit)


def encode(header, spec):
    op = spec.get("op", "UPSERT")
    op = {"UPSERT": 0, "DELETE": 1}.get(op, op)
    id_ = spec.get("id", "1")
    after = spec.get("after", {} if op == 0 else None)
    body = (zigzag(op) + string(id_) + zigzag(int(spec.get("source_ts", 1767225600000))) +
            string(spec.get("run_id", "crafted-run")) +
            bytes([1 if spec.get("full_sync") else 0]) +
            zigzag(int(spec.get("produced_at", 1767225600000))) +
            (zigzag(0) if after is None else
             zigzag(1) + customer(after, id_, spec.get("omit_fields", ()))))
    out = header + body + bytes.fromhex(spec.get("append_hex", ""))
    if "truncate" in spec:
        out = out[:spec["truncate"]]
    return out


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    header = open(sys.argv[1], "rb").read()[:10]
    if header[:1] == b"\x00" and len(header) >= 5:
        header = header[:5]
    elif len(header) != 10 or header[:2] != b"\xc3\x01":
        sys.exit("craft_event.py: HEADER does not start with a single-object or Confluent header")
    spec = json.loads(sys.argv[3])
    if len(sys.argv) == 4:
        with open(sys.argv[2], "wb") as f:
            f.write(encode(header, spec))
        return
    first = int(spec.get("id", "1"))
    for i in range(int(sys.argv[4])):
        one = dict(spec, id=str(first + i))
        if isinstance(one.get("after"), dict):
            one["after"] = dict(one["after"], id=first + i)
        with open("%s.%d" % (sys.argv[2], i), "wb") as f:
            f.write(encode(header, one))


if __name__ == "__main__":
    main()
