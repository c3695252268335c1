"""One source's crawl, isolated in a child process with a timeout.

Scrapy's Twisted reactor cannot be restarted in one process, and a stuck site must not
block the others, so every crawl runs as `python -m monitor.crawl CONFIG SOURCE` and
the parent kills it when the source's timeout passes. The child only fetches: each page
goes to the inbox table as it arrives (so a killed crawl loses nothing fetched), and the
run's workers extract, detect and store from there on every core.
"""
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace

RESULT = "MONITOR-RESULT "
STOP_GRACE = 5      # seconds a crawl told to stop gets before it is killed


def crawl(config, source, stop: threading.Event | None = None) -> dict:
    """Run one source's crawl to completion, timeout or `stop`; returns its result counts.

    The child gets the parent's validated config through its stdin (not the file, which
    the user may be editing: the daemon keeps the last good one), and that pipe stays
    open: when the parent dies, even by SIGKILL, the child sees end-of-file and exits,
    so no orphan crawl outlives a daemon."""
    cmd = [sys.executable, "-m", "monitor.crawl", "-", source.name]
    with _capture() as out, _capture() as err:
        # files, not pipes: a chatty crawl can never fill a pipe and block
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=err, text=False,
                                start_new_session=True)   # the parent decides when it stops
        try:
            proc.stdin.write(pickle.dumps(replace(config, channels=())))   # no secrets needed
            proc.stdin.flush()
        except BrokenPipeError:
            pass
        outcome = _wait(proc, source.timeout, stop)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if outcome == "timeout":
        return {"status": "failing", "error": f"crawl timed out after {source.timeout}s", "errors": 1}
    if outcome == "stopped":
        return {"status": "stopped", "error": "stopped with the monitor"}
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    tail = (stderr.strip().splitlines() or ["no output"])[-1]
    return {"status": "failing", "error": f"crawl exited with status {proc.returncode}: {tail}", "errors": 1}


def _capture():
    return tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")


def _wait(proc, timeout: float, stop) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            proc.wait(0.2)
            proc.stdin.close()
            return "done"
        except subprocess.TimeoutExpired:
            pass
        if (stop is not None and stop.is_set()) or time.monotonic() > deadline:
            proc.stdin.close()          # the child exits at end-of-file; kill if it does not
            try:
                proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            return "stopped" if stop is not None and stop.is_set() else "timeout"


def _child(config_path: str, source_name: str) -> dict:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    import spiders.settings
    from spiders import SPIDERS

    from . import db as store
    from .config import load_config

    if config_path == "-":          # the parent's config, on stdin (see crawl())
        config = pickle.load(sys.stdin.buffer)
        threading.Thread(target=_exit_with_parent, daemon=True).start()
    else:
        config = load_config(config_path)
    source = config.source(source_name)
    db = store.open_db(config.database)
    settings = Settings()
    settings.setmodule(spiders.settings, priority="project")
    settings.set("USER_AGENT", config.user_agent, priority="project")
    settings.setdict(config.crawl, priority="cmdline")
    result = {"feeds": 0, "pages": 0, "queued": 0, "errors": 0}
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(SPIDERS[source.spider])
    process.crawl(crawler, source=source, db=db, result=result)
    process.start()
    stats = crawler.stats.get_stats()
    http = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")}
    result["http"] = http
    result["errors"] += stats.get("spider_exceptions/count", 0) + stats.get("downloader/exception_count", 0)
    result["status"] = _status(result, http)
    if result["status"] != "ok" and not result.get("error"):
        result["error"] = ("the site answered with a bot challenge page" if result.get("challenge")
                           else "no feed could be read" if not result["feeds"] else "errors while crawling")
        if cause := _cause(stats, http):
            result["error"] += f": {cause}"
    return result


def _cause(stats: dict, http: dict) -> str:
    """What went wrong, for `monitor status`: "HTTP 404 ×1", "ConnectionRefusedError ×3"."""
    causes = {f"HTTP {code}": n for code, n in sorted(http.items()) if not code.startswith(("2", "3"))}
    causes.update({k.rsplit("/", 1)[1].rsplit(".", 1)[-1]: n for k, n in stats.items()
                   if k.startswith("downloader/exception_type_count/")})
    return ", ".join(f"{what} ×{n}" for what, n in causes.items())


def _exit_with_parent() -> None:
    """stdin reaches end-of-file when the parent closes it or dies: stop at once. Every
    fetched page is already committed to the inbox, so nothing is lost."""
    sys.stdin.buffer.read()
    os._exit(3)


def _status(result: dict, http: dict) -> str:
    """blocked (bot wall), failing (nothing read), or ok — never "no news" for a wall."""
    if result.get("challenge"):
        return "blocked"
    if not result["feeds"]:
        if any(code in http for code in ("403", "406", "429")):
            return "blocked"
        return "failing"
    return "ok"


if __name__ == "__main__":
    try:
        out = _child(sys.argv[1], sys.argv[2])
    except Exception as exc:   # report, do not traceback: the parent records it
        out = {"status": "failing", "error": f"{type(exc).__name__}: {exc}", "errors": 1}
    print(RESULT + json.dumps(out), flush=True)
