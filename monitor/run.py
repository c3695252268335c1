"""Runs of sources: crawl a source (a child process), wait until the worker processes have
processed what it fetched, record the run and its ops alerts; then send the due alerts.

`monitor run` (cron) calls `run_once`: every source once, in parallel. The daemon keeps
one `Runner` and calls `run_source` on each source's schedule. Same code either way.
"""
import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from . import db as store, ops, workers
from .crawl import crawl
from .logs import event
from .notify import deliver
from .rules import load_rules

# Crawls forked from the preloaded server (monitor/crawl.py) cost ~0.1 s of CPU each and
# mostly wait on the network (and on AutoThrottle's delays): 8 at a time (bench/incremental.py).
MAX_PARALLEL = 8
STALL = 300          # seconds without progress before a run stops waiting for its pages


class Runner:
    def __init__(self, config, rules, stop: threading.Event | None = None, echo=None,
                 backfill: int | None = None):
        self.config, self.rules = config, rules
        self.backfill = backfill        # `monitor run --backfill DAYS`: also read archives
        self.stop = stop or threading.Event()
        self.echo = echo                # also print each line here (the demo)
        self.pool = workers.Pool(config, rules)
        self._delivering = threading.Lock()   # two threads must never send the same alert

    def reconfigure(self, config, rules) -> None:
        """Use a new valid configuration from the next run on (runs in progress finish
        with the one they started with)."""
        self.config, self.rules = config, rules
        self.pool.start(config, rules)

    def run_source(self, source) -> dict:
        config = self.config
        db = store.open_db(config.database)
        try:
            return self._run(db, config, source)
        finally:
            db.close()

    def _run(self, db, config, source) -> dict:
        store.upsert_source(db, source)
        self.pool.check(db)                 # a worker killed since (OOM killer, a crash) is replaced
        run_id, started, t0 = store.start_run(db, source.name), store.now(), time.monotonic()
        last_id = store.last_article_id(db)
        try:
            with self.pool.crawling():
                result = crawl(config, source, self.stop, self.backfill)
            if result.get("status") != "stopped" and not self._processed(db, source):
                result.update(status="stopped", error="stopped with the monitor; its pages wait in the inbox")
            result["new_articles"] = store.articles_after(db, source.name, last_id)
            result["errors"] = result.get("errors", 0) + store.failed_pages(db, source.name, started)
        except Exception as exc:     # recorded as this source's failure, not left `running`
            result = {"status": "failing", "error": f"{type(exc).__name__}: {exc}", "errors": 1}
        store.end_run(db, run_id, result)
        self._log(source.name, result, time.monotonic() - t0)
        if result["status"] != "stopped":
            ops.after_run(db, source, config.channels)
        return result

    def _processed(self, db, source) -> bool:
        """Wait until the workers have processed every page of this source; False if the
        monitor is stopping. A run never waits forever on a page that makes no progress."""
        seen, since = None, time.monotonic()
        while (n := store.pending_pages(db, source.name)):
            if self.stop.is_set():
                return False
            if n != seen:
                seen, since = n, time.monotonic()
            elif time.monotonic() - since > STALL:
                event(logging.WARNING, f"{source.name}: {n} pages made no progress in {STALL}s; "
                      "they stay in the inbox", event="stall", source=source.name, pages=n)
                return True
            self.pool.check(db)
            self.stop.wait(0.05)
        return True

    def deliver(self) -> dict:
        with self._delivering:
            db = store.open_db(self.config.database)
            try:
                stats = deliver(db, self.config.channels)
            finally:
                db.close()
        if stats["sent"] or stats["failed"] or stats["waiting"]:
            line = (f"alerts: {stats['sent']} sent, {stats['failed']} failed"
                    + (f", {stats['waiting']} waiting (quiet hours, next digest or a removed channel: "
                       "see `monitor alerts`)" if stats["waiting"] else "")
                    + (" (another monitor process is delivering)" if stats.get("busy") else ""))
            event(logging.WARNING if stats["failed"] else logging.INFO, line, event="alerts", **stats)
            if self.echo:
                self.echo(line)
        return stats

    def close(self) -> None:
        self.pool.close()

    def _log(self, name: str, r: dict, seconds: float) -> None:
        line = _line(name, r)
        level = logging.INFO if r.get("status") in ("ok", "stopped") else logging.WARNING
        event(level, line, event="run", source=name, status=r.get("status", "failing"),
              pages=r.get("pages", 0), new_articles=r.get("new_articles", 0), errors=r.get("errors", 0),
              error=r.get("error"), http=r.get("http"), seconds=round(seconds, 2))
        if self.echo:
            self.echo(line)


def prepare(config) -> None:
    """Before the first run, under the lock: runs and claims left by a monitor that was
    killed are closed, and their pages go back to the inbox."""
    db = store.open_db(config.database)
    try:
        store.stop_runs(db, "the monitor stopped during this run")
        store.release_claims(db)
    finally:
        db.close()


class Stop(threading.Event):
    """Set by SIGINT or SIGTERM; remembers which."""
    signum = None


@contextmanager
def stop_on_signals():
    """While inside, SIGINT and SIGTERM set the yielded event instead of killing us, so
    crawls are stopped, workers finish their page and unfinished runs are recorded."""
    stop = Stop()

    def handler(signum, frame):
        if not stop.is_set():
            event(logging.INFO, f"{signal.Signals(signum).name} received: stopping", event="stopping")
        stop.signum = signum
        stop.set()
    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run_once(config, names=None, log=None, rules=None, stop=None, backfill: int | None = None) -> dict:
    """Crawl the sources once (all enabled ones, or `names`), then send the due alerts.
    `backfill`: also read each source's archives back this many days."""
    sources = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    rules = rules if rules is not None else load_rules(config.watchlists)
    prepare(config)
    runner = Runner(config, rules, stop=stop, echo=log, backfill=backfill)
    try:
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL) as threads:
            results = dict(zip((s.name for s in sources), threads.map(runner.run_source, sources)))
        delivered = runner.deliver() if not runner.stop.is_set() else {"sent": 0, "failed": 0, "waiting": 0}
    finally:
        runner.close()
    return {"sources": results, "alerts": delivered}


def _line(name: str, r: dict) -> str:
    line = (f"{name}: {r.get('status', 'failing')} — {r.get('pages', 0)} pages fetched, "
            f"{r.get('new_articles', 0)} new articles")
    if r.get("errors"):
        line += f", {r['errors']} errors"
    if r.get("error"):
        line += f" ({r['error']})"
    return line
