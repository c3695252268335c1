"""Shared fixtures: the offline mirror served on 127.0.0.1, temp configs and databases."""
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitor.mirror import Mirror

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "seeds" / "mirror"


@pytest.fixture(scope="session")
def manifest():
    return json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture()
def mirror():
    with Mirror(MIRROR) as m:
        yield m


def write_config(folder: Path, mirror: Mirror, channels=None, **extra) -> Path:
    """A config whose three sources point at the local mirror."""
    sohr, modon = mirror.url("www.syriahr.com"), mirror.url("www.almodon.com")
    doc = {
        "database": "monitor.db",
        "sources": [
            {"name": "sohr-ar", "spider": "sohr", "url": sohr, "lang": "ar"},
            {"name": "sohr-en", "spider": "sohr", "url": sohr + "en/", "lang": "en"},
            {"name": "almodon", "spider": "almodon", "url": modon, "lang": "ar"},
        ],
        "channels": channels if channels is not None else [{"name": "console", "url": "console://", "tags": ["alerts"]}],
        "crawl": {"AUTOTHROTTLE_ENABLED": False},
        **extra,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def monitor(*args, input=None, cwd=None):
    """Run the real `monitor` command line."""
    return subprocess.run([sys.executable, "-m", "monitor.cli", *args], capture_output=True, text=True,
                          input=input, cwd=cwd, timeout=240)


# -- hostile hosts and other sources (issue 6) ----------------------------------------
HOSTILE = ROOT / "seeds" / "hostile"
OTHERS = ROOT / "seeds" / "others"
# Fast retries, no pacing: the servers are local. Everything else is the shipped default.
FAST_CRAWL = {"AUTOTHROTTLE_ENABLED": False, "RETRY_BACKOFF_BASE": 0.05}


@pytest.fixture()
def hostile():
    with Mirror(HOSTILE) as m:
        yield m


@pytest.fixture()
def others():
    with Mirror(OTHERS) as m:
        yield m


def sources_config(folder: Path, sources: list, crawl=None, **extra) -> Path:
    """A config with these sources (dicts as in config.yaml) and a console channel."""
    doc = {"database": "monitor.db", "sources": sources,
           "channels": [{"name": "console", "url": "console://", "tags": ["alerts"]}],
           "crawl": {**FAST_CRAWL, **(crawl or {})}, **extra}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def statuses(config: Path) -> dict:
    """`monitor status --json`, by source name."""
    out = monitor("status", "-c", str(config), "--json")
    assert out.returncode == 0, out.stderr
    return {d["name"]: d for d in map(json.loads, out.stdout.splitlines())}


def report(out) -> str:
    """The run's one line per source (logged to stderr), then its stdout. Exit status 3 is
    the cron contract (`monitor run --help`): done, but a source is not ok."""
    lines = [m.group(1) for m in map(_LOG_LINE.match, out.stderr.splitlines()) if m]
    bad = any(not re.search(r"\b0 failed", line) if line.startswith("alerts:") else ": ok — " not in line
              for line in lines)
    assert out.returncode == (3 if bad else 0), out.stderr
    return "\n".join(lines) + "\n" + out.stdout


_LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT\S+ [A-Z]+ (.*)$")


def rows(where, sql, *args) -> list:
    """The rows of a query on a real database: a monitor.db path, or a config.yaml whose
    database sits beside it (the configs the tests write say `database: monitor.db`)."""
    path = Path(where)
    con = sqlite3.connect(path.parent / "monitor.db" if path.suffix in (".yaml", ".yml") else path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()
