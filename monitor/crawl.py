"""One source's crawl, isolated in a child process with a timeout.

Scrapy's Twisted reactor cannot be restarted in one process, and a stuck site must not
block the others, so every crawl runs as `python -m monitor.crawl CONFIG SOURCE` and
the parent kills it when the source's timeout passes. The child only fetches: each page
goes to the inbox table as it arrives (so a killed crawl loses nothing fetched), and the
run's workers extract, detect and store from there on every core.
"""
import json
import subprocess
import sys

RESULT = "MONITOR-RESULT "


def crawl(config, source) -> dict:
    """Run one source's crawl to completion or timeout; returns its result counts."""
    cmd = [sys.executable, "-m", "monitor.crawl", str(config.path), source.name]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=source.timeout)
    except subprocess.TimeoutExpired:
        return {"status": "failing", "error": f"crawl timed out after {source.timeout}s", "errors": 1}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"status": "failing", "error": f"crawl exited with status {proc.returncode}: {tail}", "errors": 1}


def _child(config_path: str, source_name: str) -> dict:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    import spiders.settings
    from spiders import SPIDERS

    from . import db as store
    from .config import load_config

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
        result["error"] = "no feed could be read" if not result["feeds"] else "errors while crawling"
    return result


def _status(result: dict, http: dict) -> str:
    """blocked (bot wall), failing (nothing read), or ok — never "no news" for a wall."""
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
