"""Serve the offline mirror of the sources (seeds/mirror/<host>/) over HTTP on 127.0.0.1.

One server per host, so each site keeps its own root (robots.txt, /feed/, /rss). Pages
hold the real absolute links (https://www.syriahr.com/...); they are rewritten to the
local servers as they are served. Used by `monitor demo`, the tests and the benchmarks.
"""
import threading
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
    """Start with `Mirror(root).start()`; `.url(host)` gives a site's local base URL."""

    def __init__(self, root: Path, ports: dict | None = None):
        self.root, self.requests = Path(root), []
        self._servers, self._ports = {}, dict(ports or {})
        self._cache: dict = {}

    def start(self) -> "Mirror":
        for host in HOSTS:
            if not (self.root / host).is_dir():
                continue
            server = self._bind(host)
            self._servers[host] = server
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def _bind(self, host):
        handler = type("Handler", (_Handler,), {"mirror": self, "host": host})
        port = self._ports.get(host, 0)
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            return ThreadingHTTPServer(("127.0.0.1", 0), handler)   # the old port is taken

    def port(self, host: str) -> int:
        return self._servers[host].server_address[1]

    def url(self, host: str) -> str:
        return f"http://127.0.0.1:{self.port(host)}/"

    def rewrite(self, body: bytes) -> bytes:
        for host in self._servers:
            local = self.url(host).rstrip("/").encode()
            body = body.replace(f"https://{host}".encode(), local).replace(f"http://{host}".encode(), local)
        return body

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


class _Handler(BaseHTTPRequestHandler):
    mirror: Mirror
    host: str
    protocol_version = "HTTP/1.1"    # keep-alive, as real sites: one connection, many pages

    def do_GET(self):
        self.mirror.requests.append((self.host, self.path))
        file = resolve(self.mirror.root / self.host, self.path)
        if file is None:
            return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=UTF-8")
        self._send(200, self.mirror.body(file), _TYPES.get(file.suffix, "text/html; charset=UTF-8"))

    def _send(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):   # quiet: the demo's output is the alerts
        pass
