"""Serve the offline mirror of the sources (seeds/mirror/<host>/) over HTTP on 127.0.0.1.

One server per host, so each site keeps its own root (robots.txt, /feed/, /rss). Pages
hold the real absolute links (https://www.syriahr.com/...); they are rewritten to the
local servers as they are served. Used by `monitor demo`, the tests and the benchmarks.

Like the real sites' servers, it answers conditional GETs (ETag, Last-Modified → 304) and
compresses with gzip when asked. A `rules.yaml` beside the host folders makes some paths
hostile (seeds/hostile/: bot walls, redirects, wrong charsets, 50 MB pages); see
`Rule` below. Tests may change rules while the mirror runs (`mirror.rules`).
"""
import gzip
import hashlib
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import UserError

HOSTS = ("www.syriahr.com", "www.almodon.com")
_TYPES = {".html": "text/html; charset=UTF-8", ".xml": "application/rss+xml; charset=UTF-8",
          ".txt": "text/plain; charset=UTF-8"}


def seeds_dir() -> Path:
    """The checkout's seeds/ folder (the demo runs from a clone, installed editable)."""
    path = Path(__file__).resolve().parent.parent / "seeds"
    if not (path / "mirror").is_dir():
        raise UserError(f"the offline mirror is missing ({path / 'mirror'})",
                        hint="run the demo from a clone of the repository (make demo)")
    return path


def resolve(root: Path, path: str) -> Path | None:
    """URL path → file, by the mirror's convention (seeds/README.md)."""
    rel = unquote(urlsplit(path).path).lstrip("/")
    if ".." in Path(rel).parts:
        return None
    target = root / rel
    candidates = [target / "index.html", target / "index.xml"] if (not rel or rel.endswith("/")) else \
        [target, target.with_name(target.name + ".html"), target.with_name(target.name + ".xml"),
         target / "index.html", target / "index.xml"]
    return next((c for c in candidates if c.is_file()), None)


class Mirror:
    """Start with `Mirror(root).start()`; `.url(host)` gives a site's local base URL.

    `requests` lists (host, path) as requested; `served` one dict per response (host,
    path, status, headers asked, Content-Encoding sent)."""

    def __init__(self, root: Path, ports: dict | None = None, hosts=None):
        self.root, self.requests = Path(root), []
        self._servers, self._ports = {}, dict(ports or {})
        self._cache: dict = {}
        self.hosts = tuple(hosts) if hosts else HOSTS + tuple(
            sorted(p.name for p in self.root.iterdir() if p.is_dir() and "." in p.name and p.name not in HOSTS))
        self.rules = load_rules(self.root / "rules.yaml")
        self.served: list[dict] = []

    def start(self) -> "Mirror":
        for host in self.hosts:
            if not (self.root / host).is_dir():
                continue
            server = self._bind(host)
            self._servers[host] = server
            # A short poll: stop() waits one poll per server, and the hostile mirror has ten.
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def _bind(self, host):
        handler = type("Handler", (_Handler,), {"mirror": self, "host": host})
        port = self._ports.get(host, 0)
        try:
            return _Server(("127.0.0.1", port), handler)
        except OSError:
            return _Server(("127.0.0.1", 0), handler)   # the old port is taken

    def port(self, host: str) -> int:
        return self._servers[host].server_address[1]

    def url(self, host: str) -> str:
        return f"http://127.0.0.1:{self.port(host)}/"

    def rewrite(self, body: bytes) -> bytes:
        for host in self._servers:
            local = self.url(host).rstrip("/").encode()
            body = body.replace(f"https://{host}".encode(), local).replace(f"http://{host}".encode(), local)
        return body

    def rule(self, host: str, path: str) -> dict | None:
        """The rule for a request path (exact path with its query, then without it)."""
        rules = self.rules.get(host) or {}
        return rules.get(path) or rules.get(urlsplit(path).path)

    def gzipped(self, body: bytes) -> bytes:
        key = ("gzip", hashlib.sha1(body).digest())
        if key not in self._cache:
            self._cache[key] = gzip.compress(body, compresslevel=6, mtime=0)
        return self._cache[key]

    def body(self, file: Path) -> bytes:
        """A file as served: links rewritten, cached until the file changes."""
        key = (file, file.stat().st_mtime_ns)
        if key not in self._cache:
            self._cache[key] = self.rewrite(file.read_bytes())
        return self._cache[key]

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def load_rules(path: Path) -> dict:
    """rules.yaml: {host: {path: rule}}. A rule may set
    status: 403             the status code (default 200, or 301 with `location`)
    location: /new/path     a redirect target (relative to the host, or absolute)
    headers: {K: V}         extra or replacing headers (Content-Type: a wrong charset…)
    body: "<html>…"         the body, instead of the file the path maps to
    file: other/file.html   serve this file (relative to the host folder) instead
    size: 52428800          a generated body of this many bytes (never committed)
    length: false           no Content-Length: the body ends when the connection closes
    gzip: true              send gzip-compressed even if the file is generated
    delay: 2.5              wait this many seconds before answering (a slow server)
    """
    if not path.is_file():
        return {}
    import yaml
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


_FILLER = (b"<p>" + "حشو لا معنى له لصفحة عملاقة. ".encode() * 40 + b"</p>\n") * 16


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a crawl opening 16 connections at once had
    # the rest of its SYNs dropped, and the kernel retries them only after a second (every
    # crawl of the mirror stalled 1 s at its start). Real sites accept them at once.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    mirror: Mirror
    host: str
    protocol_version = "HTTP/1.1"    # keep-alive, as real sites: one connection, many pages
    # Headers and body go out in two writes: with Nagle's algorithm the body waited for the
    # client's delayed ACK of the headers, 40 ms per response on a kept-alive connection.
    disable_nagle_algorithm = True

    def do_GET(self):
        self.mirror.requests.append((self.host, self.path))
        rule = self.mirror.rule(self.host, self.path)
        if rule:
            return self._ruled(rule)
        file = resolve(self.mirror.root / self.host, self.path)
        if file is None:
            return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=UTF-8")
        self._send(200, self.mirror.body(file), _TYPES.get(file.suffix, "text/html; charset=UTF-8"),
                   validators=(f'"{hashlib.sha1(self.mirror.body(file)).hexdigest()[:16]}"',
                               formatdate(file.stat().st_mtime, usegmt=True)))

    def _ruled(self, rule: dict):
        if rule.get("delay"):
            time.sleep(float(rule["delay"]))
        status = int(rule.get("status", 301 if "location" in rule else 200))
        headers = dict(rule.get("headers") or {})
        if "location" in rule:
            headers["Location"] = self.mirror.rewrite(str(rule["location"]).encode()).decode()
        if "size" in rule:
            return self._stream(status, int(rule["size"]), headers, bool(rule.get("length", True)),
                                bool(rule.get("gzip")))
        if "body" in rule:
            body = self.mirror.rewrite(str(rule["body"]).encode("utf-8"))
        elif "file" in rule:
            body = self.mirror.body(self.mirror.root / self.host / rule["file"])
        else:
            body = b""
        ctype = headers.pop("Content-Type", "text/html; charset=UTF-8")
        self._send(status, body, ctype, extra=headers, compress=bool(rule.get("gzip", True)))

    def _send(self, status, body, ctype, extra=None, validators=None, compress=True):
        etag, modified = validators or (None, None)
        if etag and (self.headers.get("If-None-Match") == etag or
                     (modified and self.headers.get("If-Modified-Since") == modified)):
            status, body = 304, b""
        encoding = None
        if compress and body and status != 304 and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body, encoding = self.mirror.gzipped(body), "gzip"
        self.mirror.served.append({"host": self.host, "path": self.path, "status": status, "encoding": encoding,
                                   "if_none_match": self.headers.get("If-None-Match"),
                                   "user_agent": self.headers.get("User-Agent"), "at": time.monotonic()})
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", ctype)
        for name, value in (extra or {}).items():
            self.send_header(name, str(value))
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass    # the client gave up (a timeout, a refused 50 MB page)

    def _stream(self, status, size, headers, with_length, compress):
        """A generated body of `size` bytes, written as it is made: the 50 MB page."""
        self.mirror.served.append({"host": self.host, "path": self.path, "status": status,
                                   "encoding": "gzip" if compress else None, "if_none_match": None,
                                   "user_agent": self.headers.get("User-Agent"), "at": time.monotonic()})
        payload = None
        if compress:
            payload = gzip.compress((_FILLER * (size // len(_FILLER) + 1))[:size], compresslevel=1, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("Content-Type", "text/html; charset=UTF-8"))
        if compress:
            self.send_header("Content-Encoding", "gzip")
        if with_length:
            self.send_header("Content-Length", str(len(payload) if compress else size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            if compress:
                self.wfile.write(payload)
                return
            sent = 0
            while sent < size:
                piece = _FILLER[:size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass    # the client gave up on it, as it should

    def log_message(self, *args):   # quiet: the demo's output is the alerts
        pass
