#!/usr/bin/env python3
"""log_lines.py - checks that every line of tidemark's logs is one that a
strict log shipper reads, as README says ("Either way a line is UTF-8").

    log_lines.py logfmt FILE...
    log_lines.py json FILE...

logfmt: each line is UTF-8, starts with ts=, holds no raw ESC or CR, and
is a run of key or key=value pairs as go-logfmt (Grafana Loki's decoder)
takes them: a value holding '=' or '"' (a URL's query, a quoted name) is
in double quotes, with '"' and '\\' escaped there.
json: each line is UTF-8 and one JSON object with ts and msg.

The "---- start" lines lib.sh's start_worker writes are skipped. Prints
each bad line (its number and start) and exits 1 if there is one.
"""
import json
import re
import sys

PAIR = r'[^\s="]+(?:=(?:"(?:[^"\\]|\\.)*"|[^\s"=\\]+))?'
LOGFMT_LINE = re.compile(r'^%s(?: %s)*$' % (PAIR, PAIR))


def bad_logfmt(s):
    return (not LOGFMT_LINE.match(s) or not s.startswith("ts=") or "\x1b" in s
            or "\r" in s)


def bad_json(s):
    try:
        o = json.loads(s)
    except ValueError as e:
        return str(e)
    return not (isinstance(o, dict) and "ts" in o and "msg" in o)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("logfmt", "json"):
        sys.exit(__doc__)
    check = bad_logfmt if sys.argv[1] == "logfmt" else bad_json
    bad = 0
    for path in sys.argv[2:]:
        lines = 0
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                if raw.startswith(b"---- start"):
                    continue
                lines += 1
                try:
                    s = raw.decode("utf-8").rstrip("\n")
                except UnicodeDecodeError:
                    bad += 1
                    print("%s:%d: not UTF-8: %r" % (path, n, raw[:300]))
                    continue
                why = check(s)
                if why:
                    bad += 1
                    print("%s:%d: not %s%s: %r" % (path, n, sys.argv[1],
                                                   " (%s)" % why if why is not True else "",
                                                   s[:300]))
        if lines == 0:
            bad += 1
            print("%s: no lines" % path)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
