"""One source's crawl, isolated in a child process with a timeout.

Scrapy's Twisted reactor cannot be restarted in one process, and a stuck site must not
block the others, so every crawl runs in a process of its own that the parent kills when
the source's timeout passes or the monitor stops (the daemon's `stop` event). The child only
fetches: pages go to the inbox table in small batches as they arrive (a killed crawl loses at
most the last quarter second of fetching, which the next run fetches again), and the run's
workers extract, detect and store from there on every core.

The children are forked from a fork server that has imported Scrapy once: starting a
fresh interpreter and importing Scrapy costs ~1 s of CPU per source, which made an
incremental run over 10 sources take longer than its requests (bench/incremental.py).
`python -m monitor.crawl CONFIG SOURCE [BACKFILL_DAYS]` runs one crawl in the foreground.

What the daemon needs of a crawl holds for a forked one too: it gets the parent's
validated config (pickled, without channels: no secrets; never the file, which the user
may be editing), and it dies with its parent: a thread waits on the parent's sentinel
pipe, which reaches end-of-file when the parent exits, even by SIGKILL, so no orphan
crawl outlives a daemon. It runs in a session of its own: Ctrl-C reaches the parent,
which decides when the crawl stops.
"""
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

RESULT = "MONITOR-RESULT "
# Imported once by the fork server, shared by every process it forks: the crawls and the
# run's inbox workers (monitor/run.py). None of them starts the Twisted reactor: each
# crawl installs its own.
# spiders.preload comes last: it freezes what is loaded so far out of the garbage
# collector's reach, which keeps each child from copying those pages (0.12 → 0.04 s CPU).
PRELOAD = ["scrapy.crawler", "scrapy.settings", "spiders", "spiders.settings", "monitor.crawl", "monitor.config",
           "monitor.db", "monitor.extract", "monitor.workers", "monitor.process", "spiders.preload"]
STOP_GRACE = 5       # seconds a finished crawl gets to exit before it is killed
KEEP = 20            # problems listed per kind in a result (the rest are counted)
_ctx = None
_lock = threading.Lock()


def context():
    """The multiprocessing context of crawls and workers: forked from a clean, preloaded
    server (never from the parent, which holds threads and a database connection)."""
    global _ctx
    with _lock:             # crawls start from several threads at once
        if _ctx is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _ctx = multiprocessing.get_context("forkserver")
                _ctx.set_forkserver_preload(PRELOAD)
            else:           # Windows: slower (each child imports Scrapy), as safe
                _ctx = multiprocessing.get_context("spawn")
        return _ctx


def name_process(name: str) -> None:
    """Name this process in `ps`, `top` and /proc/PID/comm (Linux): forked children all
    show the fork server's command line, and a user (or a test) must tell the crawls
    from the inbox workers."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)     # PR_SET_NAME
    except (OSError, AttributeError):
        pass                   # not Linux: the name is only cosmetic


def warm_up() -> None:
    """Start the fork server now, so that it imports Scrapy while the caller loads the
    config, the database and the rest (both cores busy instead of one after the other)."""
    from multiprocessing import forkserver
    if context().get_start_method() == "forkserver":
        forkserver.ensure_running()


def shut_down() -> None:
    """Stop the fork server and wait for it: a cron run leaves no process behind, and the
    CPU time of its crawls and workers is accounted to the command (bench/pipeline.py)."""
    from multiprocessing import forkserver
    stop = getattr(forkserver._forkserver, "_stop", None)     # stable since Python 3.8
    if _ctx is not None and _ctx.get_start_method() == "forkserver" and stop:
        stop()


def crawl(config, source, stop: threading.Event | None = None, backfill: int | None = None) -> dict:
    """Run one source's crawl to completion, timeout or `stop`; returns its result counts.
    `backfill`: also read archives back this many days (`monitor run --backfill`)."""
    ctx = context()
    log_path = _log_file(source.name)
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_forked, args=(replace(config, channels=()), source.name, backfill, sender, log_path),
                       daemon=True)
    try:
        proc.start()
        sender.close()
        result, outcome = _wait(receiver, source.timeout, stop)
        proc.join(STOP_GRACE if result is not None else 0.5)
        if proc.is_alive():
            proc.kill()      # it sent its result after its last batch: every fetched page is in the inbox
            proc.join()
        if outcome == "stopped":
            return {"status": "stopped", "error": "stopped with the monitor"}
        if outcome == "timeout":
            return {"status": "failing", "errors": 1,
                    "error": f"crawl timed out after {source.timeout}s; what it fetched is kept "
                             "(run again to continue, or raise the source's timeout:)"}
        if result is None:
            return {"status": "failing", "errors": 1,
                    "error": f"crawl exited with status {proc.exitcode}: {_last_line(log_path)}"}
        return result
    finally:
        receiver.close()
        os.unlink(log_path)


LOG_PREFIX = "monitor-crawl-"
_swept = False


def _log_file(source_name: str) -> str:
    """A temporary file for one crawl's log, named after this process: a monitor killed
    mid-crawl (SIGKILL, the OOM killer) cannot remove it, so the next monitor to crawl
    removes the logs of monitors that are gone. A daemon restarted by systemd after each
    such death would otherwise leave one file per crawl in flight, for ever."""
    global _swept
    if not _swept:
        _swept = True
        for path in Path(tempfile.gettempdir()).glob(f"{LOG_PREFIX}*.log"):
            pid = path.name[len(LOG_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    path.unlink()
    fd, path = tempfile.mkstemp(prefix=f"{LOG_PREFIX}{os.getpid()}-{source_name}-", suffix=".log")
    os.close(fd)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True      # another user's process: alive, and not ours to clean up
    return True


def _wait(receiver, timeout: float, stop) -> tuple[dict | None, str]:
    """(result, "done"), or (None, "died" | "timeout" | "stopped")."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, "timeout"
        try:
            if receiver.poll(min(0.2, left)):
                return receiver.recv(), "done"
        except (EOFError, OSError):
            return None, "died"                    # the child died before it could answer
        if stop is not None and stop.is_set():
            return None, "stopped"


def _forked(config_path, source_name, backfill, conn, log_path) -> None:
    """In the forked child: Scrapy's log goes to a file the parent reads on a crash."""
    os.setsid()                          # the parent decides when we stop, not Ctrl-C
    name_process("monitor-crawl")
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        out = _child(config_path, source_name, backfill)
    except Exception as exc:   # report, do not traceback: the parent records it
        out = {"status": "failing", "error": f"{type(exc).__name__}: {exc}", "errors": 1}
    conn.send(out)
    conn.close()


def _exit_with_parent() -> None:
    """The parent's sentinel reaches end-of-file when the parent dies (even by SIGKILL):
    stop at once. Every fetched page is already committed to the inbox, so nothing is lost."""
    from multiprocessing.connection import wait
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os._exit(3)


def _last_line(path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return "no output"
    return lines[-1][:300] if lines else "no output"


def _child(config_path, source_name: str, backfill: int | None = None) -> dict:
    """`config_path`: a config file, or the parent's validated Config itself."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    import spiders.settings
    from spiders import SPIDERS

    from . import db as store
    from .config import load_config

    config = load_config(config_path) if isinstance(config_path, (str, os.PathLike)) else config_path
    source = config.source(source_name)
    db = store.open_db(config.database)
    settings = Settings()
    settings.setmodule(spiders.settings, priority="project")
    settings.set("USER_AGENT", config.user_agent, priority="project")
    settings.setdict(config.crawl, priority="cmdline")
    result = {"feeds": 0, "pages": 0, "queued": 0, "errors": 0}
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDERS[source.spider])
    process.crawl(crawler, source=source, db=db, result=result, backfill=backfill)
    process.start()
    stats = crawler.stats.get_stats()
    if "finish_reason" not in stats:
        raise RuntimeError("the crawl could not start (a setting or a spider is broken; run "
                           f"`python -m monitor.crawl {config.path} {source_name}` to see why)")
    http = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")}
    result["http"] = http
    result["errors"] += stats.get("spider_exceptions/count", 0)
    if stats.get("spider_exceptions/count"):
        result.setdefault("failed", []).append(f"{stats['spider_exceptions/count']} spider errors (see the log)")
    result["status"], error = status(result)
    if error:
        # the status names the URL and HTTP code; add exceptions (timeouts, refusals) it cannot see
        cause = _cause(stats, {})
        result["error"] = f"{error}: {cause}" if cause else error
    for key in ("blocked", "failed", "feed_errors", "warnings"):
        if len(result.get(key, ())) > KEEP:
            result[key] = result[key][:KEEP] + [f"… and {len(result[key]) - KEEP} more"]
    return result


def _cause(stats: dict, http: dict) -> str:
    """What went wrong, for `monitor status`: "HTTP 404 ×1", "ConnectionRefusedError ×3"
    (pass no `http` to name only the exceptions)."""
    causes = {f"HTTP {code}": n for code, n in sorted(http.items()) if not code.startswith(("2", "3"))}
    causes.update({k.rsplit("/", 1)[1].rsplit(".", 1)[-1]: n for k, n in stats.items()
                   if k.startswith("downloader/exception_type_count/")})
    return ", ".join(f"{what} ×{n}" for what, n in causes.items())


def status(result: dict) -> tuple[str, str | None]:
    """The source's status after a crawl, and what to tell the user.

    blocked: a bot wall answered (403/406/429, a challenge page, a tiny body), for the
             feed or for a page: never "no news".
    failing: no entry point (feed, sitemap, listing) could be read, or every page failed.
    ok:      the feed was read; pages gone (404), too large or looping are listed as
             warnings, and given up on after a few runs.
    """
    blocked, feed_errors = result.get("blocked", []), result.get("feed_errors", [])
    failed, warnings = result.get("failed", []), result.get("warnings", [])
    if blocked:
        return "blocked", "bot wall: " + _first(blocked)
    if not result.get("feeds"):
        return "failing", _first(feed_errors) if feed_errors else "no feed could be read"
    if failed and not result.get("pages"):
        return "failing", "no page could be fetched: " + _first(failed)
    problems = feed_errors + failed + warnings
    return "ok", (_first(problems) if problems else None)


def _first(items: list, n: int = 3) -> str:
    """The first few problems, for the run's one-line report and `monitor status`."""
    return "; ".join(items[:n]) + (f" (and {len(items) - n} more)" if len(items) > n else "")


if __name__ == "__main__":
    try:
        out = _child(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
    except Exception as exc:   # report, do not traceback: the parent records it
        out = {"status": "failing", "error": f"{type(exc).__name__}: {exc}", "errors": 1}
    print(RESULT + json.dumps(out), flush=True)
