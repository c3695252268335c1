"""Real servers on 127.0.0.1 for the alert tests: an SMTP server (aiosmtpd) that keeps what
it receives, a stand-in for the Telegram Bot API, and a tiny news site with one feed."""
import asyncio
import email
import email.policy
import json
import socket
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import rows  # noqa: F401  (re-exported for the alert tests)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=60.0, what="condition"):
    """Poll until `condition()` is true; fail after `timeout` seconds (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def execute(db, sql, *args) -> int:
    con = sqlite3.connect(db)
    try:
        with con:
            return con.execute(sql, args).rowcount
    finally:
        con.close()


class _Handler:
    def __init__(self, smtp):
        self.smtp = smtp

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.smtp.entered.set()
        # A gate holds the client here, after it connected and before any message is
        # transferred: the moment to kill it "between storing and delivering".
        await asyncio.get_running_loop().run_in_executor(None, self.smtp.gate.wait, 120)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.smtp.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


class Smtp:
    """aiosmtpd on 127.0.0.1:`port`; with `password`, it demands AUTH as user `desk`."""

    def __init__(self, port=None, password=None, gated=False):
        self.port = port or free_port()
        self.password, self.messages, self.logins = password, [], []
        self.entered, self.gate = threading.Event(), threading.Event()
        if not gated:
            self.gate.set()
        self.controller = None

    def _auth(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"desk" and auth_data.password == (self.password or "").encode()
        self.logins.append(ok)
        return AuthResult(success=ok)

    def start(self) -> "Smtp":
        kwargs = dict(authenticator=self._auth, auth_require_tls=False, auth_required=True) if self.password else {}
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self):
        self.gate.set()
        if self.controller:
            self.controller.stop()
            self.controller = None

    def url(self, to="desk@example.org", user=True) -> str:
        auth = "desk:${SMTP_PASS}@" if user and self.password else ""
        return f"mailto://{auth}127.0.0.1:{self.port}?to={to}&from=monitor@example.org"


def parts(msg) -> dict:
    """{content type: decoded text} of a received message."""
    return {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}


class BotApi:
    """Stands in for api.telegram.org: records every call and answers as Telegram does."""

    def __init__(self):
        calls = self.calls = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                calls.append((self.path, json.loads(body or b"{}")))
                out = json.dumps({"ok": True, "result": {"message_id": len(calls), "chat": {"id": 1}}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.api = f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# Loaded by every Python the tests start, through PYTHONPATH: the `monitor` command then
# talks to BotApi instead of api.telegram.org. apprise builds each request from the class
# attribute NotifyTelegram.notify_url ("https://api.telegram.org/bot" + token + "/method").
SITECUSTOMIZE = '''import os
if os.environ.get("MONITOR_TEST_TELEGRAM_API"):
    from apprise.plugins.telegram import NotifyTelegram
    NotifyTelegram.notify_url = os.environ["MONITOR_TEST_TELEGRAM_API"]
'''


def redirect_telegram(folder: Path, monkeypatch, api: str) -> None:
    hook = folder / "telegram-hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    monkeypatch.setenv("PYTHONPATH", str(hook))
    monkeypatch.setenv("MONITOR_TEST_TELEGRAM_API", api)


class NewsSite:
    """One RSS feed and its article pages, served on 127.0.0.1 (a source with spider: feed)."""

    def __init__(self, articles: dict):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.page(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/rss+xml; charset=UTF-8" if self.path == "/feed"
                                 else "text/html; charset=UTF-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args):
                pass

        self.articles = articles            # path -> (title, html)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def page(self, path):
        if path == "/feed":
            from xml.sax.saxutils import escape
            items = "".join(f"<item><title>{escape(t)}</title><link>{self.base}{p}</link></item>"
                            for p, (t, _) in self.articles.items())
            return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
        return self.articles.get(path, (None, None))[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def article_html(title: str, paragraphs: list[str], published: str, lang: str = "en") -> str:
    from html import escape
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<html lang="{lang}"><head><title>{escape(title)}</title>'
            f'<meta property="og:title" content="{escape(title)}">'
            f'<meta property="article:published_time" content="{published}"></head>'
            f"<body><article>{body}</article></body></html>")
