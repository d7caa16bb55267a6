#!/usr/bin/env python3
"""hostile_api.py - a scripted HTTP source for tidemark's integration tests.

The demo API (tests/demoapi) is a well-behaved REST API with a few fault
switches. Real APIs misbehave in ways that are easier to script than to
grow into C: odd Link headers, redirects to another origin, 429 with
Retry-After, bytes that are not UTF-8, endless cursors, gzip bombs. This
server answers every request by calling handle(req) from a scenario's own
handler file, so each scenario states its API's behaviour next to its
assertions.

    hostile_api.py --handler FILE.py [--url-file F] [--log F]

The handler file defines

    def handle(req):            # -> (status, headers, body)
        ...

req has: method, path, query (dict name -> first value), raw_query,
headers (dict, lower-case names), n (1-based count of requests to this
path), base (this server's "http://127.0.0.1:PORT"), state (a dict the
handler may keep anything in; calls are serialised by one lock).
headers is a list of (name, value) pairs (a name may repeat); body is
bytes or str (str is UTF-8 encoded). The handler may also define
init(state, argv) which receives the arguments after "--".

The handler's namespace also holds customer(id, last_modified, **fields)
(a record of schemas/customer.avsc), gold_customer(i) (record i of the
multi-stream scenarios), raw_customer(id, name) and raw_page(req,
headers, records) (a one-page API of records as bytes, for charsets),
encoded_page(req, headers, codec, records) (page_of's body encoded in
codec), after_time_page(req, records) (a
page of an API filtering `>` on each record's datetime "t"), page_of(req,
records, ...) (the
demo API's filtering and paging over a list of records, or another
order's, or another filter's), iso_ms(t) (epoch seconds as the cursors'
ISO-8601 text, in ms), Items (the records of the items fixture schema
and a deleted list kept in step), padded_item(i, pad) (record i of that
schema, its name padded: pages large enough for a guessed request) and flag(name) (whether the scenario
created the file name next to the handler file: how a test tells its API
to change behaviour), so that a handler only writes what its API does
differently.

Every request is appended to --log as one JSON line (method, path, query,
headers, status) before it is answered, so a test can assert what the
client sent (which headers went to which origin, how many requests, when).

Prints the base URL on its first stdout line; writes it to --url-file
(atomically) when given. Binds 127.0.0.1 on a free port. Stops on SIGTERM.
A test fixture: never part of the shipped programs.
"""
import argparse
import datetime
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time
import urllib.parse


def customer(id, last_modified, **fields):
    """A record of schemas/customer.avsc, as the demo API renders one."""
    rec = {"id": id, "name": "Customer %s" % id, "email": "c%s@example.com" % id,
           "country": "DE", "balance": "10.00", "tier": "bronze", "phone": None,
           "signup_date": None, "is_deleted": False, "last_modified": last_modified}
    rec.update(fields)
    return rec


def gold_customer(i):
    """Record i (1..59) of the multi-stream scenarios: its cursor second i
    of 2026-01-01, balance i.50, tier gold."""
    return customer(i, "2026-01-01T00:00:%02d.000Z" % i, balance="%d.50" % i, tier="gold",
                    signup_date="2024-01-01")


def padded_item(i, pad):
    """Record i of the items fixture schema, its name padded with pad bytes:
    pages large enough for the producer to guess the next request (256 KiB
    and more)."""
    return {"id": i, "name": "item %d %s" % (i, "x" * pad),
            "updated_at": "2026-01-01T00:00:00.%03dZ" % (i % 1000)}


def raw_customer(id, name, last_modified=b"2026-03-01T10:00:00.000Z"):
    """A record of customer(), as bytes with name's bytes as they are
    (bytes: a charset's, or ones that are not UTF-8)."""
    return (b'{"id":' + str(id).encode() + b',"name":"' + name +
            b'","email":"x@example.com","country":"DE","balance":"10.00","tier":"gold",'
            b'"phone":null,"signup_date":null,"is_deleted":false,"last_modified":"' +
            last_modified + b'"}')


def raw_page(req, headers, records):
    """(status, headers, body) of an API whose first page holds records
    (bytes, raw_customer's) under "data", with headers; its later pages
    and its deleted endpoint are empty."""
    if req.path.endswith("/deleted") or req.query.get("page", "1") != "1":
        return 200, headers, b'{"data":[]}'
    return 200, headers, b'{"data":[' + b",".join(records) + b']}'


def encoded_page(req, headers, codec, records):
    """page_of(req, records) and the deleted endpoint's empty list, each
    body encoded with codec ("utf-16", "utf-16-le"), with headers."""
    if req.path.endswith("/deleted"):
        return 200, headers, '{"data":[]}'.encode(codec)
    status, _, body = page_of(req, records)
    return status, headers, body.encode(codec)


def iso_ms(t):
    """Epoch seconds as ISO-8601 UTC with milliseconds, as cursors are."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def page_of(req, records, cursor_field="last_modified", cursor_param="modified_since",
            page_param="page", size_param="per_page", max_page=1000, records_path="data",
            by_id=False, after=False):
    """(status, headers, body) of one page: records with cursor >= the
    parameter (ISO text of one format compares as text; > with after, as
    an updated_after API filters), in (cursor, id) order (by id alone with
    by_id: an API's own order), paged by page number and size (capped at
    max_page)."""
    since = req.query.get(cursor_param)
    rows = [r for r in records
            if since is None or r[cursor_field] > since or (not after and r[cursor_field] == since)]
    rows.sort(key=(lambda r: r["id"]) if by_id else (lambda r: (r[cursor_field], str(r.get("id")))))
    page = int(req.query.get(page_param, "1"))
    size = min(int(req.query.get(size_param, "100")), max_page)
    chunk = rows[(page - 1) * size:page * size]
    body = json.dumps(chunk) if not records_path else json.dumps({records_path: chunk})
    return 200, [], body


def after_time_page(req, records, size=3):
    """(the records, the body) of one page of an API that keeps each
    record's time as a datetime in its "t" (microseconds and all, not
    served) and filters `t > since` on the parsed parameter
    (updated_after), in (t, id) order, paged by page number."""
    since = req.query.get("modified_since")
    s = datetime.datetime.fromisoformat(since) if since else None
    rows = sorted((r for r in records if s is None or r["t"] > s), key=lambda r: (r["t"], r["id"]))
    page = int(req.query.get("page", "1"))
    chunk = rows[(page - 1) * size:page * size]
    return chunk, json.dumps({"data": [{k: v for k, v in r.items() if k != "t"} for r in chunk]})


def _item_id(item):
    return item["id"] if isinstance(item, dict) else item


class Items:
    """The records of tests/integration/fixtures/item.avsc (id, name,
    updated_at), records 1..n changed a minute apart from base (three days
    ago by default), and a deleted endpoint's list kept in step with them:
    what the deleted endpoint's scenarios share, so that a handler only
    says when records go and come back and how its pages misbehave."""

    def __init__(self, n=40, base=None):
        self.base = time.time() - 3 * 86400 if base is None else base
        self.recs = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(self.base + i * 60)}
                     for i in range(1, n + 1)}
        self.deleted = []

    def delete(self, i, deleted_at=None):
        """Record i leaves the records and is listed as deleted (last),
        at deleted_at (ISO text), or as a bare id when it is None."""
        self.recs.pop(i, None)
        self.deleted = [d for d in self.deleted if _item_id(d) != i]
        self.deleted.append(i if deleted_at is None else {"id": i, "deleted_at": deleted_at})

    def restore(self, i):
        """Record i is back ("restored i", changed a minute ago) and off
        the deleted list."""
        self.deleted = [d for d in self.deleted if _item_id(d) != i]
        self.recs[i] = {"id": i, "name": "restored %d" % i, "updated_at": iso_ms(time.time() - 60)}

    def records_page(self, req, **kw):
        """GET /items as page_of() pages it (kw: its options)."""
        if req.path != "/items":
            return 404, [], '{"error": "no such resource"}'
        return page_of(req, list(self.recs.values()), cursor_field="updated_at", **kw)

    def deleted_page(self, req, **kw):
        """GET /items/deleted: filtered by since on deleted_at, as
        page_of() pages it; bare ids are paged by number alone."""
        if any(not isinstance(d, dict) for d in self.deleted):
            page = int(req.query.get("page", "1"))
            size = min(int(req.query.get("per_page", "100")), kw.get("max_page", 1000))
            return 200, [], json.dumps({"data": self.deleted[(page - 1) * size:page * size]})
        return page_of(req, self.deleted, cursor_field="deleted_at", cursor_param="since", **kw)


class Request:
    def __init__(self, handler, n, base, state):
        parsed = urllib.parse.urlsplit(handler.path)
        self.method = handler.command
        self.path = parsed.path
        self.raw_query = parsed.query
        self.query = {k: v[0] for k, v in
                      urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self.n = n
        self.base = base
        self.state = state


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_handler(module, log_path, lock, counts, state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet: the JSON log says it all
            pass

        def answer(self):
            base = "http://127.0.0.1:%d" % self.server.server_address[1]
            with lock:
                path = urllib.parse.urlsplit(self.path).path
                counts[path] = counts.get(path, 0) + 1
                req = Request(self, counts[path], base, state)
                try:
                    status, headers, body = module.handle(req)
                except Exception as e:  # a handler bug must show, not hang
                    status, headers, body = 500, [], "handler error: %r" % e
                if isinstance(body, str):
                    body = body.encode()
                if log_path:
                    with open(log_path, "a") as f:
                        f.write(json.dumps({"t": time.time(), "method": req.method,
                                            "path": req.path, "query": req.query,
                                            "headers": req.headers,
                                            "status": status}) + "\n")
            self.send_response(status)
            names = {h[0].lower() for h in headers}
            for name, value in headers:
                self.send_header(name, value)
            if "content-type" not in names:
                self.send_header("Content-Type", "application/json")
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        do_GET = answer
        do_HEAD = answer
        do_POST = answer

    return Handler


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description="scripted HTTP source for tests")
    ap.add_argument("--handler", required=True)
    ap.add_argument("--url-file")
    ap.add_argument("--log")
    args = ap.parse_args(argv)

    flags = os.path.dirname(os.path.abspath(args.handler))
    namespace = {"__file__": args.handler, "__name__": "hostile_handler",
                 "customer": customer, "gold_customer": gold_customer, "page_of": page_of,
                 "raw_customer": raw_customer, "raw_page": raw_page, "encoded_page": encoded_page, "json": json, "iso_ms": iso_ms,
                 "after_time_page": after_time_page, "padded_item": padded_item,
                 "Items": Items,
                 "flag": lambda name: os.path.exists(os.path.join(flags, name))}
    with open(args.handler) as f:
        exec(compile(f.read(), args.handler, "exec"), namespace)
    module = type("HandlerModule", (), {})()
    for k, v in namespace.items():
        setattr(module, k, v)
    state = {}
    if hasattr(module, "init"):
        module.init(state, extra)

    lock = threading.Lock()
    srv = Server(("127.0.0.1", 0), make_handler(module, args.log, lock, {}, state))
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    print(base, flush=True)
    if args.url_file:
        tmp = args.url_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(base + "\n")
        os.rename(tmp, args.url_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        if args.url_file:
            try:
                os.unlink(args.url_file)
            except OSError:
                pass


if __name__ == "__main__":
    main()
