"""One run: crawl the chosen sources (in parallel, each isolated), then drain the outbox.

`monitor run` (cron) and the daemon call the same `run_once`.
"""
from concurrent.futures import ThreadPoolExecutor

from . import db as store
from .crawl import crawl
from .notify import deliver

MAX_PARALLEL = 4


def run_once(config, names=None, log=print) -> dict:
    sources = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    db = store.open_db(config.database)
    runs = {}
    for s in sources:
        store.upsert_source(db, s)
        runs[s.name] = store.start_run(db, s.name)
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL) as pool:
        results = dict(zip((s.name for s in sources), pool.map(lambda s: crawl(config, s), sources)))
    for name, result in results.items():
        store.end_run(db, runs[name], result)
        log(_line(name, result))
    delivered = deliver(db, config.channels)
    log(f"alerts: {delivered['sent']} sent, {delivered['failed']} failed"
        + (f", {delivered['waiting']} waiting for a removed channel" if delivered["waiting"] else ""))
    db.close()
    return {"sources": results, "alerts": delivered}


def _line(name: str, r: dict) -> str:
    line = (f"{name}: {r.get('status', 'failing')} — {r.get('pages', 0)} pages fetched, "
            f"{r.get('new_articles', 0)} new articles")
    if r.get("errors"):
        line += f", {r['errors']} errors"
    if r.get("error"):
        line += f" ({r['error']})"
    return line
