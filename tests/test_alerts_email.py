"""Email alerts end to end: the real `monitor` command crawls the mirror on 127.0.0.1 and
delivers to a real SMTP server (aiosmtpd), whose received MIME messages are checked."""
import os
import signal
import subprocess
import sys

import pytest
from alertkit import Smtp, execute, parts, rows, wait_for
from conftest import monitor, write_config

SECRET = "s3cret-smtp-pass-4711"
# aiosmtpd warns about AUTH without TLS: fine for a server on 127.0.0.1 in a test.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def test_each_alert_reaches_the_mailbox_once_as_html_and_text(tmp_path, mirror, monkeypatch):
    monkeypatch.setenv("SMTP_PASS", SECRET)
    smtp = Smtp(password=SECRET).start()
    try:
        config = write_config(tmp_path, mirror, channels=[{"name": "desk-mail", "url": smtp.url(), "tags": ["alerts"]}])
        two = ("--source", "sohr-ar", "--source", "almodon")      # the seed story's two sites
        first = monitor("run", "-c", str(config), *two)
        assert first.returncode == 0, first.stderr
        db = tmp_path / "monitor.db"
        sent = rows(db, "select count(*) from alerts where status = 'sent'")[0][0]
        assert sent > 5 and len(smtp.messages) == sent and all(smtp.logins)
        assert rows(db, "select count(*) from alerts where status != 'sent'")[0][0] == 0

        # The seed story, on Al-Modon and reprinted by SOHR: one message naming both.
        seed = [m for _, m in smtp.messages if "استئناف دوريات مكافحة داعش" in m["Subject"]]
        assert len(seed) == 1, [m["Subject"] for _, m in smtp.messages]
        msg = seed[0]
        assert msg["Subject"].startswith("[monitor] ") and msg["To"] == "desk@example.org"
        assert msg.get_content_type() == "multipart/alternative"
        body = parts(msg)
        assert set(body) == {"text/plain", "text/html"}
        for text in body.values():
            assert "almodon" in text and "sohr-ar (from المدن)" in text
            assert "/politics/2022/11/25/" in text and "/481744/" in text      # both links
            assert "استأنف التحالف الدولي بقيادة واشنطن" in text                 # the evidence
        assert 'dir="rtl"' in body["text/html"] and "<blockquote" in body["text/html"]

        second = monitor("run", "-c", str(config), *two)
        assert second.returncode == 0, second.stderr
        assert len(smtp.messages) == sent                      # nothing twice
        assert "alerts:" not in second.stdout + second.stderr   # nothing to send, nothing said
        for out in (first, second):
            assert SECRET not in out.stdout + out.stderr
    finally:
        smtp.stop()


def test_smtp_down_keeps_alerts_pending_then_delivers_each_once(tmp_path, mirror, monkeypatch):
    monkeypatch.setenv("SMTP_PASS", SECRET)
    smtp = Smtp(password=SECRET)            # not started: the port refuses connections
    config = write_config(tmp_path, mirror, channels=[{"name": "desk-mail", "url": smtp.url(), "tags": ["alerts"]}])
    down = monitor("run", "-c", str(config), "--source", "almodon")
    assert down.returncode == 3, down.stderr          # done, but an alert could not be sent (README)
    db = tmp_path / "monitor.db"
    pending = rows(db, "select id, attempts, last_error, next_attempt_at > created_at from alerts")
    assert len(pending) >= 3 and {p[1] for p in pending} == {1} and all(p[3] for p in pending)
    assert all("mailto://desk:****@127.0.0.1" in p[2] for p in pending), pending[0][2]
    listing = monitor("alerts", "-c", str(config), "--status", "pending")
    assert listing.returncode == 0 and "waiting: retry after" in listing.stdout and "last error:" in listing.stdout
    for out in (down, listing):
        assert SECRET not in out.stdout + out.stderr
    assert SECRET not in str(rows(db, "select * from alerts"))

    smtp.start()
    try:
        # Time passes: the back-off ends (the next run after it is what cron would do).
        assert execute(db, "update alerts set next_attempt_at = created_at") == len(pending)
        up = monitor("run", "-c", str(config), "--source", "almodon")
        assert up.returncode == 0, up.stderr
        assert len(smtp.messages) == len(pending)
        assert len({m["Subject"] for _, m in smtp.messages}) == len(pending)
        assert rows(db, "select status, attempts, last_error from alerts") == [("sent", 2, None)] * len(pending)
    finally:
        smtp.stop()


def test_killed_between_storing_and_delivering_delivers_on_next_run_once(tmp_path, mirror):
    smtp = Smtp(gated=True).start()         # holds the first client before any message
    try:
        config = write_config(tmp_path, mirror, channels=[{"name": "desk-mail", "url": smtp.url(), "tags": ["alerts"]}])
        proc = subprocess.Popen([sys.executable, "-m", "monitor.cli", "run", "-c", str(config), "--source", "almodon"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(smtp.entered.is_set, 120, "the run to start delivering")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
        db = tmp_path / "monitor.db"
        stored = rows(db, "select status, attempts from alerts")
        assert len(stored) >= 3 and set(stored) == {("pending", 0)}
        smtp.gate.set()
        assert smtp.messages == []

        again = monitor("run", "-c", str(config), "--source", "almodon")
        assert again.returncode == 0, again.stderr
        assert len(smtp.messages) == len(stored)
        assert len({m["Subject"] for _, m in smtp.messages}) == len(stored)
        assert set(rows(db, "select status from alerts")) == {("sent",)}
    finally:
        smtp.stop()
