"""`monitor daemon`: crawl each source on its own schedule, unattended, for months.

- APScheduler 3 (BackgroundScheduler): one job per source, its `every:` or `cron:` with
  jitter; coalesce=True (a backlog of missed ticks is one run), max_instances=1 (never two
  crawls of one source), misfire_grace_time=None (a late tick still runs). Each crawl is a
  child process with the source's timeout (crawl.py), so a stuck source holds only its own
  job thread; the worker processes (workers.Pool) live as long as the daemon.
- Live edits: config.yaml and the watchlists are checked every TICK seconds and before
  each crawl. A change that has settled (unchanged for SETTLE seconds, so a half-written
  file is never read) is loaded; if it is invalid the error is logged, one ops alert goes
  out for the episode, and the last good configuration stays live.
- SIGTERM / SIGINT: no new crawl starts, running crawls are told to stop (killed after
  crawl.STOP_GRACE s), workers finish their page (killed after Pool.JOIN s); every
  transaction is whole, unfinished runs are recorded as `stopped`, and the exit status is 0.
"""
import logging
import os
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from . import db as store, ops, source_schedule as schedule
from .config import default_path, load_config
from .errors import UserError
from .lock import RunLock
from .logs import event
from .rules import load_rules
from .run import Runner, prepare, stop_on_signals

TICK = 1.0           # seconds between looks at config.yaml and the watchlists
SETTLE = 0.5         # a change is read once it has stayed the same this long
MAX_CRAWLS = 8       # crawls running at once (each is a Scrapy process, ~60-100 MB)
SHUTDOWN = 20        # seconds after which a stop no longer waits for a hung thread


def fingerprint(config_path: Path, watchlists) -> tuple:
    """What changes when the user saves config.yaml or a watchlist file (or adds one)."""
    paths = [Path(config_path)]
    for p in map(Path, watchlists or ()):
        paths.append(p)
        if p.is_dir():
            paths.extend(sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml")))
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append((str(p), st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append((str(p), None))
    return tuple(out)


class Daemon:
    def __init__(self, config_path=None):
        self.config_path = Path(config_path) if config_path else default_path()
        self._reload = threading.Lock()
        self._invalid_since = None

    def _load(self):
        config = load_config(self.config_path)
        return config, load_rules(config.watchlists)

    # -- life cycle -------------------------------------------------------------
    def run(self) -> int:
        config, rules = self._load()            # an invalid config at start: exit 1, says why
        with RunLock(config.database).acquire("daemon"), stop_on_signals() as self.stop:
            prepare(config)
            self.config = config
            self._applied = self._seen = fingerprint(self.config_path, config.watchlists)
            self._seen_at = time.monotonic()
            self.runner = Runner(config, rules, stop=self.stop)
            self.scheduler = BackgroundScheduler(
                executors={"default": ThreadPoolExecutor(MAX_CRAWLS), "watch": ThreadPoolExecutor(1)},
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
            for source in self._enabled(config):
                self._add(source)
            self.scheduler.add_job(self.reload_if_changed, IntervalTrigger(seconds=TICK), id="reload",
                                   executor="watch")
            self.scheduler.start()
            event(logging.INFO, f"daemon started: {len(self._enabled(config))} sources, database {config.database}, "
                  f"pid {os.getpid()}", event="start", sources=[s.name for s in self._enabled(config)])
            while not self.stop.wait(1.0):
                pass
            self._shutdown()
        return 0

    def _shutdown(self) -> None:
        t0 = time.monotonic()
        stopper = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}, daemon=True)
        stopper.start()           # running crawls see self.stop and end within crawl.STOP_GRACE
        stopper.join(SHUTDOWN)
        self.runner.close()
        hung = stopper.is_alive()
        event(logging.INFO, f"daemon stopped in {time.monotonic() - t0:.1f}s", event="stopped")
        if hung:                  # a thread stuck in a network call: do not wait for it
            event(logging.WARNING, "a job did not finish in time; exiting without it", event="stopped")
            logging.shutdown()
            os._exit(0)

    # -- jobs ---------------------------------------------------------------------
    @staticmethod
    def _enabled(config) -> list:
        return [s for s in config.sources if s.enabled]

    def _add(self, source) -> None:
        first = {}
        if not source.cron:       # interval sources crawl at start, then every `every`
            first["next_run_time"] = datetime.now(timezone.utc)
        self.scheduler.add_job(self._tick, schedule.trigger(source), args=[source.name], id=source.name,
                               name=source.name, **first)

    def _tick(self, name: str) -> None:
        self.reload_if_changed()
        source = next((s for s in self._enabled(self.config) if s.name == name), None)
        if source is None or self.stop.is_set():
            return
        try:
            self.runner.run_source(source)
            if not self.stop.is_set():
                self.runner.deliver()
        except Exception as exc:   # a bad night (disk full, locked database) must not end the daemon
            event(logging.ERROR, f"{name}: run failed: {type(exc).__name__}: {exc}", event="error", source=name,
                  error=f"{type(exc).__name__}: {exc}")

    # -- live edits ---------------------------------------------------------------
    def reload_if_changed(self) -> None:
        if self.stop.is_set():
            return
        with self._reload:
            fp = fingerprint(self.config_path, self.config.watchlists)
            if fp == self._applied:
                return
            if fp != self._seen:                 # still being written? look again next tick
                self._seen, self._seen_at = fp, time.monotonic()
                return
            if time.monotonic() - self._seen_at < SETTLE:
                return
            self._applied = fp
            try:
                config, rules = self._load()
            except UserError as exc:
                self._invalid(exc)
                return
            self._apply(config, rules)
            self._applied = fingerprint(self.config_path, config.watchlists)

    def _invalid(self, exc: UserError) -> None:
        first = self._invalid_since is None
        self._invalid_since = self._invalid_since or store.now()
        event(logging.ERROR, f"config not reloaded, the last good one stays live: {exc}", event="config",
              status="invalid", error=str(exc))
        db = store.open_db(self.config.database)
        try:
            queued = ops.config_invalid(db, self.config.channels, str(exc), self._invalid_since)
        finally:
            db.close()
        if first and not ops.ops_channels(self.config.channels):
            event(logging.WARNING, "no channel is tagged `ops`: this problem is only in the log", event="config")
        if queued:
            self.runner.deliver()

    def _apply(self, config, rules) -> None:
        old = self.config
        if config.database != old.database:
            event(logging.WARNING, f"`database:` changed to {config.database}: restart the daemon to use it; "
                  f"it keeps {old.database} until then", event="config")
            config = replace(config, database=old.database)
        self.runner.reconfigure(config, rules)
        self.config, self._invalid_since = config, None
        before = {s.name: s for s in self._enabled(old)}
        after = {s.name: s for s in self._enabled(config)}
        for name in before.keys() - after.keys():
            self.scheduler.remove_job(name)
        for name, source in after.items():
            if name not in before:
                self._add(source)
            elif (source.every, source.cron, source.jitter) != (before[name].every, before[name].cron,
                                                                 before[name].jitter):
                self.scheduler.reschedule_job(name, trigger=schedule.trigger(source))
        event(logging.INFO, f"config reloaded: {len(after)} sources, {len(config.channels)} channels, "
              f"{len(rules.alerts)} alert rules", event="config", status="reloaded")
