"""`monitor run` for cron (exit statuses, JSON logs without secrets), schedules, source
health and the ops alerts it drives, and the README's crontab line and systemd unit run
exactly as written."""
import json
import logging
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from daemon_helpers import DaemonProcess, LiveMirror, config, count, stories, wait_for

from conftest import ROOT, monitor, rows
from monitor import db as store, health, ops
from monitor.config import Channel, Source
from monitor.logs import LOGGER, setup
from monitor.source_schedule import cron_trigger


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_exits_3_on_a_failed_source_or_alert_and_logs_json_without_secrets(tmp_path):
    secret = "s3cr3t-Pa55word"
    with LiveMirror(tmp_path, stories(n=2)) as mirror:
        good = {"name": "sohr-en", "spider": "sohr", "url": mirror.url("www.syriahr.com") + "en/", "lang": "en"}
        bad = {"name": "gone", "spider": "feed", "url": f"http://127.0.0.1:{closed_port()}/feed"}
        cfg = config(tmp_path, mirror, sources=[good, bad])
        doc = cfg.read_text(encoding="utf-8").replace(
            "url: console://", f"url: json://desk:${{HOOK_PASS}}@127.0.0.1:{closed_port()}/")
        cfg.write_text(doc, encoding="utf-8")
        env = {**os.environ, "HOOK_PASS": secret}
        r = subprocess.run([sys.executable, "-m", "monitor.cli", "run", "-c", str(cfg), "--log-format", "json",
                            "--log-file", str(tmp_path / "run.log")], capture_output=True, text=True, env=env,
                           timeout=240)
    assert r.returncode == 3, r.stderr
    log = (tmp_path / "run.log").read_text(encoding="utf-8")
    events = [json.loads(line) for line in log.splitlines()]
    runs = {e["source"]: e for e in events if e["event"] == "run"}
    assert set(runs) == {"sohr-en", "gone"} and len([e for e in events if e["event"] == "run"]) == 2
    assert runs["sohr-en"]["status"] == "ok" and runs["sohr-en"]["new_articles"] == 2
    assert runs["gone"]["status"] == "failing" and runs["gone"]["error"]
    assert any(e["event"] == "alerts" and e["failed"] > 0 for e in events)
    assert secret not in log + r.stdout + r.stderr


def test_log_lines_mask_config_secrets_and_url_passwords(tmp_path):
    path = tmp_path / "log.jsonl"
    logger = logging.getLogger(LOGGER)
    saved = logger.handlers[:], logger.propagate, logger.level
    setup("json", path, secrets=["hunter2-token"])
    try:
        logger.warning("delivery to tgram://hunter2-token/123 failed; smtp://u:pw@x:587 too")
    finally:
        logger.handlers[0].close()
        logger.handlers[:], logger.propagate, logger.level = saved
    line = json.loads(path.read_text(encoding="utf-8"))
    assert "hunter2" not in line["message"] and ":pw@" not in line["message"]
    assert "tgram://***/123" in line["message"] and "smtp://u:***@x:587" in line["message"]


def test_run_stops_cleanly_on_sigterm_and_the_next_run_finishes_the_job(tmp_path):
    base = stories(n=8)
    with LiveMirror(tmp_path, base, delay=1.0) as mirror:
        cfg = config(tmp_path, mirror, crawl={"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 1})
        db = tmp_path / "monitor.db"
        run = subprocess.Popen([sys.executable, "-m", "monitor.cli", "run", "-c", str(cfg)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: count(db, "inbox") + count(db, "articles") >= 1, "a page fetched", proc=run)
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=30)
        assert run.returncode == 143, err
        assert "SIGTERM received: stopping" in err and "Traceback" not in err
        assert rows(db, "select status from runs") == [("stopped",)]
        mirror.delay = 0
        again = monitor("run", "-c", str(cfg))
        assert again.returncode == 0, again.stderr
    assert rows(db, "select count(*) from articles")[0][0] == len(base)
    assert rows(db, "select count(*) from inbox")[0][0] == 0


def test_cron_expressions_read_weekdays_as_crontab_does():
    sunday = datetime(2026, 1, 4, 12, 0, tzinfo=timezone.utc)
    monday = cron_trigger("0 8 * * 1").get_next_fire_time(None, sunday.astimezone())
    assert monday.weekday() == 0 and monday.hour == 8
    weekend = cron_trigger("30 6 * * 0,6").get_next_fire_time(None, sunday.astimezone())
    assert weekend.weekday() in (5, 6)


def test_check_rejects_a_bad_cron_with_its_line(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("sources:\n  - name: a\n    spider: feed\n    url: http://x/\n    cron: '61 * * * *'\n"
                   "    alert_after: 0\n")
    r = monitor("check", "-c", str(cfg))
    assert r.returncode == 1
    assert "invalid `cron:` '61 * * * *' for source 'a'" in r.stderr and "line 2" in r.stderr
    assert "invalid `alert_after:` 0" in r.stderr


def _runs(db, source, rows):
    for started, status, new, error in rows:
        db["runs"].insert({"source": source, "started_at": started, "ended_at": started, "status": status,
                           "new_articles": new, "pages": new, "errors": 0, "error": error})


def _at(now, **ago):
    return (now - timedelta(**ago)).isoformat(timespec="seconds")


@pytest.fixture()
def health_db(tmp_path):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    db = store.open_db(tmp_path / "monitor.db")
    # "quiet": news every hour for ten hours, then nothing for two days although runs succeed
    _runs(db, "quiet", [(_at(now, days=2, hours=h), "ok", 2, None) for h in range(10, 0, -1)])
    _runs(db, "quiet", [(_at(now, hours=h), "ok", 0, None) for h in range(40, -1, -4)])
    # "walled": a bot wall since the last success
    _runs(db, "walled", [(_at(now, hours=3), "ok", 1, None), (_at(now, hours=2), "blocked", 0, "HTTP 403"),
                         (_at(now, hours=1), "blocked", 0, "HTTP 403")])
    # "flaky": one failure after a normal night, not silent (its rhythm includes long gaps)
    _runs(db, "flaky", [(_at(now, hours=h), "ok", 1, None) for h in (30, 20, 12, 10, 3, 2)])
    _runs(db, "flaky", [(_at(now, minutes=30), "failing", 0, "no feed could be read")])
    yield db, now
    db.close()


def test_status_tells_silent_blocked_failing_and_never(health_db):
    db, now = health_db
    quiet = health.source_status(db, "quiet", Source("quiet", "feed", "http://x/", every=900), now)
    assert quiet["status"] == "silent" and quiet["silent"] and quiet["usual_gap"] == 3600
    assert quiet["consecutive_failures"] == 0 and quiet["last_new"] == 0
    walled = health.source_status(db, "walled", now=now)
    assert walled["status"] == "blocked" and walled["blocked"] and walled["consecutive_failures"] == 2
    assert walled["last_error"] == "HTTP 403" and walled["last_success"] == _at(now, hours=3)
    flaky = health.source_status(db, "flaky", now=now)
    assert flaky["status"] == "failing" and flaky["consecutive_failures"] == 1 and not flaky["silent"]
    assert health.source_status(db, "new", now=now)["status"] == "never"


def test_ops_alerts_once_per_episode(health_db):
    db, now = health_db
    chans = (Channel("ops-desk", "console://", ("ops",)), Channel("analysts", "console://", ("alerts",)))
    walled = Source("walled", "feed", "http://x/", alert_after=2)
    ops.after_run(db, walled, chans)
    ops.after_run(db, walled, chans)           # the same episode, evaluated again
    _runs(db, "walled", [(_at(now, minutes=1), "blocked", 0, "HTTP 403")])
    ops.after_run(db, walled, chans)
    keys = [k for (k,) in db.execute("select dedupe_key from alerts order by id")]
    assert len(keys) == 1 and keys[0].startswith("ops:walled:failing:") and keys[0].endswith(":ops-desk")
    _runs(db, "walled", [(_at(now, seconds=30), "ok", 1, None)])
    ops.after_run(db, walled, chans)
    _runs(db, "walled", [(_at(now, seconds=10), "ok", 0, None)])
    ops.after_run(db, walled, chans)
    titles = [t for (t,) in db.execute("select title from alerts order by id")]
    assert titles == ["monitor: walled is blocked by the site", "monitor: walled works again"]
    quiet = Source("quiet", "feed", "http://x/", every=900)
    ops.after_run(db, quiet, chans)
    ops.after_run(db, quiet, chans)
    assert [t for (t,) in db.execute("select title from alerts where sources = 'quiet'")] == \
        ["monitor: quiet is silent"]


def test_status_json_has_the_health_fields(tmp_path):
    with LiveMirror(tmp_path, stories(n=1)) as mirror:
        cfg = config(tmp_path, mirror)
        assert monitor("run", "-c", str(cfg)).returncode == 0
    out = monitor("status", "-c", str(cfg), "--json")
    st = json.loads(out.stdout)
    for key in ("name", "status", "last_success", "last_error", "consecutive_failures", "articles", "last_new",
                "blocked", "silent", "new_per_run", "last_article_at", "usual_gap", "last_run"):
        assert key in st
    assert st["status"] == "ok" and st["last_new"] == 1


# -- the README's crontab line and systemd unit, as written ------------------------------
def _readme_block(lang: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(rf"```{lang}\n(.*?)```", text, re.S).group(1)


@pytest.fixture()
def srv(tmp_path):
    """/srv/monitor of the README, in a temp folder: a clone's .venv, config, secrets."""
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "monitor.env").write_text("HOOK_TOKEN=tok-123456\n")
    return tmp_path


def test_readme_crontab_line_works_as_written(srv):
    line = _readme_block("crontab").strip().replace("/srv/monitor", str(srv))
    fields = line.split(None, 5)
    assert cron_trigger(" ".join(fields[:5]))
    with LiveMirror(srv, stories(n=1)) as mirror:
        cfg = config(srv, mirror)
        cfg.write_text(cfg.read_text() + "# ${HOOK_TOKEN} is read from monitor.env\n")
        # cron's environment: almost nothing
        r = subprocess.run(["/bin/sh", "-c", fields[5]], capture_output=True, text=True, timeout=240,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(srv), "SHELL": "/bin/sh", "LOGNAME": "monitor"})
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" and "=== ALERT:" in r.stdout          # cron mails alerts, not routine logs
    assert "sohr-en: ok — 1 pages fetched, 1 new articles" in (srv / "monitor.log").read_text(encoding="utf-8")


def test_readme_systemd_unit_verifies_and_its_command_stops_cleanly_on_sigterm(srv):
    unit = _readme_block("ini").replace("/srv/monitor", str(srv))
    path = srv / "monitor.service"
    path.write_text(unit)
    v = subprocess.run(["systemd-analyze", "verify", "--man=no", str(path)], capture_output=True, text=True)
    assert v.returncode == 0 and v.stderr == "", v.stderr
    service = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert service["KillMode"] == "mixed" and service["WorkingDirectory"] == str(srv)
    env = dict(line.split("=", 1) for line in (srv / "monitor.env").read_text().splitlines())
    with LiveMirror(srv, stories(n=1)) as mirror:
        cfg = config(srv, mirror)
        d = DaemonProcess(cfg, argv=shlex.split(service["ExecStart"]), cwd=service["WorkingDirectory"],
                          env={"PATH": "/usr/bin:/bin", **env})
        try:
            d.wait(lambda: "sohr-en: ok" in d.err.read_text(), "a first run")
            d.proc.send_signal(signal.SIGTERM)     # KillMode=mixed: SIGTERM to the main process only
            assert d.proc.wait(int(service["TimeoutStopSec"])) == 0, d.tail()
        finally:
            d.kill()


CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<h1>www.syriahr.com</h1><p>Checking if the site connection is secure</p>
<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a1b2c3d4e5f"></script>
</div></body></html>"""


def test_a_bot_challenge_page_instead_of_the_feed_is_blocked_not_no_news(tmp_path):
    with LiveMirror(tmp_path, stories(n=1)) as mirror:
        (mirror.root / "www.syriahr.com" / "en" / "feed" / "index.xml").write_text(CHALLENGE, encoding="utf-8")
        cfg = config(tmp_path, mirror)
        r = monitor("run", "-c", str(cfg))
    assert r.returncode == 3
    assert "sohr-en: blocked" in r.stderr and "bot challenge page" in r.stderr
    st = json.loads(monitor("status", "-c", str(cfg), "--json").stdout)
    assert st["status"] == "blocked" and st["blocked"] and st["consecutive_failures"] == 1
