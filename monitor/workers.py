"""Workers that empty the inbox: extract, detect, store and queue alerts, one page at a
time, on every core, while the crawls are still fetching.

`Pool` keeps them alive as long as the run or the daemon: started once with the validated
config and compiled rules (a daemon ticking every few seconds must not pay a process
start and a rules load per tick), replaced when the configuration is reloaded, and
watched: a worker that dies is replaced and its page goes back to the inbox.
"""
import gc
import multiprocessing
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import replace

from . import db as store
from .crawl import context as crawl_context, name_process


def serve(config, rules, stop, busy, current) -> None:
    """A long-lived worker: process inbox pages until `stop` is set or the parent is gone.
    Polls every 50 ms while a crawl is running (`busy`), every second otherwise.

    `stop`, `busy` and `current` are plain shared memory, not multiprocessing Events: an
    Event's condition waits for every sleeper to wake, so one worker killed while waiting
    (by the OOM killer, say) would hang the parent's next `set()` for ever."""
    # Imported here, not by the monitor process that only starts workers (trafilatura and
    # lxml are ~20 MB a daemon need not hold); the fork server has them loaded already.
    from . import extract
    from .process import Context, process_page
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C reaches the whole group: the parent stops us
    name_process("monitor-worker")
    ctx = None      # made on the first page: a run with nothing new needs neither it nor extract.warm()
    db = store.open_db(config.database)
    # The compiled rules (~70,000 objects) live as long as the worker: out of the garbage
    # collector's reach, its collections stop walking them (3-5 % of detection).
    gc.freeze()
    parent = multiprocessing.parent_process()
    while not stop.value:
        page = store.claim(db) if store.has_work(db) else None
        if page is None:
            if parent is not None and not parent.is_alive():
                break
            _nap(stop, busy)
            continue
        current.value = page["id"]
        try:
            if ctx is None:
                extract.warm()
                ctx = Context(rules, config.channels, config.sources)
            process_page(db, ctx, page, page["id"])
        except Exception as exc:   # one bad page must not stop the others; it is retried later
            store.unclaim(db, page["id"], f"{type(exc).__name__}: {exc}")
        current.value = 0
    db.close()


def _nap(stop, busy) -> None:
    """50 ms while a crawl runs; else up to a second, cut short when a crawl starts."""
    for _ in range(1 if busy.value else 20):
        if stop.value:
            return
        time.sleep(0.05)
        if busy.value:
            return


class Pool:
    JOIN = 5.0      # seconds a stopping worker gets to finish its page

    def __init__(self, config, rules, size: int | None = None):
        # forked from the crawls' preloaded fork server (never from the parent, which holds
        # threads and connections): a worker starts in ~0.05 s instead of ~1 s of imports
        self._mp = crawl_context()
        self.size = size or max(1, min(os.cpu_count() or 1, 4))
        self.busy = self._mp.RawValue("b", 0)
        self._crawls = 0
        self._lock = threading.Lock()
        self._procs: list = []
        self.start(config, rules)

    def start(self, config, rules) -> None:
        """Start a generation of workers with this config and rules; retire the previous one."""
        config = replace(config, channels=tuple(replace(c, url="") for c in config.channels))   # no secrets
        stop = self._mp.RawValue("b", 0)
        with self._lock:
            old = self._procs
            self._args = (config, rules, stop)
            self._procs = [self._spawn() for _ in range(self.size)]
        if old:
            threading.Thread(target=self._retire, args=(old, config.database), daemon=True).start()

    def _spawn(self):
        config, rules, stop = self._args
        current = self._mp.RawValue("q", 0)
        proc = self._mp.Process(target=serve, args=(config, rules, stop, self.busy, current),
                                name="monitor-worker", daemon=True)
        proc.start()
        return proc, stop, current

    @contextmanager
    def crawling(self):
        """Workers poll fast while any crawl runs."""
        with self._lock:
            self._crawls += 1
            self.busy.value = 1
        try:
            yield
        finally:
            with self._lock:
                self._crawls -= 1
                self.busy.value = int(self._crawls > 0)

    def check(self, db) -> int:
        """Replace dead workers; their page goes back to the inbox. Returns how many."""
        replaced = 0
        with self._lock:
            for i, (proc, stop, current) in enumerate(self._procs):
                if proc.is_alive() or stop.value:
                    continue
                if current.value:
                    store.unclaim(db, current.value, f"a worker died processing this page (exit {proc.exitcode})")
                proc.join()
                self._procs[i] = self._spawn()
                replaced += 1
        return replaced

    def alive(self) -> int:
        return sum(p.is_alive() for p, _, _ in self._procs)

    def _retire(self, procs, database) -> None:
        for _, stop, _ in procs:
            stop.value = 1
        leftover = []
        deadline = time.monotonic() + self.JOIN
        for proc, _, current in procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.terminate()
                proc.join()
                if current.value:
                    leftover.append(current.value)
        if leftover:
            db = store.open_db(database)
            for page_id in leftover:
                store.unclaim(db, page_id, None)
            db.close()

    def close(self) -> None:
        """Stop every worker (each finishes its page, within JOIN seconds, or is killed)."""
        with self._lock:
            procs, self._procs = self._procs, []
        if procs:
            self._retire(procs, self._args[0].database)
