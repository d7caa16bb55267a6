#!/usr/bin/env python3
"""fake_registry.py - a Confluent Schema Registry for tidemark's tests.

The subset of the Schema Registry REST API that tidemark and a downstream
consumer (confluent-kafka's SchemaRegistryClient) use, with the real
registry's semantics, so that the producer's registration and the
worker's lookups are tested against the answers a real registry gives:

  POST /subjects/{subject}/versions     register {"schema": "..."} -> {"id": N}
  POST /subjects/{subject}              look up a schema -> subject, version, id, schema
  GET  /schemas/ids/{id}                -> {"schema": "..."}
  GET  /subjects                        -> ["subject", ...]
  GET  /subjects/{subject}/versions     -> [1, 2, ...]
  GET  /subjects/{subject}/versions/{version|latest}
  GET|PUT /config[/{subject}]           {"compatibility": "BACKWARD"|"NONE"|...}

Semantics kept from the real registry:
  - an id is global and stable per schema: the same schema (compared
    parsed, whitespace ignored) gets the same id under every subject, and
    registering it again returns it without a new version;
  - under BACKWARD compatibility (the default, as in the real registry) a
    schema that cannot read data written with the subject's latest
    version is refused with 409 and error_code 409; FORWARD and FULL
    check the other way and both ways; NONE checks nothing. The check is
    Avro schema resolution: fields by name (or alias), a new field needs
    a default, int/long/float promote, enum symbols, unions, named types;
  - a schema that is not Avro JSON: 422, error_code 42201;
  - an unknown id: 404, error_code 40403; an unknown subject: 404, 40401;
    an id that is not a Java int (4294967295): 404, error_code 404, as
    Jersey answers a path parameter it cannot convert;
    an unknown version: 404, 40402;
  - errors are {"error_code": N, "message": "..."}, content type
    application/vnd.schemaregistry.v1+json.

Options:
  --basic-auth USER:SECRET   every API request needs HTTP Basic with it
                             (401, error_code 401, otherwise)
  --first-id N               the first id given (default 1); a large one
                             shows the id's byte order on the wire
  --url-file F, --log F      as tests/hostileapi/hostile_api.py: the base
                             URL, and one JSON line per request (method,
                             path, content_type, auth (whether Basic
                             matched), status)

Faults, injected through /admin (no auth needed; each answers JSON):
  POST /admin/fail?status=S&count=N    the next N API requests answer S
                                       (default 500) with an error body
  POST /admin/slow?seconds=S&count=N   the next N API requests wait S s
  POST /admin/clear                    no more faults
  GET  /admin/stats                    {"requests": N, "registered": N,
                                        "schemas": N, "failed": N}

Prints the base URL on its first stdout line. Binds 127.0.0.1 on a free
port. Stops on SIGTERM. A test fixture: never part of the shipped programs.
"""
import argparse
import base64
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time
import urllib.parse

CT = "application/vnd.schemaregistry.v1+json"
ACCEPTED_CT = ("application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json",
               "application/json", "application/octet-stream")
PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
PROMOTIONS = {("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"),
              ("long", "double"), ("float", "double"), ("string", "bytes"), ("bytes", "string")}


class RegistryError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# ------------------------------------------------------------- Avro schemas

def _fullname(name, namespace):
    if "." in name or not namespace:
        return name
    return namespace + "." + name


def normalize(schema, names, namespace=""):
    """Schema JSON -> a tree of dicts with named types collected in names
    (fullname -> dict); a reference to a named type stays a string."""
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return {"type": schema}
        full = _fullname(schema, namespace)
        if full in names:
            return full
        if schema in names:
            return schema
        raise ValueError("unknown type %r" % schema)
    if isinstance(schema, list):
        return {"type": "union", "branches": [normalize(b, names, namespace) for b in schema]}
    if not isinstance(schema, dict) or "type" not in schema:
        raise ValueError("not a schema: %r" % (schema,))
    t = schema["type"]
    if isinstance(t, (dict, list)) or (isinstance(t, str) and t not in PRIMITIVES and t not in
                                       ("record", "error", "enum", "fixed", "array", "map")):
        return normalize(t, names, namespace)
    if t in PRIMITIVES:
        return {"type": t}
    if t == "array":
        return {"type": "array", "items": normalize(schema["items"], names, namespace)}
    if t == "map":
        return {"type": "map", "values": normalize(schema["values"], names, namespace)}
    name = schema.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("%s without a name" % t)
    ns = schema.get("namespace", namespace) or ""
    full = _fullname(name, ns)
    ns = full.rsplit(".", 1)[0] if "." in full else ""
    node = {"type": t, "name": full, "aliases": schema.get("aliases", [])}
    names[full] = node
    if t == "enum":
        node["symbols"] = list(schema["symbols"])
        node["default"] = schema.get("default")
    elif t == "fixed":
        node["size"] = int(schema["size"])
    else:
        if not isinstance(schema.get("fields"), list):
            raise ValueError("record %s without fields" % full)
        node["type"] = "record"
        node["fields"] = [{"name": f["name"], "aliases": f.get("aliases", []),
                           "has_default": "default" in f,
                           "type": normalize(f["type"], names, ns)} for f in schema["fields"]]
    return node


def parse_schema(text):
    try:
        doc = json.loads(text)
        names = {}
        return normalize(doc, names), names
    except (ValueError, KeyError, TypeError) as e:
        raise RegistryError(422, 42201, "Invalid schema: %s" % e)


def _short(name):
    return name.rsplit(".", 1)[-1]


def can_read(reader, writer, rnames, wnames, path="", seen=None):
    """None when data written with writer reads as reader, else the reason."""
    seen = set() if seen is None else seen
    if isinstance(reader, str):
        reader = rnames[reader]
    if isinstance(writer, str):
        writer = wnames[writer]
    key = (id(reader), id(writer))
    if key in seen:
        return None
    seen.add(key)
    rt, wt = reader["type"], writer["type"]
    if wt == "union":
        for b in writer["branches"]:
            why = can_read(reader, b, rnames, wnames, path, seen)
            if why:
                return why
        return None
    if rt == "union":
        for b in reader["branches"]:
            if can_read(b, writer, rnames, wnames, path, set(seen)) is None:
                return None
        return "%s: reader union lacks writer type %s" % (path or "/", wt)
    if rt != wt:
        if (wt, rt) in PROMOTIONS:
            return None
        return "%s: type %s cannot be read as %s" % (path or "/", wt, rt)
    if rt in PRIMITIVES:
        return None
    if rt == "array":
        return can_read(reader["items"], writer["items"], rnames, wnames, path + "/items", seen)
    if rt == "map":
        return can_read(reader["values"], writer["values"], rnames, wnames, path + "/values",
                        seen)
    if _short(reader["name"]) != _short(writer["name"]) and \
            writer["name"] not in reader["aliases"] and _short(writer["name"]) not in reader["aliases"]:
        return "%s: name %s is not %s" % (path or "/", writer["name"], reader["name"])
    if rt == "fixed":
        return None if reader["size"] == writer["size"] else "%s: fixed size" % path
    if rt == "enum":
        missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if missing and reader.get("default") is None:
            return "%s: enum lacks symbols %s" % (path or "/", ",".join(missing))
        return None
    wfields = {f["name"]: f for f in writer["fields"]}
    for rf in reader["fields"]:
        wf = wfields.get(rf["name"])
        if wf is None:
            wf = next((wfields[a] for a in rf["aliases"] if a in wfields), None)
        fpath = "%s/%s" % (path, rf["name"])
        if wf is None:
            if not rf["has_default"]:
                return "%s: new field without a default" % fpath
            continue
        why = can_read(rf["type"], wf["type"], rnames, wnames, fpath, seen)
        if why:
            return why
    return None


# ------------------------------------------------------------- the registry

class Registry:
    def __init__(self, first_id):
        self.lock = threading.Lock()
        self.next_id = first_id
        self.by_id = {}        # id -> schema text (as first registered)
        self.id_of = {}        # canonical -> id
        self.subjects = {}     # subject -> [id, ...] (version = index + 1)
        self.config = {"": "BACKWARD"}
        self.registered = 0

    @staticmethod
    def canonical(text):
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))

    def compatibility(self, subject):
        return self.config.get(subject, self.config[""])

    def check(self, subject, text):
        level = self.compatibility(subject)
        versions = self.subjects.get(subject, [])
        if level == "NONE" or not versions:
            return
        new, new_names = parse_schema(text)
        todo = versions if level.endswith("_TRANSITIVE") else versions[-1:]
        for vid in todo:
            old, old_names = parse_schema(self.by_id[vid])
            why = None
            if level.startswith(("BACKWARD", "FULL")):
                why = can_read(new, old, new_names, old_names)
            if why is None and level.startswith(("FORWARD", "FULL")):
                why = can_read(old, new, old_names, new_names)
            if why:
                raise RegistryError(
                    409, 409, "Schema being registered is incompatible with an earlier schema "
                    "for subject \"%s\", details: [%s (compatibility %s)]" % (subject, why, level))

    def register(self, subject, text):
        parse_schema(text)
        canon = self.canonical(text)
        with self.lock:
            known = self.id_of.get(canon)
            if known is not None and known in self.subjects.get(subject, []):
                return known
            self.check(subject, text)
            if known is None:
                known = self.next_id
                self.next_id += 1
                self.id_of[canon] = known
                self.by_id[known] = text
            self.subjects.setdefault(subject, []).append(known)
            self.registered += 1
            return known

    def lookup(self, subject, text):
        parse_schema(text)
        canon = self.canonical(text)
        with self.lock:
            if subject not in self.subjects:
                raise RegistryError(404, 40401, "Subject '%s' not found." % subject)
            sid = self.id_of.get(canon)
            if sid is None or sid not in self.subjects[subject]:
                raise RegistryError(404, 40403, "Schema not found")
            return self.version_body(subject, self.subjects[subject].index(sid) + 1)

    def schema(self, sid):
        with self.lock:
            if sid not in self.by_id:
                raise RegistryError(404, 40403, "Schema %d not found" % sid)
            return self.by_id[sid]

    def versions(self, subject):
        with self.lock:
            if subject not in self.subjects:
                raise RegistryError(404, 40401, "Subject '%s' not found." % subject)
            return list(range(1, len(self.subjects[subject]) + 1))

    def version_body(self, subject, version):
        ids = self.subjects.get(subject)
        if ids is None:
            raise RegistryError(404, 40401, "Subject '%s' not found." % subject)
        if version == "latest":
            version = len(ids)
        try:
            version = int(version)
        except ValueError:
            raise RegistryError(422, 42202, "The specified version is not a valid version id.")
        if not 1 <= version <= len(ids):
            raise RegistryError(404, 40402, "Version %d not found." % version)
        sid = ids[version - 1]
        return {"subject": subject, "version": version, "id": sid, "schema": self.by_id[sid]}


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.fail_status, self.fail_count = 500, 0
        self.slow_seconds, self.slow_count = 0.0, 0
        self.failed = 0

    def take(self):
        """(status to fail with or None, seconds to wait) for one request."""
        with self.lock:
            wait = 0.0
            if self.slow_count > 0:
                self.slow_count -= 1
                wait = self.slow_seconds
            if self.fail_count > 0:
                self.fail_count -= 1
                self.failed += 1
                return self.fail_status, wait
            return None, wait


# ------------------------------------------------------------- HTTP

def make_handler(reg, faults, basic_auth, logf, counters):
    expected_auth = None
    if basic_auth:
        expected_auth = "Basic " + base64.b64encode(basic_auth.encode()).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def send_json(self, status, doc, ctype=CT):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_request_line(self, status, auth_ok):
            if not logf:
                return
            line = {"method": self.command, "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "accept": self.headers.get("Accept"), "auth": auth_ok, "status": status,
                    "t": time.time()}
            with counters["lock"]:
                with open(logf, "a") as f:
                    f.write(json.dumps(line) + "\n")

        def body_text(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n).decode("utf-8", "replace") if n > 0 else ""

        def admin(self, path, query):
            q = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
            with faults.lock:
                if path == "/admin/fail" and self.command == "POST":
                    faults.fail_status = int(q.get("status", 500))
                    faults.fail_count = int(q.get("count", 1))
                elif path == "/admin/slow" and self.command == "POST":
                    faults.slow_seconds = float(q.get("seconds", 5))
                    faults.slow_count = int(q.get("count", 1))
                elif path == "/admin/clear" and self.command == "POST":
                    faults.fail_count = faults.slow_count = 0
                elif path == "/admin/stats":
                    pass
                else:
                    return self.send_json(404, {"error_code": 404, "message": "no such admin"},
                                          "application/json")
                failed = faults.failed
            with reg.lock:
                stats = {"requests": counters["requests"], "registered": reg.registered,
                         "schemas": len(reg.by_id), "failed": failed}
            self.send_json(200, stats, "application/json")

        def api(self, path, body):
            parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
            cmd = self.command
            if cmd == "POST":
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                if ctype not in ACCEPTED_CT:
                    raise RegistryError(415, 415, "Unsupported Media Type %r" % ctype)
                try:
                    doc = json.loads(body)
                    text = doc["schema"]
                    if not isinstance(text, str):
                        raise TypeError("schema is not a string")
                except (ValueError, KeyError, TypeError) as e:
                    raise RegistryError(422, 42201, "Invalid schema: %s" % e)
                if doc.get("schemaType", "AVRO") != "AVRO":
                    raise RegistryError(422, 42201, "Only AVRO schemas here")
                if len(parts) == 3 and parts[0] == "subjects" and parts[2] == "versions":
                    return 200, {"id": reg.register(parts[1], text)}
                if len(parts) == 2 and parts[0] == "subjects":
                    return 200, reg.lookup(parts[1], text)
            elif cmd == "GET":
                if len(parts) == 3 and parts[:2] == ["schemas", "ids"]:
                    try:
                        sid = int(parts[2])
                    except ValueError:
                        sid = None
                    if sid is None or not -2**31 <= sid < 2**31:
                        # the real registry's id is a Java Integer path
                        # parameter: Jersey answers a plain 404, not 40403
                        raise RegistryError(404, 404, "HTTP 404 Not Found")
                    return 200, {"schema": reg.schema(sid)}
                if parts == ["subjects"]:
                    with reg.lock:
                        return 200, sorted(reg.subjects)
                if len(parts) == 3 and parts[0] == "subjects" and parts[2] == "versions":
                    return 200, reg.versions(parts[1])
                if len(parts) == 4 and parts[0] == "subjects" and parts[2] == "versions":
                    with reg.lock:
                        return 200, reg.version_body(parts[1], parts[3])
                if parts[0] == "config" and len(parts) <= 2:
                    with reg.lock:
                        return 200, {"compatibilityLevel": reg.compatibility(
                            parts[1] if len(parts) == 2 else "")}
            elif cmd == "PUT" and parts[0] == "config" and len(parts) <= 2:
                try:
                    level = json.loads(body)["compatibility"]
                except (ValueError, KeyError, TypeError):
                    raise RegistryError(422, 42203, "Invalid compatibility level")
                with reg.lock:
                    reg.config[parts[1] if len(parts) == 2 else ""] = level
                return 200, {"compatibility": level}
            raise RegistryError(404, 404, "HTTP 404 Not Found")

        def serve(self):
            url = urllib.parse.urlsplit(self.path)
            body = self.body_text()
            if url.path.startswith("/admin/"):
                return self.admin(url.path, url.query)
            with counters["lock"]:
                counters["requests"] += 1
            status, wait = faults.take()
            if wait:
                time.sleep(wait)
            auth_ok = expected_auth is None or self.headers.get("Authorization") == expected_auth
            if status is not None:
                self.log_request_line(status, auth_ok)
                return self.send_json(status, {"error_code": status * 100 if status < 1000 else
                                               status, "message": "injected failure"})
            if not auth_ok:
                self.log_request_line(401, False)
                return self.send_json(401, {"error_code": 401, "message": "Unauthorized"})
            try:
                status, doc = self.api(url.path, body)
            except RegistryError as e:
                status, doc = e.status, {"error_code": e.code, "message": e.message}
            self.log_request_line(status, auth_ok)
            self.send_json(status, doc)

        do_GET = do_POST = do_PUT = serve

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--basic-auth")
    ap.add_argument("--first-id", type=int, default=1)
    ap.add_argument("--url-file")
    ap.add_argument("--log")
    args = ap.parse_args()
    reg, faults = Registry(args.first_id), Faults()
    counters = {"lock": threading.Lock(), "requests": 0}
    srv = Server(("127.0.0.1", 0), make_handler(reg, faults, args.basic_auth, args.log, counters))
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    print(base, flush=True)
    if args.url_file:
        tmp = args.url_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(base + "\n")
        os.rename(tmp, args.url_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
