"""`monitor daemon` for real: a fast schedule against a mirror served on 127.0.0.1, alerts
to the console, SIGTERM and SIGKILL, live edits of the watchlists and of config.yaml."""
import json
import os
import shutil
import signal
import socket
import time
from datetime import datetime
from pathlib import Path

import yaml
from daemon_helpers import NEW_STORY, DaemonProcess, LiveMirror, alive, children, config, count, stories

from conftest import ROOT, monitor, rows


def test_new_article_alerts_within_one_interval_and_sigterm_stops_cleanly(tmp_path):
    with LiveMirror(tmp_path, stories()) as mirror:
        cfg = config(tmp_path, mirror, every="2s")
        d = DaemonProcess(cfg)
        try:
            d.wait(lambda: any(r["status"] == "ok" for r in d.runs()), "a first run")
            # the run is logged before its alerts go out (apprise loads on the first send)
            d.wait(lambda: _delivered(tmp_path / "monitor.db", d), "the first run's alerts delivered")
            first_alerts = len(d.alerts())
            mirror.add(NEW_STORY)
            published = len(d.runs())
            d.wait(lambda: NEW_STORY["title"] in d.alerts(), "the new article's alert")
            # at most the run under way when the article appeared, then the next one
            runs_between = d.runs()[published:]
            assert len(runs_between) <= 2, runs_between
            assert len(d.alerts()) == first_alerts + 1
            assert d.terminate() == 0, d.tail()
        finally:
            d.kill()
    db = tmp_path / "monitor.db"
    assert rows(db, "pragma integrity_check") == [("ok",)]
    assert rows(db, "select count(*) from runs where status = 'running'") == [(0,)]
    assert rows(db, "select count(*) from inbox") == [(0,)]
    assert rows(db, "select count(*) from alerts where status != 'sent'") == [(0,)]
    logs = [e["event"] for e in d.logs()]
    assert logs[0] == "start" and "stopping" in logs and logs[-1] == "stopped"
    # one JSON line per source per run, each saying what it fetched
    assert all({"source", "status", "pages", "new_articles", "seconds"} <= set(r) for r in d.runs())


def _delivered(db: Path, d: DaemonProcess) -> bool:
    """Every alert queued so far is sent and printed."""
    (pending,), (sent,) = rows(db, "select count(*) from alerts where status != 'sent'")[0], \
        rows(db, "select count(*) from alerts where status = 'sent'")[0]
    return pending == 0 and len(d.alerts()) == sent


def test_invalid_watchlist_edit_keeps_the_last_good_one_and_raises_one_ops_alert(tmp_path):
    shutil.copytree(ROOT / "monitor" / "watchlists", tmp_path / "w")
    with LiveMirror(tmp_path, stories(n=2)) as mirror:
        cfg = config(tmp_path, mirror, watchlists=["w/"])
        d = DaemonProcess(cfg)
        try:
            d.wait(lambda: d.runs(), "a first run")
            actors = tmp_path / "w" / "actors.yaml"
            good = actors.read_text(encoding="utf-8")
            actors.write_text(good + "\n  broken: [unclosed\n", encoding="utf-8")
            d.wait(lambda: any("invalid configuration" in a for a in d.alerts()), "the ops alert")
            # a second bad save in the same episode: logged, not alerted again
            actors.write_text(good + "\nbogus_section: 1\n", encoding="utf-8")
            d.wait(lambda: sum(e.get("status") == "invalid" for e in d.logs()) >= 2, "the second error logged")
            invalid = [e for e in d.logs() if e.get("status") == "invalid"]
            assert "actors.yaml" in invalid[0]["error"] and "line" in invalid[0]["error"]
            # the last good watchlists still detect: a new article still alerts
            mirror.add(NEW_STORY)
            d.wait(lambda: NEW_STORY["title"] in d.alerts(), "the new article's alert")
            actors.write_text(good, encoding="utf-8")
            d.wait(lambda: any(e.get("status") == "reloaded" for e in d.logs()), "the fixed config reloaded")
            assert sum("invalid configuration" in a for a in d.alerts()) == 1
            assert d.terminate() == 0, d.tail()
        finally:
            d.kill()
    assert rows(tmp_path / "monitor.db", "select count(*) from alerts where dedupe_key like 'ops:config:%'") == [(1,)]


def test_sigkill_mid_crawl_and_restart_lose_no_article_and_repeat_no_alert(tmp_path):
    base = stories(n=12)
    with LiveMirror(tmp_path, base, delay=1.0) as mirror:
        cfg = config(tmp_path, mirror, every="1s", crawl={"AUTOTHROTTLE_ENABLED": False,
                                                          "CONCURRENT_REQUESTS_PER_DOMAIN": 2})
        db = tmp_path / "monitor.db"
        tmp = tmp_path / "tmp"      # where the crawls' logs go
        tmp.mkdir()
        env = {**os.environ, "TMPDIR": str(tmp)}
        d = DaemonProcess(cfg, "first", env=env)

        def half_done():
            articles = count(db, "articles")
            return articles >= 1 and articles + count(db, "inbox") < len(base)
        try:
            # an article stored, other pages not fetched yet: kill everything the hard way
            d.wait(half_done, "a crawl half done", timeout=90)
            kids = children(d.proc.pid)
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait()
            # the crawl and the workers notice their parent is gone and exit: no orphans
            for k in kids:
                _wait_gone(k)
        finally:
            d.kill()
        assert rows(db, "select count(*) from articles")[0][0] < len(base)
        mirror.delay = 0
        assert list(tmp.glob("monitor-crawl-*.log"))     # the killed daemon could not remove its logs
        d2 = DaemonProcess(cfg, "second", env=env)
        try:
            d2.wait(lambda: rows(db, "select count(*) from articles")[0][0] == len(base)
                    and not rows(db, "select count(*) from alerts where status = 'pending'")[0][0]
                    and d2.runs(), "every article stored and every alert sent")
            assert d2.terminate() == 0, d2.tail()
        finally:
            d2.kill()
    urls = {u for (u,) in rows(db, "select url from articles")}
    assert len(urls) == len(base)
    sent = rows(db, "select title from alerts where status = 'sent'")
    printed = d.alerts() + d2.alerts()
    assert sorted(printed) == sorted(t for (t,) in sent) and len(set(printed)) == len(printed)
    assert rows(db, "select count(*) from runs where status = 'running'") == [(0,)]
    assert rows(db, "select count(*) from runs where status = 'stopped'")[0][0] >= 1   # the killed run
    assert not list(tmp.glob("monitor-crawl-*.log"))     # the next daemon did


def _wait_gone(pid, timeout=15):
    deadline = time.monotonic() + timeout
    while alive(pid):
        assert time.monotonic() < deadline, f"process {pid} outlived the killed daemon"
        time.sleep(0.05)


def test_failing_source_gives_one_ops_alert_and_one_recovery_notice(tmp_path):
    with LiveMirror(tmp_path, stories(n=1)) as mirror:
        good_url = mirror.url("www.syriahr.com") + "en/"
        closed = mirror.url("www.syriahr.com") + "nothing-here/"    # 404: no feed
        src = {"name": "sohr-en", "spider": "sohr", "url": closed, "lang": "en", "every": "1s",
               "alert_after": 2, "timeout": "1m"}
        cfg = config(tmp_path, mirror, sources=[src])
        d = DaemonProcess(cfg)
        try:
            d.wait(lambda: sum(r["status"] == "failing" for r in d.runs()) >= 3, "three failed runs")
            assert sum("sohr-en is failing" in a for a in d.alerts()) == 1
            status = monitor("status", "-c", str(cfg), "--json")
            st = json.loads(status.stdout)
            assert st["status"] == "failing" and st["consecutive_failures"] >= 3
            assert st["last_error"].startswith("HTTP 404 at http://127.0.0.1:") and "/nothing-here/feed/" in st["last_error"]
            # the user fixes the URL in config.yaml: picked up live, one recovery notice
            doc = yaml.safe_load(cfg.read_text(encoding="utf-8"))
            doc["sources"][0]["url"] = good_url
            cfg.write_text(yaml.safe_dump(doc), encoding="utf-8")
            d.wait(lambda: sum(r["status"] == "ok" for r in d.runs()) >= 2, "two good runs")
            assert sum("works again" in a for a in d.alerts()) == 1
            assert sum("sohr-en is failing" in a for a in d.alerts()) == 1
            assert d.terminate() == 0, d.tail()
        finally:
            d.kill()


def test_run_is_skipped_with_status_75_while_the_daemon_holds_the_database(tmp_path):
    with LiveMirror(tmp_path, stories(n=1)) as mirror:
        cfg = config(tmp_path, mirror, every="1h")
        d = DaemonProcess(cfg)
        try:
            d.wait(lambda: d.runs(), "a first run")
            r = monitor("run", "-c", str(cfg))
            assert r.returncode == 75, r.stderr
            assert r.stderr.startswith("Error: skipped: monitor daemon (pid ") and "Traceback" not in r.stderr
            second = DaemonProcess(cfg, "second")
            assert second.proc.wait(60) == 75
            assert d.terminate() == 0
        finally:
            d.kill()
        assert monitor("run", "-c", str(cfg)).returncode == 0     # the lock went with the daemon


def test_a_stuck_source_is_stopped_at_its_timeout_and_never_holds_up_the_others(tmp_path):
    with socket.socket() as hang, LiveMirror(tmp_path, stories(n=1)) as mirror:
        hang.bind(("127.0.0.1", 0))
        hang.listen(16)          # accepts connections and never answers: a stuck site
        stuck = {"name": "stuck", "spider": "feed", "url": f"http://127.0.0.1:{hang.getsockname()[1]}/feed",
                 "every": "1s", "timeout": "3s"}
        fine = {"name": "sohr-en", "spider": "sohr", "url": mirror.url("www.syriahr.com") + "en/", "every": "1s"}
        cfg = config(tmp_path, mirror, sources=[stuck, fine])
        d = DaemonProcess(cfg)
        try:
            # a whole run of the other source fits inside a stuck crawl: they run side by side
            d.wait(lambda: any(_inside(r, s) for r in d.runs("sohr-en") for s in d.runs("stuck")),
                   "a run of sohr-en while the stuck source hangs")
            assert all("timed out after 3s" in r["error"] for r in d.runs("stuck"))
            assert d.terminate() == 0, d.tail()
        finally:
            d.kill()


def _inside(run: dict, outer: dict) -> bool:
    def span(r):
        end = datetime.fromisoformat(r["time"]).timestamp()
        return end - r["seconds"], end
    (a, b), (c, d) = span(run), span(outer)
    return run["status"] == "ok" and c < a and b < d


def _workers(pid: int) -> set:
    def comm(p):       # workers name themselves (crawls are forked from the same server)
        try:
            return Path(f"/proc/{p}/comm").read_text().strip()
        except OSError:
            return ""
    return {k for k in children(pid) if comm(k) == "monitor-worker" and alive(k)}


def test_killed_workers_are_replaced_and_their_work_goes_on(tmp_path):
    with LiveMirror(tmp_path, stories(n=1)) as mirror:
        d = DaemonProcess(config(tmp_path, mirror))
        try:
            d.wait(lambda: d.runs(), "a first run")
            old = d.wait(lambda: _workers(d.proc.pid), "the workers")
            for pid in old:
                os.kill(pid, signal.SIGKILL)      # what the OOM killer would do
            new = d.wait(lambda: (w := _workers(d.proc.pid)) and not (w & old) and len(w) == len(old) and w,
                         "replacement workers")
            mirror.add(NEW_STORY)
            d.wait(lambda: NEW_STORY["title"] in d.alerts(), "the new article's alert")
            assert _workers(d.proc.pid) == new
            assert d.terminate() == 0, d.tail()
        finally:
            d.kill()
