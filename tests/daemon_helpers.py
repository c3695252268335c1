"""Helpers for the daemon tests: a small mirror built from the seed stories that a test
can add an article to while it is served, and the real `monitor daemon` in a process."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from conftest import ROOT

sys.path.insert(0, str(ROOT / "seeds"))
import build_mirror  # noqa: E402  (seeds/ is data and its generator, not a package)

from monitor.mirror import Mirror  # noqa: E402

FEEDS = ("index.xml", "rss.xml")

NEW_STORY = {
    "site": "sohr-en", "id": 990001, "published": "2026-01-10T09:00:00+03:00", "category": "syria-news",
    "title": "Turkish drone strikes SDF vehicle near Qamishli, killing two fighters",
    "body": "A Turkish drone struck a vehicle of the SDF near Qamishli this morning, killing two fighters "
            "and wounding a third, SOHR sources reported.\n\nResidents said the vehicle was hit on the road "
            "between Qamishli and Amuda shortly after dawn.",
}


def stories(site="sohr-en", n=3) -> list[dict]:
    return [s for s in build_mirror.load_stories(ROOT / "seeds" / "stories") if s["site"] == site][:n]


class LiveMirror(Mirror):
    """The mirror, built into a temp folder; `add()` publishes a story while it serves.
    `delay` slows article pages, so a test can act while a crawl is under way."""

    def __init__(self, folder: Path, base: list[dict], delay: float = 0.0):
        self.folder, self.base, self.delay = Path(folder), list(base), delay
        self.manifest = build_mirror.build(self.base, self.folder / "site")
        super().__init__(self.folder / "site")

    def body(self, file):
        if self.delay and file.name not in FEEDS + ("robots.txt",):
            time.sleep(self.delay)     # a slow site, not a timing assumption of the test
        return super().body(file)

    def add(self, story: dict) -> list[dict]:
        """Publish: article pages first, the feeds last and atomically, as a site does."""
        self.base.append(story)
        staging = self.folder / f"next{len(self.base)}"
        self.manifest = build_mirror.build(self.base, staging)
        files = sorted((p for p in staging.rglob("*") if p.is_file()), key=lambda p: p.name in FEEDS)
        for src in files:
            dst = self.root / src.relative_to(staging)
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(dst.name + ".tmp")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        return self.manifest


def config(folder: Path, mirror: Mirror, every="1s", sources=None, **extra) -> Path:
    doc = {
        "database": "monitor.db",
        "sources": sources or [{"name": "sohr-en", "spider": "sohr", "url": mirror.url("www.syriahr.com") + "en/",
                                "lang": "en", "every": every, "timeout": "1m"}],
        "channels": [{"name": "console", "url": "console://", "tags": ["alerts", "ops"]}],
        "crawl": {"AUTOTHROTTLE_ENABLED": False},
        **extra,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


class DaemonProcess:
    """`monitor daemon --log-format json`, its alerts (stdout) and log (stderr) in files."""

    def __init__(self, config: Path, name: str = "daemon", argv=None, env=None, cwd=None):
        folder = config.parent
        self.out, self.err = folder / f"{name}.out", folder / f"{name}.err"
        argv = argv or [sys.executable, "-m", "monitor.cli", "daemon", "-c", str(config), "--log-format", "json"]
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd,
                                         env=env if env is not None else os.environ)

    def logs(self) -> list[dict]:
        lines = self.err.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def runs(self, source=None) -> list[dict]:
        return [e for e in self.logs() if e.get("event") == "run" and source in (None, e["source"])]

    def alerts(self) -> list[str]:
        return [line[len("=== ALERT: "):] for line in self.out.read_text(encoding="utf-8").splitlines()
                if line.startswith("=== ALERT: ")]

    def wait(self, condition, what: str, timeout: float = 60):
        return wait_for(condition, what, timeout, self.proc, self.tail)

    def tail(self) -> str:
        return self.err.read_text(encoding="utf-8")[-3000:] + "\n--- stdout ---\n" + \
            self.out.read_text(encoding="utf-8")[-1500:]

    def terminate(self, timeout: float = 30) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(condition, what: str, timeout: float = 60, proc=None, tail=lambda: ""):
    """Wait until `condition()` is true (returns it), or fail saying what we waited for;
    fail at once if `proc` exits meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert proc is None or proc.poll() is None, f"the process exited ({proc.returncode}):\n{tail()}"
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}:\n{tail()}")


def count(db: Path, table: str) -> int:
    """Rows in a table of the monitor's database; 0 while it is not created yet."""
    import sqlite3
    try:
        con = sqlite3.connect(db)
        try:
            return con.execute(f"select count(*) from {table}").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def children(pid: int) -> list[int]:
    """Every descendant of `pid` (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status
